// CPU time per program on the whole machine between two moments, from /proc: where a burst's
// time goes when every process shares the same two cores. Children's time counts once they
// are reaped (cutime/cstime), under the parent that waited for them.
import { readdirSync, readFileSync } from "node:fs"

const TICK_MS = 10 // USER_HZ is 100 on Linux

type Sample = Map<number, { readonly name: string; readonly ticks: number }>

const name = (pid: string, comm: string): string => {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean)
    // node processes are told apart by their script: the API, the worker, the agent, the bench
    const script = args.find((a) => /\.(js|ts)$/.test(a))
    return script !== undefined ? `${comm} ${script.split("/").slice(-3).join("/")}` : comm
  } catch {
    return comm
  }
}

/** Every process's CPU ticks (own and reaped children's) now. */
export const cpuSample = (): Sample => {
  const out: Sample = new Map()
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      // fields 14–17 of stat (utime, stime, cutime, cstime), counted from the state field (3)
      const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
      out.set(Number(pid), { name: name(pid, comm), ticks })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** CPU milliseconds per program name between two samples, largest first. */
export const cpuBetween = (before: Sample, after: Sample): Array<readonly [string, number]> => {
  const byName = new Map<string, number>()
  for (const [pid, a] of after) {
    const used = a.ticks - (before.get(pid)?.ticks ?? 0)
    if (used > 0) byName.set(a.name, (byName.get(a.name) ?? 0) + used * TICK_MS)
  }
  return [...byName].sort((x, y) => y[1] - x[1])
}
