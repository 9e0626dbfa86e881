/** The async lifecycle every resource family shares: serializer requests, round records, and what wakes what. */
export * from "./reactions.js"
export * from "./rounds.js"
export * from "./serializers.js"
export * from "./tenant-children.js"
export * from "./workflow-engine.js"
