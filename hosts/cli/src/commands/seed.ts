import { Flags } from "@oclif/core"
import { allItems, EXIT_PROVISIONING_FAILED, HostingCommand, waitForStatus } from "../base.js"
import type { SeedFile } from "../files/seed-file.js"

interface Seeded {
  readonly kind: string
  readonly name: string
  readonly id: string
  readonly status: string
}

const IN_FLIGHT = ["pending", "provisioning", "deleting"]

/** Where a set of rows stands: the first one in flight, else the first failed, else active. */
const summary = (rows: ReadonlyArray<{ status: string; status_message?: string | null }>) => {
  const busy = rows.find((x) => IN_FLIGHT.includes(x.status))
  const bad = rows.find((x) => x.status === "failed")
  return { status: busy?.status ?? bad?.status ?? "active", status_message: bad?.status_message ?? undefined }
}

const withoutDot = (name: string) => name.replace(/\.$/, "")

/** A record's owner name as the API stores it (absolute, no trailing dot), as the API resolves it. */
export const absoluteName = (zone: string, name: string): string => {
  if (name === "@") return zone
  if (name.endsWith(".")) return withoutDot(name)
  return name === zone || name.endsWith(`.${zone}`) ? name : `${name}.${zone}`
}

/** Creates the customer-side resources a file describes, in dependency order, idempotently by name. */
export default class Seed extends HostingCommand {
  static override summary =
    "Create brands, tenants (with their webroots, FQDNs and SSH keys) and DNS zones (with their records) from a seed file"
  static override flags = {
    file: Flags.string({ char: "f", description: "seed YAML file", required: true }),
    timeout: Flags.integer({
      description: "seconds to wait for each tenant and zone to become active",
      default: 300,
      min: 1,
    }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Seed)
    // the file's Schema (and Effect with it) is loaded only when the command runs
    const [{ loadYaml, decodeFile }, files] = await Promise.all([
      import("../apply-file.js"),
      import("../files/seed-file.js"),
    ])
    const known: ReadonlyArray<string> = [...files.SEEDED, ...files.NOT_YET]
    let raw: unknown
    try {
      raw = loadYaml(flags.file)
    } catch (e) {
      this.error((e as Error).message, { exit: 2 })
    }
    for (const key of Object.keys((raw as Record<string, unknown> | null) ?? {})) {
      if ((files.NOT_YET as ReadonlyArray<string>).includes(key))
        this.error(`${flags.file}: ${key} cannot be seeded: this platform does not offer ${key} yet`, { exit: 2 })
      if (!known.includes(key))
        this.error(`${flags.file}: unknown kind ${key} (known: ${known.join(", ")})`, { exit: 2 })
    }
    let doc: SeedFile
    try {
      doc = decodeFile(flags.file, raw, files.SeedFile)
    } catch (e) {
      this.error((e as Error).message, { exit: 2 })
    }
    const api = (await this.client(flags["api-url"])) as any
    const results: Array<Seeded> = []
    let failed = false
    const settle = async (kind: string, name: string, id: string, read: () => Promise<ReturnType<typeof summary>>) => {
      const settled = await this.call(waitForStatus(read, flags.timeout, () => {}))
      if (settled.status !== "active") {
        failed = true
        this.logToStderr(`  ${settled.status_message ?? ""}`)
      }
      results.push({ kind, name, id, status: settled.status })
      return settled.status
    }

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
    const findBrand = async (name: string) =>
      (
        (await this.call(
          allItems((cursor) => api.brands.list({ urlParams: { search: name, ...(cursor ? { cursor } : {}) } })),
        )) as Array<any>
      ).find((x) => x.name === name)
    const findTenant = async (brandId: string, displayName: string) =>
      (
        (await this.call(
          allItems((cursor) => api.tenants.list({ urlParams: { search: displayName, ...(cursor ? { cursor } : {}) } })),
        )) as Array<any>
      ).find((x) => x.display_name === displayName && x.brand_id === brandId)

    for (const b of doc.brands ?? []) {
      const found = await findBrand(b.name)
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
    const brandIds = new Map<string, string>()
    const brandId = async (name: string) => {
      if (!brandIds.has(name)) {
        const found = await findBrand(name)
        if (found === undefined)
          this.error(`${flags.file}: no brand ${name} (seed it under brands: first)`, { exit: 2 })
        brandIds.set(name, found.id)
      }
      return brandIds.get(name)!
    }

    for (const t of doc.tenants ?? []) {
      const brand = await brandId(t.brand)
      const existing = await findTenant(brand, t.display_name)
      const tenant =
        existing ??
        (await this.call(
          api.tenants.create({
            payload: {
              brand_id: brand,
              display_name: t.display_name,
              ...(t.cluster ? { cluster_id: await clusterId(t.cluster) } : {}),
            },
          }),
        ))
      const owned = (await this.call(api.tenants.resources({ path: { id: tenant.id } }))) as any
      const bound = new Map<string, string>(owned.fqdns.map((f: any) => [f.hostname, f.webroot_id]))
      for (const w of t.webroots ?? []) {
        const names = w.fqdns.map(withoutDot)
        const webrootId =
          names.map((h) => bound.get(h)).find((id) => id !== undefined) ??
          (
            (await this.call(
              api.webroots.create({
                path: { id: tenant.id },
                payload: {
                  runtime: w.runtime,
                  ...(w.runtime_version ? { runtime_version: w.runtime_version } : {}),
                  ...(w.entrypoint ? { entrypoint: w.entrypoint } : {}),
                },
              }),
            )) as { id: string }
          ).id
        for (const h of names.filter((n) => !bound.has(n)))
          await this.call(api.fqdns.create({ path: { id: webrootId }, payload: { hostname: h } }))
      }
      const keyNames = new Set(owned.ssh_keys.map((k: any) => k.name))
      for (const k of (t.ssh_keys ?? []).filter((k) => !keyNames.has(k.name)))
        await this.call(api.sshKeys.create({ path: { id: tenant.id }, payload: k }))
      // the tenant's sync provisions everything in rounds; wait until no row is in flight
      const status = await settle("tenant", t.display_name, tenant.id, async () => {
        const r = (await api.tenants.resources({ path: { id: tenant.id } })) as any
        return summary([r.tenant, ...r.webroots, ...r.fqdns, ...r.ssh_keys])
      })
      this.logToStderr(`tenant ${t.display_name} (${tenant.name}): ${existing ? "present" : "created"} (${status})`)
    }

    for (const z of doc.zones ?? []) {
      const name = withoutDot(z.name)
      const brand = await brandId(z.brand)
      let tenantId: string | undefined
      if (z.tenant !== undefined) {
        tenantId = (await findTenant(brand, z.tenant))?.id
        if (tenantId === undefined)
          this.error(
            `${flags.file}: zone ${name}: no tenant ${z.tenant} of brand ${z.brand} (seed it under tenants:)`,
            {
              exit: 2,
            },
          )
      }
      const existing = (
        (await this.call(
          allItems((cursor) => api.zones.list({ urlParams: { search: name, ...(cursor ? { cursor } : {}) } })),
        )) as Array<any>
      ).find((x) => x.name === name)
      const zone =
        existing ??
        (await this.call(
          api.zones.create({ payload: { name, brand_id: brand, ...(tenantId ? { tenant_id: tenantId } : {}) } }),
        ))
      const listRecords = () =>
        allItems((cursor) => api.dnsRecords.list({ path: { id: zone.id }, urlParams: cursor ? { cursor } : {} }))
      const present = (await this.call(listRecords())) as Array<any>
      let added = 0
      for (const record of z.records ?? []) {
        const { name: owner, type, ttl: _ttl, ...fields } = record
        const absolute = absoluteName(name, owner)
        const same = present.some(
          (r) =>
            r.type === type &&
            r.name === absolute &&
            Object.entries(fields).every(([k, v]) => JSON.stringify(r.data?.[k]) === JSON.stringify(v)),
        )
        if (same) continue
        await this.call(api.dnsRecords.create({ path: { id: zone.id }, payload: record }))
        added++
      }
      // the zone's sync pushes it and its records to the DNS nodes; wait until none is in flight
      const status = await settle("zone", name, zone.id, async () => {
        const [current, records] = await Promise.all([api.zones.get({ path: { id: zone.id } }), listRecords()])
        return summary([current, ...records])
      })
      this.logToStderr(`zone ${name}: ${existing ? "present" : "created"}, ${added} record(s) added (${status})`)
    }
    if (failed) this.error("some resources failed to provision", { exit: EXIT_PROVISIONING_FAILED })
    if (!this.jsonEnabled()) this.log(`${results.length} resource(s) active`)
    return { resources: results }
  }
}
