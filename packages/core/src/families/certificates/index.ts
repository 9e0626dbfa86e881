import { defineFamily } from "../family.js"
import { Certificates } from "./service.js"
import { AcmeOrders } from "./service-acme.js"

/**
 * Certificates of FQDNs: uploads and Let's Encrypt issuance. They ride the tenant's sync; the
 * issuance is a workflow of its own (`fqdn:{id}:acme`) that FQDN writes start (AcmeOrders).
 */
export const certificatesFamily = defineFamily({
  name: "certificates",
  services: [Certificates.Default],
  provides: [AcmeOrders.Default],
})

export * from "./contract.js"
export * from "./service.js"
export * from "./service-acme.js"
