// The platform config document, edited with the generic form.
import { useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { initialValues, ResourceForm } from "../components/ResourceForm"
import { ErrorAlert, PageHeader } from "../components/ui"
import type { Field } from "../resources/types"
import { useSession } from "../session/session"

const FIELDS: ReadonlyArray<Field> = [
  { name: "base_domain", label: "Base domain", kind: "text", nullable: true },
  { name: "ns_hostnames", label: "Name servers", kind: "list", help: "comma-separated" },
  { name: "hostmaster", label: "Hostmaster e-mail", kind: "email", nullable: true },
  { name: "oidc_issuer", label: "OIDC issuer URL", kind: "text", nullable: true },
  { name: "audit_retention_days", label: "Audit retention (days)", kind: "number" },
]

/** Platform config page. */
export const PlatformConfigPage = () => {
  const { client } = useSession()
  const queries = useQueryClient()
  const [saved, setSaved] = useState(false)
  const config = useQuery({ queryKey: ["platform"], queryFn: () => client.platform.getConfig() })
  return (
    <div>
      <PageHeader title="Platform config" />
      <ErrorAlert error={config.error} />
      {saved ? (
        <p role="status" className="mb-3 text-sm text-green-900">
          Saved.
        </p>
      ) : null}
      {config.data ? (
        <ResourceForm
          key={JSON.stringify(config.data)}
          title="Platform config"
          fields={FIELDS}
          initial={initialValues(FIELDS, { ...config.data })}
          submitLabel="Save"
          onSubmit={async (payload) => {
            setSaved(false)
            await client.platform.updateConfig({ payload: { ns_hostnames: [], ...payload } as never })
            await queries.invalidateQueries({ queryKey: ["platform"] })
            setSaved(true)
          }}
        />
      ) : null}
    </div>
  )
}
