import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { Unavailable } from "../src/domain/errors.js"
import {
  type Change,
  type ReactionError,
  Reactions,
  reactionsTo,
  type SyncRequest,
  SyncStarters,
} from "../src/lifecycle/reactions.js"

/**
 * A recording fake of the sync starters: every request is written down in order; requests
 * `refuse` picks fail with Unavailable, as an engine that cannot be reached does.
 */
const recording = (refuse: (r: SyncRequest) => boolean = () => false) => {
  const started: Array<SyncRequest> = []
  const layer = Reactions.DefaultWithoutDependencies.pipe(
    Layer.provide(
      Layer.succeed(SyncStarters, {
        start: (r) =>
          Effect.suspend(() => {
            started.push(r)
            return refuse(r) ? Effect.fail(new Unavailable({ message: "engine down" })) : Effect.void
          }),
      }),
    ),
  )
  return { started, layer }
}

const report = (change: Change, refuse?: (r: SyncRequest) => boolean) => {
  const fake = recording(refuse)
  return Effect.flatMap(Reactions, (r) => r.changed(change)).pipe(
    Effect.provide(fake.layer),
    Effect.exit,
    Effect.map((exit) => ({ exit, started: fake.started })),
  )
}

const T = "tenant-1"
const written = [
  ["tenants", [T]],
  ["fqdns", ["f1", "f2"]],
] as const

/** One change of every kind, and the requests it must make, in order. */
const table: { readonly [K in Change["kind"]]: readonly [Extract<Change, { kind: K }>, ReadonlyArray<SyncRequest>] } = {
  "tenant.created": [
    { kind: "tenant.created", tenantId: T },
    [
      { sync: "tenant", tenantId: T, written: [["tenants", [T]]] },
      { sync: "tenant-zones", tenantId: T },
    ],
  ],
  "tenant.changed": [
    { kind: "tenant.changed", tenantId: T },
    [
      { sync: "tenant", tenantId: T, written: [["tenants", [T]]] },
      { sync: "tenant-children", tenantId: T },
    ],
  ],
  "tenant.retried": [{ kind: "tenant.retried", tenantId: T, written }, [{ sync: "tenant", tenantId: T, written }]],
  "tenant.deleted": [
    { kind: "tenant.deleted", tenantId: T, written },
    [
      { sync: "tenant", tenantId: T, written },
      { sync: "tenant-zones", tenantId: T },
      { sync: "tenant-children", tenantId: T },
    ],
  ],
  "s3-bucket.changed": [
    { kind: "s3-bucket.changed", tenantId: T, bucketId: "b1", written: [["s3_access_keys", ["k1"]]] },
    [{ sync: "s3-bucket", bucketId: "b1", written: [["s3_access_keys", ["k1"]]] }],
  ],
  "s3-converge.overtaken": [
    { kind: "s3-converge.overtaken", bucketIds: ["b1", "b2"] },
    [
      { sync: "s3-bucket", bucketId: "b1", written: [] },
      { sync: "s3-bucket", bucketId: "b2", written: [] },
    ],
  ],
  "tenant-child.removed": [
    { kind: "tenant-child.removed", tenantId: T },
    [{ sync: "tenant", tenantId: T, written: [] }],
  ],
  "webroot.changed": [
    { kind: "webroot.changed", tenantId: T, webrootId: "w1" },
    [{ sync: "tenant", tenantId: T, written: [["webroots", ["w1"]]] }],
  ],
  "webroot.deleted": [
    { kind: "webroot.deleted", tenantId: T, written },
    [
      { sync: "tenant", tenantId: T, written },
      { sync: "tenant-zones", tenantId: T },
    ],
  ],
  "fqdn.bound": [
    { kind: "fqdn.bound", tenantId: T, fqdnId: "f1", hostname: "shop.example.com" },
    [
      { sync: "tenant", tenantId: T, written: [["fqdns", ["f1"]]] },
      { sync: "tenant-lbs", tenantId: T },
      { sync: "covering-zone", hostname: "shop.example.com" },
    ],
  ],
  "fqdn.changed": [
    { kind: "fqdn.changed", tenantId: T, fqdnId: "f1" },
    [{ sync: "tenant", tenantId: T, written: [["fqdns", ["f1"]]] }],
  ],
  "fqdn.retried": [
    { kind: "fqdn.retried", tenantId: T, fqdnId: "f1", web: true, lbShardIds: ["lb1"], zoneIds: ["z1"] },
    [
      { sync: "tenant", tenantId: T, written: [["fqdns", ["f1"]]] },
      { sync: "tenant-lbs", tenantId: T, written: [["shards", ["lb1"]]] },
      { sync: "zone", zoneId: "z1", written: [["zones", ["z1"]]] },
    ],
  ],
  "fqdn.unbound": [
    { kind: "fqdn.unbound", tenantId: T, fqdnId: "f1", hostname: "shop.example.com" },
    [
      { sync: "tenant", tenantId: T, written: [["fqdns", ["f1"]]] },
      { sync: "tenant-lbs", tenantId: T },
      { sync: "covering-zone", hostname: "shop.example.com" },
    ],
  ],
  "ssh-key.changed": [
    { kind: "ssh-key.changed", tenantId: T, sshKeyId: "k1" },
    [{ sync: "tenant", tenantId: T, written: [["ssh_keys", ["k1"]]] }],
  ],
  "certificate.changed": [
    { kind: "certificate.changed", tenantId: T, certificateId: "c1" },
    [{ sync: "tenant", tenantId: T, written: [["certificates", ["c1"]]] }],
  ],
  "certificate.issued": [
    { kind: "certificate.issued", tenantId: T, certificateId: "c1" },
    [{ sync: "tenant", tenantId: T, written: [["certificates", ["c1"]]] }],
  ],
  "certificates.expired": [
    { kind: "certificates.expired", tenantId: T, certificateIds: ["c1", "c2"] },
    [{ sync: "tenant", tenantId: T, written: [["certificates", ["c1", "c2"]]] }],
  ],
  "tenant.round-recorded": [
    { kind: "tenant.round-recorded", tenantId: T, moved: true, routedIn: ["cl-a", "cl-b"] },
    [
      { sync: "cluster-lb", clusterId: "cl-a" },
      { sync: "cluster-lb", clusterId: "cl-b" },
      { sync: "tenant-zones", tenantId: T },
    ],
  ],
  "database.changed": [
    { kind: "database.changed", databaseId: "d1", written: [["database_users", ["u1"]]] },
    [{ sync: "database", databaseId: "d1", written: [["database_users", ["u1"]]] }],
  ],
  "database-converge.overtaken": [
    { kind: "database-converge.overtaken", databaseIds: ["d1", "d2"] },
    [
      { sync: "database", databaseId: "d1", written: [] },
      { sync: "database", databaseId: "d2", written: [] },
    ],
  ],
  "mail.changed": [
    {
      kind: "mail.changed",
      mailDomainIds: ["m1", "m2"],
      written: [["email_accounts", ["a1"]]],
      zoneHostnames: ["mail.example.com"],
    },
    [
      { sync: "mail-domain", mailDomainId: "m1", written: [["email_accounts", ["a1"]]] },
      { sync: "mail-domain", mailDomainId: "m2", written: [["email_accounts", ["a1"]]] },
      { sync: "covering-zone", hostname: "mail.example.com" },
    ],
  ],
  "mail.resync": [
    { kind: "mail.resync", mailDomainIds: ["m1"] },
    [{ sync: "mail-domain", mailDomainId: "m1", written: [] }],
  ],
  "web-converge.overtaken": [
    { kind: "web-converge.overtaken", tenantIds: ["t1", "t2"] },
    [
      { sync: "tenant", tenantId: "t1", written: [] },
      { sync: "tenant", tenantId: "t2", written: [] },
    ],
  ],
  "zone.changed": [
    {
      kind: "zone.changed",
      zoneId: "z1",
      written: [
        ["zones", ["z1"]],
        ["dns_records", ["r1", "r2"]],
      ],
    },
    [
      {
        sync: "zone",
        zoneId: "z1",
        written: [
          ["zones", ["z1"]],
          ["dns_records", ["r1", "r2"]],
        ],
      },
    ],
  ],
  "dns-record.changed": [
    { kind: "dns-record.changed", zoneId: "z1", recordId: "r1" },
    [{ sync: "zone", zoneId: "z1", written: [["dns_records", ["r1"]]] }],
  ],
  "node.changed": [
    { kind: "node.changed", clusterId: "cl-a" },
    [{ sync: "cluster-lb", clusterId: "cl-a" }, { sync: "service-hostname-zones" }],
  ],
  "base-domain.changed": [
    { kind: "base-domain.changed", from: "old.example.com", to: "new.example.com" },
    [
      { sync: "base-domain-zones", domain: "old.example.com" },
      { sync: "base-domain-zones", domain: "new.example.com" },
    ],
  ],
}

describe("what wakes what", () => {
  for (const [kind, [change, requests]] of Object.entries(table)) {
    it.effect(`${kind} requests ${requests.map((r) => r.sync).join(", ")}`, () =>
      Effect.gen(function* () {
        const { exit, started } = yield* report(change)
        expect(exit).toEqual(Exit.void)
        expect(started).toEqual(requests)
        expect(reactionsTo(change).map((r) => r.request)).toEqual(requests)
      }),
    )
  }

  it.effect("a round without a move or dropped names wakes nothing; a move without clusters only the zones", () =>
    Effect.gen(function* () {
      const quiet = yield* report({ kind: "tenant.round-recorded", tenantId: T, moved: false, routedIn: [] })
      expect(quiet.started).toEqual([])
      const moved = yield* report({ kind: "tenant.round-recorded", tenantId: T, moved: true, routedIn: [] })
      expect(moved.started).toEqual([{ sync: "tenant-zones", tenantId: T }])
    }),
  )

  it.effect("a base domain set for the first time, or removed, wakes the zones of the one there is", () =>
    Effect.gen(function* () {
      const set = yield* report({ kind: "base-domain.changed", from: null, to: "new.example.com" })
      expect(set.started).toEqual([{ sync: "base-domain-zones", domain: "new.example.com" }])
      const removed = yield* report({ kind: "base-domain.changed", from: "old.example.com", to: null })
      expect(removed.started).toEqual([{ sync: "base-domain-zones", domain: "old.example.com" }])
    }),
  )
})

describe("an FQDN's retry", () => {
  it("sends only the sides that failed; the LB follows its own round as it follows a bind", () => {
    const retried = (web: boolean, lbShardIds: ReadonlyArray<string>, zoneIds: ReadonlyArray<string>) =>
      reactionsTo({ kind: "fqdn.retried", tenantId: T, fqdnId: "f1", web, lbShardIds, zoneIds }).map((r) => [
        r.request,
        r.onUnavailable,
      ])
    expect(retried(true, [], [])).toEqual([
      [{ sync: "tenant", tenantId: T, written: [["fqdns", ["f1"]]] }, "fail"],
      [{ sync: "tenant-lbs", tenantId: T }, "warn"],
    ])
    expect(retried(false, ["lb1", "lb2"], [])).toEqual([
      [{ sync: "tenant-lbs", tenantId: T, written: [["shards", ["lb1", "lb2"]]] }, "fail"],
    ])
    expect(retried(false, [], ["z1"])).toEqual([
      [{ sync: "tenant-lbs", tenantId: T }, "warn"],
      [{ sync: "zone", zoneId: "z1", written: [["zones", ["z1"]]] }, "fail"],
    ])
  })
})

describe("an engine that cannot be reached", () => {
  const refuseAll = () => true
  const unavailable = Exit.fail(new Unavailable({ message: "engine down" }))

  it.effect("fails the writer of a hand-off (503) and asks nothing more", () =>
    Effect.gen(function* () {
      const bound = table["fqdn.bound"][0]
      const { exit, started } = yield* report(bound, refuseAll)
      expect(exit).toEqual(unavailable)
      expect(started).toEqual([{ sync: "tenant", tenantId: T, written: [["fqdns", ["f1"]]] }])
      const zone = yield* report(table["dns-record.changed"][0], refuseAll)
      expect(zone.exit).toEqual(unavailable)
    }),
  )

  it.effect("is logged, not failed, for the LB after a name changed: the name was handed over", () =>
    Effect.gen(function* () {
      const { exit, started } = yield* report(table["fqdn.unbound"][0], (r) => r.sync !== "tenant")
      expect(exit).toEqual(Exit.void)
      expect(started.map((r) => r.sync)).toEqual(["tenant", "tenant-lbs", "covering-zone"])
    }),
  )

  it.effect("is ignored after a node change, and for certificates stored by the worker", () =>
    Effect.gen(function* () {
      const node = yield* report(table["node.changed"][0], refuseAll)
      expect(node.exit).toEqual(Exit.void)
      expect(node.started.map((r) => r.sync)).toEqual(["cluster-lb", "service-hostname-zones"])
      for (const kind of ["certificate.issued", "certificates.expired"] as const) {
        const stored = yield* report(table[kind][0], refuseAll)
        expect(stored.exit).toEqual(Exit.void)
        expect(stored.started.map((r) => r.sync)).toEqual(["tenant"])
      }
    }),
  )

  it.effect("is a defect in the worker's rounds and converges, so Temporal retries the activity", () =>
    Effect.gen(function* () {
      for (const kind of [
        "tenant.round-recorded",
        "web-converge.overtaken",
        "s3-converge.overtaken",
        "tenant-child.removed",
      ] as const) {
        const { exit, started } = yield* report(table[kind][0], refuseAll)
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        expect(started).toEqual(table[kind][1].slice(0, 1))
      }
    }),
  )

  it("only changes with a hand-off that must succeed can fail their writer", () => {
    const failing = Object.values(table)
      .filter(([change]) => reactionsTo(change).some((r) => r.onUnavailable === "fail"))
      .map(([change]) => change.kind)
    expect(failing).toEqual([
      "tenant.created",
      "tenant.changed",
      "tenant.retried",
      "tenant.deleted",
      "s3-bucket.changed",
      "webroot.changed",
      "webroot.deleted",
      "fqdn.bound",
      "fqdn.changed",
      "fqdn.retried",
      "fqdn.unbound",
      "ssh-key.changed",
      "certificate.changed",
      "database.changed",
      "mail.changed",
      "zone.changed",
      "dns-record.changed",
    ])
    // and the types say the same: only those can fail with Unavailable
    expectTypeOf<ReactionError<"fqdn.bound">>().toEqualTypeOf<Unavailable>()
    expectTypeOf<ReactionError<"zone.changed">>().toEqualTypeOf<Unavailable>()
    expectTypeOf<ReactionError<"node.changed">>().toEqualTypeOf<never>()
    expectTypeOf<ReactionError<"certificate.issued">>().toEqualTypeOf<never>()
    expectTypeOf<ReactionError<"tenant.round-recorded">>().toEqualTypeOf<never>()
    expectTypeOf<ReactionError<"base-domain.changed">>().toEqualTypeOf<never>()
  })
})
