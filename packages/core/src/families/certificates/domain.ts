import { Context, type Effect, Schema } from "effect"
import { TenantId, uuidId } from "../../domain/ids.js"
import { ResourceStatus, StatusDetailsField } from "../../domain/lifecycle.js"
import { strict } from "../../domain/validation.js"
import { FqdnId } from "../tenancy/domain.js"

/**
 * TLS certificates of FQDNs: uploaded as PEM (chain leaf first, and its key) or obtained from
 * Let's Encrypt; the newest certificate of an FQDN not being deleted is the one its nodes' nginx
 * serves.
 */

/** UUID of a certificate. */
export const CertificateId = uuidId("CertificateId", "a certificate")
/** Branded certificate id. */
export type CertificateId = typeof CertificateId.Type

/** Uploads are refused above this size (certificate chain and key each). */
export const MAX_PEM_BYTES = 64 * 1024

/**
 * PEM text as it reaches a node: only base64, the BEGIN/END lines and newlines, so nothing in it
 * can be anything but PEM (no NUL, no quotes, no directives).
 */
export const PemText = Schema.String.pipe(
  Schema.maxLength(MAX_PEM_BYTES),
  Schema.pattern(/^(-----BEGIN ([A-Z0-9 ]{1,40})-----\n([A-Za-z0-9+/=]{1,76}\n)+-----END \2-----\n)+$/, {
    message: () => "must be PEM blocks only (base64 lines between BEGIN and END lines)",
  }),
  Schema.annotations({
    title: "PemText",
    // a short block; the pattern-derived default generates needlessly long texts
    arbitrary: () => (fc) =>
      fc
        .stringMatching(/^[A-Za-z0-9+/]{4,64}$/)
        .map((b) => `-----BEGIN CERTIFICATE-----\n${b}\n-----END CERTIFICATE-----\n`),
  }),
)

/** A TLS certificate of an FQDN; the private key is never returned. */
export class Certificate extends Schema.Class<Certificate>("Certificate")({
  id: CertificateId,
  fqdn_id: FqdnId,
  tenant_id: TenantId,
  source: Schema.Literal("custom", "letsencrypt"),
  certificate_pem: Schema.String.annotations({ description: "the chain, leaf first" }),
  subject: Schema.String,
  names: Schema.Array(Schema.String).annotations({ description: "the leaf's DNS subject alternative names" }),
  fingerprint: Schema.String.annotations({ description: "SHA-256 of the leaf (DER), colon-separated hex" }),
  not_before: Schema.String,
  not_after: Schema.String,
  status: ResourceStatus,
  status_message: Schema.NullOr(Schema.String),
  status_details: StatusDetailsField,
  created_at: Schema.String,
  updated_at: Schema.String,
}) {}

/** Body of POST /fqdns/{id}/certificates. */
export const UploadCertificate = strict(
  Schema.Struct({
    certificate_pem: Schema.String.annotations({ description: "PEM certificate chain, leaf first (at most 64 KB)" }),
    private_key_pem: Schema.String.annotations({
      description: "PEM private key of the leaf, unencrypted (at most 64 KB)",
    }),
  }),
)

/** What the inspector read from an uploaded chain and key. */
export interface InspectedCertificate {
  /** The chain re-serialized: PEM blocks only, leaf first, newline-terminated. */
  readonly certificatePem: string
  /** The key re-serialized as unencrypted PKCS#8 PEM. */
  readonly privateKeyPem: string
  readonly subject: string
  readonly names: ReadonlyArray<string>
  readonly fingerprint: string
  readonly notBefore: Date
  readonly notAfter: Date
}

/**
 * Parses and checks an uploaded certificate chain and key for a host name (port; core stays
 * free of node:crypto). Fails with a message a user can act on.
 */
export class CertificateInspector extends Context.Tag("@hosting/CertificateInspector")<
  CertificateInspector,
  {
    readonly inspect: (input: {
      readonly certificatePem: string
      readonly privateKeyPem: string
      readonly hostname: string
      readonly now: Date
    }) => Effect.Effect<InspectedCertificate, string>
  }
>() {}

/** Whether a certificate name (possibly `*.` wildcard, one label) covers a host name. */
export const certificateCovers = (name: string, hostname: string): boolean => {
  const n = name.toLowerCase().replace(/\.$/, "")
  const h = hostname.toLowerCase().replace(/\.$/, "")
  if (n === h) return true
  if (!n.startsWith("*.")) return false
  const dot = h.indexOf(".")
  return dot > 0 && h.slice(dot + 1) === n.slice(2)
}
