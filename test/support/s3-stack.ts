// The whole platform with S3: API, control-plane worker, a web node's agent (tenants need one to
// be created and deleted) and an s3 node's agent on the run's shared Ceph, plus what the suites
// need to act as a customer (an S3 client built from a bucket's answer) and as an operator.
import { S3Client } from "@aws-sdk/client-s3"
import { waitFor } from "@hosting/dev"
import { createClient, type PromiseClient } from "@hosting/sdk"
import { Client, Connection } from "@temporalio/client"
import pg from "pg"
import { inject } from "vitest"
import { waitForAgent } from "./agents.js"
import { postgresDatabase, type TestDatabase } from "./databases.js"
import { type SharedS3Node, sharedS3Node } from "./s3-node.js"
import { type Stack, startStack } from "./stack.js"
import { makeTestWebNode, type TestWebNode } from "./web-node.js"

export interface S3Stack {
  readonly db: TestDatabase
  readonly stack: Stack
  readonly sql: pg.Client
  readonly admin: PromiseClient
  /** A key of the brand (every scope, that brand only). */
  readonly brand: PromiseClient
  readonly brandId: string
  readonly s3: SharedS3Node
  readonly web: TestWebNode
  readonly s3ShardId: string
  readonly temporal: Client
  stop(): Promise<void>
}

export const startS3Stack = async (label: string): Promise<S3Stack> => {
  const db = await postgresDatabase(inject("postgresAdminUrl"), `hp_${label}`)
  const s3 = await sharedS3Node()
  const web = await makeTestWebNode()
  const stack = await startStack({ databaseUrl: db.url, temporalAddress: inject("temporalAddress") })
  const sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  const admin = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey })
  const region = await admin.regions.create({ payload: { name: label } })
  const cluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "c" } })
  const webShard = await admin.shards.create({ path: { id: cluster.id }, payload: { name: "web", role: "web" } })
  const s3Shard = await admin.shards.create({ path: { id: cluster.id }, payload: { name: "s3", role: "s3" } })
  const webNode = await admin.nodes.create({
    path: { id: cluster.id },
    payload: { hostname: "web1.example.net", addresses: ["127.0.0.1"], shard_ids: [webShard.id] },
  })
  const s3Node = await admin.nodes.create({
    path: { id: cluster.id },
    payload: { hostname: "s3-1.example.net", addresses: ["127.0.0.1"], shard_ids: [s3Shard.id] },
  })
  const brand = await admin.brands.create({ payload: { name: label } })
  await admin.brands.setClusters({ path: { id: brand.id }, payload: { cluster_ids: [cluster.id] } })
  const brandKey = await admin.apiKeys.create({ payload: { name: label, scopes: ["*"], brands: [brand.id] } })
  stack.startAgent(webNode.id, web.env)
  stack.startAgent(s3Node.id, s3.env)
  await waitForAgent(admin, webNode.id)
  await waitForAgent(admin, s3Node.id)
  const connection = await Connection.connect({ address: inject("temporalAddress") })
  const temporal = new Client({ connection })
  return {
    db,
    stack,
    sql,
    admin,
    brand: createClient({ baseUrl: stack.baseUrl, apiKey: brandKey.key }),
    brandId: brand.id,
    s3,
    web,
    s3ShardId: s3Shard.id,
    temporal,
    stop: async () => {
      await connection.close()
      await sql.end()
      await stack.stop()
      await web.cleanup()
      await s3.node.close()
      await db.stop()
    },
  }
}

/** Waits (bounded) until `check` holds; `what` names it in the failure. */
export const eventually = (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) =>
  waitFor(what, check, timeoutMs, 250)

/** The S3 client a customer's application configures from a bucket's answer and a key. */
export const customerClient = (
  bucket: { readonly endpoint_url: string | null; readonly region: string | null },
  key: { readonly access_key_id: string; readonly secret_access_key: string },
) =>
  new S3Client({
    endpoint: bucket.endpoint_url!,
    region: bucket.region!,
    forcePathStyle: true,
    credentials: { accessKeyId: key.access_key_id, secretAccessKey: key.secret_access_key },
    // a refusal is the answer under test: no retries
    maxAttempts: 1,
  })
