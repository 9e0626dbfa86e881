import { intSetting, ipFamily, pathSetting, portSetting, readSettings, stringSetting } from "@hosting/core/node"
import { Config, ConfigError, Either } from "effect"

/** Everything the s3 role of one agent needs to know about its machine. */
export interface S3NodeConfig {
  /** The node's root directory; Ceph lives in `<root>/ceph`. */
  readonly root: string
  /** Where radosgw serves S3. */
  readonly listen: { readonly host: string; readonly port: number }
  /** The region S3 clients sign with (RGW accepts any; customers are told this one). */
  readonly region: string
  /** The monitor's msgr2 port on 127.0.0.1 (fixed at bootstrap: it is in the monitor map). */
  readonly monPort: number
  /** The ports the OSD and radosgw bind for Ceph's own traffic, on 127.0.0.1. */
  readonly ports: { readonly min: number; readonly max: number }
  /** Size of the OSD's sparse block file (what the node can store). */
  readonly osdBytes: number
  /** Directory of the Ceph programs (ceph-mon, ceph-osd, radosgw, radosgw-admin, ceph, …). */
  readonly binDir: string
}

/**
 * The s3-node settings. The root is shared with the other roles when an agent serves several;
 * ports are configuration so several agents (tests) share a machine.
 */
export const S3NodeSettings: Config.Config<S3NodeConfig> = Config.all({
  root: pathSetting("HOSTING_NODE_ROOT", "/var/lib/hosting/node"),
  host: Config.string("HOSTING_S3_HOST").pipe(
    Config.withDefault("127.0.0.1"),
    Config.validate({
      message: "HOSTING_S3_HOST: must be an IP address",
      validation: (h) => ipFamily(h) !== undefined,
    }),
  ),
  port: portSetting("HOSTING_S3_PORT", 7480),
  region: stringSetting("HOSTING_S3_REGION", "us-east-1", {
    re: /^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$/,
    message: "must be a region name like us-east-1",
  }),
  monPort: portSetting("HOSTING_CEPH_MON_PORT", 3300),
  min: portSetting("HOSTING_CEPH_PORT_MIN", 6800),
  max: portSetting("HOSTING_CEPH_PORT_MAX", 7300),
  osdGb: intSetting("HOSTING_CEPH_OSD_SIZE_GB", 20, 1, 65536),
  binDir: pathSetting("HOSTING_CEPH_BIN_DIR", "/usr/bin"),
}).pipe(
  Config.mapOrFail((s) => {
    // the OSD binds about four ports and radosgw one or two; fewer than 8 risks a daemon that cannot start
    if (s.max - s.min < 7)
      return Either.left(
        ConfigError.InvalidData(
          ["HOSTING_CEPH_PORT_MAX"],
          "HOSTING_CEPH_PORT_MAX: must be at least HOSTING_CEPH_PORT_MIN + 7",
        ),
      )
    return Either.right({
      root: s.root,
      listen: { host: s.host, port: s.port },
      region: s.region,
      monPort: s.monPort,
      ports: { min: s.min, max: s.max },
      osdBytes: s.osdGb * 1024 ** 3,
      binDir: s.binDir,
    })
  }),
)

/** The s3-node settings from an environment (the process's own by default). */
export const s3NodeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): S3NodeConfig =>
  readSettings(S3NodeSettings, env)
