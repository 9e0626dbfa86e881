// Shard config: a request may carry only the settings some role reads, each typed; a role takes
// only its own. Nothing free-form reaches the jsonb column (which cannot even hold a NUL).
import { describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Schema } from "effect"
import { CreateShard, ShardConfigByRole, UpdateShard } from "../../../src/families/topology/domain.js"

const issues = <A, I>(schema: Schema.Schema<A, I>, value: unknown, options?: { onExcessProperty: "error" }) => {
  const result = Schema.decodeUnknownEither(schema, options)(value)
  return Either.isRight(result)
    ? "accepted"
    : ParseResult.ArrayFormatter.formatErrorSync(result.left)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")
}
const NODE = "0b1e4c36-58d2-4b1f-9a52-3c7a3f1d2e10"

describe("shard config", () => {
  it("a request body's config holds only known, typed settings", () => {
    expect(issues(CreateShard, { name: "web", role: "web", config: {} })).toBe("accepted")
    expect(issues(CreateShard, { name: "lb", role: "lb", config: { web_port: 8080 } })).toBe("accepted")
    expect(issues(UpdateShard, { config: { primary_node_id: NODE } })).toBe("accepted")
    // (each message ends with the optional field's other alternative: undefined)
    expect(issues(CreateShard, { name: "web", role: "web", config: { "\u0000": 1 } })).toBe(
      'config.\u0000: is unexpected, expected: "primary_node_id" | "web_port" | "mariadb_port"; config: Expected undefined, actual {"\\u0000":1}',
    )
    expect(issues(UpdateShard, { config: { motd: "a\nb" } })).toBe(
      'config.motd: is unexpected, expected: "primary_node_id" | "web_port" | "mariadb_port"; config: Expected undefined, actual {"motd":"a\\nb"}',
    )
    expect(issues(UpdateShard, { config: { web_port: "80\u0000" } })).toMatch(/^config\.web_port: Expected /)
    // (compared as a boolean: the message quotes the 10 MB value)
    const huge = issues(UpdateShard, { config: { primary_node_id: "x".repeat(10_000_000) } })
    expect(huge.startsWith('config.primary_node_id: Expected UUID of a node, actual "xxx')).toBe(true)
    expect(issues(UpdateShard, { config: "{}" })).toMatch(/^config: Expected /)
  })

  it("web, dns, email and s3 shards take no settings at all", () => {
    for (const role of ["web", "dns", "email", "s3"] as const) {
      const schema = ShardConfigByRole[role] as Schema.Schema<unknown>
      expect(issues(schema, {}, { onExcessProperty: "error" }), role).toBe("accepted")
      for (const config of [{ web_port: 8000 }, { primary_node_id: NODE }, { anything: "x" }]) {
        expect(issues(schema, config, { onExcessProperty: "error" }), `${role} ${JSON.stringify(config)}`).toBe(
          ": this role takes no settings: config must be {}",
        )
      }
    }
  })

  it("the other roles take only their own setting", () => {
    const decode = (role: keyof typeof ShardConfigByRole, config: unknown) =>
      issues(ShardConfigByRole[role] as Schema.Schema<unknown>, config, { onExcessProperty: "error" })
    expect(decode("lb", { web_port: 8000 })).toBe("accepted")
    expect(decode("lb", { primary_node_id: NODE })).toBe('primary_node_id: is unexpected, expected: "web_port"')
    expect(decode("database", { primary_node_id: NODE })).toBe("accepted")
    expect(decode("valkey", { web_port: 8000 })).toBe('web_port: is unexpected, expected: "primary_node_id"')
  })
})
