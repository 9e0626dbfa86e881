import { HttpApiEndpoint, OpenApi } from "@effect/platform"
import type { Schema } from "effect"
import { idPath, listEndpoint } from "./endpoints.js"
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from "./errors.js"
import { RequiredScope } from "./security.js"

/**
 * One declaration per async resource family (tenants, webroots, FQDNs, SSH keys, certificates,
 * zones, DNS records): the family names its schema, its paths, its ids and its scope once, and
 * its endpoints — list, create (202), get, update, delete (202), retry and further async
 * actions — come out with the standard status codes, errors and `RequiredScope`s. A group adds
 * the ones it offers, in the order it wants them (the order of the OpenAPI paths).
 *
 * Errors: every endpoint with an id answers 404; every change 409 (the resource, or its parent,
 * is being deleted or is in the wrong state) and 503 (the workflow engine cannot be reached);
 * `invalidInput: true` adds 422 for payloads checked beyond their schema. A top-level family's
 * delete has no 409: deleting what is already being deleted is answered with the row.
 */

/** A branded id schema, as carried in `{ id }` paths. */
type IdSchema<A> = Schema.Schema<A, string, never>

/** The errors to add, in order; `false` entries are left out. */
const errorsOf = <const Errs extends ReadonlyArray<Schema.Schema.Any | false>>(...errs: Errs) => errs

/** Adds error responses in order (a `false` entry, an option that is off, adds nothing). */
const withErrors = <
  E extends HttpApiEndpoint.HttpApiEndpoint.Any,
  const Errs extends ReadonlyArray<Schema.Schema.Any | false>,
>(
  endpoint: E,
  errors: Errs,
): HttpApiEndpoint.HttpApiEndpoint.AddError<E, Schema.Schema.Type<Exclude<Errs[number], false>>, never> =>
  // the endpoint's type parameters are only accumulated here, one error at a time, which
  // TypeScript cannot follow through a loop
  errors.reduce<any>((e, s) => (s === false ? e : e.addError(s)), endpoint)

/** `InvalidInputError` when the option is on, else nothing (typed so the 422 shows in the client's errors only then). */
const ifValidated = <const V extends boolean | undefined>(v: V) =>
  (v === true ? InvalidInputError : false) as V extends true ? typeof InvalidInputError : false

/** `UnavailableError` for an async change, else nothing. */
const ifAsync = <const V extends boolean | undefined>(v: V) =>
  (v === true ? UnavailableError : false) as V extends true ? typeof UnavailableError : false

/** What every async family declares once. */
export interface AsyncFamily<A, I, IdA, Path extends HttpApiEndpoint.PathSegment> {
  /** Singular noun for generated summaries ("webroot", "FQDN"). */
  readonly name: string
  /** Its indefinite article ("an" for "an FQDN"); "a" by default. */
  readonly article?: "a" | "an"
  /** Scope prefix: reads need `<scope>:read`, changes `<scope>:write`. */
  readonly scope: string
  /** The resource as answered. */
  readonly schema: Schema.Schema<A, I, never>
  /** The resource's own path, `/webroots/:id`. */
  readonly path: Path
  /** Its branded id. */
  readonly id: IdSchema<IdA>
}

/** An async family under a parent resource (webroots under tenants, records under zones). */
export interface AsyncChildFamily<A, I, IdA, Path extends HttpApiEndpoint.PathSegment, ParentA>
  extends AsyncFamily<A, I, IdA, Path> {
  /** The collection under the parent, `/tenants/:id/webroots`. */
  readonly collection: HttpApiEndpoint.PathSegment
  /** The parent's branded id, the `:id` of `collection`. */
  readonly parent: IdSchema<ParentA>
}

/** Options of a list endpoint. */
interface ListOptions {
  readonly summary: string
  readonly sort: ReadonlyArray<string>
}

/** Options of a create endpoint (POST on the collection, 202). */
interface CreateOptions<Name extends string, P extends Schema.Schema.Any, V extends boolean | undefined> {
  /** Endpoint name when not "create" (certificates: "upload"). */
  readonly name?: Name
  readonly summary: string
  readonly payload: P
  /** Whether the payload is checked beyond its schema (422). */
  readonly invalidInput?: V
}

/** Options of an update endpoint (PUT on the resource). */
interface UpdateOptions<P extends Schema.Schema.Any, V extends boolean | undefined, Async extends boolean | undefined> {
  readonly summary: string
  readonly payload: P
  /** Whether nodes must apply the change (202 and 503), else it is answered at once (200). */
  readonly async?: Async
  /** Whether the payload is checked beyond its schema (422). */
  readonly invalidInput?: V
}

/** A POST on the collection before its payload, success and errors (with or without the parent's path). */
type CollectionPost<Name extends string, Path, R> = HttpApiEndpoint.HttpApiEndpoint<
  Name,
  "POST",
  Path,
  never,
  never,
  never,
  void,
  never,
  R
>

/** Endpoints shared by top-level and child families; the builders below add the parent's path. */
const familyEndpoints = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment>(
  family: AsyncFamily<A, I, IdA, Path> & { readonly collection: HttpApiEndpoint.PathSegment },
) => {
  const idParams = idPath(family.id)
  const read = `${family.scope}:read`
  const write = `${family.scope}:write`

  /**
   * POST `<path><suffix>`: an async operation on the resource, 202 with it (retry, suspend…).
   * `success` when it answers another resource (an FQDN's certificate issuance answers the FQDN).
   */
  const action = <const Name extends string, S extends Schema.Schema.Any = Schema.Schema<A, I, never>>(
    name: Name,
    suffix: HttpApiEndpoint.PathSegment,
    summary: string,
    success?: S,
  ) =>
    withErrors(
      HttpApiEndpoint.post(name, `${family.path}${suffix}` as HttpApiEndpoint.PathSegment)
        .annotate(OpenApi.Summary, summary)
        .setPath(idParams)
        .addSuccess((success ?? family.schema) as S, { status: 202 })
        .annotate(RequiredScope, write),
      errorsOf(NotFoundError, ConflictError, UnavailableError),
    )

  return {
    /** GET the collection, with paging, search, sort and `status`. */
    list: (options: ListOptions) =>
      listEndpoint("list", family.collection, family.schema, {
        summary: options.summary,
        scope: read,
        sort: options.sort,
        withStatus: true,
      }),

    /** Completes a POST on the collection: 202 with the new resource in `pending`. */
    createFrom: <
      Name extends string,
      PathA,
      R,
      P extends Schema.Schema.Any,
      const V extends boolean | undefined = false,
    >(
      post: CollectionPost<Name, PathA, R>,
      options: CreateOptions<Name, P, V>,
    ) =>
      withErrors(
        post
          .annotate(OpenApi.Summary, options.summary)
          .setPayload(options.payload)
          .addSuccess(family.schema, { status: 202 })
          .annotate(RequiredScope, write),
        errorsOf(NotFoundError, ConflictError, ifValidated(options.invalidInput), UnavailableError),
      ),

    /** GET the resource ("Read a webroot" unless told otherwise). */
    get: (summary = `Read ${family.article ?? "a"} ${family.name}`) =>
      HttpApiEndpoint.get("get", family.path)
        .annotate(OpenApi.Summary, summary)
        .setPath(idParams)
        .addSuccess(family.schema)
        .addError(NotFoundError)
        .annotate(RequiredScope, read),

    /** PUT a change: 202 when nodes must apply it (`async: true`), else 200. */
    update: <
      P extends Schema.Schema.Any,
      const V extends boolean | undefined = false,
      const Async extends boolean | undefined = false,
    >(
      options: UpdateOptions<P, V, Async>,
    ) =>
      withErrors(
        HttpApiEndpoint.put("update", family.path)
          .annotate(OpenApi.Summary, options.summary)
          .setPath(idParams)
          .setPayload(options.payload)
          .addSuccess(family.schema, options.async === true ? { status: 202 } : undefined)
          .annotate(RequiredScope, write),
        errorsOf(NotFoundError, ConflictError, ifValidated(options.invalidInput), ifAsync(options.async)),
      ),

    /** DELETE with the given errors: 202 with the resource in `deleting`. */
    deleteWith: <const Errs extends ReadonlyArray<Schema.Schema.Any | false>>(summary: string, errors: Errs) =>
      withErrors(
        HttpApiEndpoint.del("delete", family.path)
          .annotate(OpenApi.Summary, summary)
          .setPath(idParams)
          .addSuccess(family.schema, { status: 202 })
          .annotate(RequiredScope, write),
        errors,
      ),

    action,

    /** POST `<path>/retry`: re-send a failed resource (202); "Retry a failed webroot (async, 202)" by default. */
    retry: (summary = `Retry a failed ${family.name} (async, 202)`) => action("retry", "/retry", summary),

    /** The `<scope>:write` scope, for endpoints a group declares by hand. */
    write,
    /** The `<scope>:read` scope. */
    read,
  }
}

/** A top-level async family (tenants, zones): its collection has no parent. */
export const asyncResource = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment>(
  family: AsyncFamily<A, I, IdA, Path> & { readonly collection: HttpApiEndpoint.PathSegment },
) => {
  const { createFrom, deleteWith, ...endpoints } = familyEndpoints(family)
  return {
    ...endpoints,
    /** POST to the collection: 202 with the new resource in `pending`. */
    create: <
      P extends Schema.Schema.Any,
      const V extends boolean | undefined = false,
      const Name extends string = "create",
    >(
      options: CreateOptions<Name, P, V>,
    ) => createFrom(HttpApiEndpoint.post((options.name ?? "create") as Name, family.collection), options),
    /** DELETE: 202 with the resource in `deleting` (deleting it again is answered with the row, no 409). */
    delete: (summary: string) => deleteWith(summary, errorsOf(NotFoundError, UnavailableError)),
  }
}

/** An async family under a parent: webroots and SSH keys of tenants, FQDNs of webroots, … */
export const asyncChildResource = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment, ParentA>(
  family: AsyncChildFamily<A, I, IdA, Path, ParentA>,
) => {
  const { createFrom, deleteWith, list, ...endpoints } = familyEndpoints(family)
  const parentParams = idPath(family.parent)
  return {
    ...endpoints,
    /** GET the parent's collection (404 for an unknown parent). */
    list: (options: ListOptions) => list(options).setPath(parentParams).addError(NotFoundError),
    /** POST to the parent's collection: 202 with the new resource in `pending`. */
    create: <
      P extends Schema.Schema.Any,
      const V extends boolean | undefined = false,
      const Name extends string = "create",
    >(
      options: CreateOptions<Name, P, V>,
    ) =>
      createFrom(
        HttpApiEndpoint.post((options.name ?? "create") as Name, family.collection).setPath(parentParams),
        options,
      ),
    /** DELETE: 202 with the resource in `deleting` (409 while its parent is being deleted). */
    delete: (summary: string) => deleteWith(summary, errorsOf(NotFoundError, ConflictError, UnavailableError)),
  }
}
