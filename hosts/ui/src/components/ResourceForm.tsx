// A form generated from field definitions. Validation is the API's: the SDK's rejection (an
// API error envelope, or a client-side Schema ParseError) is shown above the fields.
import { type FormEvent, useId, useState } from "react"
import type { Field } from "../resources/types"
import { buttonClass, ErrorAlert, INPUT } from "./ui"

/** Form values as strings, by field name. */
export type FormValues = Record<string, string>

/** The form text of a value a row already has. */
export const initialValues = (fields: ReadonlyArray<Field>, row?: Record<string, unknown>): FormValues =>
  Object.fromEntries(
    fields.map((f) => {
      const v = row?.[f.name]
      if (v === null || v === undefined) return [f.name, ""]
      if (f.kind === "list" && Array.isArray(v)) return [f.name, v.join(", ")]
      if (f.kind === "json") return [f.name, JSON.stringify(v, null, 2)]
      return [f.name, String(v)]
    }),
  )

/**
 * The request body for the values: empty optional fields are left out (the API applies its
 * defaults), or sent as null for nullable fields on edit; lists split on commas and newlines.
 */
export const toPayload = (fields: ReadonlyArray<Field>, values: FormValues): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const raw = (values[f.name] ?? "").trim()
    if (raw === "") {
      if (f.nullable) out[f.name] = null
      else if (f.required && f.kind !== "list") out[f.name] = raw
      else if (f.required) out[f.name] = []
      continue
    }
    switch (f.kind) {
      case "list":
        out[f.name] = raw
          .split(/[,\n]/)
          .map((s) => s.trim())
          .filter((s) => s !== "")
        break
      case "number":
        out[f.name] = Number(raw)
        break
      case "json":
        try {
          out[f.name] = JSON.parse(raw)
        } catch {
          throw new FormValueError(`${f.label}: not valid JSON`)
        }
        break
      default:
        out[f.name] = raw
    }
  }
  return out
}

/** A value the form itself cannot turn into a payload (invalid JSON). */
export class FormValueError extends Error {
  readonly _tag = "InvalidInput"
}

/** One labelled control. */
const FieldControl = (props: {
  readonly field: Field
  readonly value: string
  readonly onChange: (v: string) => void
}) => {
  const { field } = props
  const id = useId()
  const helpId = `${id}-help`
  const common = {
    id,
    name: field.name,
    value: props.value,
    required: field.required === true,
    "aria-describedby": field.help === undefined ? undefined : helpId,
    className: INPUT,
  }
  return (
    <div className="mb-3">
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {field.label}
        {field.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {field.kind === "select" ? (
        <select {...common} onChange={(e) => props.onChange(e.target.value)}>
          <option value="">Choose…</option>
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : field.kind === "json" ? (
        <textarea
          {...common}
          rows={4}
          placeholder={field.placeholder}
          onChange={(e) => props.onChange(e.target.value)}
        />
      ) : (
        <input
          {...common}
          // "email" stays a text input: the API validates, and its message is the one shown
          type={field.kind === "number" ? "number" : "text"}
          inputMode={field.kind === "email" ? "email" : undefined}
          placeholder={field.placeholder}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {field.help === undefined ? null : (
        <p id={helpId} className="mt-1 text-xs text-slate-700">
          {field.help}
        </p>
      )}
    </div>
  )
}

/** The labelled controls of a set of fields, controlled by `values`. */
export const FieldControls = (props: {
  readonly fields: ReadonlyArray<Field>
  readonly values: FormValues
  readonly onChange: (values: FormValues) => void
}) => (
  <>
    {props.fields.map((f) => (
      <FieldControl
        key={f.name}
        field={f}
        value={props.values[f.name] ?? ""}
        onChange={(v) => props.onChange({ ...props.values, [f.name]: v })}
      />
    ))}
  </>
)

/** A whole form: fields, submit and cancel, and the API's error when submitting fails. */
export const ResourceForm = (props: {
  readonly title: string
  readonly fields: ReadonlyArray<Field>
  readonly initial: FormValues
  readonly submitLabel: string
  readonly onSubmit: (payload: Record<string, unknown>) => Promise<unknown>
  readonly cancelHref?: string
}) => {
  const [values, setValues] = useState(props.initial)
  const [error, setError] = useState<unknown>(undefined)
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await props.onSubmit(toPayload(props.fields, values))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form aria-label={props.title} onSubmit={submit} noValidate className="max-w-xl">
      <ErrorAlert error={error} />
      <FieldControls fields={props.fields} values={values} onChange={setValues} />
      <div className="mt-4 flex gap-2">
        <button type="submit" className={buttonClass("primary")} disabled={busy}>
          {busy ? "Saving…" : props.submitLabel}
        </button>
        {props.cancelHref === undefined ? null : (
          <a href={props.cancelHref} className={buttonClass()}>
            Cancel
          </a>
        )}
      </div>
    </form>
  )
}
