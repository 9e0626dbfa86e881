/** The async lifecycle every resource family shares: serializer requests and round records. */
export * from "./rounds.js"
export * from "./serializers.js"
