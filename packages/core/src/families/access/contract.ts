import { ApiKeysGroup } from "./contract-api-keys.js"
import { BrandsGroup } from "./contract-brands.js"
import { PlatformGroup } from "./contract-platform.js"

/** Who may do what: the platform's settings, API keys and brands, in the contract's order. */
export const accessGroups = [PlatformGroup, ApiKeysGroup, BrandsGroup] as const

export * from "./contract-api-keys.js"
export * from "./contract-brands.js"
export * from "./contract-platform.js"
export * from "./domain-api-key.js"
export * from "./domain-brand.js"
export * from "./domain-platform.js"
