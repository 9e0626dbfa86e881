// Process helpers shared by the single-box launcher and the integration tests.
export { type PrivatePostgres, postgresBinDir, startPrivatePostgres } from "./postgres.js"
export {
  findExecutable,
  freePort,
  GiveUp,
  portOpen,
  type ServiceProcess,
  startProcess,
  waitFor,
} from "./processes.js"
export { startTemporalDevServer, type TemporalDevServer } from "./temporal.js"
