import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { InvalidInputError } from "../../api/errors.js"
import { Authorization, PlatformOnly, RequiredScope, ToolDomain } from "../../api/security.js"
import { PlatformConfig, UpdatePlatformConfig } from "./domain-platform.js"

/** Platform-wide settings (platform admins only). */
export class PlatformGroup extends HttpApiGroup.make("platform")
  .annotate(ToolDomain, "platform")
  .add(
    HttpApiEndpoint.get("getConfig", "/platform/config")
      .annotate(OpenApi.Summary, "Read the platform configuration")
      .addSuccess(PlatformConfig)
      .annotate(RequiredScope, "platform:read"),
  )
  .add(
    HttpApiEndpoint.put("updateConfig", "/platform/config")
      .annotate(OpenApi.Summary, "Update the platform configuration")
      .setPayload(UpdatePlatformConfig)
      .addSuccess(PlatformConfig)
      .addError(InvalidInputError)
      .annotate(RequiredScope, "platform:write"),
  )
  .annotate(PlatformOnly, true)
  .middleware(Authorization)
  .prefix("/api/v1") {}
