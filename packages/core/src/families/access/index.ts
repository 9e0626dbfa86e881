import { defineFamily } from "../family.js"
import { ApiKeysRepo } from "./repo-api-keys.js"
import { ApiKeys } from "./service-api-keys.js"
import { Brands } from "./service-brands.js"
import { Platform } from "./service-platform.js"

/** Access: the platform's settings, API keys (who may do what) and brands (whose rows a key sees). */
export const accessFamily = defineFamily({
  name: "access",
  services: [Platform.Default, ApiKeys.Default, Brands.Default, ApiKeysRepo.Default],
})

export * from "./contract.js"
export * from "./repo-api-keys.js"
export * from "./service-api-keys.js"
export * from "./service-brands.js"
export * from "./service-platform.js"
