// Load generation for bench/api: autocannon's programmatic API, reduced to the numbers we report.

/** The part of autocannon's result this benchmark reads (the package ships no types). */
interface AutocannonHistogram {
  readonly average: number
  readonly p50: number
  readonly p99: number
  readonly total: number
}

interface AutocannonResult {
  readonly requests: AutocannonHistogram
  readonly latency: AutocannonHistogram
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
}

interface AutocannonOptions {
  readonly url: string
  readonly connections: number
  readonly duration: number
  readonly headers: Readonly<Record<string, string>>
  readonly requests: ReadonlyArray<{ readonly path: string }>
  readonly overallRate?: number
  readonly ignoreCoordinatedOmission?: boolean
}

/** autocannon(opts) without a callback returns an EventEmitter that is also a thenable. */
export type Autocannon = (options: AutocannonOptions) => PromiseLike<AutocannonResult> & { stop(): void }

/**
 * Loads autocannon, or explains how to install it. Imported by name at run time so the type
 * check does not depend on the package being installed (it ships no type declarations).
 */
export const loadAutocannon = async (): Promise<Autocannon> => {
  const name = "autocannon"
  try {
    const loaded = (await import(name)) as { default: Autocannon }
    return loaded.default
  } catch (e) {
    if ((e as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw e
    throw new Error("autocannon is not installed: run `npm install --save-dev --save-exact autocannon@9.0.0`")
  }
}

/** What one load run hits: a base URL, headers, and the paths each connection cycles through. */
export interface Target {
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly paths: ReadonlyArray<string>
}

/** The numbers of one run; latencies in ms (autocannon's histogram has 1 ms resolution). */
export interface Measurement {
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly completed: number
  /** Connection errors, timeouts and non-2xx answers: any of them makes the run suspect. */
  readonly failed: number
}

/** How hard to push: for `seconds`, with `connections` in flight, optionally capped at `overallRate`. */
export interface Load {
  readonly seconds: number
  readonly connections: number
  readonly overallRate?: number
}

/** One run; it throws the abort reason if `signal` is aborted before or while it runs. */
export const measure = async (
  autocannon: Autocannon,
  target: Target,
  load: Load,
  signal: AbortSignal,
): Promise<Measurement> => {
  signal.throwIfAborted()
  const instance = autocannon({
    url: target.url,
    connections: load.connections,
    duration: load.seconds,
    headers: target.headers ?? {},
    // Requests without setupRequest are encoded once; each connection cycles through them.
    requests: target.paths.map((path) => ({ path })),
    ...(load.overallRate === undefined
      ? {}
      : {
          overallRate: load.overallRate,
          // autocannon's correction assumes an interval of ceil(1 / per-connection rate) = 1 ms
          // instead of 1000 / rate ms, which multiplies every slow sample; and its rate limiter
          // sends each second's quota back to back, so there is no schedule to correct against.
          ignoreCoordinatedOmission: true,
        }),
  })
  const stop = () => instance.stop()
  signal.addEventListener("abort", stop, { once: true })
  const result = await instance
  signal.removeEventListener("abort", stop)
  signal.throwIfAborted()
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    completed: result.requests.total,
    failed: result.errors + result.non2xx,
  }
}
