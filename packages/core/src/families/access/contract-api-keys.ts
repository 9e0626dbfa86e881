import { HttpApiGroup } from "@effect/platform"
import { NotFoundError } from "../../api/errors.js"
import { resource } from "../../api/resource.js"
import { Authorization, ToolDomain } from "../../api/security.js"
import { ApiKeyId } from "../../domain/ids.js"
import { ApiKey, CreateApiKey, CreatedApiKey, UpdateApiKey } from "./domain-api-key.js"

const apiKey = resource({
  name: "API key",
  article: "an",
  scope: "api-keys",
  schema: ApiKey,
  collection: "/api-keys",
  path: "/api-keys/:id",
  id: ApiKeyId,
})

/** API keys. The secret is returned once, by create; a key never grants more than its creator has. */
export class ApiKeysGroup extends HttpApiGroup.make("apiKeys")
  .annotate(ToolDomain, "platform")
  .add(apiKey.list({ summary: "List API keys", sort: ["name", "created_at"] }))
  .add(
    apiKey.create({
      summary: "Create an API key (the secret is returned only here)",
      payload: CreateApiKey,
      success: CreatedApiKey,
      errors: [],
    }),
  )
  .add(apiKey.get())
  .add(
    apiKey.update({
      summary: "Change an API key's name, scopes or brands",
      payload: UpdateApiKey,
      errors: [NotFoundError],
    }),
  )
  .add(apiKey.delete({ summary: "Revoke an API key", errors: [NotFoundError] }))
  .middleware(Authorization)
  .prefix("/api/v1") {}
