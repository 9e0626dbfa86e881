// Sign in with an API key; the key is checked with `session.whoami` before it is saved.
import { type FormEvent, useState } from "react"
import { buttonClass, ErrorAlert, INPUT } from "../components/ui"
import { useSessionState } from "../session/session"

/** The sign-in form. */
export const LoginPage = () => {
  const { signIn } = useSessionState()
  const [key, setKey] = useState("")
  const [error, setError] = useState<unknown>(undefined)
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await signIn(key.trim())
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-300 bg-white p-6 shadow-sm">
      <h1 className="mb-4 text-2xl font-semibold">Hosting admin</h1>
      <form aria-label="Sign in" onSubmit={submit} noValidate>
        <ErrorAlert error={error} />
        <label htmlFor="api-key" className="mb-1 block text-sm font-medium">
          API key
        </label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          className={`${INPUT} font-mono`}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          required
        />
        <button type="submit" className={`${buttonClass("primary")} mt-4`} disabled={busy || key.trim() === ""}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  )
}
