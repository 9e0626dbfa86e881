import { Schema } from "effect"

/** A branded UUID schema for the id of `what`. */
export const uuidId = <const B extends string>(brand: B, what: string) =>
  Schema.UUID.pipe(Schema.brand(brand), Schema.annotations({ title: brand, description: `UUID of ${what}` }))

/** UUID of a node (a machine running the agent); its task queue is `node-{id}`. */
export const NodeId = uuidId("NodeId", "a node")
/** Branded node id. */
export type NodeId = typeof NodeId.Type

/** UUID of a node probe (a recorded round trip to a node's agent). */
export const NodeProbeId = uuidId("NodeProbeId", "a node probe")
/** Branded node probe id. */
export type NodeProbeId = typeof NodeProbeId.Type

/** UUID of an API key. */
export const ApiKeyId = uuidId("ApiKeyId", "an API key")
/** Branded API key id. */
export type ApiKeyId = typeof ApiKeyId.Type

/** UUID of a brand (the tenant-isolation boundary for resellers). */
export const BrandId = uuidId("BrandId", "a brand")
/** Branded brand id. */
export type BrandId = typeof BrandId.Type

/** UUID of a region. */
export const RegionId = uuidId("RegionId", "a region")
/** Branded region id. */
export type RegionId = typeof RegionId.Type

/** UUID of a cluster. */
export const ClusterId = uuidId("ClusterId", "a cluster")
/** Branded cluster id. */
export type ClusterId = typeof ClusterId.Type

/** UUID of a shard. */
export const ShardId = uuidId("ShardId", "a shard")
/** Branded shard id. */
export type ShardId = typeof ShardId.Type

/** A fresh random UUID (v4) from Web Crypto, available in every runtime we target. */
export const randomUuid = (): string => globalThis.crypto.randomUUID()

/** UUID of a load-balancer address. */
export const LbAddressId = uuidId("LbAddressId", "a load-balancer address")
/** Branded LB address id. */
export type LbAddressId = typeof LbAddressId.Type

/** UUID of an audit log entry. */
export const AuditLogId = uuidId("AuditLogId", "an audit log entry")
/** Branded audit log id. */
export type AuditLogId = typeof AuditLogId.Type

/** UUID of a tenant. */
export const TenantId = uuidId("TenantId", "a tenant")
/** Branded tenant id. */
export type TenantId = typeof TenantId.Type
