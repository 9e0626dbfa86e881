import { Schema } from "effect"

const fields = {
  message: Schema.String,
  details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
}

/** The resource does not exist, or belongs to a brand the caller cannot see. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", fields) {}

/** No valid API key was presented. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", fields) {}

/** The key is valid but lacks the scope the operation requires. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", fields) {}

/** The request conflicts with existing state (duplicate name, wrong lifecycle state). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", fields) {}

/** The request is well-formed JSON but its values are not acceptable. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", fields) {}

/** A dependency (database, workflow engine) cannot serve the request right now. */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", fields) {}

/** The request body is larger than the endpoint accepts. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", fields) {}

/** Too many failed attempts from this client address; try again after `details.retry_after_seconds`. */
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()("TooManyRequests", fields) {}

/** Builds a NotFound for a resource type and id with a uniform message. */
export const notFound = (resource: string, id: string): NotFound =>
  new NotFound({ message: `${resource} ${id} not found`, details: { resource, id } })
