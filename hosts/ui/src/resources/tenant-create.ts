// Creating a tenant with its webroots and their FQDNs from one form: the tenant first, then each
// webroot, then its host names. The API has no single call for this; if a later call fails the
// tenant and whatever was created stay, and IncompleteCreate says so.
import type { PromiseClient } from "@hosting/sdk"
import { body, id, row } from "./calls"
import { IncompleteCreate, type Row } from "./types"

/** One item of the form's webroot group: a webroot body plus its host names. */
interface WebrootItem {
  readonly fqdns?: ReadonlyArray<string>
  readonly [k: string]: unknown
}

/**
 * `tenants.create` with the payload minus `webroots`, then `webroots.create` per item and
 * `fqdns.create` per host name, in order. Returns the tenant; rejects with IncompleteCreate
 * (naming the failed step and the API's error) when a call after the tenant's fails.
 */
export const createTenantWithWebroots = async (c: PromiseClient, payload: Record<string, unknown>): Promise<Row> => {
  const { webroots, ...tenantBody } = payload as { readonly webroots?: ReadonlyArray<WebrootItem> }
  const tenant = await row(c.tenants.create({ payload: body(tenantBody) }))
  const done: Array<string> = []
  let step = ""
  try {
    for (const [i, item] of (webroots ?? []).entries()) {
      const { fqdns, ...webrootBody } = item
      step = `webroot ${i + 1}${typeof item["runtime"] === "string" ? ` (${item["runtime"]})` : ""}`
      const webroot = await row(c.webroots.create({ path: id(tenant.id), payload: body(webrootBody) }))
      done.push(`webroot ${String(webroot["name"])} (${String(webroot["runtime"])}) at ${String(webroot["path"])}`)
      for (const hostname of fqdns ?? []) {
        step = `FQDN ${hostname}`
        await c.fqdns.create({ path: id(webroot.id), payload: body({ hostname }) })
        done.push(`FQDN ${hostname}`)
      }
    }
  } catch (e) {
    throw new IncompleteCreate(tenant, step, done, e)
  }
  return tenant
}
