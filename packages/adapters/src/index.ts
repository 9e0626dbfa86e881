/**
 * @hosting/adapters: Node implementations of core's ports that both the API and the
 * control-plane worker need — the workflow engine over a Temporal client, and the certificate
 * checks over node:crypto. Here rather than in either process's package, so that the API host
 * does not depend on the worker's.
 */
export { CertificateInspectorLive, inspectCertificate } from "./certificates.js"
export { temporalWorkflowEngine } from "./engine.js"
export { MailPasswordHasherLive } from "./mail-password.js"
