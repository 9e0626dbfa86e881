// Turns whatever a failed SDK call rejected with into text for the user: the API's envelope
// (typed errors with `_tag`, `message`, `details`), client-side Schema encoding failures
// (`ParseError`), and network failures.

const TAG_LABELS: Record<string, string> = {
  Unauthorized: "Not signed in",
  Forbidden: "Not allowed",
  NotFound: "Not found",
  Conflict: "Conflict",
  InvalidInput: "Invalid input",
  HttpApiDecodeError: "Invalid request",
  Unavailable: "Unavailable",
  ParseError: "Invalid value",
  RequestError: "Network error",
  ResponseError: "Unexpected response",
}

/** What to show for one failure: a short title and the message (possibly several lines). */
export interface ShownError {
  readonly title: string
  readonly message: string
}

const issueLines = (details: unknown): Array<string> => {
  const issues = (details as { issues?: unknown } | undefined)?.issues
  if (!Array.isArray(issues)) return []
  return issues.map((i: { path?: Array<unknown>; message?: string }) =>
    `${(i.path ?? []).join(".") || "(root)"}: ${i.message ?? ""}`.trim(),
  )
}

/** Describes an error for display. */
export const describeError = (error: unknown): ShownError => {
  if (typeof error === "object" && error !== null) {
    const e = error as { _tag?: unknown; message?: unknown; details?: unknown; issues?: unknown }
    const tag = typeof e._tag === "string" ? e._tag : undefined
    const message = typeof e.message === "string" && e.message !== "" ? e.message : String(error)
    const lines = [message, ...issueLines(e.details ?? (Array.isArray(e.issues) ? { issues: e.issues } : undefined))]
    const unique = [...new Set(lines)]
    return { title: (tag && TAG_LABELS[tag]) ?? tag ?? "Error", message: unique.join("\n") }
  }
  return { title: "Error", message: String(error) }
}
