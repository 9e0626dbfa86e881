import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Schema } from "effect"
import { ChildUsername, GeneratedName, generateName, NAME_PREFIXES, type NamedKind } from "../src/domain/names.js"

const kinds = Object.keys(NAME_PREFIXES) as Array<NamedKind>

describe("generated names", () => {
  it.prop("are {prefix}{10 of [a-z0-9]} for every kind", [fc.constantFrom(...kinds)], ([kind]) => {
    const name = generateName(kind)
    expect(name).toMatch(new RegExp(`^${NAME_PREFIXES[kind]}[a-z0-9]{10}$`))
    expect(Schema.is(GeneratedName(kind))(name)).toBe(true)
  })

  it("do not collide in 20,000 draws and use the whole alphabet", () => {
    const names = new Set(Array.from({ length: 20_000 }, () => generateName("tenant")))
    expect(names.size).toBe(20_000)
    const chars = new Set([...names].flatMap((n) => [...n.slice(2)]))
    expect(chars.size).toBe(36)
  })

  it.prop(
    "a child username must start with its parent's name",
    [fc.constantFrom("db_abc123xyz0", "kv_0000000000"), fc.stringMatching(/^[a-z0-9_]{1,10}$/)],
    ([parent, suffix]) => {
      expect(Schema.is(ChildUsername(parent))(`${parent}_${suffix}`)).toBe(`${parent}_${suffix}`.length <= 32)
      expect(Schema.is(ChildUsername(parent))(`db_other00000_${suffix}`)).toBe(false)
    },
  )
})
