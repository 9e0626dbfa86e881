import { describe, expect, it } from "vitest"
import { makeBatcher, type Settled } from "../src/web/batcher.js"

// A node lock as WebNode has it: one job at a time, in the order queued; `log` says what ran.
const harness = () => {
  const log: Array<string> = []
  let queue: Promise<unknown> = Promise.resolve()
  const enqueue = <A>(f: () => Promise<A>): Promise<A> => {
    const next = queue.then(f, f)
    queue = next.catch(() => {})
    return next
  }
  let release: (() => void) | undefined
  const batcher = makeBatcher<string, string>({
    run: async (inputs): Promise<ReadonlyArray<Settled<string>>> => {
      log.push(`batch ${inputs.join(",")}`)
      // a batch that is told to wait holds the lock until released
      if (inputs.includes("slow")) await new Promise<void>((r) => (release = r))
      return inputs.map((i) =>
        i.startsWith("bad") ? { ok: false, error: new Error(`${i} refused`) } : { ok: true, value: `${i} done` },
      )
    },
    schedule: enqueue,
    key: (i) => i.split(":")[0]!,
    maxSize: 3,
  })
  const other = (name: string) => {
    batcher.seal()
    return enqueue(async () => void log.push(name))
  }
  return { log, batcher, other, release: () => release?.() }
}

// waits (a bounded number of event-loop turns) until the slow batch holds the lock
const untilRunning = async (log: ReadonlyArray<string>) => {
  for (let i = 0; i < 1000 && !log.includes("batch slow"); i++) await new Promise((r) => setImmediate(r))
  expect(log).toContain("batch slow")
}

describe("the ensure batcher", () => {
  it("calls made together run as one batch, each caller getting its own value or error", async () => {
    const h = harness()
    const outcomes = await Promise.allSettled(["a", "bad", "c"].map((i) => h.batcher.submit(i)))
    expect(h.log).toEqual(["batch a,bad,c"])
    expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value : (o.reason as Error).message))).toEqual([
      "a done",
      "bad refused",
      "c done",
    ])
  })

  it("calls arriving while a batch runs join the next one; a full batch opens another", async () => {
    const h = harness()
    const first = h.batcher.submit("slow")
    await untilRunning(h.log)
    const rest = ["b", "c", "d", "e"].map((i) => h.batcher.submit(i))
    h.release()
    await Promise.all([first, ...rest])
    expect(h.log).toEqual(["batch slow", "batch b,c,d", "batch e"])
  })

  it("two calls with one key never share a batch, and run in the order they came", async () => {
    const h = harness()
    const done = await Promise.all(["t:1", "u", "t:2", "v"].map((i) => h.batcher.submit(i)))
    expect(h.log).toEqual(["batch t:1,u", "batch t:2,v"])
    expect(done).toEqual(["t:1 done", "u done", "t:2 done", "v done"])
  })

  it("a call after other work was queued on the lock runs after that work, not in an earlier batch", async () => {
    const h = harness()
    const first = h.batcher.submit("slow")
    await untilRunning(h.log)
    const before = h.batcher.submit("a")
    const removal = h.other("remove b")
    const after = h.batcher.submit("b")
    h.release()
    await Promise.all([first, before, removal, after])
    expect(h.log).toEqual(["batch slow", "batch a", "remove b", "batch b"])
  })
})
