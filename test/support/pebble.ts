// Debian's pebble (an ACME test CA) on private loopback ports, validating HTTP-01 for real: its
// DNS lookups go to pebble-challtestsrv, which answers every name with 127.0.0.1, and it fetches
// the challenge from `httpPort` — a test web node's nginx. Nothing leaves the machine.
import { writeFileSync } from "node:fs"
import { Agent, request } from "node:https"
import { join } from "node:path"
import { freePort, type ServiceProcess, startProcess, waitFor } from "@hosting/dev"
import { makeTestCa } from "./certificates.js"

export interface TestPebble {
  readonly directoryUrl: string
  /** The CA of pebble's own HTTPS listener (HOSTING_ACME_CA_FILE). */
  readonly caFile: string
  /** The root pebble issues under (new on every start). */
  issuingRoot(): Promise<string>
  stop(): Promise<void>
}

const get = (url: string, ca: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { agent: new Agent({ ca }), timeout: 5_000 }, (res) => {
      let body = ""
      res.on("data", (c) => {
        body += c
      })
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on("timeout", () => req.destroy(new Error("timeout")))
    req.on("error", reject)
    req.end()
  })

/** Starts pebble validating HTTP-01 against `httpPort` on 127.0.0.1. */
export const startPebble = async (httpPort: number): Promise<TestPebble> => {
  const ca = makeTestCa("pebble listener CA")
  const leaf = ca.leaf(["localhost", "IP:127.0.0.1"])
  const [port, management, tlsPort, dns, dnsManagement] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ]
  const files = {
    cert: join(ca.dir, "pebble.crt"),
    key: join(ca.dir, "pebble.key"),
    ca: join(ca.dir, "listener-ca.crt"),
    config: join(ca.dir, "pebble.json"),
  }
  writeFileSync(files.cert, leaf.certificatePem)
  writeFileSync(files.key, leaf.keyPem)
  writeFileSync(files.ca, ca.certificatePem)
  writeFileSync(
    files.config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${management}`,
        certificate: files.cert,
        privateKey: files.key,
        httpPort,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  )
  const processes: Array<ServiceProcess> = []
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()))
    ca.cleanup()
  }
  try {
    processes.push(
      startProcess({
        name: "pebble-challtestsrv",
        command: "pebble-challtestsrv",
        args: [
          "-dns01",
          `127.0.0.1:${dns}`,
          "-http01",
          "",
          "-https01",
          "",
          "-tlsalpn01",
          "",
          "-management",
          `127.0.0.1:${dnsManagement}`,
          "-defaultIPv4",
          "127.0.0.1",
          "-defaultIPv6",
          "",
        ],
        logFile: join(ca.dir, "challtestsrv.log"),
      }),
    )
    processes.push(
      startProcess({
        name: "pebble",
        command: "pebble",
        args: ["-config", files.config, "-dnsserver", `127.0.0.1:${dns}`],
        // real validation, without pebble's random sleeps and deliberately refused nonces
        env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
        logFile: join(ca.dir, "pebble.log"),
      }),
    )
    const directoryUrl = `https://127.0.0.1:${port}/dir`
    await waitFor(
      `pebble to serve its directory (logs in ${ca.dir})`,
      async () => (await get(directoryUrl, ca.certificatePem)).status === 200,
      20_000,
    )
    return {
      directoryUrl,
      caFile: files.ca,
      // the management API uses the same listener certificate
      issuingRoot: async () => (await get(`https://127.0.0.1:${management}/roots/0`, ca.certificatePem)).body,
      stop,
    }
  } catch (e) {
    await stop()
    throw e
  }
}
