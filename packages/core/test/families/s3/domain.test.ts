import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"
import { BucketSpec, platformBucket, S3BucketName, s3BucketName } from "../../../src/families/s3/domain.js"
import { parseUid, renderBucketPolicy } from "../../../src/families/s3/plan.js"

const decode = Schema.decodeUnknownEither(BucketSpec)
const ok = {
  tenant: "t_abc123def4",
  name: "s3_xyz789uvw0",
  public_read: false,
  quota: { max_size_bytes: 1_048_576, max_objects: 10 },
  keys: [{ access_key_id: "AKIA0123456789ABCDEF", secret: `${"a".repeat(38)}+/`, access: "read_only" }],
  suspended: false,
}

describe("s3 domain", () => {
  it("maps a platform bucket to an S3 name by S3's rules, and back", () => {
    expect(s3BucketName("t_abc123def4", "s3_xyz789uvw0")).toBe("t-abc123def4--s3-xyz789uvw0")
    expect(platformBucket("t-abc123def4--s3-xyz789uvw0")).toEqual({ tenant: "t_abc123def4", name: "s3_xyz789uvw0" })
    expect(platformBucket("photos")).toBeUndefined()
    expect(platformBucket("t-abc123def4--s3-xyz789uvw0x")).toBeUndefined()
    expect(() => s3BucketName("t_abc123def4", "../etc")).toThrow()
    const alnum = fc.stringMatching(/^[a-z0-9]{10}$/)
    void fc.assert(
      fc.property(alnum, alnum, (t, b) => {
        const s3 = s3BucketName(`t_${t}`, `s3_${b}`)
        expect(Schema.is(S3BucketName)(s3)).toBe(true)
        expect(platformBucket(s3)).toEqual({ tenant: `t_${t}`, name: `s3_${b}` })
      }),
    )
  })

  it("S3 bucket names follow S3's naming rules", () => {
    for (const good of ["abc", "my-bucket.logs", "a".repeat(63), "t-abc123def4--s3-xyz789uvw0"])
      expect(Schema.is(S3BucketName)(good)).toBe(true)
    for (const bad of [
      "ab",
      "a".repeat(64),
      "My-Bucket",
      "my_bucket",
      "-abc",
      "abc-",
      "a..b",
      "a.-b",
      "192.168.5.4",
      "xn--abc",
      "abc-s3alias",
      "a b",
    ])
      expect(Schema.is(S3BucketName)(bad)).toBe(false)
  })

  it("a spec decodes; every string outside its alphabet is refused", () => {
    expect(Either.isRight(decode(ok))).toBe(true)
    const bad: Array<Record<string, unknown>> = [
      { name: "s3_XYZ789UVW0" },
      { name: "s3_xyz789uvw" },
      { tenant: "t_abc123def4; rm -rf /" },
      { keys: [{ ...ok.keys[0], access_key_id: "akia0123456789abcdef" }] },
      { keys: [{ ...ok.keys[0], secret: `${"a".repeat(39)}"` }] },
      { keys: [{ ...ok.keys[0], access: "admin" }] },
      { keys: [ok.keys[0], ok.keys[0]] },
      { quota: { max_objects: 0 } },
      { quota: { max_size_bytes: 1.5 } },
      { quota: { max_size_bytes: -1 } },
    ]
    for (const b of bad) expect(Either.isLeft(decode({ ...ok, ...b })), JSON.stringify(b)).toBe(true)
  })

  it("a read-only key's grant holds no writing action; public reading is GetObject for anyone, not listing", () => {
    const policy = JSON.parse(renderBucketPolicy({ ...ok, public_read: true } as BucketSpec)!)
    const readOnly = policy.Statement.filter((s: { Sid: string }) => s.Sid.startsWith("read-only"))
    expect(readOnly.flatMap((s: { Action: Array<string> }) => s.Action).sort()).toEqual([
      "s3:GetBucketLocation",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:ListBucket",
      "s3:ListBucketVersions",
    ])
    expect(readOnly[0].Principal).toEqual({
      AWS: ["arn:aws:iam:::user/hp-t_abc123def4-s3_xyz789uvw0-AKIA0123456789ABCDEF"],
    })
    expect(policy.Statement.at(-1)).toEqual({
      Sid: "public-read",
      Effect: "Allow",
      Principal: "*",
      Action: ["s3:GetObject"],
      Resource: ["arn:aws:s3:::t-abc123def4--s3-xyz789uvw0/*"],
    })
    expect(renderBucketPolicy({ ...ok, keys: [] } as BucketSpec)).toBeUndefined()
  })

  it("only the platform's uids parse", () => {
    expect(parseUid("hp-t_abc123def4")).toEqual({ kind: "owner", tenant: "t_abc123def4" })
    expect(parseUid("hp-t_abc123def4-s3_xyz789uvw0-AKIA0123456789ABCDEF")).toEqual({
      kind: "key",
      tenant: "t_abc123def4",
      bucket: "s3_xyz789uvw0",
      accessKeyId: "AKIA0123456789ABCDEF",
    })
    for (const other of ["alice", "hp-admin", "hp-t_abc123def4-x", "xhp-t_abc123def4"])
      expect(parseUid(other)).toBeUndefined()
  })
})
