// The resources of the contract as configuration for the generic pages.

import { CreateShard } from "@hosting/sdk"
import { fromGroup, id } from "./calls"
import { databases, databaseUsers } from "./databases"
import { dnsRecords, zones } from "./dns"
import { emailAccounts, emailAliases, emailForwards } from "./email"
import { auditBodyColumn, brandClustersTab, runtimesTab } from "./panels"
import { replicationTab } from "./replication"
import { s3AccessKeys, s3Buckets } from "./s3"
import { literalsOf } from "./schema-options"
import { certificates, fqdns, sshKeys, tenants, webroots } from "./tenancy"
import type { Field, ResourceConfig } from "./types"

const created: ResourceConfig["columns"][number] = { key: "created_at", label: "Created" }
const nameField: Field = { name: "name", label: "Name", kind: "text", required: true }
const slugField: Field = { ...nameField, help: "lower-case letters, digits and dashes" }

const brands: ResourceConfig = {
  key: "brands",
  label: "Brands",
  singular: "brand",
  columns: [
    { key: "name", label: "Name" },
    { key: "ns_hostnames", label: "Name servers" },
    { key: "hostmaster", label: "Hostmaster" },
    created,
  ],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  fields: [
    { name: "name", label: "Name", kind: "text", required: true },
    {
      name: "ns_hostnames",
      label: "Name servers",
      kind: "list",
      help: "comma-separated; defaults from the platform config",
    },
    { name: "hostmaster", label: "Hostmaster e-mail", kind: "email", help: "defaults from the platform config" },
  ],
  editFields: [
    { name: "name", label: "Name", kind: "text", required: true },
    { name: "ns_hostnames", label: "Name servers", kind: "list", help: "comma-separated" },
    { name: "hostmaster", label: "Hostmaster e-mail", kind: "email", nullable: true },
  ],
  tabs: [brandClustersTab],
  ...fromGroup("brands"),
}

const apiKeys: ResourceConfig = {
  key: "api-keys",
  label: "API keys",
  singular: "API key",
  columns: [
    { key: "name", label: "Name" },
    { key: "key_prefix", label: "Prefix" },
    { key: "scopes", label: "Scopes" },
    { key: "brands", label: "Brands" },
    { key: "last_used_at", label: "Last used" },
  ],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  secretField: "key",
  fields: [
    nameField,
    { name: "scopes", label: "Scopes", kind: "list", required: true, placeholder: "brands:read, brands:write" },
    { name: "brands", label: "Brands", kind: "list", required: true, help: "brand ids, or * for every brand" },
  ],
  editFields: [
    nameField,
    { name: "scopes", label: "Scopes", kind: "list" },
    { name: "brands", label: "Brands", kind: "list" },
  ],
  ...fromGroup("apiKeys"),
}

const regions: ResourceConfig = {
  key: "regions",
  label: "Regions",
  singular: "region",
  columns: [{ key: "name", label: "Name" }, created],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  fields: [slugField],
  tabs: [{ label: "Clusters", resource: "clusters" }, runtimesTab],
  ...fromGroup("regions"),
}

const clusters: ResourceConfig = {
  key: "clusters",
  label: "Clusters",
  singular: "cluster",
  parent: "regions",
  columns: [{ key: "name", label: "Name" }, created],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  fields: [slugField],
  tabs: [
    { label: "Shards", resource: "shards" },
    { label: "Nodes", resource: "nodes" },
    { label: "LB addresses", resource: "lb-addresses" },
  ],
  ...fromGroup("clusters"),
}

const lbAddresses: ResourceConfig = {
  key: "lb-addresses",
  label: "LB addresses",
  singular: "LB address",
  parent: "clusters",
  columns: [{ key: "address", label: "Address" }, { key: "family", label: "IPv" }, created],
  titleOf: (r) => String(r["address"]),
  hasDetail: true,
  fields: [{ name: "address", label: "Address", kind: "text", required: true, help: "IPv4 or IPv6" }],
  editFields: [],
  ...fromGroup("lbAddresses"),
}

const shards: ResourceConfig = {
  key: "shards",
  label: "Shards",
  singular: "shard",
  parent: "clusters",
  columns: [
    { key: "name", label: "Name" },
    { key: "role", label: "Role" },
    { key: "status", label: "Status" },
    created,
  ],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  fields: [
    slugField,
    { name: "role", label: "Role", kind: "select", options: literalsOf(CreateShard, "role"), required: true },
    { name: "config", label: "Config (JSON)", kind: "json", placeholder: "{}" },
  ],
  editFields: [slugField, { name: "config", label: "Config (JSON)", kind: "json" }],
  actions: [
    { label: "Converge", run: (c, r) => c.shards.converge({ path: id(r.id), payload: {} }) },
    {
      label: "Plan (dry run)",
      run: (c, r) => c.shards.converge({ path: id(r.id), payload: { plan: true } }),
      showResult: true,
    },
  ],
  tabs: [replicationTab],
  ...fromGroup("shards"),
}

const nodes: ResourceConfig = {
  key: "nodes",
  label: "Nodes",
  singular: "node",
  parent: "clusters",
  columns: [
    { key: "hostname", label: "Hostname" },
    { key: "addresses", label: "Addresses" },
    { key: "roles", label: "Roles" },
    created,
  ],
  titleOf: (r) => String(r["hostname"]),
  hasDetail: true,
  fields: [
    { name: "hostname", label: "Hostname", kind: "text", required: true },
    { name: "addresses", label: "Addresses", kind: "list", help: "comma-separated IPs" },
    { name: "shard_ids", label: "Shard ids", kind: "list", help: "comma-separated" },
    { name: "id", label: "Node id", kind: "text", help: "the agent's HOSTING_NODE_ID, if it has one" },
  ],
  editFields: [
    { name: "hostname", label: "Hostname", kind: "text" },
    { name: "addresses", label: "Addresses", kind: "list" },
    { name: "shard_ids", label: "Shard ids", kind: "list" },
  ],
  actions: [{ label: "Probe", run: (c, r) => c.nodes.probe({ path: id(r.id) }), showResult: true }],
  ...fromGroup("nodes"),
}

const auditLogs: ResourceConfig = {
  key: "audit-logs",
  label: "Audit log",
  singular: "audit entry",
  columns: [
    { key: "created_at", label: "When" },
    { key: "key_name", label: "Key" },
    { key: "action", label: "Action" },
    { key: "resource_type", label: "Resource" },
    { key: "resource_id", label: "Resource id" },
    { key: "status_code", label: "Status" },
    auditBodyColumn,
  ],
  filters: [
    { name: "resource_type", label: "Resource type", kind: "text", placeholder: "brands" },
    { name: "resource_id", label: "Resource id", kind: "text" },
    { name: "key_id", label: "Key id", kind: "text" },
    { name: "action", label: "Action", kind: "text", placeholder: "brands.create" },
    { name: "since", label: "Since", kind: "text", placeholder: "2026-01-01T00:00:00Z" },
    { name: "until", label: "Until", kind: "text", placeholder: "2026-12-31T00:00:00Z" },
  ],
  titleOf: (r) => String(r["action"]),
  ...fromGroup("auditLogs"),
}

/** Every resource, by route key. */
export const RESOURCES: Readonly<Record<string, ResourceConfig>> = Object.fromEntries(
  [
    brands,
    apiKeys,
    regions,
    clusters,
    lbAddresses,
    shards,
    nodes,
    tenants,
    webroots,
    fqdns,
    certificates,
    sshKeys,
    s3Buckets,
    s3AccessKeys,
    databases,
    databaseUsers,
    emailAccounts,
    emailAliases,
    emailForwards,
    zones,
    dnsRecords,
    auditLogs,
  ].map((r) => [r.key, r]),
)

/** Resources with a list at the top level (the others live under a parent). */
export const TOP_LEVEL = [brands, apiKeys, regions, tenants, zones, auditLogs]

/** Looks up a resource by route key. */
export const resourceOf = (key: string | undefined): ResourceConfig | undefined =>
  key === undefined ? undefined : RESOURCES[key]
