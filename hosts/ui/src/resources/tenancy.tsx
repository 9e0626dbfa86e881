// The web tier as configuration: tenants, their webroots (with FQDNs) and SSH keys.
import { APP_RUNTIMES, CreateFqdn, CreateWebroot, type PromiseClient } from "@hosting/sdk"
import { useQuery } from "@tanstack/react-query"
import { RowsTable } from "../components/ListView"
import { pollWhileInFlight } from "../components/lifecycle"
import { ErrorAlert, StatusBadge } from "../components/ui"
import { useSession } from "../session/session"
import { fromGroup, id, page, q } from "./calls"
import { literalsOf } from "./schema-options"
import { createTenantWithWebroots } from "./tenant-create"
import type { Column, Field, ResourceConfig, Row, SelectOption, Tab } from "./types"

const created: Column = { key: "created_at", label: "Created" }
const status: Column = { key: "status", label: "Status" }

/** Every brand the key may see, by name, for brand choosers (tenants, zones). */
export const brandOptions = async (c: PromiseClient): Promise<ReadonlyArray<SelectOption>> => {
  const out: Array<SelectOption> = []
  let cursor: string | undefined
  // bounded: 10 pages of 200 brands
  for (let i = 0; i < 10; i++) {
    const p = await page(c.brands.list({ urlParams: q({ limit: "200", sort: "name", cursor: cursor ?? "" }) }))
    out.push(...p.items.map((b) => ({ value: b.id, label: String(b["name"]) })))
    if (!p.has_more || p.next_cursor === null) break
    cursor = p.next_cursor
  }
  return out
}

/** Webroot fields; on edit, hidden and emptied settings are sent as null (the API's default). */
const webrootFields = (edit: boolean): ReadonlyArray<Field> => [
  {
    name: "runtime",
    label: "Runtime",
    kind: "select",
    options: literalsOf(CreateWebroot, "runtime"),
    required: !edit,
    help: "php: nginx + PHP-FPM; node, python, ruby: an app behind nginx; static: files only; worker: no web",
  },
  {
    name: "runtime_version",
    label: "PHP version",
    kind: "text",
    placeholder: "8.2",
    help: "empty: 8.2",
    showIf: { field: "runtime", oneOf: ["php"] },
    nullable: edit,
  },
  {
    name: "entrypoint",
    label: "Entrypoint",
    kind: "text",
    placeholder: "server.js",
    help: "file to run, relative to the webroot; empty: server.js, app.py, app.rb or worker.js",
    showIf: { field: "runtime", oneOf: APP_RUNTIMES },
    nullable: edit,
  },
  {
    name: "numprocs",
    label: "Processes",
    kind: "number",
    placeholder: "1",
    help: "1–8",
    showIf: { field: "runtime", oneOf: ["worker"] },
  },
]

/** Webroots of a tenant; `path` is where the tenant finds it over SFTP. */
export const webroots: ResourceConfig = {
  key: "webroots",
  label: "Webroots",
  singular: "webroot",
  parent: "tenants",
  columns: [
    { key: "name", label: "Name" },
    { key: "runtime", label: "Runtime" },
    { key: "path", label: "SFTP path" },
    status,
    created,
  ],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  fields: webrootFields(false),
  editFields: webrootFields(true),
  tabs: [{ label: "FQDNs", resource: "fqdns" }],
  ...fromGroup("webroots"),
}

/** The FQDN form's TLS fields; the redirect is a yes/no select sent as a boolean. */
const fqdnTlsFields: ReadonlyArray<Field> = [
  {
    name: "tls",
    label: "TLS",
    kind: "select",
    options: literalsOf(CreateFqdn, "tls"),
    help: "letsencrypt: the platform obtains and renews the certificate (the name must point here)",
  },
  {
    name: "https_redirect",
    label: "Redirect HTTP to HTTPS",
    kind: "select",
    options: ["no", "yes"],
    help: "once the name has a certificate",
  },
]
const fqdnPayload = (b: Record<string, unknown>) => ({
  ...b,
  ...(b["https_redirect"] === undefined ? {} : { https_redirect: b["https_redirect"] === "yes" }),
})

/** Host names bound to a webroot. */
export const fqdns: ResourceConfig = {
  key: "fqdns",
  label: "FQDNs",
  singular: "FQDN",
  parent: "webroots",
  columns: [
    { key: "hostname", label: "Host name" },
    { key: "tls", label: "TLS" },
    {
      key: "acme_status",
      label: "Certificate",
      render: (r) =>
        r["acme_status"] === null || r["acme_status"] === undefined ? (
          "—"
        ) : (
          <span title={String(r["acme_message"] ?? "")}>
            <StatusBadge status={String(r["acme_status"])} />
          </span>
        ),
    },
    status,
    created,
  ],
  titleOf: (r) => String(r["hostname"]),
  hasDetail: true,
  fields: [
    { name: "hostname", label: "Host name", kind: "text", required: true, placeholder: "shop.example.com" },
    ...fqdnTlsFields,
  ],
  editFields: fqdnTlsFields,
  formValues: (r) => ({ ...r, https_redirect: r["https_redirect"] === true ? "yes" : "no" }),
  actions: [
    {
      label: "Issue certificate",
      when: (r) => r["tls"] === "letsencrypt" && r["status"] !== "deleting" && r["acme_status"] !== "issuing",
      run: (c, r) => c.certificates.issue({ path: id(r.id) }),
    },
  ],
  tabs: [
    { label: "Certificates", resource: "certificates" },
    { label: "Email accounts", resource: "email-accounts" },
  ],
  ...fromGroup("fqdns", { payload: fqdnPayload }),
}

/**
 * TLS certificates of an FQDN, uploaded or from Let's Encrypt; the newest one is installed. The
 * key is never shown again.
 */
export const certificates: ResourceConfig = {
  key: "certificates",
  label: "Certificates",
  singular: "certificate",
  parent: "fqdns",
  columns: [
    { key: "subject", label: "Subject" },
    { key: "names", label: "Names" },
    { key: "not_after", label: "Expires" },
    { key: "source", label: "Source" },
    status,
  ],
  titleOf: (r) => String(r["subject"] ?? r.id),
  fields: [
    {
      name: "certificate_pem",
      label: "Certificate chain (PEM)",
      kind: "multiline",
      required: true,
      help: "the certificate first, then its intermediates",
    },
    { name: "private_key_pem", label: "Private key (PEM)", kind: "multiline", required: true, help: "unencrypted" },
  ],
  ...fromGroup("certificates", { create: "upload" }),
}

/** SSH public keys that may log in as their tenant. */
export const sshKeys: ResourceConfig = {
  key: "ssh-keys",
  label: "SSH keys",
  singular: "SSH key",
  parent: "tenants",
  columns: [{ key: "name", label: "Name" }, { key: "fingerprint", label: "Fingerprint" }, status, created],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  fields: [
    { name: "name", label: "Name", kind: "text", required: true },
    {
      name: "public_key",
      label: "Public key",
      kind: "text",
      required: true,
      placeholder: "ssh-ed25519 AAAA… comment",
      help: "one OpenSSH public key line",
    },
  ],
  editFields: [{ name: "name", label: "Name", kind: "text", required: true }],
  ...fromGroup("sshKeys"),
}

/** Everything a tenant owns on one page, re-read while any of it is in flight. */
const TenantResources = (props: { readonly id: string }) => {
  const { client } = useSession()
  const query = useQuery({
    queryKey: ["tenants", "resources", props.id],
    queryFn: () => client.tenants.resources({ path: id(props.id) }),
    refetchInterval: (qy) => {
      const d = qy.state.data
      return pollWhileInFlight(d ? [d.tenant, ...d.webroots, ...d.fqdns, ...d.ssh_keys] : [])
    },
  })
  const d = query.data
  const sections: ReadonlyArray<readonly [ResourceConfig, ReadonlyArray<Row>]> = d
    ? [
        [webroots, d.webroots as ReadonlyArray<Row>],
        [fqdns, d.fqdns as ReadonlyArray<Row>],
        [sshKeys, d.ssh_keys as ReadonlyArray<Row>],
      ]
    : []
  return (
    <div>
      <ErrorAlert error={query.error} />
      {sections.map(([config, rows]) => (
        <section key={config.key} aria-labelledby={`resources-${config.key}`} className="mb-4">
          <h2 id={`resources-${config.key}`} className="mb-2 text-lg font-semibold">
            {config.label} ({rows.length})
          </h2>
          <RowsTable config={config} rows={rows} caption={`${config.label} of the tenant`} empty="None." />
        </section>
      ))}
    </div>
  )
}

const resourcesTab: Tab = { label: "Resources", render: (r: Row) => <TenantResources id={r.id} /> }

/** Tenants: a Linux user on a web shard, owned by a brand. */
export const tenants: ResourceConfig = {
  key: "tenants",
  label: "Tenants",
  singular: "tenant",
  columns: [
    { key: "name", label: "Name" },
    { key: "display_name", label: "Display name" },
    { key: "service_hostname", label: "SFTP/SSH host" },
    {
      key: "suspended",
      label: "Suspended",
      render: (r) => (r["suspended"] === true ? <StatusBadge status="suspended" /> : "no"),
    },
    status,
    created,
  ],
  titleOf: (r) => String(r["name"]),
  hasDetail: true,
  fields: [
    {
      name: "brand_id",
      label: "Brand",
      kind: "select",
      required: true,
      optionsFrom: { key: "brands", load: brandOptions },
      help: "its clusters decide where the tenant is placed",
    },
    { name: "display_name", label: "Display name", kind: "text" },
    {
      name: "cluster_id",
      label: "Cluster id",
      kind: "text",
      help: "optional: one of the brand's clusters; empty: the least-used web shard of any of them",
    },
    { name: "shard_id", label: "Shard id", kind: "text", help: "optional, platform admins: this web shard" },
    {
      name: "webroots",
      label: "Webroots",
      kind: "group",
      itemLabel: "webroot",
      help: "created right after the tenant, each with its host names",
      fields: [
        ...webrootFields(false),
        {
          name: "fqdns",
          label: "FQDNs",
          kind: "list",
          placeholder: "shop.example.com, www.shop.example.com",
          help: "comma-separated host names",
        },
      ],
    },
  ],
  editFields: [{ name: "display_name", label: "Display name", kind: "text", nullable: true }],
  actions: [
    {
      label: "Suspend",
      when: (r) => r["suspended"] !== true && r["status"] !== "deleting",
      run: (c, r) => c.tenants.suspend({ path: id(r.id) }),
    },
    {
      label: "Unsuspend",
      when: (r) => r["suspended"] === true,
      run: (c, r) => c.tenants.unsuspend({ path: id(r.id) }),
    },
  ],
  tabs: [
    { label: "Webroots", resource: "webroots" },
    { label: "SSH keys", resource: "ssh-keys" },
    { label: "S3 buckets", resource: "s3-buckets" },
    { label: "Databases", resource: "databases" },
    resourcesTab,
  ],
  ...fromGroup("tenants", { create: createTenantWithWebroots }),
}
