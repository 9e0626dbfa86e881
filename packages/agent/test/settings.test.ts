import { describe, expect, it } from "vitest"
import { dnsNodeConfigFromEnv } from "../src/dns/config.js"
import { lbNodeConfigFromEnv } from "../src/lb/config.js"
import { webNodeConfigFromEnv } from "../src/web/config.js"

describe("agent settings", () => {
  it("a web node with nothing set takes every default", () => {
    expect(webNodeConfigFromEnv({})).toEqual({
      layout: {
        root: "/var/lib/hosting/node",
        listen: { host: "127.0.0.1", port: 8000 },
        httpsPort: 8443,
        userPrefix: "",
        fastcgiParams: "/etc/nginx/fastcgi_params",
      },
      sshPort: 2222,
      transfer: { host: "127.0.0.1", port: 0 },
      uidMin: 200_000,
      uidMax: 299_999,
      webUser: "www-data",
      binaries: {
        nginx: "/usr/sbin/nginx",
        phpFpm: "/usr/sbin/php-fpm8.2",
        sshd: "/usr/sbin/sshd",
        node: "/usr/bin/node",
        python: "/usr/bin/python3",
        ruby: "/usr/bin/ruby",
      },
    })
  })

  it("set values are used; an empty value counts as unset; the transfer host follows the HTTP host", () => {
    const c = webNodeConfigFromEnv({
      HOSTING_HTTP_HOST: "10.0.0.5",
      HOSTING_HTTPS_PUBLIC_PORT: "443",
      HOSTING_USER_PREFIX: "it1_",
      HOSTING_SSH_PORT: "",
    })
    expect(c.layout).toMatchObject({
      listen: { host: "10.0.0.5", port: 8000 },
      httpsPublicPort: 443,
      userPrefix: "it1_",
    })
    expect(c.transfer).toEqual({ host: "10.0.0.5", port: 0 })
    expect(c.sshPort).toBe(2222)
  })

  it("refuses bad values with one message naming every wrong variable", () => {
    expect(() =>
      webNodeConfigFromEnv({ HOSTING_UID_MIN: "abc", HOSTING_HTTP_PORT: "70000", HOSTING_USER_PREFIX: "Bad" }),
    ).toThrow(
      /^invalid settings: .*HOSTING_USER_PREFIX: must be empty or \[a-z\]\[a-z0-9\]\{0,14\} followed by _.*HOSTING_UID_MIN: Expected an integer value but received "abc".*HOSTING_HTTP_PORT: must be an integer in 1\.\.65535/,
    )
    expect(() => webNodeConfigFromEnv({ HOSTING_NODE_ROOT: "/tmp/node" })).toThrow(
      "HOSTING_NODE_ROOT: must be outside /tmp (sshd refuses chroots under /tmp)",
    )
    expect(() => webNodeConfigFromEnv({ HOSTING_NODE_ROOT: "/srv/a b" })).toThrow(
      "HOSTING_NODE_ROOT: must be an absolute path of letters, digits, '.', '_' and '-'",
    )
    expect(() => webNodeConfigFromEnv({ HOSTING_UID_MIN: "5000", HOSTING_UID_MAX: "4000" })).toThrow(
      "HOSTING_UID_MAX must not be below HOSTING_UID_MIN",
    )
  })

  it("an LB node's address must be an IP address and its root short enough for the admin socket", () => {
    expect(lbNodeConfigFromEnv({})).toEqual({
      layout: { root: "/var/lib/hosting/lb", listen: { host: "0.0.0.0", port: 80 } },
      binary: "/usr/sbin/haproxy",
    })
    expect(() => lbNodeConfigFromEnv({ HOSTING_LB_HTTP_HOST: "lb.example.com" })).toThrow(
      "HOSTING_LB_HTTP_HOST: must be an IPv4 or IPv6 address",
    )
    expect(() => lbNodeConfigFromEnv({ HOSTING_LB_ROOT: `/${"x".repeat(120)}` })).toThrow(
      "HOSTING_LB_ROOT: is too long for HAProxy's admin socket",
    )
  })

  it("a DNS node needs PowerDNS's database URL, and only one whose parts fit pdns.conf", () => {
    expect(() => dnsNodeConfigFromEnv({})).toThrow("invalid settings: HOSTING_PDNS_DATABASE_URL: is not set")
    expect(() => dnsNodeConfigFromEnv({ HOSTING_PDNS_DATABASE_URL: "mysql://x@y/z" })).toThrow(
      "HOSTING_PDNS_DATABASE_URL: must be a postgres:// URL",
    )
    expect(() => dnsNodeConfigFromEnv({ HOSTING_PDNS_DATABASE_URL: "postgres://u:p%0Aq@h/db" })).toThrow(
      "HOSTING_PDNS_DATABASE_URL: the password has characters pdns.conf cannot hold",
    )
    expect(
      dnsNodeConfigFromEnv({ HOSTING_PDNS_DATABASE_URL: "postgres://pdns:s3cret@127.0.0.1:15432/pdns" }),
    ).toMatchObject({
      root: "/var/lib/hosting/node",
      listen: { host: "127.0.0.1", port: 53 },
      apiPort: 8081,
      database: { host: "127.0.0.1", port: 15432, dbname: "pdns", user: "pdns", password: "s3cret" },
    })
  })
})
