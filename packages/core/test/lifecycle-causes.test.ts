import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Schema } from "effect"
import { describeCause, StatusDetails, statusMessageOf } from "../src/domain/lifecycle.js"
import { causesOf, detailsOf } from "../src/lifecycle/rounds.js"

const text = fc.string({ maxLength: 300 })
const id = fc.uuid()

describe("round causes", () => {
  it("say which node, which resource and why, in the form status_message always had", () => {
    expect(describeCause({ message: "the tenant's shard has no nodes" })).toBe("the tenant's shard has no nodes")
    expect(describeCause({ node_id: "n1", message: "agent did not answer" })).toBe("node n1: agent did not answer")
    expect(
      describeCause({ node_id: "n1", resource_type: "tenant", resource_id: "t_a", message: "nginx -t failed" }),
    ).toBe("node n1: tenant t_a: nginx -t failed")
    expect(describeCause({ resource_type: "zone", resource_id: "a.test", message: "refused" })).toBe(
      "zone a.test: refused",
    )
  })

  it.prop(
    "plain errors of older runs record the message they always did",
    [fc.array(text, { maxLength: 30 })],
    ([errors]) => {
      expect(statusMessageOf(causesOf({ errors }))).toBe(errors.join("; ").slice(0, 4000))
    },
  )

  it.prop("a node's failure reads as before: `node {id}: {message}`", [id, text], ([nodeId, message]) => {
    expect(statusMessageOf([{ node_id: nodeId, message }])).toBe(`node ${nodeId}: ${message}`.slice(0, 4000))
  })

  it.prop(
    "status_details keeps every cause whole, however long the message gets",
    [
      fc.array(fc.record({ node_id: id, message: fc.string({ minLength: 500, maxLength: 2000 }) }), {
        minLength: 1,
        maxLength: 10,
      }),
    ],
    ([causes]) => {
      expect(statusMessageOf(causes).length).toBeLessThanOrEqual(4000)
      const stored = JSON.parse(detailsOf(causes)!)
      expect(Schema.decodeUnknownSync(StatusDetails)(stored)).toEqual({ causes })
    },
  )

  it("no causes: no details", () => {
    expect(detailsOf([])).toBeNull()
    expect(causesOf({})).toEqual([])
  })
})
