/** @hosting/agent: the node agent's activities and worker factory. */

export { commandLines, payloadRequests } from "@hosting/core/node"
export { type AgentIdentity, createNodeActivities } from "./activities.js"
export { type DatabaseNodeConfig, databaseNodeConfigFromEnv } from "./database/config.js"
export {
  ADMIN_USER,
  adminPassword,
  databasePaths,
  mariadbPid,
  REPLICATION_USER,
  replicationPassword,
  stopDatabaseServices,
} from "./database/daemon.js"
export { DatabaseNode } from "./database/node.js"
export { databaseRole } from "./database/role.js"
export { type DnsNodeConfig, dnsNodeConfigFromEnv } from "./dns/config.js"
export { dnsPaths, stopDnsServices } from "./dns/daemon.js"
export { DnsNode } from "./dns/node.js"
export { dnsRole } from "./dns/role.js"
export { type EmailNodeConfig, emailNodeConfigFromEnv } from "./email/config.js"
export { emailPaths } from "./email/daemon-files.js"
export { emailPids, postfixQueue, stopEmailServices } from "./email/daemons.js"
export { EmailNode } from "./email/node.js"
export { emailRole } from "./email/role.js"
export { type LbNodeConfig, lbNodeConfigFromEnv } from "./lb/config.js"
export { haproxyInfo, stopLbServices } from "./lb/daemon.js"
export { LbNode } from "./lb/node.js"
export { lbRole } from "./lb/role.js"
export { haproxyCli } from "./lb/socket.js"
export { livePid } from "./process.js"
export { type AgentRole, ConfigRejected, parseRoles, ROLE_NAMES, type RoleName } from "./roles.js"
export { type S3NodeConfig, s3NodeConfigFromEnv } from "./s3/config.js"
export { cephPaths, cephPids, stopS3Services } from "./s3/daemons.js"
export { S3BucketNotEmpty, S3Node } from "./s3/node.js"
export { s3Role } from "./s3/role.js"
export { type WebNodeConfig, webNodeConfigFromEnv } from "./web/config.js"
export { nodePaths, stopNodeServices } from "./web/daemons.js"
export { type WebManagers, webManagersLayer } from "./web/managers.js"
export { WebNode } from "./web/node.js"
export { webRole } from "./web/role.js"
export { createAgentWorker } from "./worker.js"
