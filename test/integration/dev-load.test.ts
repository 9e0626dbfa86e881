// The single box under concurrent load on its default database (the private PostgreSQL cluster
// `npm run dev` starts): 20 sites (tenant, webroot, FQDN) created 10 requests at a time, then 300
// reads 10 at a time. Every request must answer 2xx and every site must come up. (PGlite served
// over its socket refused 121 of 300 such requests: it multiplexes connections onto one session.)
import { createClient, type PromiseClient } from "@hosting/sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type DevBox, makeDevBox } from "../support/dev-box.js"
import { eventually, httpGet, settled } from "../support/web-node.js"

const SITES = 20
const CONCURRENCY = 10
const READS = 300

let box: DevBox | undefined
let client: PromiseClient

/** Runs every job with at most `n` in flight; fails after all have run if any failed. */
const inPool = async <A>(n: number, jobs: ReadonlyArray<() => Promise<A>>): Promise<Array<A>> => {
  const results: Array<A> = []
  const errors: Array<unknown> = []
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++
        await jobs[i]!().then(
          (a) => {
            results[i] = a
          },
          (e: unknown) => errors.push(e),
        )
      }
    }),
  )
  if (errors.length > 0) throw new Error(`${errors.length} of ${jobs.length} jobs failed; the first: ${errors[0]}`)
  return results
}

/** Every request of a phase: how long it took, and what went wrong (an SDK call throws on non-2xx). */
const recorder = () => {
  const latencies: Array<number> = []
  const failures: Array<string> = []
  // a failed request is recorded and rethrown: its chain stops, the other chains go on
  const call = async <A>(what: string, f: () => Promise<A>): Promise<A> => {
    const t0 = performance.now()
    try {
      return await f()
    } catch (e) {
      failures.push(`${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
      throw e
    } finally {
      latencies.push(performance.now() - t0)
    }
  }
  const summary = () => {
    const sorted = [...latencies].sort((a, b) => a - b)
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(0)
    return `${latencies.length} requests, ${failures.length} failed, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`
  }
  return { call, failures, summary, count: () => latencies.length }
}

beforeAll(async () => {
  box = await makeDevBox()
  const run = await box.start()
  console.log(`dev stack ready in ${run.seconds.toFixed(1)} s`)
  client = createClient({ baseUrl: box.baseUrl, apiKey: box.apiKey() })
}, 240_000)

afterAll(async () => {
  await box?.cleanup()
})

describe("npm run dev under concurrent load", () => {
  it(`creates ${SITES} sites ${CONCURRENCY} requests at a time; every request answers 2xx and every site comes up`, async () => {
    const region = (await client.regions.list({ urlParams: {} })).items.find((r) => r.name === "local")!
    const cluster = (await client.clusters.list({ path: { id: region.id }, urlParams: {} })).items[0]!
    const brand = await client.brands.create({ payload: { name: `load ${Date.now()}` } })
    await client.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })

    const writes = recorder()
    const t0 = Date.now()
    const sites = await inPool(
      CONCURRENCY,
      Array.from({ length: SITES }, (_, i) => async () => {
        const tenant = await writes.call("tenants.create", () =>
          client.tenants.create({ payload: { brand_id: brand.id } }),
        )
        const webroot = await writes.call("webroots.create", () =>
          client.webroots.create({ path: { id: tenant.id }, payload: { runtime: "static" } }),
        )
        const hostname = `load-${i}.devbox.example.test`
        const fqdn = await writes.call("fqdns.create", () =>
          client.fqdns.create({ path: { id: webroot.id }, payload: { hostname } }),
        )
        return { tenant, webroot, fqdn, hostname }
      }),
    )
    const created = Date.now() - t0
    console.log(`create phase: ${writes.summary()} in ${created} ms`)
    expect(writes.failures).toEqual([])
    expect(writes.count()).toBe(SITES * 3)

    // every site comes up (its polls are requests under load too) and is served through HAProxy
    const polls = recorder()
    await inPool(
      CONCURRENCY,
      sites.map((s) => async () => {
        await settled(
          `tenant ${s.tenant.name}`,
          () => polls.call("tenants.get", () => client.tenants.get({ path: { id: s.tenant.id } })),
          240_000,
        )
        await settled(
          `webroot of ${s.tenant.name}`,
          () => polls.call("webroots.get", () => client.webroots.get({ path: { id: s.webroot.id } })),
          240_000,
        )
        await settled(
          `fqdn ${s.hostname}`,
          () => polls.call("fqdns.get", () => client.fqdns.get({ path: { id: s.fqdn.id } })),
          240_000,
        )
        await eventually(
          `${s.hostname} through HAProxy`,
          () => httpGet(box!.ports.lbHttp, s.hostname),
          (r) => r.status === 200,
          60_000,
        )
      }),
    )
    const active = Date.now() - t0
    console.log(`all ${SITES} sites active and served ${active} ms after the first request; polls: ${polls.summary()}`)
    expect(polls.failures).toEqual([])

    // the burst that broke PGlite: reads from 10 clients at once
    const reads = recorder()
    const t1 = Date.now()
    await inPool(
      CONCURRENCY,
      Array.from({ length: READS }, (_, i) => async (): Promise<unknown> => {
        const s = sites[i % SITES]!
        if (i % 3 === 0) return reads.call("tenants.list", () => client.tenants.list({ urlParams: { limit: 50 } }))
        if (i % 3 === 1) return reads.call("tenants.get", () => client.tenants.get({ path: { id: s.tenant.id } }))
        return reads.call("fqdns.get", () => client.fqdns.get({ path: { id: s.fqdn.id } }))
      }),
    )
    const readMs = Date.now() - t1
    console.log(`read phase: ${reads.summary()} in ${readMs} ms (${((READS * 1000) / readMs).toFixed(0)} req/s)`)
    expect(reads.failures).toEqual([])
    expect(reads.count()).toBe(READS)
  }, 600_000)
})
