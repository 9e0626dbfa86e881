// Requests derived from the contract: every endpoint, its path filled with given ids, and a
// valid body generated from its payload Schema, so new endpoints are covered automatically.
import { HttpApi } from "@effect/platform"
import { type EndpointAccess, endpointAccess, HostingApi } from "@hosting/core"
import { Arbitrary, FastCheck, Option, type Schema, Schema as SchemaModule } from "effect"

export interface EndpointCase extends EndpointAccess {
  readonly payload: Schema.Schema<unknown> | undefined
  readonly urlParams: Schema.Schema<unknown> | undefined
}

const payloads = new Map<string, Schema.Schema<unknown> | undefined>()
const urlParams = new Map<string, Schema.Schema<unknown> | undefined>()
HttpApi.reflect(HostingApi as unknown as HttpApi.HttpApi.AnyWithProps, {
  onGroup: () => {},
  onEndpoint: ({ endpoint }) => {
    const schema = Option.getOrUndefined(endpoint.payloadSchema) as Schema.Schema<unknown> | undefined
    // GET "payloads" are url params; bodies exist for the other methods
    payloads.set(`${endpoint.method} ${endpoint.path}`, endpoint.method === "GET" ? undefined : schema)
    urlParams.set(
      `${endpoint.method} ${endpoint.path}`,
      Option.getOrUndefined(endpoint.urlParamsSchema) as Schema.Schema<unknown> | undefined,
    )
  },
})

/** Every endpoint of the contract with its access rule and body schema. */
export const endpointCases: ReadonlyArray<EndpointCase> = endpointAccess(HostingApi).map((r) => ({
  ...r,
  payload: payloads.get(`${r.method} ${r.path}`),
  urlParams: urlParams.get(`${r.method} ${r.path}`),
}))

/** A query string with the endpoint's required parameters filled with valid values. */
export const requiredQuery = (c: EndpointCase, seed = 42): string => {
  if (c.urlParams === undefined) return ""
  const ast = c.urlParams.ast
  if (ast._tag !== "TypeLiteral") return ""
  const q = new URLSearchParams()
  for (const p of ast.propertySignatures) {
    if (p.isOptional) continue
    const [v] = FastCheck.sample(Arbitrary.make(SchemaModule.make(p.type)), { seed, numRuns: 1 })
    q.set(
      String(p.name),
      String(SchemaModule.encodeSync(SchemaModule.make(p.type) as Schema.Schema<unknown, unknown>)(v)),
    )
  }
  const s = q.toString()
  return s === "" ? "" : `?${s}`
}

/** A body the endpoint's schema accepts (deterministic for a seed), or undefined. */
export const validBody = (c: EndpointCase, seed = 42): unknown => {
  if (c.payload === undefined) return undefined
  const [sample] = FastCheck.sample(Arbitrary.make(c.payload), { seed, numRuns: 1 })
  return JSON.parse(JSON.stringify(sample))
}

/** The path with `:id` replaced. */
export const fillPath = (c: EndpointCase, id: string) => c.path.replace(":id", encodeURIComponent(id))

/** Sends one request the way a raw HTTP client would. */
export const send = async (
  baseUrl: string,
  c: { readonly method: string },
  path: string,
  apiKey: string | undefined,
  body?: string,
): Promise<{ status: number; json: any }> => {
  const headers: Record<string, string> = {}
  if (apiKey !== undefined) headers["X-API-Key"] = apiKey
  if (body !== undefined) headers["content-type"] = "application/json"
  const res = await fetch(`${baseUrl}${path}`, { method: c.method, headers, ...(body === undefined ? {} : { body }) })
  const text = await res.text()
  let json: unknown
  try {
    json = text === "" ? undefined : JSON.parse(text)
  } catch {
    json = text
  }
  return { status: res.status, json }
}
