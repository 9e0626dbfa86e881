// What the page tests share: a stub SDK client that records its calls and fails loudly on one nobody
// stubbed, and the signed-in App opened at a route against it. Not a test file itself.
import type { PromiseClient } from "@hosting/sdk"
import { cleanup, render } from "@testing-library/react"
import { afterEach, beforeEach, expect, vi } from "vitest"
import { App } from "../src/App"

/** A stubbed SDK method: whatever arguments the page passes in, the API's answer out. */
export type Method = (args?: any) => Promise<unknown>

/**
 * A client that records every call (`group.method`, arguments) and answers from `stubs`; a call
 * nobody stubbed rejects and is listed in `unstubbed`. `session.whoami` answers as an admin.
 */
export const recordingClient = (stubs: Record<string, Record<string, Method>>) => {
  const calls: Array<readonly [string, unknown]> = []
  const unstubbed: Array<string> = []
  const all: Record<string, Record<string, Method>> = {
    session: { whoami: async () => ({ id: "k", name: "admin", scopes: ["*"], brands: ["*"] }) },
    ...stubs,
  }
  const group = (g: string) =>
    new Proxy(
      {},
      {
        get: (_, m) =>
          typeof m !== "string"
            ? undefined
            : async (args?: unknown) => {
                calls.push([`${g}.${m}`, args])
                const f = all[g]?.[m]
                if (f === undefined) {
                  unstubbed.push(`${g}.${m}`)
                  throw new Error(`unstubbed ${g}.${m}`)
                }
                return f(args)
              },
      },
    )
  const client = new Proxy({}, { get: (_, g) => (typeof g === "string" ? group(g) : undefined) }) as PromiseClient
  return { client, calls, unstubbed, names: () => calls.map(([n]) => n) }
}

/** The recording client returned by `recordingClient`. */
export type RecordingClient = ReturnType<typeof recordingClient>

/** An admin's session over `client`, as the sign-in page would leave it. */
export const signedIn = (client: PromiseClient) => ({
  apiKey: "hpk_x",
  client,
  name: "admin",
  scopes: ["*"],
  brands: ["*"],
})

/** An API failure as the SDK rejects with it: an Error carrying the envelope's `_tag` (and `extra`). */
export const apiError = (tag: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { _tag: tag, ...extra })

/** The `n`th fixed UUID, so tests can name ids and find them again in hrefs and payloads. */
export const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`

/**
 * Registers the hooks a page test needs — a fresh hash and storage before each test; afterwards
 * unmount, restore spies, and fail if the page called anything nobody stubbed — and returns
 * `open`, which renders the signed-in App at `hash` over a recording client of `stubs`.
 */
export const stubbedApp = () => {
  let stub: RecordingClient | undefined
  beforeEach(() => {
    window.location.hash = ""
    localStorage.clear()
    stub = undefined
  })
  afterEach(() => {
    cleanup()
    vi.restoreAllMocks()
    expect(stub?.unstubbed ?? []).toEqual([])
  })
  return {
    open: (hash: string, stubs: Record<string, Record<string, Method>>): RecordingClient => {
      stub = recordingClient(stubs)
      window.location.hash = hash
      render(<App initial={signedIn(stub.client)} />)
      return stub
    },
  }
}
