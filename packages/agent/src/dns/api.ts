import { PowerDnsApi, PowerDnsRejected, PowerDnsUnavailable, type ServedRrset } from "@hosting/core/node"
import { Effect, Layer, Option } from "effect"

interface Answer {
  readonly status: number
  readonly body: string
}

/**
 * The live PowerDnsApi: the local pdns_server's HTTP API on loopback, authenticated with the
 * key the agent generated for it (read when first needed: it exists once the server is started).
 * 4xx answers (bad data) are rejections; anything else that is not a success is "unavailable",
 * which the activity retries.
 */
export const powerDnsHttpApi = (options: { readonly port: number; readonly apiKey: () => Promise<string> }) => {
  const base = `http://127.0.0.1:${options.port}/api/v1/servers/localhost`
  const call = (method: string, path: string, body?: unknown) =>
    Effect.tryPromise({
      try: async (signal): Promise<Answer> => {
        const apiKey = await options.apiKey()
        const res = await fetch(`${base}${path}`, {
          method,
          headers: {
            "X-API-Key": apiKey,
            ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
        })
        return { status: res.status, body: await res.text() }
      },
      catch: (e) => new PowerDnsUnavailable({ message: `PowerDNS API: ${e instanceof Error ? e.message : String(e)}` }),
    })
  const reason = (a: Answer) => {
    try {
      return String((JSON.parse(a.body) as { error?: unknown }).error ?? a.body)
    } catch {
      return a.body
    }
  }
  const expect =
    (what: string, ok: ReadonlyArray<number>) =>
    (a: Answer): Effect.Effect<Answer, PowerDnsRejected | PowerDnsUnavailable> =>
      ok.includes(a.status)
        ? Effect.succeed(a)
        : a.status >= 400 && a.status < 500
          ? Effect.fail(new PowerDnsRejected({ message: `PowerDNS refused to ${what}: ${reason(a)}` }))
          : Effect.fail(new PowerDnsUnavailable({ message: `PowerDNS could not ${what} (${a.status}): ${reason(a)}` }))
  const zonePath = (zone: string) => `/zones/${encodeURIComponent(zone)}`

  return Layer.succeed(
    PowerDnsApi,
    PowerDnsApi.of({
      listZones: () =>
        call("GET", "/zones").pipe(
          Effect.flatMap((a) =>
            a.status === 200
              ? Effect.succeed((JSON.parse(a.body) as ReadonlyArray<{ name: string }>).map((z) => z.name))
              : Effect.fail(new PowerDnsUnavailable({ message: `PowerDNS zone list (${a.status}): ${reason(a)}` })),
          ),
        ),
      getZone: (zone) =>
        call("GET", zonePath(zone)).pipe(
          Effect.flatMap((a) => {
            if (a.status === 404) return Effect.succeed(Option.none())
            if (a.status !== 200)
              return Effect.fail(new PowerDnsUnavailable({ message: `PowerDNS zone read (${a.status}): ${reason(a)}` }))
            const z = JSON.parse(a.body) as { rrsets: ReadonlyArray<ServedRrset> }
            return Effect.succeed(Option.some(z.rrsets))
          }),
        ),
      createZone: (zone, rrsets) =>
        call("POST", "/zones", {
          name: zone,
          kind: "Native",
          nameservers: [],
          // PowerDNS bumps the SOA serial on every change made through the API
          soa_edit_api: "DEFAULT",
          rrsets: rrsets.map((r) => ({
            name: r.name,
            type: r.type,
            ttl: r.ttl,
            records: r.records.map((content) => ({ content, disabled: false })),
          })),
        }).pipe(Effect.flatMap(expect(`create zone ${zone}`, [201])), Effect.asVoid),
      patchZone: (zone, changes) =>
        call("PATCH", zonePath(zone), {
          rrsets: changes.map((c) =>
            c.changetype === "DELETE"
              ? { name: c.name, type: c.type, changetype: "DELETE" }
              : {
                  name: c.rrset.name,
                  type: c.rrset.type,
                  ttl: c.rrset.ttl,
                  changetype: "REPLACE",
                  records: c.rrset.records.map((content) => ({ content, disabled: false })),
                },
          ),
        }).pipe(Effect.flatMap(expect(`change zone ${zone}`, [204])), Effect.asVoid),
      flushCache: (zone) =>
        call("PUT", `/cache/flush?domain=${encodeURIComponent(zone)}`).pipe(
          Effect.flatMap((a) =>
            a.status === 200
              ? Effect.void
              : Effect.fail(new PowerDnsUnavailable({ message: `PowerDNS cache flush (${a.status}): ${reason(a)}` })),
          ),
        ),
      deleteZone: (zone) =>
        call("DELETE", zonePath(zone)).pipe(
          Effect.flatMap((a) =>
            a.status === 204
              ? Effect.succeed(true)
              : a.status === 404
                ? Effect.succeed(false)
                : Effect.fail(new PowerDnsUnavailable({ message: `PowerDNS zone delete (${a.status}): ${reason(a)}` })),
          ),
        ),
    }),
  )
}
