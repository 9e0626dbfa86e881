// Real certificates for tests, made with openssl in a temporary directory: a CA, and leaves it
// signs for given names (`IP:` for an address; optionally already expired), each with its own key.
import { execFileSync } from "node:child_process"
import { createHash, X509Certificate } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { connect } from "node:tls"

export interface Leaf {
  readonly certificatePem: string
  readonly keyPem: string
  /** SHA-256 of the DER, as node:tls reports `fingerprint256`. */
  readonly fingerprint256: string
}

export interface TestCa {
  /** The temporary directory of its files (removed by cleanup). */
  readonly dir: string
  readonly certificatePem: string
  leaf(names: ReadonlyArray<string>, options?: { readonly days?: number }): Leaf
  cleanup(): void
}

const openssl = (dir: string, args: ReadonlyArray<string>) =>
  execFileSync("openssl", [...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] })

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

export const makeTestCa = (name = "Test CA"): TestCa => {
  const dir = mkdtempSync(join(tmpdir(), "hosting-certs-"))
  openssl(dir, ["req", "-x509", ...ecKey, "-keyout", "ca.key", "-out", "ca.crt", "-days", "30", "-subj", `/CN=${name}`])
  let n = 0
  return {
    dir,
    certificatePem: readFileSync(join(dir, "ca.crt"), "utf8"),
    leaf: (names, options = {}) => {
      const base = `leaf${++n}`
      openssl(dir, ["req", ...ecKey, "-keyout", `${base}.key`, "-out", `${base}.csr`, "-subj", `/CN=${names[0]}`])
      writeFileSync(
        join(dir, `${base}.ext`),
        `subjectAltName=${names.map((h) => (h.startsWith("IP:") ? h : `DNS:${h}`)).join(",")}\n`,
      )
      openssl(dir, [
        "x509",
        "-req",
        "-in",
        `${base}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-set_serial",
        String(1000 + n),
        "-out",
        `${base}.crt`,
        "-days",
        String(options.days ?? 30),
        "-extfile",
        `${base}.ext`,
      ])
      const certificatePem = readFileSync(join(dir, `${base}.crt`), "utf8")
      return {
        certificatePem,
        keyPem: readFileSync(join(dir, `${base}.key`), "utf8"),
        fingerprint256: new X509Certificate(certificatePem).fingerprint256,
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** The SHA-256 of a DER certificate as colon-separated upper-case hex. */
export const fingerprintOf = (der: Buffer): string =>
  createHash("sha256")
    .update(der)
    .digest("hex")
    .toUpperCase()
    .replace(/(..)(?!$)/g, "$1:")

/** The SHA-256 fingerprint of the certificate presented on 127.0.0.1:`port` for `servername` (SNI). */
export const tlsFingerprint = (port: number, servername: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256
      socket.end()
      resolve(fingerprint)
    })
    socket.on("error", reject)
    socket.setTimeout(10_000, () => socket.destroy(new Error("timeout")))
  })
