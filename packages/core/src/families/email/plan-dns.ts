import type { RecordData } from "../dns/domain.js"

/** A mail domain as its DNS records need it. */
export interface MailDomainDns {
  readonly domain: string
  /** The email shard's mail host (its MX target); null while the shard has no node. */
  readonly mailHost: string | null
  readonly dkimSelector: string
  /** Base64 SubjectPublicKeyInfo of the domain's DKIM key. */
  readonly dkimPublicKey: string
}

/** One record the platform serves for a mail domain (owner name absolute, without the dot). */
export interface MailDnsRecord {
  readonly name: string
  readonly data: RecordData
}

/**
 * The records a mail domain publishes: MX to its shard's mail host, SPF (`v=spf1 mx -all`: only
 * the MX may send), the DKIM public key at `<selector>._domainkey` and DMARC (`p=none`: report,
 * never reject, while a domain is new). The zone's renderer splits long TXT text into 255-byte
 * strings. Pure; the zone planner serves these like other derived records.
 */
export const mailDnsRecords = (d: MailDomainDns): ReadonlyArray<MailDnsRecord> => [
  ...(d.mailHost === null
    ? []
    : [{ name: d.domain, data: { type: "MX", priority: 10, exchange: d.mailHost } as const }]),
  { name: d.domain, data: { type: "TXT", text: "v=spf1 mx -all" } },
  {
    name: `${d.dkimSelector}._domainkey.${d.domain}`,
    data: { type: "TXT", text: `v=DKIM1; k=rsa; p=${d.dkimPublicKey}` },
  },
  { name: `_dmarc.${d.domain}`, data: { type: "TXT", text: "v=DMARC1; p=none" } },
]
