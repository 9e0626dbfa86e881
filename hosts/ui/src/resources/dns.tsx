// DNS as configuration: zones of a brand and their records.
import { RecordInput } from "@hosting/sdk"
import { fromGroup, id } from "./calls"
import { literalsOf } from "./schema-options"
import { brandOptions } from "./tenancy"
import type { Column, Field, ResourceConfig } from "./types"

const created: Column = { key: "created_at", label: "Created" }
const status: Column = { key: "status", label: "Status" }

/** Zones: served by the DNS nodes of the clusters their brand may use. */
export const zones: ResourceConfig = {
  key: "zones",
  label: "Zones",
  singular: "zone",
  columns: [{ key: "name", label: "Name" }, { key: "tenant_id", label: "Tenant" }, status, created],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  fields: [
    {
      name: "name",
      label: "Domain",
      kind: "text",
      required: true,
      placeholder: "example.com",
      help: "IDN as punycode",
    },
    {
      name: "brand_id",
      label: "Brand",
      kind: "select",
      required: true,
      optionsFrom: { key: "brands", load: brandOptions },
      help: "SOA and NS records come from the brand",
    },
    { name: "tenant_id", label: "Owner tenant id", kind: "text", help: "optional: a tenant of the same brand" },
  ],
  editFields: [],
  tabs: [{ label: "Records", resource: "dns-records" }],
  actions: [
    {
      label: "Served records",
      run: (c, r) => c.zones.rrsets({ path: id(r.id) }),
      showResult: true,
    },
  ],
  ...fromGroup("zones"),
}

const only = (...types: Array<string>) => ({ field: "type", oneOf: types })
const u16 = (name: string, label: string, types: Array<string>): Field => ({
  name,
  label,
  kind: "number",
  required: true,
  showIf: only(...types),
})

/** The fields of a record: its type, owner name and TTL, then the type's own data. */
const recordFields: ReadonlyArray<Field> = [
  { name: "type", label: "Type", kind: "select", options: literalsOf(RecordInput, "type"), required: true },
  { name: "name", label: "Name", kind: "text", required: true, placeholder: "www.example.com", help: "@ for the apex" },
  { name: "ttl", label: "TTL (seconds)", kind: "number", placeholder: "3600" },
  { name: "address", label: "Address", kind: "text", required: true, showIf: only("A", "AAAA") },
  { name: "target", label: "Target", kind: "text", required: true, showIf: only("CNAME", "SRV") },
  u16("priority", "Priority", ["MX", "SRV"]),
  { name: "exchange", label: "Mail exchanger", kind: "text", required: true, showIf: only("MX") },
  {
    name: "text",
    label: "Text",
    kind: "text",
    required: true,
    showIf: only("TXT"),
    help: "long text is split into 255-byte chunks",
  },
  { name: "nameserver", label: "Name server", kind: "text", required: true, showIf: only("NS") },
  u16("weight", "Weight", ["SRV"]),
  u16("port", "Port", ["SRV"]),
  { name: "flags", label: "Flags", kind: "number", required: true, showIf: only("CAA"), placeholder: "0" },
  {
    name: "tag",
    label: "Tag",
    kind: "select",
    options: literalsOf(RecordInput, "tag"),
    required: true,
    showIf: only("CAA"),
  },
  { name: "value", label: "Value", kind: "text", required: true, showIf: only("CAA"), placeholder: "letsencrypt.org" },
]

/** Records of a zone; platform-managed ones (SOA, NS, bound FQDNs) are shown, and the API refuses edits to them. */
export const dnsRecords: ResourceConfig = {
  key: "dns-records",
  label: "Records",
  singular: "record",
  parent: "zones",
  columns: [
    { key: "name", label: "Name" },
    { key: "type", label: "Type" },
    { key: "content", label: "Content" },
    { key: "ttl", label: "TTL" },
    { key: "managed_by", label: "Managed by" },
    status,
  ],
  titleOf: (r) => `${String(r["name"])} ${String(r["type"])}`,
  hasDetail: true,
  fields: recordFields,
  // the type's own fields live under `data` in a record; the form edits them flat
  formValues: (r) => ({ ...r, ...(r["data"] as Record<string, unknown>) }),
  ...fromGroup("dnsRecords"),
}
