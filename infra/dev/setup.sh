#!/usr/bin/env bash
# Idempotent setup for development and tests on Debian/Ubuntu (as root): Debian packages,
# the Temporal CLI, npm packages (with the project's Node 24), and a build. Safe to run on every
# `npm test` / `npm run dev`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# PostgreSQL runs the integration suites; reuse a running server, else install and start one.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  apt_install postgresql postgresql-client
  cluster=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$cluster" ] || die "postgresql installed but no cluster under /etc/postgresql"
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start || true
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
  pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL did not become ready on 127.0.0.1:5432"
fi

# `npm run dev` runs its own cluster with these binaries (initdb, postgres), whatever serves 5432.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || apt_install postgresql postgresql-client

# Programs the node agent drives on a web node; tests run them on private loopback ports.
# (policy-rc.d keeps the packages from starting their own daemons; the agent starts its own.)
apt_install nginx php8.2-fpm php8.2-cli openssh-server openssh-client acl ruby
# mysqli and PDO for tenants' PHP sites, which connect to a database node's MariaDB.
apt_install php8.2-mysql
# An LB node's HAProxy (routes changed through its admin socket, no reload).
apt_install haproxy
# A DNS node's PowerDNS (gpgsql backend on its own database); dig checks its answers in tests.
apt_install pdns-server pdns-backend-pgsql bind9-dnsutils
# An s3 node's one-node Ceph: monitor, OSD, radosgw, and the tools that bootstrap and administer it
# (radosgw-admin, ceph, ceph-authtool, monmaptool). No mgr: RGW does not need one.
apt_install ceph-mon ceph-osd radosgw ceph-common
# A database node's MariaDB (a private datadir, socket and port per node root) and its clients.
apt_install mariadb-server mariadb-client
# An email node's Postfix, Dovecot (IMAP, LMTP, Sieve) and OpenDKIM, each on a private config under
# the node root. Without the preseed Postfix's package asks which setup to write into /etc/postfix.
if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q "install ok installed"; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
fi
apt_install postfix dovecot-imapd dovecot-lmtpd dovecot-sieve opendkim opendkim-tools
# Tests issue certificates over ACME HTTP-01 from Debian's pebble test CA (pebble-challtestsrv
# answers its DNS lookups with 127.0.0.1).
apt_install pebble
# The admin UI's end-to-end tests drive Debian's Chromium (nothing may download a browser).
apt_install chromium

bash infra/dev/install-temporal.sh

# npm ci only when the lock changed since the last install (node_modules/.package-lock.json
# is npm's own record of what is installed), or the project's Node 24 is missing (see lib.sh).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  { [ ! -x "$PROJECT_NODE_BIN/node" ] && [ "$(uname -sm)" = "Linux x86_64" ]; }; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
use_project_node
log "node $(node -v) ($(command -v node))"

log "build (tsc -b, then the UI bundle)"
npm run -s build
npm run -s build -w @hosting/ui >/dev/null
