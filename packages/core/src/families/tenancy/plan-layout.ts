/**
 * Where a web node keeps things: its layout (root, listeners, user prefix) and the paths and
 * file-name prefixes derived from it. Everything here is a pure function of the layout.
 */

/** Where the node's nginx listens for the platform's sites. */
export interface NginxListen {
  readonly host: string
  readonly port: number
}

/** Files the platform owns in nginx's site directory start with this; nothing else is touched. */
export const PLATFORM_FILE_PREFIX = "hp-"

/** One file the node must have, byte for byte. */
export interface PlannedFile {
  readonly file: string
  readonly content: string
}

/** Where a node keeps everything; configuration of the agent, so several agents share a machine. */
export interface NodeLayout {
  /** Root directory; every component root-owned and not group/other-writable (sshd chroot rule). */
  readonly root: string
  readonly listen: NginxListen
  /** Port of the HTTPS server blocks (same host as `listen`); 8443 when absent. */
  readonly httpsPort?: number
  /**
   * The HTTPS port clients use, for redirects (443 in production, where a port forward or the
   * LB sits in front); `httpsPort` when absent.
   */
  readonly httpsPublicPort?: number
  /** Prepended to tenant names to form Linux user names (empty in production). */
  readonly userPrefix: string
  /** nginx's fastcgi_params file. */
  readonly fastcgiParams: string
}

/** Linux user (and group) of a tenant on a node. */
export const linuxUser = (layout: NodeLayout, tenant: string): string => `${layout.userPrefix}${tenant}`
/** The tenant's home: root-owned 0750 with the tenant's group, the SFTP chroot. */
export const tenantHome = (layout: NodeLayout, user: string): string => `${layout.root}/home/${user}`
/** A webroot's directory on the node. */
export const webrootDir = (layout: NodeLayout, user: string, webroot: string): string =>
  `${tenantHome(layout, user)}/webroots/${webroot}`
/** The PHP-FPM socket of a tenant's pool for one PHP version. */
export const phpSocket = (layout: NodeLayout, user: string, version: string): string =>
  `${layout.root}/php/run/${user}-${version}.sock`
/** Default port of the HTTPS server blocks. */
export const DEFAULT_HTTPS_PORT = 8443
/** Directory of the TLS certificates and keys nginx serves. */
export const certsDir = (layout: NodeLayout): string => `${layout.root}/nginx/certs`
/** File names (without `.crt`/`.key`) of a tenant's certificates all start with this. */
export const tenantCertPrefix = (user: string): string => `${user}.`
/** Certificate (`.crt`) and key (`.key`) files of one host name of a tenant on a node. */
export const certFiles = (layout: NodeLayout, user: string, hostname: string) => {
  const base = `${certsDir(layout)}/${tenantCertPrefix(user)}${hostname.replace(/\.$/, "").toLowerCase()}`
  return { certificate: `${base}.crt`, key: `${base}.key` }
}
/**
 * Where ACME HTTP-01 challenge responses live on a node: every server block answers
 * `/.well-known/acme-challenge/` from here, so a tenant's own files can neither serve nor spoil a
 * challenge.
 */
export const acmeRoot = (layout: NodeLayout): string => `${layout.root}/acme`
/** Directory of the challenge files (the `.well-known/acme-challenge` under `acmeRoot`). */
export const acmeChallengeDir = (layout: NodeLayout): string => `${acmeRoot(layout)}/.well-known/acme-challenge`

/** Platform nginx file names of a tenant all start with this. */
export const tenantSitePrefix = (user: string): string => `${PLATFORM_FILE_PREFIX}${user}.`
/** Platform PHP-FPM pool file names of a tenant all start with this. */
export const tenantPoolPrefix = (user: string): string => `${PLATFORM_FILE_PREFIX}${user}-`
