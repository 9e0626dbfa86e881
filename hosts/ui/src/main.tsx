import { StrictMode } from "react"
import { createRoot } from "react-dom/client"
import { App } from "./App"
import "./index.css"
import { clientFor, type Session, savedApiKey } from "./session/session"

// A saved key is checked again before the app trusts it.
const start = async () => {
  const key = savedApiKey()
  let initial: Session | undefined
  if (key !== undefined) {
    try {
      const client = clientFor(key)
      const me = await client.session.whoami()
      initial = { apiKey: key, client, name: me.name, scopes: me.scopes, brands: me.brands }
    } catch {
      initial = undefined
    }
  }
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App {...(initial ? { initial } : {})} />
    </StrictMode>,
  )
}
void start()
