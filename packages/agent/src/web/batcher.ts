/** One caller's outcome in a batch: its own value, or its own error. */
export type Settled<O> = { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: unknown }

interface Waiting<I, O> {
  readonly input: I
  readonly resolve: (o: O) => void
  readonly reject: (e: unknown) => void
}

/**
 * Coalesces concurrent calls into batches. A call that arrives while a batch waits for its turn
 * joins that batch; one that arrives while a batch runs joins the next. `run` gets the inputs of
 * one batch and answers each caller separately (one caller's failure is its own). Calls with the
 * same `key` never share a batch: the later one waits for the next (two ensures of one tenant
 * must not race within a batch). `schedule` runs a batch when its turn comes (the node's lock).
 */
export const makeBatcher = <I, O>(options: {
  readonly run: (inputs: ReadonlyArray<I>) => Promise<ReadonlyArray<Settled<O>>>
  readonly schedule: (batch: () => Promise<void>) => Promise<unknown>
  readonly key: (input: I) => string
  /** At most this many calls in one batch (a bounded batch bounds one reload's work). */
  readonly maxSize: number
}): ((input: I) => Promise<O>) => {
  let waiting: Array<Waiting<I, O>> = []
  let scheduled = false

  const take = (): Array<Waiting<I, O>> => {
    const keys = new Set<string>()
    const batch: Array<Waiting<I, O>> = []
    const rest: Array<Waiting<I, O>> = []
    for (const w of waiting) {
      const key = options.key(w.input)
      if (batch.length < options.maxSize && !keys.has(key)) {
        keys.add(key)
        batch.push(w)
      } else rest.push(w)
    }
    waiting = rest
    return batch
  }

  const runBatch = async (): Promise<void> => {
    scheduled = false
    const batch = take()
    // what this batch could not take goes into the next one
    if (waiting.length > 0) next()
    try {
      const results = await options.run(batch.map((w) => w.input))
      for (const [i, w] of batch.entries()) {
        const r = results[i]
        if (r === undefined) w.reject(new Error("the batch returned no outcome for this call"))
        else if (r.ok) w.resolve(r.value)
        else w.reject(r.error)
      }
    } catch (e) {
      for (const w of batch) w.reject(e)
    }
  }

  const next = () => {
    scheduled = true
    options.schedule(runBatch).catch(() => {})
  }

  return (input) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ input, resolve, reject })
      if (!scheduled) next()
    })
}
