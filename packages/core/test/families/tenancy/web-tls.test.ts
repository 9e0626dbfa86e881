import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { certificateCovers, PemText } from "../../../src/families/certificates/domain.js"
import {
  certFiles,
  type NodeLayout,
  planTenantSites,
  type TenantSpec,
  type WebrootSpec,
} from "../../../src/families/tenancy/plan.js"

const layout: NodeLayout = {
  root: "/var/lib/hosting/node",
  listen: { host: "127.0.0.1", port: 8000 },
  httpsPort: 8443,
  userPrefix: "",
  fastcgiParams: "/etc/nginx/fastcgi_params",
}

const PEM = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n"
const KEY = "-----BEGIN PRIVATE KEY-----\nREVG\n-----END PRIVATE KEY-----\n"

const webroot = (name: string, server_names: Array<string>): WebrootSpec => ({
  name,
  runtime: "static",
  runtime_version: null,
  entrypoint: null,
  numprocs: 1,
  server_names,
})
const spec = (over: Partial<TenantSpec> = {}): TenantSpec => ({
  name: "t_abcdefghij",
  suspended: false,
  webroots: [
    webroot("web_aaaaaaaaaa", ["shop.example.test", "www.example.test"]),
    webroot("web_bbbbbbbbbb", ["b.example.test"]),
  ],
  ssh_keys: [],
  ...over,
})
const site = (s: TenantSpec, webrootName: string) =>
  planTenantSites(layout, s, new Map()).find((f) => f.file.endsWith(`.${webrootName}.conf`))!.content

// one directive per line, nothing opened by data
const LINE =
  /^(server \{|\}|location [^{};]+ \{|# managed by the hosting platform: [a-z0-9_/]+ \(edits are overwritten\)|[a-z_]+( [^;{}]*)?;|return 503 "[^"]*";)$/

describe("TLS server blocks", () => {
  it("are absent without a certificate", () => {
    const content = site(spec(), "web_aaaaaaaaaa")
    expect(content).not.toContain("ssl")
    expect(content).not.toContain(":8443")
  })

  it("one per certified name, on the HTTPS port, with quoted certificate paths, one directive per line", () => {
    const s = spec({ certificates: [{ hostname: "shop.example.test", certificate_pem: PEM, private_key_pem: KEY }] })
    const content = site(s, "web_aaaaaaaaaa")
    const files = certFiles(layout, "t_abcdefghij", "shop.example.test")
    expect(files).toEqual({
      certificate: "/var/lib/hosting/node/nginx/certs/t_abcdefghij.shop.example.test.crt",
      key: "/var/lib/hosting/node/nginx/certs/t_abcdefghij.shop.example.test.key",
    })
    expect(content.match(/^server \{$/gm)).toHaveLength(2)
    expect(content).toContain("    listen 127.0.0.1:8000;\n    server_name shop.example.test www.example.test;")
    expect(content).toContain(
      [
        "server {",
        "    listen 127.0.0.1:8443 ssl;",
        `    ssl_certificate "${files.certificate}";`,
        `    ssl_certificate_key "${files.key}";`,
        "    server_name shop.example.test;",
      ].join("\n"),
    )
    for (const line of content.split("\n").filter((l) => l.trim() !== "")) expect(line.trim()).toMatch(LINE)
    expect(content.split("{").length).toBe(content.split("}").length)
    // the TLS block serves the same site as the HTTP one
    const blocks = content.split(/^server \{$/m).slice(1)
    const body = (b: string) =>
      b.split("\n").filter((l) => !/^\s+(listen|ssl_certificate|ssl_certificate_key|server_name) /.test(l))
    expect(body(blocks[1]!)).toEqual(body(blocks[0]!))
    // the other webroot has no certificate
    expect(site(s, "web_bbbbbbbbbb")).not.toContain("ssl")
  })

  it("not for a name the webroot does not serve, and also while suspended (503 over HTTPS)", () => {
    const other = spec({
      certificates: [{ hostname: "elsewhere.example.test", certificate_pem: PEM, private_key_pem: KEY }],
    })
    expect(site(other, "web_aaaaaaaaaa")).not.toContain("ssl")
    const suspended = spec({
      suspended: true,
      certificates: [{ hostname: "b.example.test", certificate_pem: PEM, private_key_pem: KEY }],
    })
    const content = site(suspended, "web_bbbbbbbbbb")
    expect(content).toContain("listen 127.0.0.1:8443 ssl;")
    expect(content.match(/return 503/g)).toHaveLength(2)
  })

  it("every server block answers ACME challenges from the node's challenge root, before the site's own rules", () => {
    const content = site(spec(), "web_aaaaaaaaaa")
    const acme = [
      "    location ^~ /.well-known/acme-challenge/ {",
      '        root "/var/lib/hosting/node/acme";',
      "        default_type text/plain;",
      "        try_files $uri =404;",
      "    }",
    ].join("\n")
    expect(content).toContain(acme)
    // ^~ wins over the regex location that denies dot paths
    expect(content.indexOf(acme)).toBeLessThan(content.indexOf("location ~ /\\."))
  })

  it("https_redirect moves a certified name to a block that answers 301 to HTTPS, except ACME challenges", () => {
    const s = spec({
      certificates: [
        { hostname: "shop.example.test", certificate_pem: PEM, private_key_pem: KEY, https_redirect: true },
      ],
    })
    const content = site(s, "web_aaaaaaaaaa")
    // the other name of the webroot is still served over HTTP
    expect(content).toContain("    listen 127.0.0.1:8000;\n    server_name www.example.test;")
    expect(content).toContain(
      [
        "server {",
        "    listen 127.0.0.1:8000;",
        "    server_name shop.example.test;",
        "    location ^~ /.well-known/acme-challenge/ {",
      ].join("\n"),
    )
    expect(content).toContain("    location / {\n        return 301 https://$host:8443$request_uri;\n    }")
    expect(content).toContain("    listen 127.0.0.1:8443 ssl;")
    for (const line of content.split("\n").filter((l) => l.trim() !== "")) expect(line.trim()).toMatch(LINE)
    expect(content.split("{").length).toBe(content.split("}").length)
    // on the standard port the redirect names no port
    const standard = planTenantSites({ ...layout, httpsPublicPort: 443 }, s, new Map()).find((f) =>
      f.file.endsWith(".web_aaaaaaaaaa.conf"),
    )!.content
    expect(standard).toContain("return 301 https://$host$request_uri;")
  })

  it("https_redirect without a certificate for the name changes nothing (no HTTPS to send anyone to)", () => {
    const s = spec({
      certificates: [
        { hostname: "elsewhere.example.test", certificate_pem: PEM, private_key_pem: KEY, https_redirect: true },
      ],
    })
    expect(site(s, "web_aaaaaaaaaa")).not.toContain("return 301")
    expect(site(s, "web_aaaaaaaaaa")).toContain("server_name shop.example.test www.example.test;")
  })

  it("PEM text admits only PEM blocks", () => {
    const ok = Schema.is(PemText)
    expect(ok(PEM)).toBe(true)
    expect(ok(`junk\n${PEM}`)).toBe(false)
    expect(ok(PEM.replace("QUJD", 'QU"JD'))).toBe(false)
    expect(ok(PEM.replace("QUJD", "QUJD;\nssl on"))).toBe(false)
    expect(ok("")).toBe(false)
  })

  it("certificate names cover a host name exactly or by a one-label wildcard", () => {
    expect(certificateCovers("shop.example.test", "shop.example.test")).toBe(true)
    expect(certificateCovers("*.example.test", "shop.example.test")).toBe(true)
    expect(certificateCovers("*.example.test", "a.shop.example.test")).toBe(false)
    expect(certificateCovers("*.example.test", "example.test")).toBe(false)
    expect(certificateCovers("other.example.test", "shop.example.test")).toBe(false)
  })
})
