import { HttpApiError, HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import {
  Conflict,
  Forbidden,
  InvalidInput,
  NotFound,
  PayloadTooLarge,
  TooManyRequests,
  Unauthorized,
  Unavailable,
} from "../domain/errors.js"

type Details = { readonly [k: string]: unknown }
interface ErrorProps {
  readonly message: string
  readonly details?: Details | undefined
}
type ErrorClass<E> = Schema.Schema<E, any, never> & (new (props: ErrorProps) => E)

const envelopeStruct = (code: string) =>
  Schema.Struct({
    error: Schema.Struct({
      code: Schema.Literal(code),
      message: Schema.String,
      details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    }),
  })

/**
 * Wire form of a domain error: `{"error": {"code", "message", "details"?}}` with a stable code,
 * decoded back into the tagged error class on the client side.
 */
export const errorEnvelope = <E extends ErrorProps>(cls: ErrorClass<E>, code: string, status: number) =>
  Schema.transform(envelopeStruct(code), Schema.typeSchema(cls), {
    strict: true,
    decode: ({ error }) =>
      new cls(
        error.details === undefined ? { message: error.message } : { message: error.message, details: error.details },
      ),
    encode: (e) => ({
      error: e.details === undefined ? { code, message: e.message } : { code, message: e.message, details: e.details },
    }),
  }).annotations({ ...HttpApiSchema.annotations({ status }), identifier: `${cls.name || code}Error` })

/** 404 envelope. */
export const NotFoundError = errorEnvelope(NotFound, "not_found", 404)
/** 401 envelope. */
export const UnauthorizedError = errorEnvelope(Unauthorized, "unauthorized", 401)
/** 403 envelope. */
export const ForbiddenError = errorEnvelope(Forbidden, "forbidden", 403)
/** 409 envelope. */
export const ConflictError = errorEnvelope(Conflict, "conflict", 409)
/** 422 envelope. */
export const InvalidInputError = errorEnvelope(InvalidInput, "invalid_input", 422)
/** 413 envelope. */
export const PayloadTooLargeError = errorEnvelope(PayloadTooLarge, "payload_too_large", 413)
/** 429 envelope. */
export const TooManyRequestsError = errorEnvelope(TooManyRequests, "too_many_requests", 429)
/** 503 envelope. */
export const UnavailableError = errorEnvelope(Unavailable, "unavailable", 503)

/** One line per failing path (`body.name: Expected string`), instead of the schema tree. */
const summarizeIssues = (e: HttpApiError.HttpApiDecodeError): string =>
  e.issues.length === 0
    ? e.message
    : `invalid request: ${e.issues.map((i) => `${i.path.length === 0 ? "(root)" : i.path.join(".")}: ${i.message}`).join("; ")}`

/**
 * The framework's own request-decoding failure, re-shaped into the same envelope so every 4xx
 * a client sees has one format. `details.issues` lists each path that failed.
 */
export const DecodeErrorEnvelope = Schema.transform(
  envelopeStruct("invalid_request"),
  Schema.typeSchema(HttpApiError.HttpApiDecodeError),
  {
    strict: true,
    decode: ({ error }) =>
      new HttpApiError.HttpApiDecodeError({
        message: error.message,
        issues: Array.isArray(error.details?.["issues"]) ? (error.details["issues"] as any) : [],
      }),
    encode: (e) => ({
      error: { code: "invalid_request" as const, message: summarizeIssues(e), details: { issues: e.issues } },
    }),
  },
).annotations({
  ...HttpApiSchema.annotations({ status: 400, description: "The request did not match the expected schema" }),
  identifier: "InvalidRequestError",
})
