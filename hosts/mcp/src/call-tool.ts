// Performs one tool call as an HTTP request to the API and turns the answer into a tool result.
// Arguments are not validated here beyond their top-level shape: the API validates them, and its
// errors reach the model exactly as a REST client would see them.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { isJsonObject } from "./json-schema.js"
import { pollAdvice, type ToolDefinition } from "./openapi-tools.js"

/** Where the API is, and the key the call is made with (none: the API answers 401). */
export interface ApiConnection {
  /** Base URL without `/api/v1`, e.g. `http://127.0.0.1:8080`. */
  readonly apiUrl: string
  readonly apiKey?: string | undefined
}

// Operations only record work and return (provisioning runs in Temporal and answers 202), so a
// minute without an answer means the API is stuck; the model gets an error instead of a hang.
const REQUEST_TIMEOUT_MS = 60_000

const errorResult = (code: string, message: string): CallToolResult => ({
  isError: true,
  content: [{ type: "text", text: JSON.stringify({ error: { code, message } }) }],
})

type Scalar = string | number | boolean

const isScalar = (u: unknown): u is Scalar => typeof u === "string" || typeof u === "number" || typeof u === "boolean"

/** The request a call makes, or the reason its arguments cannot make one. */
const buildRequest = (
  tool: ToolDefinition,
  args: unknown,
  api: ApiConnection,
): { readonly url: URL; readonly init: RequestInit } | { readonly invalid: string } => {
  const input = args ?? {}
  if (!isJsonObject(input)) return { invalid: "arguments must be an object with path, query and body" }
  const { pathParams, queryParams, hasBody, method } = tool.request
  const allowed = [
    ...(pathParams.length > 0 ? ["path"] : []),
    ...(queryParams.length > 0 ? ["query"] : []),
    ...(hasBody ? ["body"] : []),
  ]
  const unexpected = Object.keys(input).filter((k) => !allowed.includes(k))
  if (unexpected.length > 0) {
    return {
      invalid: `unexpected argument(s) ${unexpected.join(", ")}; ${tool.name} takes ${allowed.length === 0 ? "no arguments" : allowed.join(", ")}`,
    }
  }
  const path = input["path"] ?? {}
  if (!isJsonObject(path)) return { invalid: "path must be an object" }
  let target = tool.request.path
  for (const name of pathParams) {
    const value = path[name]
    if (!isScalar(value) || value === "") return { invalid: `path.${name} is required` }
    target = target.replace(`{${name}}`, encodeURIComponent(String(value)))
  }
  const url = new URL(`${api.apiUrl.replace(/\/+$/, "")}${target}`)
  const query = input["query"] ?? {}
  if (!isJsonObject(query)) return { invalid: "query must be an object" }
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === undefined || v === null) continue
      url.searchParams.append(name, isScalar(v) ? String(v) : JSON.stringify(v))
    }
  }
  const headers: Record<string, string> = { accept: "application/json" }
  if (api.apiKey !== undefined && api.apiKey !== "") headers["x-api-key"] = api.apiKey
  if (!hasBody) return { url, init: { method, headers } }
  headers["content-type"] = "application/json"
  // a body whose fields are all optional (`{plan?}`) may be omitted by the model
  return { url, init: { method, headers, body: JSON.stringify(input["body"] ?? {}) } }
}

const parseBody = (text: string, contentType: string | null): unknown => {
  if (text === "" || !(contentType ?? "").includes("json")) return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

const at = (value: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((v, key) => (isJsonObject(v) ? v[key] : undefined), value)

const pollHint = (tool: ToolDefinition, body: unknown): string => {
  const id = tool.poll === undefined ? undefined : at(body, tool.poll.idPath)
  const target =
    tool.poll === undefined
      ? "the resource's get tool"
      : `${tool.poll.tool}${isScalar(id) ? ` with ${JSON.stringify({ path: { id } })}` : ""}`
  return `Accepted: this runs asynchronously. ${capitalized(pollAdvice(tool.request.method, target))}.`
}

/** Calls the tool's operation; API errors and unreachable APIs become `isError` results, never exceptions. */
export const callTool = async (
  tool: ToolDefinition,
  args: unknown,
  api: ApiConnection,
  signal?: AbortSignal,
): Promise<CallToolResult> => {
  const request = buildRequest(tool, args, api)
  if ("invalid" in request) return errorResult("invalid_request", request.invalid)
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  let response: Response
  let text: string
  try {
    response = await fetch(request.url, {
      ...request.init,
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    })
    text = await response.text()
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : ""
    const message = e instanceof Error ? `${e.message}${cause}` : String(e)
    return errorResult("unavailable", `${tool.request.method} ${request.url.pathname} failed: ${message}`)
  }
  const body = parseBody(text, response.headers.get("content-type"))
  if (!response.ok) {
    if (isJsonObject(body) && isJsonObject(body["error"])) {
      return { isError: true, content: [{ type: "text", text: JSON.stringify(body) }] }
    }
    const message = typeof body === "string" && body !== "" ? body.slice(0, 2_000) : response.statusText
    return errorResult(`http_${response.status}`, message)
  }
  const content: CallToolResult["content"] = [
    {
      type: "text",
      text:
        text === ""
          ? `${response.status} ${response.statusText}`
          : typeof body === "string"
            ? body
            : JSON.stringify(body),
    },
  ]
  if (response.status === 202) content.push({ type: "text", text: pollHint(tool, body) })
  return isJsonObject(body) ? { content, structuredContent: body } : { content }
}
