import { HttpApi } from "@effect/platform"
import { Context, Option } from "effect"
import { Forbidden } from "../domain/errors.js"
import { isPlatformAdmin, type Principal, scopeAllows } from "../families/access/domain-api-key.js"
import { Authorization, MaxBodyBytes, PlatformOnly, RequiredScope } from "./security.js"

/** What one endpoint of the contract demands of its caller. */
export interface EndpointAccess {
  readonly group: string
  readonly endpoint: string
  readonly method: string
  readonly path: string
  /** Whether the endpoint sits behind the API-key middleware. */
  readonly authenticated: boolean
  readonly scope: string | undefined
  readonly platformOnly: boolean
  /** The endpoint's own body limit, when it has one (else the API's default). */
  readonly maxBodyBytes: number | undefined
}

/** Reads the access rules declared on every endpoint of an API. */
export const endpointAccess = (api: HttpApi.HttpApi.Any): ReadonlyArray<EndpointAccess> => {
  const out: Array<EndpointAccess> = []
  HttpApi.reflect(api as HttpApi.HttpApi.AnyWithProps, {
    onGroup: () => {},
    onEndpoint: ({ group, endpoint, mergedAnnotations, middleware }) => {
      out.push({
        group: group.identifier,
        endpoint: endpoint.name,
        method: endpoint.method,
        path: endpoint.path,
        authenticated: middleware.has(Authorization as never),
        scope: Option.getOrUndefined(Context.getOption(mergedAnnotations, RequiredScope)),
        platformOnly: Option.getOrElse(Context.getOption(mergedAnnotations, PlatformOnly), () => false),
        maxBodyBytes: Option.getOrUndefined(Context.getOption(mergedAnnotations, MaxBodyBytes)),
      })
    },
  })
  return out
}

/** Why a principal may not call an endpoint, or undefined when it may. */
export const accessDenied = (rule: EndpointAccess, principal: Principal): Forbidden | undefined => {
  if (rule.scope !== undefined && !scopeAllows(principal.scopes, rule.scope)) {
    return new Forbidden({
      message: `this API key lacks the scope ${rule.scope}`,
      details: { required_scope: rule.scope },
    })
  }
  if (rule.platformOnly && !isPlatformAdmin(principal)) {
    return new Forbidden({
      message: "platform resources need a platform-admin key (brand access *)",
      details: { required_brands: ["*"] },
    })
  }
  return undefined
}
