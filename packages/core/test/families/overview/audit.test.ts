import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Schema } from "effect"
import { AuditLogFilters } from "../../../src/families/overview/domain-audit.js"

const accepts = (since: string) => Schema.is(AuditLogFilters)({ since }) && Schema.is(AuditLogFilters)({ until: since })

describe("audit log since/until", () => {
  it("accept ISO 8601 date-times with a zone, and dates", () => {
    for (const s of [
      "2026-12-04T10:00:00Z",
      "2026-12-04T10:00:00.123Z",
      "2026-12-04T10:00:00.123456Z",
      "2026-12-04T10:00Z",
      "2026-12-04T12:00:00+02:00",
      "2026-12-04T05:30:00-04:30",
      "2026-12-04",
      "2024-02-29",
    ]) {
      expect(accepts(s), s).toBe(true)
    }
  })

  it("refuse everything else Date.parse would read", () => {
    for (const s of [
      "1",
      "yesterday",
      "Dec 4 2026",
      "2026-12-04 10:00:00",
      "2026-12-04T10:00:00", // no zone: the server's local time would decide
      "2026-12-04t10:00:00z",
      "2026-12-04T10:00:00+0200",
      "2026-02-30", // Date.parse rolls it over to March 2
      "2026-02-29",
      "2026-13-01",
      "2026-12-04T24:00:00Z",
      "2026-12-04T10:60:00Z",
      "2026-12-04T10:00:60Z",
      "2026-12-04T10:00:00+24:00",
      "0000-01-01T00:00:00Z", // PostgreSQL has no year 0
      "0001-01-01T00:00:00+01:00", // an instant in year 0
      "+002026-12-04T10:00:00Z",
      "",
    ]) {
      expect(accepts(s), s).toBe(false)
    }
  })

  it.prop(
    "accept every instant the way toISOString writes it",
    [
      fc.date({
        min: new Date("0001-01-01T00:00:00Z"),
        max: new Date("9999-12-31T23:59:59.999Z"),
        noInvalidDate: true,
      }),
    ],
    ([d]) => {
      expect(accepts(d.toISOString())).toBe(true)
    },
  )

  it("say what they expect", () => {
    expect(() => Schema.decodeUnknownSync(AuditLogFilters)({ since: "yesterday" })).toThrow(
      "an ISO 8601 date-time with a zone (2026-12-04T10:00:00Z, 2026-12-04T12:00:00+02:00) or a date (2026-12-04, midnight UTC)",
    )
  })
})
