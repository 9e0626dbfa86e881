// A form generated from field definitions. Validation is the API's: the SDK's rejection (an
// API error envelope, or a client-side Schema ParseError) is shown above the fields.
import { useQuery } from "@tanstack/react-query"
import { type FormEvent, useEffect, useId, useRef, useState } from "react"
import type { Field, SelectOption } from "../resources/types"
import { describeError } from "../session/errors"
import { useSession } from "../session/session"
import { buttonClass, ErrorAlert, INPUT } from "./ui"

/** Form values by field name: text, or one set of values per item of a `group` field. */
export type FormValues = { readonly [name: string]: string | ReadonlyArray<FormValues> }

const textOf = (v: FormValues[string] | undefined): string => (typeof v === "string" ? v : "")
const itemsOf = (v: FormValues[string] | undefined): ReadonlyArray<FormValues> => (Array.isArray(v) ? v : [])

/** The text values only (list filters, which have no groups). */
export const textValues = (values: FormValues): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === "string"))

/** Whether a field is shown for these (sibling) values; see `Field.showIf`. */
export const isShown = (field: Field, values: FormValues): boolean =>
  field.showIf === undefined || field.showIf.oneOf.includes(textOf(values[field.showIf.field]))

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
const itemName = (field: Field, index: number) => `${capitalized(field.itemLabel ?? "item")} ${index + 1}`

/** The form text of a value a row already has. */
export const initialValues = (fields: ReadonlyArray<Field>, row?: Record<string, unknown>): FormValues =>
  Object.fromEntries(
    fields.map((f) => {
      const v = row?.[f.name]
      if (f.kind === "group") {
        const items = Array.isArray(v) ? v : []
        return [f.name, items.map((item: Record<string, unknown>) => initialValues(f.fields ?? [], item))]
      }
      if (v === null || v === undefined) return [f.name, ""]
      if (f.kind === "list" && Array.isArray(v)) return [f.name, v.join(", ")]
      if (f.kind === "json") return [f.name, JSON.stringify(v, null, 2)]
      // a datetime-local input holds no zone: the label says UTC, the API's "Z" is dropped
      if (f.kind === "datetime") return [f.name, String(v).replace(/Z$/, "")]
      return [f.name, String(v)]
    }),
  )

/**
 * The request body for the values: empty optional fields are left out (the API applies its
 * defaults), or sent as null for nullable fields on edit; lists split on commas and newlines;
 * a group becomes an array of item bodies (left out when it has no items).
 */
export const toPayload = (fields: ReadonlyArray<Field>, values: FormValues): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (!isShown(f, values)) {
      if (f.nullable) out[f.name] = null
      continue
    }
    if (f.kind === "group") {
      const items = itemsOf(values[f.name])
      if (items.length > 0 || f.required) {
        out[f.name] = items.map((item, i) => {
          try {
            return toPayload(f.fields ?? [], item)
          } catch (e) {
            throw e instanceof FormValueError ? new FormValueError(`${itemName(f, i)}: ${e.message}`) : e
          }
        })
      }
      continue
    }
    const raw = textOf(values[f.name]).trim()
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
      case "datetime":
        out[f.name] = utcSecond(raw)
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

/** A datetime-local value (`2026-07-01T09:30`, seconds optional) as the API's UTC second; other text as typed. */
const utcSecond = (local: string): string => {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?(\.\d+)?$/.exec(local)
  return m === null ? local : `${m[1]}${m[2] ?? ":00"}Z`
}

/** A value the form itself cannot turn into a payload (invalid JSON). */
export class FormValueError extends Error {
  readonly _tag = "InvalidInput"
}

interface ControlProps {
  readonly id: string
  readonly name: string
  readonly value: string
  readonly required: boolean
  readonly "aria-describedby": string | undefined
  readonly className: string
}

const Select = (props: {
  readonly common: ControlProps
  readonly options: ReadonlyArray<SelectOption>
  readonly disabled?: boolean
  readonly onChange: (v: string) => void
}) => (
  <select {...props.common} disabled={props.disabled === true} onChange={(e) => props.onChange(e.target.value)}>
    <option value="">{props.disabled ? "Loading…" : "Choose…"}</option>
    {props.options.map((o) => (
      <option key={o.value} value={o.value}>
        {o.label}
      </option>
    ))}
  </select>
)

/** A select whose options the API provides; if they cannot be read, a text input for the value. */
const ApiSelect = (props: {
  readonly field: Field
  readonly common: ControlProps
  readonly onChange: (v: string) => void
}) => {
  const { client } = useSession()
  const from = props.field.optionsFrom!
  const options = useQuery({ queryKey: ["options", from.key], queryFn: () => from.load(client) })
  if (options.error === null) {
    return (
      <Select
        common={props.common}
        options={options.data ?? []}
        disabled={options.isPending}
        onChange={props.onChange}
      />
    )
  }
  const noteId = `${props.common.id}-load`
  const describedBy = [props.common["aria-describedby"], noteId].filter((s) => s !== undefined).join(" ")
  return (
    <>
      <input
        {...props.common}
        aria-describedby={describedBy}
        type="text"
        onChange={(e) => props.onChange(e.target.value)}
      />
      <p id={noteId} className="mt-1 text-xs text-slate-700">
        The choices could not be loaded ({describeError(options.error).message}); enter the id.
      </p>
    </>
  )
}

// the input type of a kind that is not plain text
const INPUT_TYPES: Partial<Record<Field["kind"], string>> = {
  number: "number",
  password: "password",
  datetime: "datetime-local",
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
  const common: ControlProps = {
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
      {field.optionsFrom !== undefined ? (
        <ApiSelect field={field} common={common} onChange={props.onChange} />
      ) : field.kind === "select" ? (
        <Select
          common={common}
          options={(field.options ?? []).map((o) => ({ value: o, label: o }))}
          onChange={props.onChange}
        />
      ) : field.kind === "json" || field.kind === "multiline" ? (
        <textarea
          {...common}
          rows={field.kind === "multiline" ? 8 : 4}
          placeholder={field.placeholder}
          onChange={(e) => props.onChange(e.target.value)}
        />
      ) : (
        <input
          {...common}
          // "email" stays a text input: the API validates, and its message is the one shown
          // a password is masked and never offered from or saved to the browser's own store
          type={INPUT_TYPES[field.kind] ?? "text"}
          autoComplete={field.kind === "password" ? "new-password" : undefined}
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

/**
 * A repeatable group: one fieldset per item ("Webroot 1") with the sub-fields and a Remove
 * button, and an Add button. Adding moves focus to the new item's first control, removing to
 * the Add button, so the group works from the keyboard alone.
 */
const FieldGroup = (props: {
  readonly field: Field
  readonly items: ReadonlyArray<FormValues>
  readonly onChange: (items: ReadonlyArray<FormValues>) => void
}) => {
  const { field, items } = props
  const id = useId()
  const what = field.itemLabel ?? "item"
  // stable React keys for items (an index would move focus and state to the wrong item on remove)
  const keys = useRef<Array<number>>([])
  const nextKey = useRef(0)
  while (keys.current.length < items.length) keys.current.push(nextKey.current++)
  keys.current.length = items.length
  const addButton = useRef<HTMLButtonElement>(null)
  const [focus, setFocus] = useState<{ readonly item: number } | "add" | undefined>(undefined)
  useEffect(() => {
    if (focus === undefined) return
    if (focus === "add") addButton.current?.focus()
    else
      document
        .getElementById(`${id}-${keys.current[focus.item]}`)
        ?.querySelector<HTMLElement>("input, select, textarea")
        ?.focus()
    setFocus(undefined)
  }, [focus, id])
  const helpId = `${id}-help`
  return (
    <fieldset className="mb-3" aria-describedby={field.help === undefined ? undefined : helpId}>
      <legend className="mb-1 text-sm font-medium">{field.label}</legend>
      {field.help === undefined ? null : (
        <p id={helpId} className="mb-2 text-xs text-slate-700">
          {field.help}
        </p>
      )}
      {items.map((item, i) => (
        <fieldset
          key={keys.current[i]}
          id={`${id}-${keys.current[i]}`}
          className="mb-3 rounded-md border border-slate-300 bg-slate-50 px-3 pt-1"
        >
          <legend className="px-1 text-sm font-semibold">{itemName(field, i)}</legend>
          <FieldControls
            fields={field.fields ?? []}
            values={item}
            onChange={(v) => props.onChange(items.map((old, j) => (j === i ? v : old)))}
          />
          <button
            type="button"
            className={`${buttonClass()} mb-3`}
            onClick={() => {
              keys.current.splice(i, 1)
              props.onChange(items.filter((_, j) => j !== i))
              setFocus("add")
            }}
          >
            Remove {what} {i + 1}
          </button>
        </fieldset>
      ))}
      <button
        ref={addButton}
        type="button"
        className={buttonClass()}
        onClick={() => {
          props.onChange([...items, initialValues(field.fields ?? [])])
          setFocus({ item: items.length })
        }}
      >
        Add {what}
      </button>
    </fieldset>
  )
}

/** The labelled controls of a set of fields, controlled by `values`. */
export const FieldControls = (props: {
  readonly fields: ReadonlyArray<Field>
  readonly values: FormValues
  readonly onChange: (values: FormValues) => void
}) => (
  <>
    {props.fields
      .filter((f) => isShown(f, props.values))
      .map((f) =>
        f.kind === "group" ? (
          <FieldGroup
            key={f.name}
            field={f}
            items={itemsOf(props.values[f.name])}
            onChange={(items) => props.onChange({ ...props.values, [f.name]: items })}
          />
        ) : (
          <FieldControl
            key={f.name}
            field={f}
            value={textOf(props.values[f.name])}
            onChange={(v) => props.onChange({ ...props.values, [f.name]: v })}
          />
        ),
      )}
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
