import type { TenantSpec } from "./domain-spec.js"
import { linuxUser, type NodeLayout, type PlannedFile, phpSocket, tenantHome, tenantPoolPrefix } from "./plan-layout.js"

/** A tenant's PHP-FPM pool for one PHP version: runs as the tenant, confined to its home. */
export const renderPhpPool = (layout: NodeLayout, spec: TenantSpec, version: string): string => {
  const user = linuxUser(layout, spec.name)
  const home = tenantHome(layout, user)
  return [
    `; managed by the hosting platform: ${spec.name} PHP ${version} (edits are overwritten)`,
    `[${user}-${version}]`,
    `user = ${user}`,
    `group = ${user}`,
    `listen = ${phpSocket(layout, user, version)}`,
    `listen.owner = ${user}`,
    "listen.group = www-data",
    "listen.mode = 0660",
    "pm = ondemand",
    "pm.max_children = 5",
    "pm.process_idle_timeout = 30s",
    "chdir = /",
    `php_admin_value[open_basedir] = ${home}/webroots:${home}/tmp`,
    `php_admin_value[upload_tmp_dir] = ${home}/tmp`,
    `php_admin_value[session.save_path] = ${home}/tmp`,
    `php_admin_value[sys_temp_dir] = ${home}/tmp`,
    `php_admin_value[error_log] = ${home}/logs/php-error.log`,
    "php_admin_flag[log_errors] = on",
    "php_admin_value[disable_functions] = exec,passthru,shell_exec,system,proc_open,popen,pcntl_exec",
    "",
  ].join("\n")
}

/** The tenant's PHP-FPM pool files: one per PHP version in use; none while suspended. */
export const planTenantPools = (layout: NodeLayout, spec: TenantSpec): ReadonlyArray<PlannedFile> => {
  if (spec.suspended) return []
  const versions = [
    ...new Set(spec.webroots.filter((w) => w.runtime === "php").map((w) => w.runtime_version ?? "8.2")),
  ].sort()
  const user = linuxUser(layout, spec.name)
  return versions.map((v) => ({ file: `${tenantPoolPrefix(user)}${v}.conf`, content: renderPhpPool(layout, spec, v) }))
}
