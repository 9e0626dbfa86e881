import { generateKeyPairSync } from "node:crypto"
import { readFileSync } from "node:fs"
import { Agent, request } from "node:https"
import { rootCertificates } from "node:tls"
import { inspectCertificate } from "@hosting/adapters"
import { AcmeStates } from "@hosting/core"
import type { AcmeOrderState, ControlPlaneActivities } from "@hosting/core/activities"
import { ApplicationFailure } from "@temporalio/activity"
import * as acme from "acme-client"
import { Config, Effect, type ManagedRuntime, Option } from "effect"
import { runActivity } from "./run.js"

/** Where certificates come from and when they are renewed (worker configuration). */
export interface AcmeSettings {
  /** ACME directory: production Let's Encrypt unless configured (staging, pebble in tests). */
  readonly directoryUrl: string
  /** Contact of the ACME account (expiry notices), if any. */
  readonly email: string | null
  /** Extra CA (PEM) trusted for the ACME server's own HTTPS, on top of the system roots. */
  readonly caPem: string | null
  /** A certificate is renewed when it expires within this many days. */
  readonly renewBeforeDays: number
}

/** The worker's ACME settings from the environment. */
export const acmeSettings = Config.all({
  directoryUrl: Config.string("HOSTING_ACME_DIRECTORY_URL").pipe(
    Config.withDefault(acme.directory.letsencrypt.production),
  ),
  email: Config.option(Config.string("HOSTING_ACME_EMAIL")),
  caFile: Config.option(Config.string("HOSTING_ACME_CA_FILE")),
  renewBeforeDays: Config.integer("HOSTING_CERT_RENEW_BEFORE_DAYS").pipe(
    Config.withDefault(30),
    Config.validate({ message: "must be between 1 and 365", validation: (n) => n >= 1 && n <= 365 }),
  ),
}).pipe(
  Config.map(
    (c): AcmeSettings => ({
      directoryUrl: c.directoryUrl,
      email: Option.getOrNull(c.email),
      caPem: Option.match(c.caFile, { onNone: () => null, onSome: (f) => readFileSync(f, "utf8") }),
      renewBeforeDays: c.renewBeforeDays,
    }),
  ),
)

// acme-client retries a request that got no response 5 times (5 s, 10 s, … 75 s in all) and then
// fails with a TypeError that hides the cause; Temporal retries the activity anyway.
const acmeSettingsOf = (defaults: unknown) =>
  (defaults as { acmeSettings: { retryMaxAttempts: number; retryDefaultDelay: number } }).acmeSettings
acmeSettingsOf(acme.axios.defaults).retryMaxAttempts = 1
acmeSettingsOf(acme.axios.defaults).retryDefaultDelay = 2
acme.axios.defaults.timeout = 30_000

/** The text of an ACME (or HTTP) error, without the stack. */
const messageOf = (e: unknown): string => {
  const text = e instanceof Error ? e.message : String(e)
  // what acme-client throws when its last retry got no response at all
  return /reading 'config'/.test(text) ? "the ACME server did not answer (network error)" : text
}

/**
 * Fails with the network error when the ACME directory cannot be fetched, before acme-client
 * would turn that into an unreadable one; any HTTP answer counts as reachable.
 */
const reachable = (url: string, agent: Agent | undefined) =>
  new Promise<void>((resolve, reject) => {
    const req = request(url, { method: "GET", timeout: 15_000, ...(agent === undefined ? {} : { agent }) }, (res) => {
      res.resume()
      resolve()
    })
    req.on("timeout", () => req.destroy(new Error("timed out")))
    req.on("error", (e) => reject(new Error(`the ACME directory ${url} cannot be reached: ${e.message}`)))
    req.end()
  })

type AcmeActivities = Pick<
  ControlPlaneActivities,
  "acmeTarget" | "acmeOrder" | "acmeFinish" | "acmeFail" | "renewCertificates" | "cleanupCertificates"
>

/**
 * The control-plane side of Let's Encrypt: orders and finalization with acme-client, the account
 * kept in the database (one per directory URL), issued certificates checked like uploads.
 */
export const createAcmeActivities = <R>(
  runtime: ManagedRuntime.ManagedRuntime<R | AcmeStates, never>,
  settings: AcmeSettings,
): AcmeActivities => {
  const states = <A>(f: (s: AcmeStates) => Effect.Effect<A>) => runActivity(runtime, Effect.flatMap(AcmeStates, f))
  // acme-client talks through its own axios instance: trust the test CA beside the system roots
  const agent = settings.caPem === null ? undefined : new Agent({ ca: [...rootCertificates, settings.caPem] })
  if (agent !== undefined) acme.axios.defaults.httpsAgent = agent

  let client: Promise<acme.Client> | undefined
  /** The account's client, registered once per directory (and per worker process, cached). */
  const account = (): Promise<acme.Client> => {
    client ??= (async () => {
      const url = settings.directoryUrl
      let stored = await states((s) => s.account(url))
      if (stored === null) {
        const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
          type: "pkcs8",
          format: "pem",
        })
        stored = await states((s) => s.saveAccount(url, key.toString(), null))
      }
      if (stored === null) throw new Error("the ACME account could not be stored")
      const c = new acme.Client({
        directoryUrl: url,
        accountKey: stored.account_key_pem,
        ...(stored.account_url === null ? {} : { accountUrl: stored.account_url }),
      })
      if (stored.account_url === null) {
        await c.createAccount({
          termsOfServiceAgreed: true,
          ...(settings.email === null ? {} : { contact: [`mailto:${settings.email}`] }),
        })
        const key = stored.account_key_pem
        await states((s) => s.saveAccount(url, key, c.getAccountUrl()))
      }
      return c
    })()
    // a failed registration is tried afresh next time, not remembered
    client.catch(() => {
      client = undefined
    })
    return client
  }

  return {
    acmeTarget: ({ fqdnId }) => states((s) => s.target(fqdnId)),
    acmeFail: ({ fqdnId, message }) => states((s) => s.fail(fqdnId, message)),
    acmeOrder: async ({ hostname }): Promise<AcmeOrderState> => {
      await reachable(settings.directoryUrl, agent)
      try {
        const c = await account()
        const order = await c.createOrder({ identifiers: [{ type: "dns", value: hostname }] })
        const challenges: Array<AcmeOrderState["challenges"][number]> = []
        for (const authz of await c.getAuthorizations(order)) {
          if (authz.status === "valid") continue
          const challenge = authz.challenges.find((ch) => ch.type === "http-01")
          if (challenge === undefined) {
            throw ApplicationFailure.nonRetryable(
              `the ACME server offers no HTTP-01 challenge for ${authz.identifier.value}`,
              "AcmeUnsupported",
            )
          }
          challenges.push({
            token: challenge.token,
            key_authorization: await c.getChallengeKeyAuthorization(challenge),
            challenge: { ...challenge },
          })
        }
        return { order: { ...order }, challenges }
      } catch (e) {
        if (e instanceof ApplicationFailure) throw e
        throw new Error(messageOf(e))
      }
    },
    acmeFinish: async ({ fqdnId, hostname, state }) => {
      const c = await account()
      try {
        for (const { challenge } of state.challenges) {
          const ch = challenge as unknown as Parameters<acme.Client["completeChallenge"]>[0]
          await c.completeChallenge(ch)
          await c.waitForValidStatus(ch)
        }
        const key = generateKeyPairSync("ec", { namedCurve: "P-256" })
          .privateKey.export({ type: "pkcs8", format: "pem" })
          .toString()
        const [, csr] = await acme.crypto.createCsr({ commonName: hostname, altNames: [hostname] }, key)
        const order = state.order as unknown as acme.Order
        const finalized = await c.finalizeOrder(order, csr)
        const valid = finalized.status === "valid" ? finalized : await c.waitForValidStatus(finalized)
        const chain = await c.getCertificate(valid)
        // what the ACME server sent must pass the checks an upload passes (key, order, name, expiry)
        const inspected = inspectCertificate({ certificatePem: chain, privateKeyPem: key, hostname, now: new Date() })
        return await states((s) =>
          s.store(fqdnId, {
            certificatePem: inspected.certificatePem,
            privateKeyPem: inspected.privateKeyPem,
            subject: inspected.subject,
            names: inspected.names,
            fingerprint: inspected.fingerprint,
            notBefore: inspected.notBefore.toISOString(),
            notAfter: inspected.notAfter.toISOString(),
          }),
        )
      } catch (e) {
        if (e instanceof ApplicationFailure) throw e
        // the ACME server refused (validation failed, order invalid): a retry would place a new
        // order anyway, so the workflow records why and stops
        throw ApplicationFailure.nonRetryable(messageOf(e), "AcmeFailed")
      }
    },
    renewCertificates: () => states((s) => s.renewDue(settings.renewBeforeDays)),
    cleanupCertificates: () => states((s) => s.cleanup()),
  }
}
