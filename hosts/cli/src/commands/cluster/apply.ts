import { Flags } from "@oclif/core"
import { allItems, EXIT_PROVISIONING_FAILED, HostingCommand, waitForStatus } from "../../base.js"
import type { ClusterFile } from "../../files/cluster-file.js"

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const sorted = (xs: ReadonlyArray<string>) => [...xs].sort()

/** Creates or updates, by name, the placement tree a file describes; then converges what changed. */
export default class ClusterApply extends HostingCommand {
  static override summary =
    "Create or update regions, clusters, LB addresses, shards and nodes from a file (idempotent)"
  static override flags = {
    file: Flags.string({ char: "f", description: "cluster YAML file", required: true }),
    converge: Flags.boolean({ description: "converge the shards that changed", default: true, allowNo: true }),
    timeout: Flags.integer({ description: "seconds to wait for each convergence", default: 600, min: 1 }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(ClusterApply)
    // the file's Schema (and Effect with it) is loaded only when the command runs
    const [{ readYaml }, files] = await Promise.all([
      import("../../apply-file.js"),
      import("../../files/cluster-file.js"),
    ])
    let doc: ClusterFile
    try {
      doc = readYaml(flags.file, files.ClusterFile)
    } catch (e) {
      this.error((e as Error).message, { exit: 2 })
    }
    const api = (await this.client(flags["api-url"])) as any
    const changes: Array<string> = []
    const touched = new Map<string, string>()
    const note = (what: string) => {
      changes.push(what)
      this.logToStderr(what)
    }

    for (const r of doc.regions) {
      const regions = (await this.call(
        allItems((cursor) => api.regions.list({ urlParams: { search: r.name, ...(cursor ? { cursor } : {}) } })),
      )) as Array<any>
      let region = regions.find((x) => x.name === r.name)
      if (region === undefined) {
        region = await this.call(api.regions.create({ payload: { name: r.name } }))
        note(`region ${r.name}: created`)
      }
      if (r.runtimes !== undefined) {
        const current: any = await this.call(api.regions.getRuntimes({ path: { id: region.id } }))
        const wanted = [...r.runtimes].sort((a, b) => a.runtime.localeCompare(b.runtime))
        if (!same(current.runtimes, wanted)) {
          await this.call(api.regions.setRuntimes({ path: { id: region.id }, payload: { runtimes: wanted } }))
          note(`region ${r.name}: runtimes updated`)
        }
      }
      for (const c of r.clusters ?? []) {
        const clusters = (await this.call(
          allItems((cursor) =>
            api.clusters.list({
              path: { id: region.id },
              urlParams: { search: c.name, ...(cursor ? { cursor } : {}) },
            }),
          ),
        )) as Array<any>
        let cluster = clusters.find((x) => x.name === c.name)
        if (cluster === undefined) {
          cluster = await this.call(api.clusters.create({ path: { id: region.id }, payload: { name: c.name } }))
          note(`cluster ${c.name}: created`)
        }
        const lbs = (await this.call(
          allItems((cursor) => api.lbAddresses.list({ path: { id: cluster.id }, urlParams: cursor ? { cursor } : {} })),
        )) as Array<any>
        for (const address of c.lb_addresses ?? []) {
          if (!lbs.some((l) => l.address === address.toLowerCase())) {
            await this.call(api.lbAddresses.create({ path: { id: cluster.id }, payload: { address } }))
            note(`cluster ${c.name}: LB address ${address} added`)
          }
        }
        const shards = (await this.call(
          allItems((cursor) => api.shards.list({ path: { id: cluster.id }, urlParams: cursor ? { cursor } : {} })),
        )) as Array<any>
        const shardIds = new Map<string, string>(shards.map((s) => [s.name, s.id]))
        for (const s of c.shards ?? []) {
          const existing = shards.find((x) => x.name === s.name)
          if (existing === undefined) {
            const created: any = await this.call(
              api.shards.create({
                path: { id: cluster.id },
                payload: { name: s.name, role: s.role, ...(s.config ? { config: s.config } : {}) },
              }),
            )
            shardIds.set(s.name, created.id)
            touched.set(created.id, s.name)
            note(`shard ${s.name}: created`)
          } else if (existing.role !== s.role) {
            this.error(
              `shard ${s.name} exists with role ${existing.role}, the file says ${s.role}; a shard's role cannot change`,
              { exit: 2 },
            )
          } else if (s.config !== undefined && !same(existing.config, s.config)) {
            await this.call(api.shards.update({ path: { id: existing.id }, payload: { config: s.config } }))
            touched.set(existing.id, s.name)
            note(`shard ${s.name}: config updated`)
          }
        }
        const nodes = (await this.call(
          allItems((cursor) => api.nodes.list({ path: { id: cluster.id }, urlParams: cursor ? { cursor } : {} })),
        )) as Array<any>
        for (const n of c.nodes ?? []) {
          const wantedShards = (n.shards ?? []).map((name) => {
            const id = shardIds.get(name)
            if (id === undefined)
              this.error(`node ${n.hostname}: no shard named ${name} in cluster ${c.name}`, { exit: 2 })
            return id
          })
          const existing = nodes.find((x) => (n.id !== undefined ? x.id === n.id : x.hostname === n.hostname))
          if (existing === undefined) {
            const payload = {
              hostname: n.hostname,
              addresses: n.addresses ?? [],
              shard_ids: wantedShards,
              ...(n.id ? { id: n.id } : {}),
            }
            await this.call(api.nodes.create({ path: { id: cluster.id }, payload }))
            for (const id of wantedShards) touched.set(id, [...shardIds].find(([, v]) => v === id)![0])
            note(`node ${n.hostname}: created`)
          } else if (
            existing.hostname !== n.hostname ||
            !same(sorted(existing.addresses), sorted(n.addresses ?? existing.addresses)) ||
            !same(sorted(existing.shard_ids), sorted(wantedShards))
          ) {
            await this.call(
              api.nodes.update({
                path: { id: existing.id },
                payload: {
                  hostname: n.hostname,
                  addresses: n.addresses ?? existing.addresses,
                  shard_ids: wantedShards,
                },
              }),
            )
            for (const id of new Set([...existing.shard_ids, ...wantedShards])) {
              const name = [...shardIds].find(([, v]) => v === id)?.[0]
              if (name) touched.set(id, name)
            }
            note(`node ${n.hostname}: updated`)
          }
        }
      }
    }

    const converged: Array<{ shard: string; status: string; status_message: string | null }> = []
    if (flags.converge) {
      for (const [id, name] of touched) {
        this.logToStderr(`converging shard ${name}…`)
        await this.call(api.shards.converge({ path: { id }, payload: {} }))
        const shard = await waitForStatus(
          () => this.call(api.shards.get({ path: { id } })),
          flags.timeout,
          (s: any) => this.logToStderr(`shard ${name}: ${s.status}`),
        ).catch((e) => this.error(String(e.message ?? e), { exit: EXIT_PROVISIONING_FAILED }))
        converged.push({ shard: name, status: shard.status, status_message: shard.status_message })
      }
    }
    if (!this.jsonEnabled()) this.log(changes.length === 0 ? "no changes" : `${changes.length} change(s)`)
    const failed = converged.find((c) => c.status === "failed")
    if (failed !== undefined) {
      if (this.jsonEnabled()) process.exitCode = EXIT_PROVISIONING_FAILED
      else this.error(`shard ${failed.shard} failed: ${failed.status_message}`, { exit: EXIT_PROVISIONING_FAILED })
    }
    return { changes, converged }
  }
}
