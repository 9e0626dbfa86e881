import { HttpApiGroup } from "@effect/platform"
import { asyncChildResource } from "../../api/async-resource.js"
import { Authorization, MaxBodyBytes, ToolDomain } from "../../api/security.js"
import { fqdnResource } from "../tenancy/contract.js"
import { FqdnId } from "../tenancy/domain.js"
import { Certificate, CertificateId, MAX_PEM_BYTES, UploadCertificate } from "./domain.js"

const certificate = asyncChildResource({
  name: "certificate",
  scope: "fqdns",
  schema: Certificate,
  collection: "/fqdns/:id/certificates",
  parent: FqdnId,
  path: "/certificates/:id",
  id: CertificateId,
})

/**
 * TLS certificates of FQDNs: custom uploads (chain and key) and Let's Encrypt issuance, installed
 * in nginx by the tenant's sync.
 */
export class CertificatesGroup extends HttpApiGroup.make("certificates")
  .annotate(ToolDomain, "web")
  .add(
    certificate.list({ summary: "List the certificates of an FQDN, newest first", sort: ["created_at", "not_after"] }),
  )
  .add(
    certificate
      .create({
        name: "upload",
        summary:
          "Upload a custom certificate (PEM chain, leaf first, and its unencrypted key) for an FQDN (async, 202)",
        payload: UploadCertificate,
        invalidInput: true,
      })
      // two PEMs of at most MAX_PEM_BYTES each, doubled for JSON's escaping of their newlines,
      // and the framing: nothing larger can be a valid upload (a PEM just over its own limit
      // still gets the schema's clear 422)
      .annotate(MaxBodyBytes, 4 * MAX_PEM_BYTES + 4096),
  )
  .add(
    fqdnResource.action(
      "issue",
      "/certificates/issue",
      "Obtain or renew an FQDN's Let's Encrypt certificate now (async, 202; see acme_status)",
    ),
  )
  .add(certificate.delete("Take a certificate off its FQDN's nodes and delete it (async, 202)"))
  .add(certificate.retry())
  .middleware(Authorization)
  .prefix("/api/v1") {}

export const certificatesGroups = [CertificatesGroup] as const

export * from "./domain.js"
