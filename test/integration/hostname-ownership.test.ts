// Who may use a host name, through the real API on a production-like stack (test domains not
// allowed): names must be public (fully qualified, no IP address, no special-use name, no test
// TLD), and a name under a zone belongs to the zone's brand (FQDNs and zones alike, decided
// inside the write so concurrent requests cannot both pass). Every refusal is a 4xx envelope and
// leaves the database as it was.
import { randomUUID } from "node:crypto"
import { describe, expect, it } from "vitest"
import { conflict, hardeningSuite, invalidInput, invalidRequest } from "../support/hardening-suite.js"

const { s, call, refused, zoneSettled, zoneWorkflow } = hardeningSuite("hp_ownership")

describe("public host names", () => {
  const FQ = "must be fully qualified, with at least two labels (example.com)"
  const IP = "must not be an IP address: the top-level label must not be a number"
  const NOT_PUBLIC: ReadonlyArray<readonly [string, string]> = [
    ["localhost", FQ],
    ["intranet", FQ],
    ["2130706433", FQ],
    ["192.0.2.1", IP], // the cluster's own LB address: it would capture every request sent to it by IP
    ["127.0.0.1", IP],
    ["0x7f.1", IP],
    ["127.1", IP],
    ["www.localhost", "must not be under the special-use domain localhost (RFC 6761)"],
    ["printer.local", "must not be under the special-use domain local (RFC 6762)"],
    ["shop.invalid", "must not be under the special-use domain invalid (RFC 6761)"],
    ["hidden.onion", "must not be under the special-use domain onion (RFC 7686)"],
  ]

  it("an FQDN must be a public name (400)", async () => {
    for (const [hostname, reason] of NOT_PUBLIC) {
      await refused(
        "POST",
        `/api/v1/webroots/${s.f.webA}/fqdns`,
        s.f.keyA,
        { hostname },
        invalidRequest("hostname", reason),
      )
    }
  })

  it("so must a zone, the base domain and NS host names of the platform and of brands (400)", async () => {
    for (const [name, reason] of NOT_PUBLIC) {
      await refused("POST", "/api/v1/zones", s.f.keyA, { name, brand_id: s.f.brandA }, invalidRequest("name", reason))
      await refused(
        "PUT",
        "/api/v1/platform/config",
        s.stack.apiKey,
        { base_domain: name },
        invalidRequest("base_domain", reason),
      )
      await refused(
        "PUT",
        "/api/v1/platform/config",
        s.stack.apiKey,
        { ns_hostnames: ["ns1.example.net", name] },
        invalidRequest("ns_hostnames.1", reason),
      )
      await refused(
        "PUT",
        `/api/v1/brands/${s.f.brandA}`,
        s.f.keyA,
        { ns_hostnames: [name] },
        invalidRequest("ns_hostnames.0", reason),
      )
      await refused(
        "POST",
        "/api/v1/brands",
        s.stack.apiKey,
        { name: `Brand ${randomUUID()}`, ns_hostnames: [name] },
        invalidRequest("ns_hostnames.0", reason),
      )
    }
  })

  it("names under the test TLDs are refused where test domains are not allowed (422)", async () => {
    const testTld = (field: string, name: string, tld: string) =>
      invalidInput(
        `${field}: ${name} is under ${tld}, a top-level domain reserved for testing (RFC 6761); this platform serves only public names`,
      )
    await refused(
      "POST",
      `/api/v1/webroots/${s.f.webA}/fqdns`,
      s.f.keyA,
      { hostname: "shop.example.test." },
      testTld("hostname", "shop.example.test", "test"),
    )
    await refused(
      "POST",
      "/api/v1/zones",
      s.f.keyA,
      { name: "acme.example", brand_id: s.f.brandA },
      testTld("name", "acme.example", "example"),
    )
    await refused(
      "PUT",
      "/api/v1/platform/config",
      s.stack.apiKey,
      { base_domain: "hosting.test" },
      testTld("base_domain", "hosting.test", "test"),
    )
    await refused(
      "PUT",
      "/api/v1/platform/config",
      s.stack.apiKey,
      { ns_hostnames: ["ns1.example.net", "ns2.acme.example"] },
      testTld("ns_hostnames", "ns2.acme.example", "example"),
    )
    await refused(
      "PUT",
      `/api/v1/brands/${s.f.brandA}`,
      s.f.keyA,
      { ns_hostnames: ["ns1.a.test"] },
      testTld("ns_hostnames", "ns1.a.test", "test"),
    )
    await refused(
      "POST",
      "/api/v1/brands",
      s.stack.apiKey,
      { name: "Test TLD brand", ns_hostnames: ["ns1.a.example"] },
      testTld("ns_hostnames", "ns1.a.example", "example"),
    )
  })

  it("public names are accepted as sent (example.com is a public second-level name, not the example TLD)", async () => {
    const fqdn = await s.clientA.fqdns.create({
      path: { id: s.f.webA as never },
      payload: { hostname: "www.example.org." },
    })
    expect(fqdn).toMatchObject({ hostname: "www.example.org", tenant_id: s.f.tenantA, status: "pending" })
    const brand = await s.clientA.brands.update({
      path: { id: s.f.brandA as never },
      payload: { ns_hostnames: ["ns1.brand-a.example.com", "ns2.brand-a.example.com"] },
    })
    expect(brand.ns_hostnames).toEqual(["ns1.brand-a.example.com", "ns2.brand-a.example.com"])
  })
})

describe("a name under a zone belongs to the zone's brand", () => {
  it("another brand cannot bind the zone's apex or any name under it (409, naming neither brand nor zone id)", async () => {
    await zoneSettled(s.f.zoneA)
    const before = await zoneWorkflow(s.f.zoneA)
    for (const hostname of ["shop-a.example.com", "www.shop-a.example.com", "deep.er.shop-a.example.com"]) {
      const body = await refused(
        "POST",
        `/api/v1/webroots/${s.f.webB}/fqdns`,
        s.f.keyB,
        { hostname },
        conflict(
          `${hostname} is in the DNS zone shop-a.example.com, which belongs to another brand; only that brand can bind names there`,
        ),
      )
      for (const secret of [s.f.brandA, "Brand A", s.f.zoneA]) expect(JSON.stringify(body)).not.toContain(secret)
    }
    // the other brand's zone sync was neither started nor signalled
    expect(await zoneWorkflow(s.f.zoneA)).toEqual(before)
  })

  it("the zone's own brand binds names under it", async () => {
    const fqdn = await s.clientA.fqdns.create({
      path: { id: s.f.webA as never },
      payload: { hostname: "www.shop-a.example.com" },
    })
    expect(fqdn).toMatchObject({ hostname: "www.shop-a.example.com", tenant_id: s.f.tenantA })
  })

  it("a bound name is bound once: neither another brand nor the same brand binds it again (409)", async () => {
    await s.clientA.fqdns.create({ path: { id: s.f.webA as never }, payload: { hostname: "once.example.org" } })
    const taken = conflict("once.example.org is already bound to a webroot")
    await refused("POST", `/api/v1/webroots/${s.f.webB}/fqdns`, s.f.keyB, { hostname: "once.example.org" }, taken)
    await refused("POST", `/api/v1/webroots/${s.f.webA2}/fqdns`, s.f.keyA, { hostname: "once.example.org." }, taken)
  })

  it("a zone may not reach over or under another brand's zone or bound names (409, not naming them)", async () => {
    await s.clientA.fqdns.create({ path: { id: s.f.webA as never }, payload: { hostname: "blog.example.net" } })
    const holds = (name: string) =>
      conflict(`${name} holds host names bound by another brand; a zone there would take them`)
    for (const name of ["example.net", "blog.example.net"]) {
      const body = await refused("POST", "/api/v1/zones", s.f.keyB, { name, brand_id: s.f.brandB }, holds(name))
      expect(JSON.stringify(body)).not.toContain(s.f.brandA)
    }
    for (const name of ["sub.shop-a.example.com", "example.com"]) {
      await refused(
        "POST",
        "/api/v1/zones",
        s.f.keyB,
        { name, brand_id: s.f.brandB },
        conflict(`${name} overlaps the zone shop-a.example.com of another brand`),
      )
    }
    // the owner of the bound name may create the zone around it
    const own = await s.clientA.zones.create({ payload: { name: "example.net", brand_id: s.f.brandA as never } })
    expect(own).toMatchObject({ name: "example.net", brand_id: s.f.brandA })
  })

  it("concurrent requests about the same names cannot both pass", async () => {
    const outcomes: Array<string> = []
    for (let i = 0; i < 12; i++) {
      // brand A asks for a zone while brand B binds a name under it, and a zone below it
      const [zone, fqdn, nested] = await Promise.all([
        call("POST", "/api/v1/zones", s.f.keyA, { name: `race${i}.example.com`, brand_id: s.f.brandA }),
        call("POST", `/api/v1/webroots/${s.f.webB}/fqdns`, s.f.keyB, { hostname: `www.race${i}.example.com` }),
        call("POST", "/api/v1/zones", s.f.keyB, { name: `sub.race${i}.example.com`, brand_id: s.f.brandB }),
      ])
      outcomes.push(`${zone.status}/${fqdn.status}/${nested.status}`)
      for (const res of [zone, fqdn, nested]) expect([201, 202, 409]).toContain(res.status)
      // either A's zone won and B got nothing, or B got in first and A's zone was refused
      expect(zone.status === 409 || (fqdn.status === 409 && nested.status === 409), outcomes.join(" ")).toBe(true)
    }
    // whatever the interleaving, no name of one brand ended up under a zone of the other
    const crossed = await s.sql.query(`SELECT f.hostname, z.name FROM fqdns f JOIN tenants t ON t.id = f.tenant_id
      JOIN zones z ON (f.hostname = z.name OR f.hostname LIKE '%.' || z.name) AND z.brand_id <> t.brand_id
      UNION ALL SELECT a.name, b.name FROM zones a JOIN zones b ON a.name LIKE '%.' || b.name AND a.brand_id <> b.brand_id`)
    expect(crossed.rows).toEqual([])
  })
})
