// The signed-in API key: kept in localStorage, turned into an SDK client for the same origin
// (src/server.mjs proxies /api/ to the API, so no CORS is involved).
import { createClient, type PromiseClient } from "@hosting/sdk"
import { createContext, type ReactNode, useContext, useMemo, useState } from "react"

const STORAGE_KEY = "hosting.apiKey"

/** Who is signed in and the client that acts for them. */
export interface Session {
  readonly apiKey: string
  readonly client: PromiseClient
  readonly name: string
  readonly scopes: ReadonlyArray<string>
  readonly brands: ReadonlyArray<string>
}

interface SessionState {
  readonly session: Session | undefined
  signIn(apiKey: string): Promise<void>
  signOut(): void
}

const SessionContext = createContext<SessionState | undefined>(undefined)

/** Makes an SDK client for the page's origin. */
export const clientFor = (apiKey: string): PromiseClient => createClient({ baseUrl: window.location.origin, apiKey })

/** Provides the session; `initial` lets tests start signed in. */
export const SessionProvider = (props: {
  readonly children: ReactNode
  readonly initial?: Session
  readonly makeClient?: (apiKey: string) => PromiseClient
}) => {
  const makeClient = props.makeClient ?? clientFor
  const [session, setSession] = useState<Session | undefined>(props.initial)
  const state = useMemo<SessionState>(
    () => ({
      session,
      async signIn(apiKey) {
        const client = makeClient(apiKey)
        const me = await client.session.whoami()
        localStorage.setItem(STORAGE_KEY, apiKey)
        setSession({ apiKey, client, name: me.name, scopes: me.scopes, brands: me.brands })
      },
      signOut() {
        localStorage.removeItem(STORAGE_KEY)
        setSession(undefined)
      },
    }),
    [session, makeClient],
  )
  return <SessionContext.Provider value={state}>{props.children}</SessionContext.Provider>
}

/** The session state (throws outside the provider). */
export const useSessionState = (): SessionState => {
  const s = useContext(SessionContext)
  if (s === undefined) throw new Error("useSessionState outside SessionProvider")
  return s
}

/** The signed-in session (only under the signed-in part of the app). */
export const useSession = (): Session => {
  const s = useSessionState().session
  if (s === undefined) throw new Error("not signed in")
  return s
}

/** The key saved by an earlier sign-in, if any. */
export const savedApiKey = (): string | undefined => localStorage.getItem(STORAGE_KEY) ?? undefined
