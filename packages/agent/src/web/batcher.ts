/** One caller's outcome in a batch: its own value, or its own error. */
export type Settled<O> = { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: unknown }

interface Waiting<I, O> {
  readonly input: I
  readonly resolve: (o: O) => void
  readonly reject: (e: unknown) => void
}

/** Submits calls to batches; `seal` closes the batch waiting for its turn to later calls. */
export interface Batcher<I, O> {
  readonly submit: (input: I) => Promise<O>
  readonly seal: () => void
}

/**
 * Coalesces concurrent calls into batches. A call that arrives while a batch waits for its turn
 * joins that batch; one that arrives while a batch runs joins the next. `run` gets the inputs of
 * one batch and answers each caller separately (one caller's failure is its own). A call never
 * joins a batch that already holds its `key` (two ensures of one tenant must not race within a
 * batch) or `maxSize` calls: it opens the next one. `schedule` runs a batch when its turn comes
 * (the node's lock); whoever queues other work on that lock calls `seal` first, so that no later
 * call overtakes that work by joining a batch queued before it.
 */
export const makeBatcher = <I, O>(options: {
  readonly run: (inputs: ReadonlyArray<I>) => Promise<ReadonlyArray<Settled<O>>>
  readonly schedule: (batch: () => Promise<void>) => Promise<unknown>
  readonly key: (input: I) => string
  readonly maxSize: number
}): Batcher<I, O> => {
  // the batch waiting for its turn that still takes calls
  let open: Array<Waiting<I, O>> | undefined

  const runBatch = async (batch: Array<Waiting<I, O>>): Promise<void> => {
    if (open === batch) open = undefined
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

  const submit = (input: I) =>
    new Promise<O>((resolve, reject) => {
      const key = options.key(input)
      if (open === undefined || open.length >= options.maxSize || open.some((w) => options.key(w.input) === key)) {
        const batch: Array<Waiting<I, O>> = []
        open = batch
        options.schedule(() => runBatch(batch)).catch(() => {})
      }
      open.push({ input, resolve, reject })
    })

  return {
    submit,
    seal: () => {
      open = undefined
    },
  }
}
