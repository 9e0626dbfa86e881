import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, FastCheck, Layer, Schema } from "effect"
import { type NodeLayout, planTenantCertificates, TenantSpec, tenantCertPrefix } from "../src/families/tenancy/plan.js"
import { CertificateFiles, CertificateFilesConfig } from "../src/managers/certificate-files.js"
import { MemoryFs } from "./support/node-fakes.js"

const layout: NodeLayout = {
  root: "/srv/node",
  listen: { host: "127.0.0.1", port: 8000 },
  userPrefix: "x_",
  fastcgiParams: "/etc/nginx/fastcgi_params",
}
const dir = "/srv/node/nginx/certs"

const node = () => {
  const fs = new MemoryFs().dir("/srv/node/nginx").file(`${dir}/operator.pem`, "not ours\n", 0o600)
  const layer = CertificateFiles.Default.pipe(
    Layer.provide(Layer.mergeAll(fs.layer(), Layer.succeed(CertificateFilesConfig, { dir }))),
  )
  return { fs, layer }
}

const Specs = FastCheck.array(
  Arbitrary.make(TenantSpec).filter((s) => s.webroots.length < 3 && s.ssh_keys.length < 2),
  { maxLength: 3 },
)
const files = (specs: ReadonlyArray<TenantSpec>) => specs.flatMap((s) => planTenantCertificates(layout, s))

describe("CertificateFiles", () => {
  it.effect.prop(
    "write and prune, then plan again: no changes; keys are 0600, other files untouched",
    [Specs, Specs],
    ([before, after]) => {
      const { fs, layer } = node()
      return Effect.gen(function* () {
        const m = yield* CertificateFiles
        yield* m.write(files(before), "")
        yield* m.prune(files(before), "")
        const planned = yield* m.plan(files(after), "")
        expect(yield* m.write(files(after), "")).toEqual(planned.written)
        expect(yield* m.prune(files(after), "")).toEqual(planned.removed)
        expect(yield* m.plan(files(after), "")).toEqual({ written: [], removed: [] })
        for (const f of files(after)) {
          expect(fs.read(`${dir}/${f.file}`)).toBe(f.content)
          expect(fs.entries.get(`${dir}/${f.file}`)!.mode).toBe(f.file.endsWith(".key") ? 0o600 : 0o644)
        }
        expect(fs.entries.get(dir)!.mode).toBe(0o700)
        expect(fs.read(`${dir}/operator.pem`)).toBe("not ours\n")
      }).pipe(Effect.provide(layer))
    },
    { fastCheck: { numRuns: 30 } },
  )

  it.effect("a tenant's scope: its files only; nothing is removed until prune", () => {
    const { fs, layer } = node()
    const pem = (s: string) => `-----BEGIN ${s}-----\nAAAA\n-----END ${s}-----\n`
    const spec = (name: string, host: string) =>
      Schema.decodeUnknownSync(TenantSpec)({
        name,
        suspended: false,
        webroots: [],
        ssh_keys: [],
        certificates: [{ hostname: host, certificate_pem: pem("CERTIFICATE"), private_key_pem: pem("PRIVATE KEY") }],
      })
    const a = spec("t_aaaaaaaaaa", "a.example.com")
    const b = spec("t_bbbbbbbbbb", "b.example.com")
    return Effect.gen(function* () {
      const m = yield* CertificateFiles
      expect(yield* m.write(files([a, b]), "")).toEqual([
        "x_t_aaaaaaaaaa.a.example.com.crt",
        "x_t_aaaaaaaaaa.a.example.com.key",
        "x_t_bbbbbbbbbb.b.example.com.crt",
        "x_t_bbbbbbbbbb.b.example.com.key",
      ])
      const scope = tenantCertPrefix("x_t_aaaaaaaaaa")
      expect(yield* m.write([], scope)).toEqual([])
      expect(fs.list(dir)).toHaveLength(5)
      expect(yield* m.plan([], scope)).toEqual({
        written: [],
        removed: ["x_t_aaaaaaaaaa.a.example.com.crt", "x_t_aaaaaaaaaa.a.example.com.key"],
      })
      expect(yield* m.prune([], scope)).toEqual([
        "x_t_aaaaaaaaaa.a.example.com.crt",
        "x_t_aaaaaaaaaa.a.example.com.key",
      ])
      expect(fs.list(dir)).toEqual([
        "operator.pem",
        "x_t_bbbbbbbbbb.b.example.com.crt",
        "x_t_bbbbbbbbbb.b.example.com.key",
      ])
    }).pipe(Effect.provide(layer))
  })
})
