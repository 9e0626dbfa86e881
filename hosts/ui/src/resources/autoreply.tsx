// An email account's Auto-reply tab: the vacation reply the account has (one or none: GET answers
// 404 for none), the form that sets or replaces it, and its confirmed delete and retry.
import { type EmailAutoreply, PutEmailAutoreply } from "@hosting/sdk"
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { pollWhileInFlight } from "../components/lifecycle"
import { initialValues, ResourceForm } from "../components/ResourceForm"
import { buttonClass, ErrorAlert, formatValue, StatusBadge } from "../components/ui"
import { useSession } from "../session/session"
import { body, id } from "./calls"
import { boundsOf } from "./schema-options"
import type { Field, Row, Tab } from "./types"

const lengths = (field: string) => {
  const b = boundsOf(PutEmailAutoreply, field)
  return `${b.minLength ?? 0}–${(b.maxLength ?? 0).toLocaleString("en")} characters`
}
const days = boundsOf(PutEmailAutoreply, "days")

/** The form's fields; their limits are the payload schema's. */
const AUTOREPLY_FIELDS: ReadonlyArray<Field> = [
  { name: "subject", label: "Subject", kind: "text", required: true, help: `${lengths("subject")}, on one line` },
  { name: "body", label: "Message", kind: "multiline", required: true, help: lengths("body") },
  { name: "start_at", label: "Start (UTC)", kind: "datetime", help: "empty: from now on" },
  { name: "end_at", label: "End (UTC)", kind: "datetime", help: "empty: until it is removed or disabled" },
  {
    name: "days",
    label: "Days between replies",
    kind: "number",
    help: `${days.minimum}–${days.maximum}: each sender is answered at most once in this many days (default 1)`,
  },
  { name: "enabled", label: "Enabled", kind: "select", options: ["yes", "no"] },
]

const isNotFound = (e: unknown) => (e as { _tag?: unknown } | null)?._tag === "NotFound"

/** The form's payload as the API takes it: the yes/no select a boolean. */
const toPut = (values: Record<string, unknown>) => ({
  ...values,
  ...(values["enabled"] === undefined ? {} : { enabled: values["enabled"] === "yes" }),
})

const formValuesOf = (reply: EmailAutoreply | null) => ({
  ...initialValues(AUTOREPLY_FIELDS, reply === null ? undefined : { ...reply }),
  enabled: reply === null || reply.enabled ? "yes" : "no",
})

/** The reply as the API answers it, in the form's words. */
const Summary = (props: { readonly reply: EmailAutoreply }) => {
  const r = props.reply
  const items: ReadonlyArray<readonly [string, string]> = [
    ["Subject", r.subject],
    ["Message", r.body],
    ["Start (UTC)", r.start_at ?? "now"],
    ["End (UTC)", r.end_at ?? "none"],
    ["Days between replies", String(r.days)],
    ["Enabled", r.enabled ? "yes" : "no"],
    ["Updated", formatValue(r.updated_at)],
  ]
  return (
    <dl className="mb-4 grid grid-cols-1 gap-x-6 gap-y-2 rounded-md border border-slate-300 bg-white p-4 text-sm sm:grid-cols-[12rem_1fr]">
      {items.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="font-semibold text-slate-800">{k}</dt>
          <dd className="whitespace-pre-wrap break-words">{v}</dd>
        </div>
      ))}
    </dl>
  )
}

const AutoreplyPanel = (props: { readonly account: Row }) => {
  const { client } = useSession()
  const queries = useQueryClient()
  const path = id(props.account.id)
  const queryKey = ["email-autoreplies", "get", props.account.id]
  const query = useQuery({
    queryKey,
    // no auto-reply is an answer here, not a failure: the account has none (or its delete finished)
    queryFn: async (): Promise<EmailAutoreply | null> => {
      try {
        return await client.emailAutoreplies.get({ path })
      } catch (e) {
        if (isNotFound(e)) return null
        throw e
      }
    },
    refetchInterval: (q) => pollWhileInFlight([q.state.data ? { ...q.state.data } : undefined]),
  })
  // the 202's row is shown at once; polling then follows it to active, failed or gone
  const settle = async (answer: EmailAutoreply) => {
    queries.setQueryData(queryKey, answer)
    await queries.invalidateQueries({ queryKey })
  }
  const remove = useMutation({ mutationFn: () => client.emailAutoreplies.delete({ path }), onSuccess: settle })
  const retry = useMutation({ mutationFn: () => client.emailAutoreplies.retry({ path }), onSuccess: settle })
  const reply = query.data
  const address = String(props.account["address"])
  return (
    <section aria-label="Auto-reply">
      <ErrorAlert error={query.error ?? remove.error ?? retry.error} />
      {query.isPending ? <p>Loading…</p> : null}
      {reply === null ? <p className="mb-4 text-sm text-slate-800">No auto-reply.</p> : null}
      {reply ? (
        <>
          <div className="mb-3 flex flex-wrap items-center gap-3">
            <h2 className="text-lg font-semibold">
              Auto-reply <StatusBadge status={reply.status} />
            </h2>
            <button
              type="button"
              className={buttonClass("danger")}
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(`Delete the auto-reply of ${address}? Mail to it is no longer answered.`))
                  remove.mutate()
              }}
            >
              Delete auto-reply
            </button>
          </div>
          {reply.status === "failed" ? (
            <div role="status" className="mb-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
              <p className="font-semibold">Failed</p>
              <p className="whitespace-pre-wrap">{formatValue(reply.status_message)}</p>
              <button
                type="button"
                className={`${buttonClass("primary")} mt-2`}
                disabled={retry.isPending}
                onClick={() => retry.mutate()}
              >
                Retry
              </button>
            </div>
          ) : null}
          <Summary reply={reply} />
        </>
      ) : null}
      {reply === undefined ? null : (
        <ResourceForm
          // a new form when the reply's content changes (a save, a delete), not at every status poll
          key={JSON.stringify(formValuesOf(reply))}
          title={reply === null ? "Set an auto-reply" : "Replace the auto-reply"}
          fields={AUTOREPLY_FIELDS}
          initial={formValuesOf(reply)}
          submitLabel={reply === null ? "Set auto-reply" : "Replace auto-reply"}
          onSubmit={async (values) =>
            settle(await client.emailAutoreplies.update({ path, payload: body(toPut(values)) }))
          }
        />
      )}
    </section>
  )
}

/** Email account detail tab: its vacation reply. */
export const autoreplyTab: Tab = { label: "Auto-reply", render: (r) => <AutoreplyPanel account={r} /> }
