import { NodeContext } from "@effect/platform-node"
import {
  AccountsConfig,
  AccountsManager,
  AppsConfig,
  AppsManager,
  CertificateFiles,
  CertificateFilesConfig,
  certsDir,
  NginxConfig,
  NginxManager,
  PhpFpmConfig,
  PhpFpmManager,
} from "@hosting/core/node"
import { Layer } from "effect"
import { appProcessesLayer } from "./apps.js"
import type { WebNodeConfig } from "./config.js"
import { nodePaths } from "./daemons.js"

/** The managers the web role drives. */
export type WebManagers = NginxManager | PhpFpmManager | CertificateFiles | AccountsManager | AppsManager

/**
 * Core's web managers over the live capabilities: the node's real filesystem and processes, and
 * this node's paths and binaries. `platform` replaces those capabilities (a test records the
 * commands the managers run beneath the real daemons).
 */
export const webManagersLayer = (
  config: WebNodeConfig,
  platform: Layer.Layer<NodeContext.NodeContext> = NodeContext.layer,
): Layer.Layer<WebManagers> => {
  const p = nodePaths(config.layout.root)
  return Layer.mergeAll(
    NginxManager.Default,
    PhpFpmManager.Default,
    CertificateFiles.Default,
    AccountsManager.Default,
    AppsManager.Default,
  ).pipe(
    Layer.provide(
      Layer.mergeAll(
        Layer.succeed(NginxConfig, {
          binary: config.binaries.nginx,
          prefix: p.nginxPrefix,
          configFile: p.nginxConf,
          sitesDir: p.sites,
          pidFile: p.nginxPid,
        }),
        Layer.succeed(PhpFpmConfig, {
          binary: config.binaries.phpFpm,
          configFile: p.phpConf,
          pidFile: p.phpPid,
          poolDir: p.pools,
          runDir: p.phpRun,
        }),
        Layer.succeed(CertificateFilesConfig, { dir: certsDir(config.layout) }),
        Layer.succeed(AccountsConfig, {
          layout: config.layout,
          webUser: config.webUser,
          uidMin: config.uidMin,
          uidMax: config.uidMax,
          passwdFile: "/etc/passwd",
          keysDir: p.keys,
        }),
        Layer.succeed(AppsConfig, {
          layout: config.layout,
          dir: p.apps,
          interpreters: { node: config.binaries.node, python: config.binaries.python, ruby: config.binaries.ruby },
        }),
        appProcessesLayer,
      ),
    ),
    Layer.provide(platform),
  )
}
