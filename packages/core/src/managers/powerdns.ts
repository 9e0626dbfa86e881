import { Context, Data, Effect, type Option } from "effect"
import type { Rrset } from "../families/dns/domain.js"
import { diffRrsets, withDot } from "../families/dns/plan.js"

/** PowerDNS could not be reached, or answered with a server error; retrying may help. */
export class PowerDnsUnavailable extends Data.TaggedError("PowerDnsUnavailable")<{ readonly message: string }> {}

/** PowerDNS refused the data (HTTP 422/400); the same request will be refused again. */
export class PowerDnsRejected extends Data.TaggedError("PowerDnsRejected")<{ readonly message: string }> {}

/** One rrset as the PowerDNS API holds it (record contents with their disabled flag). */
export interface ServedRrset {
  readonly name: string
  readonly type: string
  readonly ttl: number
  readonly records: ReadonlyArray<{ readonly content: string; readonly disabled: boolean }>
}

/** One change of a PATCH: replace an rrset with these records, or delete it. */
export type RrsetChange =
  | { readonly changetype: "REPLACE"; readonly rrset: Rrset }
  | { readonly changetype: "DELETE"; readonly name: string; readonly type: string }

/**
 * Narrow port to one PowerDNS server's HTTP API (`/api/v1/servers/localhost`). Zone names are
 * absolute (with the trailing dot). The live implementation is the agent's; tests may use a
 * recorder.
 */
export class PowerDnsApi extends Context.Tag("@hosting/PowerDnsApi")<
  PowerDnsApi,
  {
    /** The zone's rrsets, or none when the server has no such zone. */
    readonly getZone: (zone: string) => Effect.Effect<Option.Option<ReadonlyArray<ServedRrset>>, PowerDnsUnavailable>
    /** Creates a native zone holding exactly these rrsets. */
    readonly createZone: (
      zone: string,
      rrsets: ReadonlyArray<Rrset>,
    ) => Effect.Effect<void, PowerDnsUnavailable | PowerDnsRejected>
    /** Applies rrset changes to a zone, atomically. */
    readonly patchZone: (
      zone: string,
      changes: ReadonlyArray<RrsetChange>,
    ) => Effect.Effect<void, PowerDnsUnavailable | PowerDnsRejected>
    /** Deletes a zone; false when it did not exist. */
    readonly deleteZone: (zone: string) => Effect.Effect<boolean, PowerDnsUnavailable>
    /** Drops cached answers for the zone and every name below it. */
    readonly flushCache: (zone: string) => Effect.Effect<void, PowerDnsUnavailable>
    /** Every zone the server holds (absolute names). */
    readonly listZones: () => Effect.Effect<ReadonlyArray<string>, PowerDnsUnavailable>
  }
>() {}

/** One change to a DNS server. */
export interface DnsChange {
  readonly action: "create" | "update" | "delete"
  readonly kind: "zone" | "rrset"
  readonly target: string
}

// Disabled records are not served: compare only what is, and make an rrset holding any differ
// from every desired one so it is replaced.
const served = (r: ServedRrset): Rrset => ({
  name: r.name,
  type: r.type as Rrset["type"],
  ttl: r.ttl,
  records: r.records.map((x) => (x.disabled ? `(disabled) ${x.content}` : x.content)),
})

/**
 * Makes a PowerDNS server's zones exactly the planned data: a missing zone is created with all
 * its rrsets; an existing one gets one PATCH with only the rrsets that differ (replaced) or must
 * go (deleted), so ensuring the same data twice changes nothing the second time. `planZone` reports
 * the same comparison without changing anything.
 */
export class PowerDnsManager extends Effect.Service<PowerDnsManager>()("@hosting/PowerDnsManager", {
  effect: Effect.gen(function* () {
    const api = yield* PowerDnsApi

    /** The one comparison: the zone's state on the server against the planned rrsets. */
    const diff = (zone: string, rrsets: ReadonlyArray<Rrset>) =>
      Effect.gen(function* () {
        const name = withDot(zone)
        const current = yield* api.getZone(name)
        if (current._tag === "None") {
          const changes: ReadonlyArray<DnsChange> = [{ action: "create", kind: "zone", target: name }]
          return { name, exists: false, patch: [] as Array<RrsetChange>, changes }
        }
        // rrsets without records (comments only) are not data
        const { replace, remove } = diffRrsets(rrsets, current.value.filter((r) => r.records.length > 0).map(served))
        const patch: Array<RrsetChange> = [
          ...remove.map((r) => ({ changetype: "DELETE" as const, name: r.name, type: r.type })),
          ...replace.map((rrset) => ({ changetype: "REPLACE" as const, rrset })),
        ]
        const existing = new Set(current.value.map((r) => `${r.name} ${r.type}`))
        const changes = patch.map(
          (c): DnsChange =>
            c.changetype === "DELETE"
              ? { action: "delete", kind: "rrset", target: `${c.name} ${c.type}` }
              : {
                  action: existing.has(`${c.rrset.name} ${c.rrset.type}`) ? "update" : "create",
                  kind: "rrset",
                  target: `${c.rrset.name} ${c.rrset.type}`,
                },
        )
        return { name, exists: true, patch, changes }
      })

    /** What ensureZone would change, without changing it. */
    const planZone = Effect.fn("PowerDnsManager.planZone")(function* (zone: string, rrsets: ReadonlyArray<Rrset>) {
      return (yield* diff(zone, rrsets)).changes
    })

    const ensureZone = Effect.fn("PowerDnsManager.ensureZone")(function* (zone: string, rrsets: ReadonlyArray<Rrset>) {
      const d = yield* diff(zone, rrsets)
      if (!d.exists) {
        yield* api.createZone(d.name, rrsets)
        // answers given while the zone did not exist (REFUSED) would otherwise be served from cache
        yield* api.flushCache(d.name)
      } else if (d.patch.length > 0) yield* api.patchZone(d.name, d.patch)
      return d.changes
    })

    const removeZone = Effect.fn("PowerDnsManager.removeZone")(function* (zone: string) {
      const existed = yield* api.deleteZone(withDot(zone))
      if (existed) yield* api.flushCache(withDot(zone))
      return existed ? [{ action: "delete", kind: "zone", target: withDot(zone) } satisfies DnsChange] : []
    })

    /** The zones the server holds, without the trailing dot, sorted (a converge removes those nobody wants). */
    const zones = Effect.fn("PowerDnsManager.zones")(function* () {
      return (yield* api.listZones()).map((z) => z.replace(/\.$/, "")).sort()
    })

    return { planZone, ensureZone, removeZone, zones } as const
  }),
}) {}
