import { HttpApiBuilder } from "@effect/platform"
import { Certificates, Fqdns, HostingApi } from "@hosting/core"
import { Effect } from "effect"
import { byId, byIdWith, handleWithPrincipal, listUnder } from "./principal.js"

/** TLS certificates of FQDNs. */
export const CertificatesLive = HttpApiBuilder.group(HostingApi, "certificates", (handlers) =>
  Effect.gen(function* () {
    const certificates = yield* Certificates
    const fqdns = yield* Fqdns
    return handleWithPrincipal(handlers, {
      list: listUnder(certificates.list),
      upload: byIdWith(certificates.upload),
      issue: byId(fqdns.issue),
      delete: byId(certificates.remove),
      retry: byId(certificates.retry),
    })
  }),
)

export const certificatesHandlers = [CertificatesLive] as const
