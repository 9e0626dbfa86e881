// The UI's choices come from the SDK's schemas: every select with fixed options offers exactly
// the literals the API accepts for that field, so a list copied into the UI and left behind
// when the contract changes fails here.
import {
  CreateDatabase,
  CreateDatabaseUser,
  CreateEmailAccount,
  CreateFqdn,
  CreateS3AccessKey,
  CreateShard,
  CreateWebroot,
  PutEmailAutoreply,
  RecordInput,
  ResourceStatus,
  UpdateDatabase,
  UpdateDatabaseUser,
  UpdateFqdn,
  UpdateWebroot,
} from "@hosting/sdk"
import { describe, expect, it } from "vitest"
import { STATUSES } from "../src/components/ListView"
import { RESOURCES } from "../src/resources/registry"
import { boundsOf, literalsOf } from "../src/resources/schema-options"
import type { Field } from "../src/resources/types"

type Payload = Parameters<typeof literalsOf>[0]

/** The payload schema each form posts: `<resource> <form>`, and `.<group>` for a group's items. */
const PAYLOADS: Record<string, Payload> = {
  "webroots create": CreateWebroot,
  "webroots edit": UpdateWebroot,
  "tenants create.webroots": CreateWebroot,
  "fqdns create": CreateFqdn,
  "fqdns edit": UpdateFqdn,
  "dns-records create": RecordInput,
  "shards create": CreateShard,
  "s3-access-keys create": CreateS3AccessKey,
  "databases create": CreateDatabase,
  "databases edit": UpdateDatabase,
  "database-users create": CreateDatabaseUser,
  "database-users edit": UpdateDatabaseUser,
}

/** Fields with fixed options, with the form (and group) they are in. */
const selects = (form: string, fields: ReadonlyArray<Field> | undefined): ReadonlyArray<readonly [string, Field]> =>
  (fields ?? []).flatMap((f) => [
    ...(f.kind === "select" && f.options !== undefined ? [[form, f] as const] : []),
    ...selects(`${form}.${f.name}`, f.fields),
  ])

// booleans shown as a yes/no select: not an enum of the schema
const BOOLEAN_SELECTS = new Set(["https_redirect", "public_read"])

describe("select options from the SDK's schemas", () => {
  it("reads literals of a literal schema, a struct field, a union's members and a filtered member", () => {
    expect(literalsOf(ResourceStatus)).toEqual(["pending", "provisioning", "active", "failed", "suspended", "deleting"])
    expect(literalsOf(CreateWebroot, "runtime")).toEqual(["php", "node", "python", "ruby", "static", "worker"])
    expect(literalsOf(UpdateFqdn, "tls")).toEqual(["letsencrypt", "none"])
    expect(literalsOf(RecordInput, "type")).toEqual(["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA"])
    expect(literalsOf(RecordInput, "tag")).toEqual(["issue", "issuewild", "iodef"])
    expect(literalsOf(CreateShard, "role")).toEqual(["web", "database", "dns", "email", "valkey", "s3", "lb"])
    expect(literalsOf(CreateWebroot, "entrypoint")).toEqual([])
  })

  it("every fixed select of a form offers exactly what its payload schema accepts", () => {
    const checked: Array<string> = []
    for (const [key, config] of Object.entries(RESOURCES)) {
      const fields = [...selects(`${key} create`, config.fields), ...selects(`${key} edit`, config.editFields)]
      for (const [form, field] of fields) {
        if (BOOLEAN_SELECTS.has(field.name)) continue
        const schema = PAYLOADS[form]
        expect(schema, `${form}: ${field.name} has fixed options but no payload schema here`).toBeDefined()
        expect(field.options, `${form}: ${field.name}`).toEqual(literalsOf(schema!, field.name))
        checked.push(`${form} ${field.name}`)
      }
    }
    expect(checked).toEqual([
      "shards create role",
      "tenants create.webroots runtime",
      "webroots create runtime",
      "webroots edit runtime",
      "fqdns create tls",
      "fqdns edit tls",
      "s3-access-keys create access",
      "databases create charset",
      "databases create collation",
      "databases edit charset",
      "databases edit collation",
      "database-users create privileges",
      "database-users edit privileges",
      "dns-records create type",
      "dns-records create tag",
    ])
  })

  it("reads a field's bounds through optional, filtered and branded schemas", () => {
    expect(boundsOf(PutEmailAutoreply, "subject")).toEqual({ minLength: 1, maxLength: 200 })
    expect(boundsOf(PutEmailAutoreply, "body")).toEqual({ minLength: 1, maxLength: 10_000 })
    expect(boundsOf(PutEmailAutoreply, "days")).toEqual({ minimum: 1, maximum: 30 })
    expect(boundsOf(CreateEmailAccount, "quota_mb")).toEqual({ minimum: 1, maximum: 1_048_576 })
    expect(boundsOf(PutEmailAutoreply, "enabled")).toEqual({})
    expect(boundsOf(PutEmailAutoreply, "no_such_field")).toEqual({})
  })

  it("the list's status filter offers every lifecycle status", () => {
    expect(STATUSES).toEqual(literalsOf(ResourceStatus))
  })
})
