import { HttpApiEndpoint } from "@effect/platform"
import type { Schema } from "effect"
import { idPath } from "./endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from "./errors.js"
import { type ChildFamily, errorsOf, type Family, familyEndpoints, type ListOptions } from "./resource.js"

/**
 * The families nodes apply (tenants, webroots, FQDNs, SSH keys, certificates, zones, DNS
 * records), declared once each: list (with `status`), create (202), get, update, delete (202),
 * retry and further async actions, with the standard statuses and errors. A group adds the ones
 * it offers, in its own order (see resource.ts).
 *
 * Errors: every endpoint with an id answers 404; every change 409 (the resource, or its parent,
 * is being deleted or is in the wrong state) and 503 (the workflow engine cannot be reached);
 * `invalidInput: true` adds 422 for payloads checked beyond their schema. A top-level family's
 * delete has no 409: deleting what is already being deleted is answered with the row.
 */

/** `InvalidInputError` when the option is on, else nothing (typed so the 422 shows in the client's errors only then). */
const ifValidated = <const V extends boolean | undefined>(v: V) =>
  (v === true ? InvalidInputError : false) as V extends true ? typeof InvalidInputError : false

/** `UnavailableError` for an async change, else nothing. */
const ifAsync = <const V extends boolean | undefined>(v: V) =>
  (v === true ? UnavailableError : false) as V extends true ? typeof UnavailableError : false

/** Options of an async create (POST on the collection, 202). */
export interface AsyncCreateOptions<
  Name extends string,
  P extends Schema.Schema.Any,
  V extends boolean | undefined,
  S extends Schema.Schema.Any = Schema.Schema.Any,
> {
  /** Endpoint name when not "create" (certificates: "upload"). */
  readonly name?: Name
  readonly summary: string
  readonly payload: P
  /** What it answers when not the resource (a new S3 access key with its secret, shown once). */
  readonly success?: S
  /** Whether the payload is checked beyond its schema (422). */
  readonly invalidInput?: V
}

/** Options of an update (PUT on the resource). */
export interface AsyncUpdateOptions<
  P extends Schema.Schema.Any,
  V extends boolean | undefined,
  Async extends boolean | undefined,
> {
  readonly summary: string
  readonly payload: P
  /** Whether nodes must apply the change (202 and 503), else it is answered at once (200). */
  readonly async?: Async
  /** Whether the payload is checked beyond its schema (422). */
  readonly invalidInput?: V
}

/** Presets shared by top-level and child async families. */
const asyncEndpoints = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment>(family: Family<A, I, IdA, Path>) => {
  const { createFrom, updateWith, deleteWith, list, ...endpoints } = familyEndpoints(family)
  return {
    ...endpoints,
    /** GET the collection, with paging, search, sort and `status`. */
    list: (options: Omit<ListOptions, "withStatus">) => list({ ...options, withStatus: true }),
    /** Completes a POST on the collection: 202 with the new resource in `pending`. */
    createFrom: <
      Name extends string,
      PathA,
      R,
      P extends Schema.Schema.Any,
      const V extends boolean | undefined,
      S extends Schema.Schema.Any = Schema.Schema<A, I, never>,
    >(
      post: HttpApiEndpoint.HttpApiEndpoint<Name, "POST", PathA, never, never, never, void, never, R>,
      options: AsyncCreateOptions<Name, P, V, S>,
    ) =>
      createFrom(post, 202, {
        summary: options.summary,
        payload: options.payload,
        ...(options.success === undefined ? {} : { success: options.success as S }),
        errors: errorsOf(NotFoundError, ConflictError, ifValidated(options.invalidInput), UnavailableError),
      }),
    /** PUT a change: 202 when nodes must apply it (`async: true`), else 200. */
    update: <
      P extends Schema.Schema.Any,
      const V extends boolean | undefined = false,
      const Async extends boolean | undefined = false,
    >(
      options: AsyncUpdateOptions<P, V, Async>,
    ) =>
      updateWith(options.async === true ? 202 : 200, {
        summary: options.summary,
        payload: options.payload,
        errors: errorsOf(NotFoundError, ConflictError, ifValidated(options.invalidInput), ifAsync(options.async)),
      }),
    /** DELETE with the given errors: 202 with the resource in `deleting`. */
    deleteWith: <const Errs extends ReadonlyArray<Schema.Schema.Any | false>>(summary: string, errors: Errs) =>
      deleteWith(summary, family.schema, 202, errors),
  }
}

/** A top-level async family (tenants, zones): its collection has no parent. */
export const asyncResource = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment>(
  family: Family<A, I, IdA, Path>,
) => {
  const { createFrom, deleteWith, ...endpoints } = asyncEndpoints(family)
  return {
    ...endpoints,
    /** POST to the collection: 202 with the new resource in `pending`. */
    create: <
      P extends Schema.Schema.Any,
      const V extends boolean | undefined = false,
      const Name extends string = "create",
      S extends Schema.Schema.Any = Schema.Schema<A, I, never>,
    >(
      options: AsyncCreateOptions<Name, P, V, S>,
    ) => createFrom(HttpApiEndpoint.post((options.name ?? "create") as Name, family.collection), options),
    /** DELETE: 202 with the resource in `deleting` (deleting it again is answered with the row, no 409). */
    delete: (summary: string) => deleteWith(summary, errorsOf(NotFoundError, UnavailableError)),
  }
}

/** An async family under a parent: webroots and SSH keys of tenants, FQDNs of webroots, … */
export const asyncChildResource = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment, ParentA>(
  family: ChildFamily<A, I, IdA, Path, ParentA>,
) => {
  const { createFrom, deleteWith, list, ...endpoints } = asyncEndpoints(family)
  const parentParams = idPath(family.parent)
  return {
    ...endpoints,
    /** GET the parent's collection (404 for an unknown parent). */
    list: (options: Omit<ListOptions, "withStatus">) => list(options).setPath(parentParams).addError(NotFoundError),
    /** POST to the parent's collection: 202 with the new resource in `pending`. */
    create: <
      P extends Schema.Schema.Any,
      const V extends boolean | undefined = false,
      const Name extends string = "create",
      S extends Schema.Schema.Any = Schema.Schema<A, I, never>,
    >(
      options: AsyncCreateOptions<Name, P, V, S>,
    ) =>
      createFrom(
        HttpApiEndpoint.post((options.name ?? "create") as Name, family.collection).setPath(parentParams),
        options,
      ),
    /** DELETE: 202 with the resource in `deleting` (409 while its parent is being deleted). */
    delete: (summary: string) => deleteWith(summary, errorsOf(NotFoundError, ConflictError, UnavailableError)),
  }
}
