import { HttpApiBuilder } from "@effect/platform"
import { CurrentPrincipal, HostingApi, Platform, Whoami } from "@hosting/core"
import { Effect } from "effect"

/** /whoami for any valid key. */
export const SessionLive = HttpApiBuilder.group(HostingApi, "session", (handlers) =>
  handlers.handle("whoami", () =>
    Effect.map(CurrentPrincipal, (p) => Whoami.make({ id: p.keyId, name: p.name, scopes: p.scopes, brands: p.brands })),
  ),
)

/** Platform configuration. */
export const PlatformLive = HttpApiBuilder.group(HostingApi, "platform", (handlers) =>
  Effect.gen(function* () {
    const platform = yield* Platform
    return handlers
      .handle("getConfig", () => platform.get())
      .handle("updateConfig", ({ payload }) => platform.update(payload))
  }),
)
