import { describe, expect, it } from "@effect/vitest"
import { planZone } from "../../../src/families/dns/plan.js"
import { mailDnsRecords } from "../../../src/families/email/plan-dns.js"

const key = "A".repeat(392)
const records = mailDnsRecords({
  domain: "shop.example.com",
  mailHost: "mx1.example.net",
  dkimSelector: "hp1",
  dkimPublicKey: key,
})

describe("a mail domain's records in its zone", () => {
  it("serves MX, SPF, DKIM (split into 255-byte strings) and DMARC at the domain", () => {
    const plan = planZone({ zone: "example.com", records: [], bound: [], otherZones: [], platform: records })
    expect(plan.rrsets).toEqual([
      {
        name: "_dmarc.shop.example.com.",
        type: "TXT",
        ttl: 300,
        records: ['"v=DMARC1; p=none"'],
      },
      {
        name: "hp1._domainkey.shop.example.com.",
        type: "TXT",
        ttl: 300,
        records: [`"v=DKIM1; k=rsa; p=${key.slice(0, 237)}" "${key.slice(237)}"`],
      },
      { name: "shop.example.com.", type: "MX", ttl: 300, records: ["10 mx1.example.net."] },
      { name: "shop.example.com.", type: "TXT", ttl: 300, records: ['"v=spf1 mx -all"'] },
    ])
  })

  it("leaves them to a zone below that covers the domain, and refuses a user CNAME next to them", () => {
    expect(
      planZone({ zone: "example.com", records: [], bound: [], otherZones: ["shop.example.com"], platform: records })
        .rrsets,
    ).toEqual([])
    const cname = {
      id: "r1",
      name: "_dmarc.shop.example.com",
      ttl: 60,
      data: { type: "CNAME" as const, target: "x.example.net" },
    }
    const plan = planZone({ zone: "example.com", records: [cname], bound: [], otherZones: [], platform: records })
    expect(plan.rejected).toEqual([
      { id: "r1", reason: "_dmarc.shop.example.com holds the platform's mail records: a CNAME cannot be next to them" },
    ])
  })

  it("has no MX while the shard has no node", () => {
    expect(
      mailDnsRecords({ domain: "a.example", mailHost: null, dkimSelector: "hp1", dkimPublicKey: "AA" }).map(
        (r) => r.data.type,
      ),
    ).toEqual(["TXT", "TXT", "TXT"])
  })
})
