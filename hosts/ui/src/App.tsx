// The shell: sign-in gate, navigation, global search, and the route table.

import type { PromiseClient } from "@hosting/sdk"
import { QueryClient, QueryClientProvider } from "@tanstack/react-query"
import { type FormEvent, type ReactNode, useState } from "react"
import { ListView } from "./components/ListView"
import { buttonClass, INPUT, PageHeader } from "./components/ui"
import { Dashboard } from "./pages/Dashboard"
import { DetailPage } from "./pages/DetailPage"
import { CreatePage, EditPage } from "./pages/FormPages"
import { LoginPage } from "./pages/LoginPage"
import { PlatformConfigPage } from "./pages/PlatformConfigPage"
import { SearchPage } from "./pages/SearchPage"
import { resourceOf, TOP_LEVEL } from "./resources/registry"
import { href, navigate, type Route, useRoute } from "./router"
import { type Session, SessionProvider, useSessionState } from "./session/session"

/** Which page a route shows. */
export const pageFor = (route: Route): ReactNode => {
  const [a, b, c, d] = route.segments
  if (a === undefined) return <Dashboard />
  if (a === "search") return <SearchPage q={route.query.get("q") ?? ""} />
  if (a === "platform") return <PlatformConfigPage />
  const config = resourceOf(a)
  if (config === undefined) return <NotFound />
  if (b === undefined) return config.parent ? <NotFound /> : <ListView key={a} config={config} asPage />
  if (b === "new" && c === undefined) return <CreatePage config={config} />
  if (c === undefined) return <DetailPage key={b} config={config} id={b} tab={route.query.get("tab")} />
  if (c === "edit") return <EditPage config={config} id={b} />
  const child = resourceOf(c)
  if (child?.parent === a && d === "new") return <CreatePage config={child} parentId={b} />
  return <NotFound />
}

const NotFound = () => <PageHeader title="Page not found" />

const SearchBox = () => {
  const [q, setQ] = useState("")
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (q.trim() !== "") navigate(href(["search"], { q: q.trim() }))
  }
  return (
    <search>
      <form aria-label="Search everything" onSubmit={submit} className="flex gap-2">
        <label htmlFor="global-search" className="sr-only">
          Search everything
        </label>
        <input
          id="global-search"
          type="search"
          placeholder="Search…"
          className={`${INPUT} w-48`}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <button type="submit" className={buttonClass()}>
          Search
        </button>
      </form>
    </search>
  )
}

const Shell = () => {
  const { session, signOut } = useSessionState()
  const route = useRoute()
  if (session === undefined) return <LoginPage />
  const links = [
    { label: "Dashboard", to: href([]), active: route.segments.length === 0 },
    ...TOP_LEVEL.map((r) => ({ label: r.label, to: href([r.key]), active: route.segments[0] === r.key })),
    { label: "Platform config", to: href(["platform"]), active: route.segments[0] === "platform" },
  ]
  return (
    <>
      {/* a button, not href="#main": the hash is the router's */}
      <button
        type="button"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2"
        onClick={() => document.getElementById("main")?.focus()}
      >
        Skip to content
      </button>
      <header className="border-b border-slate-300 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-4 py-3">
          <span className="font-semibold">Hosting admin</span>
          <nav aria-label="Main" className="flex flex-wrap gap-1">
            {links.map((l) => (
              <a
                key={l.label}
                href={l.to}
                aria-current={l.active ? "page" : undefined}
                className={`rounded-md px-2 py-1 text-sm ${l.active ? "bg-slate-200 font-semibold" : "text-blue-800"}`}
              >
                {l.label}
              </a>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <SearchBox />
            <span className="text-sm text-slate-700">{session.name}</span>
            <button type="button" className={buttonClass()} onClick={signOut}>
              Log out
            </button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6 focus:outline-none">
        {pageFor(route)}
      </main>
    </>
  )
}

/** The whole app; tests pass a signed-in session and a stub client. */
export const App = (props: {
  readonly initial?: Session
  readonly makeClient?: (apiKey: string) => PromiseClient
  readonly queryClient?: QueryClient
}) => {
  const [queryClient] = useState(
    () => props.queryClient ?? new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 5_000 } } }),
  )
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider
        {...(props.initial ? { initial: props.initial } : {})}
        {...(props.makeClient ? { makeClient: props.makeClient } : {})}
      >
        <Shell />
      </SessionProvider>
    </QueryClientProvider>
  )
}
