import { Flags } from "@oclif/core"
import { Schema } from "effect"
import { allItems, decodeFile, loadYaml } from "../apply-file.js"
import { HostingCommand } from "../base.js"

// Kinds a seed file may name, in dependency order. Those the platform does not offer yet are
// refused by name rather than skipped, so a seed never silently does less than it says.
const OFFERED = ["brands"] as const
const NOT_YET = ["zones", "tenants", "webroots", "fqdns", "ssh_keys", "databases", "valkey", "s3", "email", "mailboxes"]

const SeedFile = Schema.Struct({
  brands: Schema.optional(
    Schema.Array(
      Schema.Struct({
        name: Schema.String,
        ns_hostnames: Schema.optional(Schema.Array(Schema.String)),
        hostmaster: Schema.optional(Schema.String),
        clusters: Schema.optional(Schema.Array(Schema.String).annotations({ description: "region/cluster names" })),
      }),
    ),
  ),
})

/** Creates the customer-side resources a file describes, in dependency order, idempotently by name. */
export default class Seed extends HostingCommand {
  static override summary = "Create brands (and, as the platform grows, tenants, sites, …) from a seed file"
  static override flags = {
    file: Flags.string({ char: "f", description: "seed YAML file", required: true }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Seed)
    let raw: unknown
    try {
      raw = loadYaml(flags.file)
    } catch (e) {
      this.error((e as Error).message, { exit: 2 })
    }
    for (const key of Object.keys((raw as Record<string, unknown> | null) ?? {})) {
      if (NOT_YET.includes(key))
        this.error(`${flags.file}: ${key} cannot be seeded: this platform does not offer ${key} yet`, { exit: 2 })
      if (!(OFFERED as ReadonlyArray<string>).includes(key)) {
        this.error(`${flags.file}: unknown kind ${key} (known: ${[...OFFERED, ...NOT_YET].join(", ")})`, { exit: 2 })
      }
    }
    let doc: typeof SeedFile.Type
    try {
      doc = decodeFile(flags.file, raw, SeedFile)
    } catch (e) {
      this.error((e as Error).message, { exit: 2 })
    }
    const api = this.client(flags["api-url"]) as any
    const results: Array<{ kind: string; name: string; id: string; status: string }> = []

    let clusterIds: Map<string, string> | undefined
    const clusterId = async (ref: string) => {
      if (clusterIds === undefined) {
        clusterIds = new Map()
        const regions = (await this.call(
          allItems((cursor) => api.regions.list({ urlParams: cursor ? { cursor } : {} })),
        )) as Array<any>
        for (const r of regions) {
          const clusters = (await this.call(
            allItems((cursor) => api.clusters.list({ path: { id: r.id }, urlParams: cursor ? { cursor } : {} })),
          )) as Array<any>
          for (const c of clusters) clusterIds.set(`${r.name}/${c.name}`, c.id)
        }
      }
      const id = clusterIds.get(ref)
      if (id === undefined)
        this.error(`${flags.file}: no cluster ${ref} (write region/cluster; see hostctl cluster apply)`, { exit: 2 })
      return id
    }

    for (const b of doc.brands ?? []) {
      const found = (
        (await this.call(
          allItems((cursor) => api.brands.list({ urlParams: { search: b.name, ...(cursor ? { cursor } : {}) } })),
        )) as Array<any>
      ).find((x) => x.name === b.name)
      const payload = {
        ...(b.ns_hostnames ? { ns_hostnames: b.ns_hostnames } : {}),
        ...(b.hostmaster ? { hostmaster: b.hostmaster } : {}),
      }
      const brand = found
        ? Object.keys(payload).length > 0
          ? await this.call(api.brands.update({ path: { id: found.id }, payload }))
          : found
        : await this.call(api.brands.create({ payload: { name: b.name, ...payload } }))
      if (b.clusters !== undefined) {
        const ids = await Promise.all(b.clusters.map(clusterId))
        await this.call(api.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: ids } }))
      }
      this.logToStderr(`brand ${b.name}: ${found ? "present" : "created"} (active)`)
      results.push({ kind: "brand", name: b.name, id: brand.id, status: "active" })
    }
    if (!this.jsonEnabled()) this.log(`${results.length} resource(s) active`)
    return { resources: results }
  }
}
