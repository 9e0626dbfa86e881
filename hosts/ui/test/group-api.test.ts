// The generic pages' calls and list options come from the contract's groups: each resource offers
// exactly the endpoints its group has, calls them with the parent's path where the list has one,
// and sorts and filters by what the list's query schema accepts.
import type { PromiseClient } from "@hosting/sdk"
import { describe, expect, it } from "vitest"
import { RESOURCES } from "../src/resources/registry"

/** A client that records `group.method` and its argument, and answers `{}`. */
const recorder = () => {
  const calls: Array<readonly [string, unknown]> = []
  const client = new Proxy(
    {},
    {
      get: (_, g) =>
        new Proxy(
          {},
          {
            get: (__, m) => async (args: unknown) => {
              calls.push([`${String(g)}.${String(m)}`, args])
              return {}
            },
          },
        ),
    },
  ) as PromiseClient
  return { client, calls }
}

describe("resource calls from the contract's groups", () => {
  it("each resource has the calls its group offers", () => {
    expect(Object.fromEntries(Object.entries(RESOURCES).map(([k, r]) => [k, Object.keys(r.api)]))).toEqual({
      brands: ["list", "get", "create", "update", "remove"],
      "api-keys": ["list", "get", "create", "update", "remove"],
      regions: ["list", "get", "create", "update", "remove"],
      clusters: ["list", "get", "create", "update", "remove"],
      "lb-addresses": ["list", "get", "create", "remove"],
      shards: ["list", "get", "create", "update", "remove", "retry"],
      nodes: ["list", "get", "create", "update", "remove"],
      tenants: ["list", "get", "create", "update", "remove", "retry"],
      webroots: ["list", "get", "create", "update", "remove", "retry"],
      fqdns: ["list", "get", "create", "update", "remove", "retry"],
      certificates: ["list", "create", "remove", "retry"],
      "ssh-keys": ["list", "get", "create", "update", "remove", "retry"],
      "s3-buckets": ["list", "get", "create", "update", "remove", "retry"],
      "s3-access-keys": ["list", "get", "create", "remove", "retry"],
      databases: ["list", "get", "create", "update", "remove", "retry"],
      "database-users": ["list", "get", "create", "update", "remove", "retry"],
      "email-accounts": ["list", "get", "create", "update", "remove", "retry"],
      "email-aliases": ["list", "get", "create", "remove", "retry"],
      "email-forwards": ["list", "get", "create", "remove", "retry"],
      zones: ["list", "get", "create", "remove", "retry"],
      "dns-records": ["list", "get", "create", "update", "remove", "retry"],
      "audit-logs": ["list"],
    })
  })

  it("each list sorts by its query schema's keys and filters on status where it has one", () => {
    expect(
      Object.fromEntries(Object.entries(RESOURCES).map(([k, r]) => [k, [r.sortKeys, r.withStatus ?? false]])),
    ).toEqual({
      brands: [["name", "created_at"], false],
      "api-keys": [["name", "created_at"], false],
      regions: [["name", "created_at"], false],
      clusters: [["name", "created_at"], false],
      "lb-addresses": [["address", "created_at"], false],
      shards: [["name", "created_at"], true],
      nodes: [["hostname", "created_at"], false],
      tenants: [["name", "created_at"], true],
      webroots: [["name", "created_at"], true],
      fqdns: [["hostname", "created_at"], true],
      certificates: [["created_at", "not_after"], true],
      "ssh-keys": [["name", "created_at"], true],
      "s3-buckets": [["name", "created_at"], true],
      "s3-access-keys": [["created_at"], true],
      databases: [["name", "created_at"], true],
      "database-users": [["username", "created_at"], true],
      "email-accounts": [["local_part", "created_at"], true],
      "email-aliases": [["local_part", "created_at"], true],
      "email-forwards": [["address", "created_at"], true],
      zones: [["name", "created_at"], true],
      "dns-records": [["name", "type", "created_at"], true],
      "audit-logs": [["created_at"], false],
    })
  })

  it("calls the group's endpoints with the parent's path, the query and the reshaped payload", async () => {
    const { client, calls } = recorder()
    const r = (key: string) => RESOURCES[key]!.api
    await r("brands").list(client, { limit: "20", search: "" }, undefined)
    await r("webroots").list(client, { sort: "name" }, "t1")
    await r("webroots").create!(client, { runtime: "php" }, "t1")
    await r("fqdns").update!(client, "f1", { tls: "none", https_redirect: "yes" })
    await r("certificates").create!(client, { certificate_pem: "c" }, "f1")
    await r("zones").create!(client, { name: "example.test" }, undefined)
    await r("dns-records").remove!(client, "r1")
    await r("shards").retry!(client, "s1")
    expect(calls).toEqual([
      ["brands.list", { urlParams: { limit: 20 } }],
      ["webroots.list", { path: { id: "t1" }, urlParams: { sort: "name" } }],
      ["webroots.create", { path: { id: "t1" }, payload: { runtime: "php" } }],
      ["fqdns.update", { path: { id: "f1" }, payload: { tls: "none", https_redirect: true } }],
      ["certificates.upload", { path: { id: "f1" }, payload: { certificate_pem: "c" } }],
      ["zones.create", { payload: { name: "example.test" } }],
      ["dnsRecords.delete", { path: { id: "r1" } }],
      ["shards.retry", { path: { id: "s1" } }],
    ])
  })
})
