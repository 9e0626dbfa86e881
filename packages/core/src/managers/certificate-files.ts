import { FileSystem } from "@effect/platform"
import { Context, Data, Effect } from "effect"
import type { PlannedFile } from "../families/tenancy/plan-layout.js"
import { applyOwnedFiles, diffOwnedFiles, type FileChanges } from "./owned-files.js"

/** Where nginx's TLS certificates and keys live on this node. */
export class CertificateFilesConfig extends Context.Tag("@hosting/CertificateFilesConfig")<
  CertificateFilesConfig,
  {
    /** Root-owned 0700 directory of `{user}.{hostname}.crt|.key` files. */
    readonly dir: string
  }
>() {}

/** The certificate directory could not be read or written. */
export class CertificateFilesUnavailable extends Data.TaggedError("CertificateFilesUnavailable")<{
  readonly message: string
}> {}

const isKey = (f: string) => f.endsWith(".key")
const owned = (scope: string) => (f: string) => f.startsWith(scope) && /\.(crt|key)$/.test(f)

/**
 * Certificate and key files nginx serves: `write` puts the planned ones in place (only those that
 * differ; keys 0600) before nginx is reloaded onto them, `prune` removes the scope's others once
 * nginx no longer names them. `plan` reports both without changing anything.
 */
export class CertificateFiles extends Effect.Service<CertificateFiles>()("@hosting/CertificateFiles", {
  effect: Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const { dir } = yield* CertificateFilesConfig
    const capabilities = yield* Effect.context<FileSystem.FileSystem>()
    const unavailable = (e: { readonly message: string }) => new CertificateFilesUnavailable({ message: e.message })
    const diff = (planned: ReadonlyArray<PlannedFile>, scope: string) => diffOwnedFiles(dir, planned, owned(scope))

    /** The files write and prune would change. */
    const plan = Effect.fn("CertificateFiles.plan")(
      function* (planned: ReadonlyArray<PlannedFile>, scope: string) {
        const { written, removed } = yield* diff(planned, scope)
        return { written, removed } satisfies FileChanges
      },
      Effect.mapError(unavailable),
      Effect.provide(capabilities),
    )

    /** Writes the planned files that differ; removes nothing. */
    const write = Effect.fn("CertificateFiles.write")(
      function* (planned: ReadonlyArray<PlannedFile>, scope: string) {
        yield* fs.makeDirectory(dir, { recursive: true, mode: 0o700 })
        yield* fs.chmod(dir, 0o700) // root-only: it holds private keys
        const d = yield* diff(planned, scope)
        yield* applyOwnedFiles({ ...d, removed: [] }, (f) => (isKey(f) ? 0o600 : 0o644))
        return d.written
      },
      Effect.mapError(unavailable),
      Effect.provide(capabilities),
    )

    /** Removes the scope's files that are not planned. */
    const prune = Effect.fn("CertificateFiles.prune")(
      function* (planned: ReadonlyArray<PlannedFile>, scope: string) {
        const d = yield* diff(planned, scope)
        yield* applyOwnedFiles({ ...d, written: [] }, () => 0o600)
        return d.removed
      },
      Effect.mapError(unavailable),
      Effect.provide(capabilities),
    )

    return { plan, write, prune } as const
  }),
}) {}
