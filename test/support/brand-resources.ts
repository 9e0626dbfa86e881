// One of every brand-scoped resource under a brand (tenant, webroot, FQDN, certificate, SSH key,
// zone, record, database, database user, S3 bucket and access key), for suites that send a request to every endpoint of the contract.
import type { PromiseClient } from "@hosting/sdk"
import { SshPublicKey } from "@hosting/sdk"
import { Arbitrary, FastCheck } from "effect"
import { makeTestCa } from "./certificates.js"

/** Creates them through the API; `label` makes names unique to the suite. The brand must use `clusterId`. */
export const createBrandResources = async (admin: PromiseClient, brandId: string, clusterId: string, label: string) => {
  await admin.brands.setClusters({ path: { id: brandId as never }, payload: { cluster_ids: [clusterId as never] } })
  const tenant = await admin.tenants.create({ payload: { brand_id: brandId as never } })
  const webroot = await admin.webroots.create({ path: { id: tenant.id }, payload: { runtime: "php" } })
  const fqdn = await admin.fqdns.create({ path: { id: webroot.id }, payload: { hostname: `${label}.example.test` } })
  const ca = makeTestCa()
  const leaf = ca.leaf([`${label}.example.test`])
  ca.cleanup()
  const certificate = await admin.certificates.upload({
    path: { id: fqdn.id },
    payload: { certificate_pem: leaf.certificatePem + ca.certificatePem, private_key_pem: leaf.keyPem },
  })
  const [publicKey] = FastCheck.sample(Arbitrary.make(SshPublicKey), { seed: 1, numRuns: 1 })
  const sshKey = await admin.sshKeys.create({
    path: { id: tenant.id },
    payload: { name: label, public_key: publicKey! },
  })
  // a zone needs NS host names: the platform default
  await admin.platform.updateConfig({ payload: { ns_hostnames: [`ns1.${label}.example`] } })
  const zone = await admin.zones.create({ payload: { name: `${label}-zone.test`, brand_id: brandId as never } })
  const record = await admin.dnsRecords.create({
    path: { id: zone.id },
    payload: { type: "TXT", name: label, text: label },
  })
  // a database needs a database shard in a cluster of the brand (no node: it stays pending)
  await admin.shards.create({ path: { id: clusterId as never }, payload: { name: `${label}-db`, role: "database" } })
  const database = await admin.databases.create({ path: { id: tenant.id }, payload: {} })
  const databaseUser = await admin.databaseUsers.create({
    path: { id: database.id },
    payload: { username: `${database.name}_app`, password: `${label} password 1` },
  })
  // a bucket needs an s3 shard in a cluster of the brand (no node: it stays pending)
  await admin.shards.create({ path: { id: clusterId as never }, payload: { name: `${label}-s3`, role: "s3" } })
  const s3Bucket = await admin.s3Buckets.create({ path: { id: tenant.id }, payload: {} })
  const s3AccessKey = await admin.s3AccessKeys.create({ path: { id: s3Bucket.id }, payload: {} })
  // mail needs an email shard in a cluster of the brand (no node: the account's sync fails, its rows stay)
  await admin.shards.create({ path: { id: clusterId as never }, payload: { name: `${label}-mail`, role: "email" } })
  const local = label.replace(/[^a-z0-9]/g, "")
  const emailAccount = await admin.emailAccounts.create({
    path: { id: fqdn.id },
    payload: { local_part: local, password: `${label} password 1` },
  })
  const emailAlias = await admin.emailAliases.create({
    path: { id: emailAccount.id },
    payload: { local_part: `${local}-alias` },
  })
  const emailForward = await admin.emailForwards.create({
    path: { id: emailAccount.id },
    payload: { address: `${local}@forward.example` },
  })
  await admin.emailAutoreplies.update({ path: { id: emailAccount.id }, payload: { subject: "away", body: "away" } })
  return {
    tenant,
    webroot,
    fqdn,
    certificate,
    sshKey,
    zone,
    record,
    database,
    databaseUser,
    s3Bucket,
    s3AccessKey,
    emailAccount,
    emailAlias,
    emailForward,
  }
}

/** The resources' ids by the collection segment of their paths (`/tenants/:id` → "tenants"). */
export const brandResourceIds = (r: Awaited<ReturnType<typeof createBrandResources>>) => ({
  tenants: r.tenant.id,
  webroots: r.webroot.id,
  fqdns: r.fqdn.id,
  certificates: r.certificate.id,
  "ssh-keys": r.sshKey.id,
  zones: r.zone.id,
  "dns-records": r.record.id,
  databases: r.database.id,
  "database-users": r.databaseUser.id,
  "s3-buckets": r.s3Bucket.id,
  "s3-access-keys": r.s3AccessKey.id,
  "email-accounts": r.emailAccount.id,
  "email-aliases": r.emailAlias.id,
  "email-forwards": r.emailForward.id,
})

/**
 * The platform resources the every-endpoint suites address: a region, a cluster, a web shard, a
 * node (in the shard unless `nodeInShard: false`), an LB address and (unless `probe: false`) a
 * probe of the node; with their ids by the collection segment of their paths.
 */
export const createPlatformResources = async (
  admin: PromiseClient,
  label: string,
  options: { readonly nodeInShard?: boolean; readonly probe?: boolean } = {},
) => {
  const region = await admin.regions.create({ payload: { name: label } })
  const cluster = await admin.clusters.create({ path: { id: region.id }, payload: { name: "c" } })
  const shard = await admin.shards.create({ path: { id: cluster.id }, payload: { name: "web", role: "web" } })
  const node = await admin.nodes.create({
    path: { id: cluster.id },
    payload: { hostname: "n1.example.net", ...(options.nodeInShard === false ? {} : { shard_ids: [shard.id] }) },
  })
  const lb = await admin.lbAddresses.create({ path: { id: cluster.id }, payload: { address: "192.0.2.1" } })
  const probe = options.probe === false ? undefined : await admin.nodes.probe({ path: { id: node.id } })
  const ids: Record<string, string> = {
    regions: region.id,
    clusters: cluster.id,
    shards: shard.id,
    nodes: node.id,
    "lb-addresses": lb.id,
    ...(probe === undefined ? {} : { "node-probes": probe.id }),
  }
  return { region, cluster, shard, node, lb, probe, ids }
}
