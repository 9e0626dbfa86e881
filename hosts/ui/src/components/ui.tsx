// Small presentational pieces shared by every page.
import type { ResourceStatus } from "@hosting/sdk"
import type { ReactNode } from "react"
import { describeError } from "../session/errors"

// one style per status the API knows: the compiler asks for a new status's colour
const STATUS_STYLES: Record<ResourceStatus, string> = {
  active: "bg-green-100 text-green-900 ring-green-700/30",
  pending: "bg-slate-100 text-slate-900 ring-slate-600/30",
  provisioning: "bg-blue-100 text-blue-900 ring-blue-700/30",
  failed: "bg-red-100 text-red-900 ring-red-700/30",
  suspended: "bg-amber-100 text-amber-900 ring-amber-700/30",
  deleting: "bg-purple-100 text-purple-900 ring-purple-700/30",
}

/**
 * A lifecycle status as a coloured badge (the word is always shown, colour is extra). Another kind
 * of state (a replica's) names the lifecycle status whose colour it takes in `look`.
 */
export const StatusBadge = (props: { readonly status: string; readonly look?: ResourceStatus }) => (
  <span
    className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
      STATUS_STYLES[props.look ?? (props.status as ResourceStatus)] ?? STATUS_STYLES.pending
    }`}
  >
    {props.status}
  </span>
)

/** A failure shown to the user, announced by screen readers. */
export const ErrorAlert = (props: { readonly error: unknown }) => {
  if (props.error === null || props.error === undefined) return null
  const shown = describeError(props.error)
  return (
    <div role="alert" className="my-3 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <p className="font-semibold">{shown.title}</p>
      <p className="whitespace-pre-wrap break-words">{shown.message}</p>
    </div>
  )
}

/** Any value of a row as text: arrays joined, objects as JSON, null as a dash. */
export const formatValue = (value: unknown): string => {
  if (value === null || value === undefined) return "—"
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.map(formatValue).join(", ")
  if (typeof value === "object") return JSON.stringify(value)
  return String(value)
}

// what each of an FQDN's side effects is called on its detail page
const SIDE_LABELS: Record<string, string> = {
  web: "Web server",
  lb: "Load balancer",
  dns: "DNS records",
  certificate: "Certificate",
}

/** A resource's side effects (an FQDN's web, lb, dns, certificate): each with its status and why it failed. */
const SideEffectsView = (props: { readonly value: Record<string, unknown> }) => (
  <ul aria-label="Side effects" className="space-y-1">
    {Object.entries(props.value).map(([side, v]) => {
      const s = v as { status?: unknown; message?: unknown } | null
      return (
        <li key={side}>
          <span className="font-semibold">{SIDE_LABELS[side] ?? side}</span>{" "}
          {s === null || typeof s.status !== "string" ? (
            <span className="text-slate-700">does not apply</span>
          ) : (
            <>
              <StatusBadge status={s.status} />
              {typeof s.message === "string" ? <span className="whitespace-pre-wrap"> {s.message}</span> : null}
            </>
          )}
        </li>
      )
    })}
  </ul>
)

/** A cell or field value: status columns as badges, side effects as a list of them. */
export const ValueView = (props: { readonly name: string; readonly value: unknown }) =>
  props.name === "status" && typeof props.value === "string" ? (
    <StatusBadge status={props.value} />
  ) : props.name === "side_effects" && typeof props.value === "object" && props.value !== null ? (
    <SideEffectsView value={props.value as Record<string, unknown>} />
  ) : (
    formatValue(props.value)
  )

const BUTTON = {
  primary: "bg-blue-700 text-white hover:bg-blue-800",
  secondary: "bg-white text-slate-900 ring-1 ring-inset ring-slate-400 hover:bg-slate-100",
  danger: "bg-red-700 text-white hover:bg-red-800",
}

/** Button class names by variant (also used for links styled as buttons). */
export const buttonClass = (variant: keyof typeof BUTTON = "secondary") =>
  `inline-flex items-center rounded-md px-3 py-1.5 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-600 focus-visible:ring-offset-2 disabled:opacity-60 ${BUTTON[variant]}`

/** A page heading with optional actions on the right. */
export const PageHeader = (props: { readonly title: ReactNode; readonly children?: ReactNode }) => (
  <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
    <h1 className="text-2xl font-semibold">{props.title}</h1>
    <div className="flex flex-wrap gap-2">{props.children}</div>
  </div>
)

/** Input class names. */
export const INPUT =
  "block w-full rounded-md border border-slate-400 bg-white px-2 py-1.5 text-sm focus:border-blue-600 focus:outline-none focus:ring-2 focus:ring-blue-600"
