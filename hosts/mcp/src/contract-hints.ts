// Reads what the contract declares about its operations that the OpenAPI document does not
// carry: which ones are destructive (`Destructive` in core's api/security.ts), for the tools' hints,
// and the tool domain of each operation's group (`ToolDomain`).
import { HttpApi, OpenApi } from "@effect/platform"
import { Destructive, ToolDomain, type ToolDomainName } from "@hosting/sdk"
import { Context, Option } from "effect"
import type { ContractHints } from "./openapi-tools.js"

/** The contract's hints by operationId, named as `OpenApi.fromApi` names operations. */
export const contractHints = (api: HttpApi.HttpApi.AnyWithProps): ContractHints => {
  const destructive = new Map<string, boolean>()
  const domains = new Map<string, ToolDomainName>()
  HttpApi.reflect(api, {
    onGroup: () => {},
    onEndpoint: ({ group, endpoint, mergedAnnotations }) => {
      const operationId = Context.getOrElse(endpoint.annotations, OpenApi.Identifier, () =>
        group.topLevel ? endpoint.name : `${group.identifier}.${endpoint.name}`,
      )
      const marked = Context.getOption(mergedAnnotations, Destructive)
      if (Option.isSome(marked)) destructive.set(operationId, marked.value)
      const domain = Context.getOption(mergedAnnotations, ToolDomain)
      if (Option.isSome(domain)) domains.set(operationId, domain.value)
    },
  })
  return { destructive, domains }
}
