import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { ApiKey, CreateApiKey, CreatedApiKey, UpdateApiKey } from "../domain/api-key.js"
import { ApiKeyId } from "../domain/ids.js"
import { idPath, listEndpoint, NoContent } from "./endpoints.js"
import { NotFoundError } from "./errors.js"
import { Authorization, RequiredScope } from "./security.js"

const path = idPath(ApiKeyId)

/** API keys. The secret is returned once, by create; a key never grants more than its creator has. */
export class ApiKeysGroup extends HttpApiGroup.make("apiKeys")
  .add(
    listEndpoint("list", "/api-keys", ApiKey, {
      summary: "List API keys",
      scope: "api-keys:read",
      sort: ["name", "created_at"],
    }),
  )
  .add(
    HttpApiEndpoint.post("create", "/api-keys")
      .annotate(OpenApi.Summary, "Create an API key (the secret is returned only here)")
      .setPayload(CreateApiKey)
      .addSuccess(CreatedApiKey, { status: 201 })
      .annotate(RequiredScope, "api-keys:write"),
  )
  .add(
    HttpApiEndpoint.get("get", "/api-keys/:id")
      .annotate(OpenApi.Summary, "Read an API key")
      .setPath(path)
      .addSuccess(ApiKey)
      .addError(NotFoundError)
      .annotate(RequiredScope, "api-keys:read"),
  )
  .add(
    HttpApiEndpoint.put("update", "/api-keys/:id")
      .annotate(OpenApi.Summary, "Change an API key's name, scopes or brands")
      .setPath(path)
      .setPayload(UpdateApiKey)
      .addSuccess(ApiKey)
      .addError(NotFoundError)
      .annotate(RequiredScope, "api-keys:write"),
  )
  .add(
    HttpApiEndpoint.del("delete", "/api-keys/:id")
      .annotate(OpenApi.Summary, "Revoke an API key")
      .setPath(path)
      .addSuccess(NoContent)
      .addError(NotFoundError)
      .annotate(RequiredScope, "api-keys:write"),
  )
  .middleware(Authorization)
  .prefix("/api/v1") {}
