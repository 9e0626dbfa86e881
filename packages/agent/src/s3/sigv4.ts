import { createHash, createHmac } from "node:crypto"

// The few S3 calls radosgw-admin cannot make (create a bucket, read and write its policy), signed
// with AWS Signature V4 as the bucket's owner. Small enough to write out rather than pull an SDK
// into the agent: one bucket-level request with a short body.

const sha256 = (data: string) => createHash("sha256").update(data, "utf8").digest("hex")
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest()

/** One answer of RGW. */
export interface S3Answer {
  readonly status: number
  readonly body: string
}

/**
 * A signed S3 request on a bucket (path style). `subresource` is a bare query flag such as
 * `policy`; bucket names are S3 names ([a-z0-9.-]), so the path needs no escaping.
 */
export const s3Request = async (o: {
  readonly endpoint: string
  readonly region: string
  readonly accessKey: string
  readonly secretKey: string
  readonly method: "GET" | "PUT" | "DELETE"
  readonly bucket: string
  readonly subresource?: string
  readonly body?: string
}): Promise<S3Answer> => {
  if (!/^[a-z0-9.-]{3,63}$/.test(o.bucket)) throw new Error(`not an S3 bucket name: ${o.bucket}`)
  const url = new URL(`/${o.bucket}${o.subresource === undefined ? "" : `?${o.subresource}`}`, o.endpoint)
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "")
  const day = amzDate.slice(0, 8)
  const body = o.body ?? ""
  const payloadHash = sha256(body)
  const signedHeaders = "host;x-amz-content-sha256;x-amz-date"
  const canonical = [
    o.method,
    `/${o.bucket}`,
    o.subresource === undefined ? "" : `${o.subresource}=`,
    `host:${url.host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${amzDate}\n`,
    signedHeaders,
    payloadHash,
  ].join("\n")
  const scope = `${day}/${o.region}/s3/aws4_request`
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n")
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${o.secretKey}`, day), o.region), "s3"), "aws4_request")
  const signature = createHmac("sha256", signingKey).update(toSign, "utf8").digest("hex")
  const res = await fetch(url, {
    method: o.method,
    headers: {
      "x-amz-date": amzDate,
      "x-amz-content-sha256": payloadHash,
      authorization: `AWS4-HMAC-SHA256 Credential=${o.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      ...(o.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(o.body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(30_000),
  })
  return { status: res.status, body: await res.text() }
}

/** The `<Code>` of an S3 error document, or the status when there is none. */
export const s3ErrorCode = (a: S3Answer): string => /<Code>([^<]*)<\/Code>/.exec(a.body)?.[1] ?? String(a.status)
