import { Either } from "effect"

/** DNS names: absolute and relative spellings, zone membership, tenants' service hostnames. */

/** `name.` — the absolute form DNS servers use. */
export const withDot = (name: string): string => (name.endsWith(".") ? name : `${name}.`)
/** `name` without a trailing dot, as the platform stores names. */
export const withoutDot = (name: string): string => name.replace(/\.$/, "")

/** Whether `name` is `zone` or a name below it. */
export const isAtOrUnder = (name: string, zone: string): boolean => name === zone || name.endsWith(`.${zone}`)

/**
 * The absolute owner name (no trailing dot) of a record name given relative to `zone`: `@` is
 * the apex; a name ending in a dot is absolute and must lie inside the zone; a name that already
 * ends with the zone is taken as absolute; anything else is relative to the zone.
 */
export const resolveRecordName = (zone: string, name: string): Either.Either<string, string> => {
  let absolute: string
  if (name === "@") absolute = zone
  else if (name.endsWith(".")) {
    absolute = withoutDot(name)
    if (!isAtOrUnder(absolute, zone)) return Either.left(`${name} is outside the zone ${zone}`)
  } else absolute = isAtOrUnder(name, zone) ? name : `${name}.${zone}`
  if (absolute.length > 253) return Either.left(`${absolute} is longer than 253 characters`)
  if (absolute.includes("*") && !absolute.startsWith("*.") && absolute !== "*") {
    return Either.left("a wildcard may only be the first label (*.example.com)")
  }
  return Either.right(absolute)
}

/**
 * The DNS label of a tenant's service hostname: its name with `-` for `_` (`t_abc…` → `t-abc…`),
 * because a host name may not hold an underscore (RFC 1123; no CA certifies one). Generated tenant
 * names have exactly one underscore after the prefix, so the label maps back to one tenant.
 */
export const serviceLabel = (tenantName: string): string => tenantName.replace(/_/g, "-")
/** The one label of `name` directly under `base` (`a` for `a.base`), if `name` is such a name. */
export const labelUnder = (name: string, base: string): string | undefined => {
  const [n, b] = [withoutDot(name), withoutDot(base)]
  const label = n.endsWith(`.${b}`) ? n.slice(0, -(b.length + 1)) : ""
  return label === "" || label.includes(".") ? undefined : label
}
/** The tenant name a service hostname label stands for. */
export const tenantOfServiceLabel = (label: string): string => label.replace(/-/g, "_")

/** `<tenant label>.<base domain>`: where a tenant's customers reach its shard over SFTP/SSH; none without a base domain. */
export const serviceHostname = (tenantName: string, baseDomain: string | null): string | null =>
  baseDomain === null ? null : `${serviceLabel(tenantName)}.${withoutDot(baseDomain)}`
