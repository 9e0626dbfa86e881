// A tiny hash router: `#/brands/ID?tab=clusters` → { segments: ["brands", "ID"], query }.
import { useSyncExternalStore } from "react"

/** The current location, parsed. */
export interface Route {
  readonly segments: ReadonlyArray<string>
  readonly query: URLSearchParams
}

const subscribe = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange)
  return () => window.removeEventListener("hashchange", onChange)
}

/** Parses a hash such as `#/brands?x=1`. */
export const parseHash = (hash: string): Route => {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?", 2)
  return {
    segments: path
      .split("/")
      .filter((s) => s !== "")
      .map(decodeURIComponent),
    query: new URLSearchParams(search),
  }
}

/** The current route; re-renders on navigation. */
export const useRoute = (): Route => parseHash(useSyncExternalStore(subscribe, () => window.location.hash))

/** Builds an href from path segments and optional query parameters. */
export const href = (segments: ReadonlyArray<string>, query?: Record<string, string>): string => {
  const q = query === undefined ? "" : new URLSearchParams(query).toString()
  return `#/${segments.map(encodeURIComponent).join("/")}${q === "" ? "" : `?${q}`}`
}

/** Navigates to an href produced by `href`. */
export const navigate = (to: string): void => {
  window.location.hash = to.replace(/^#/, "")
}
