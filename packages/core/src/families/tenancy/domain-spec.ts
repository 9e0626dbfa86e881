import { Schema } from "effect"
import { Hostname } from "../../domain/validation.js"
import { PemText } from "../certificates/domain.js"
import { SshPublicKeyLine } from "../ssh-keys/domain.js"
import { Entrypoint, RuntimeVersion, TenantName, WebRuntime, WebrootName } from "./domain.js"

// Tenants on a web node. The control plane reads a tenant's rows and sends this spec to every
// node of its shard; the agent decodes it again (defence in depth) and plans files from it here.

/** One webroot as a node sees it: how to serve it, and the names it answers to. */
export const WebrootSpec = Schema.Struct({
  name: WebrootName,
  runtime: WebRuntime,
  runtime_version: Schema.NullOr(RuntimeVersion),
  entrypoint: Schema.NullOr(Entrypoint),
  numprocs: Schema.Int.pipe(Schema.between(1, 8)),
  server_names: Schema.Array(Hostname).pipe(Schema.maxItems(1000)),
})
/** One webroot as a node sees it. */
export type WebrootSpec = typeof WebrootSpec.Type

/** The TLS certificate (chain, leaf first) and key nginx serves for one bound host name. */
export const CertificateSpec = Schema.Struct({
  hostname: Hostname,
  certificate_pem: PemText,
  private_key_pem: PemText,
  /** Plain HTTP for this name answers 301 to HTTPS (ACME challenges still answered over HTTP). */
  https_redirect: Schema.optional(Schema.Boolean),
})
/** The TLS material of one host name. */
export type CertificateSpec = typeof CertificateSpec.Type

/** Desired state of one tenant on a web node. */
export const TenantSpec = Schema.Struct({
  name: TenantName,
  suspended: Schema.Boolean,
  webroots: Schema.Array(WebrootSpec).pipe(Schema.maxItems(1000)),
  ssh_keys: Schema.Array(SshPublicKeyLine).pipe(Schema.maxItems(1000)),
  /** At most one per bound host name; a name without one is served over HTTP only. */
  certificates: Schema.optional(Schema.Array(CertificateSpec).pipe(Schema.maxItems(1000))),
})
/** Desired state of one tenant on a web node. */
export type TenantSpec = typeof TenantSpec.Type

/** An ACME HTTP-01 challenge response a node serves: the token (file name) and key authorization. */
export const AcmeChallenge = Schema.Struct({
  token: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,256}$/)),
  key_authorization: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,256}\.[A-Za-z0-9_-]{1,256}$/)),
})
/** An ACME HTTP-01 challenge response. */
export type AcmeChallenge = typeof AcmeChallenge.Type
