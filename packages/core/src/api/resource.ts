import { HttpApiEndpoint, OpenApi } from "@effect/platform"
import type { Schema } from "effect"
import { idPath, listEndpoint, NoContent } from "./endpoints.js"
import { ConflictError, NotFoundError, UnavailableError } from "./errors.js"
import { RequiredScope } from "./security.js"

/**
 * One declaration per resource family: the family names its schema, its paths, its id and its
 * scope prefix once, and its endpoints come out with their `RequiredScope` (`<scope>:read` for
 * reads, `<scope>:write` for changes), path parameters, statuses and errors. A group adds the
 * ones it offers, in the order it wants them (the order of the OpenAPI paths), and declares
 * anything else by hand.
 *
 * `resource` / `childResource` are the synchronous families (brands, regions, clusters, shards,
 * nodes, API keys: create 201, delete 204, errors listed per endpoint);
 * `asyncResource` / `asyncChildResource` (async-resource.ts) are the families nodes apply, with
 * the standard async statuses and errors.
 */

/** A branded id schema, as carried in `{ id }` paths. */
export type IdSchema<A> = Schema.Schema<A, string, never>

/** Error schemas to add in order; `false` entries (options that are off) add nothing. */
type Errors = ReadonlyArray<Schema.Schema.Any | false>

/** The errors to add, in order; `false` entries (options that are off) are left out. */
export const errorsOf = <const Errs extends Errors>(...errs: Errs) => errs

/** The error types a list of error schemas adds. */
type ErrorsOf<Errs extends Errors> = Schema.Schema.Type<Exclude<Errs[number], false>>

/** Adds error responses in order (a `false` entry adds nothing). */
export const withErrors = <E extends HttpApiEndpoint.HttpApiEndpoint.Any, const Errs extends Errors>(
  endpoint: E,
  errors: Errs,
): HttpApiEndpoint.HttpApiEndpoint.AddError<E, ErrorsOf<Errs>, never> =>
  // the endpoint's type parameters are only accumulated here, one error at a time, which
  // TypeScript cannot follow through a loop
  errors.reduce<any>((e, s) => (s === false ? e : e.addError(s)), endpoint)

/** What every resource family declares once. */
export interface Family<A, I, IdA, Path extends HttpApiEndpoint.PathSegment> {
  /** Singular noun for generated summaries ("webroot", "FQDN"). */
  readonly name: string
  /** Its indefinite article ("an" for "an FQDN"); "a" by default. */
  readonly article?: "a" | "an"
  /** Scope prefix: reads need `<scope>:read`, changes `<scope>:write`. */
  readonly scope: string
  /** The resource as answered. */
  readonly schema: Schema.Schema<A, I, never>
  /** The collection: `/tenants`, or under the parent, `/tenants/:id/webroots`. */
  readonly collection: HttpApiEndpoint.PathSegment
  /** The resource's own path, `/webroots/:id`. */
  readonly path: Path
  /** Its branded id. */
  readonly id: IdSchema<IdA>
}

/** A family under a parent resource (webroots under tenants, shards under clusters). */
export interface ChildFamily<A, I, IdA, Path extends HttpApiEndpoint.PathSegment, ParentA>
  extends Family<A, I, IdA, Path> {
  /** The parent's branded id, the `:id` of `collection`. */
  readonly parent: IdSchema<ParentA>
}

/** Options of a list endpoint. */
export interface ListOptions {
  readonly summary: string
  readonly sort: ReadonlyArray<string>
  /** Whether the resource has a lifecycle `status` to filter on. */
  readonly withStatus?: boolean
}

/** A POST on the collection before its payload, success and errors (with or without the parent's path). */
export type CollectionPost<Name extends string, Path, R> = HttpApiEndpoint.HttpApiEndpoint<
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

/** Options of a create endpoint. */
export interface CreateOptions<Name extends string, P extends Schema.Schema.Any, S, Errs> {
  /** Endpoint name when not "create" (certificates: "upload"). */
  readonly name?: Name
  readonly summary: string
  readonly payload: P
  /** What it answers when not the resource (a new API key with its secret). */
  readonly success?: S
  readonly errors: Errs
}

/** Options of an update endpoint (PUT on the resource). */
export interface UpdateOptions<P extends Schema.Schema.Any, Errs> {
  readonly summary: string
  readonly payload: P
  readonly errors: Errs
}

/** The endpoints of a family, with the statuses and errors left to the presets. */
export const familyEndpoints = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment>(
  family: Family<A, I, IdA, Path>,
) => {
  const idParams = idPath(family.id)
  const read = `${family.scope}:read`
  const write = `${family.scope}:write`

  /**
   * POST `<path><suffix>`: an async operation on the resource, 202 with it (retry, suspend…), or
   * with `success` when it answers another resource (an FQDN's issuance answers the FQDN).
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
    /** GET the collection, with paging, search and sort. */
    list: (options: ListOptions) => listEndpoint("list", family.collection, family.schema, { ...options, scope: read }),

    /** Completes a POST on the collection with its payload, success status and errors. */
    createFrom: <
      Name extends string,
      PathA,
      R,
      P extends Schema.Schema.Any,
      const Errs extends Errors,
      S extends Schema.Schema.Any = Schema.Schema<A, I, never>,
    >(
      post: CollectionPost<Name, PathA, R>,
      status: number,
      options: CreateOptions<Name, P, S, Errs>,
    ) =>
      withErrors(
        post
          .annotate(OpenApi.Summary, options.summary)
          .setPayload(options.payload)
          .addSuccess((options.success ?? family.schema) as S, { status })
          .annotate(RequiredScope, write),
        options.errors,
      ),

    /** GET the resource ("Read a webroot" unless told otherwise). */
    get: (summary = `Read ${family.article ?? "a"} ${family.name}`) =>
      HttpApiEndpoint.get("get", family.path)
        .annotate(OpenApi.Summary, summary)
        .setPath(idParams)
        .addSuccess(family.schema)
        .addError(NotFoundError)
        .annotate(RequiredScope, read),

    /** PUT a change, answered with the resource (200, or 202 when nodes must apply it). */
    updateWith: <P extends Schema.Schema.Any, const Errs extends Errors>(
      status: 200 | 202,
      options: UpdateOptions<P, Errs>,
    ) =>
      withErrors(
        HttpApiEndpoint.put("update", family.path)
          .annotate(OpenApi.Summary, options.summary)
          .setPath(idParams)
          .setPayload(options.payload)
          .addSuccess(family.schema, status === 202 ? { status } : undefined)
          .annotate(RequiredScope, write),
        options.errors,
      ),

    /** DELETE answered with `success` (the resource in `deleting`, 202; or nothing, 204). */
    deleteWith: <S extends Schema.Schema.Any, const Errs extends Errors>(
      summary: string,
      success: S,
      status: number | undefined,
      errors: Errs,
    ) =>
      withErrors(
        HttpApiEndpoint.del("delete", family.path)
          .annotate(OpenApi.Summary, summary)
          .setPath(idParams)
          .addSuccess(success, status === undefined ? undefined : { status })
          .annotate(RequiredScope, write),
        errors,
      ),

    action,

    /** POST `<path>/retry`: re-run a failed resource (202); "Retry a failed webroot (async, 202)" by default. */
    retry: (summary = `Retry a failed ${family.name} (async, 202)`) => action("retry", "/retry", summary),

    /** The `<scope>:write` scope, for endpoints a group declares by hand. */
    write,
    /** The `<scope>:read` scope. */
    read,
  }
}

/** Presets of a synchronous family: create 201, update 200, delete 204, errors as listed. */
const syncEndpoints = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment>(family: Family<A, I, IdA, Path>) => {
  const { createFrom, updateWith, deleteWith, ...endpoints } = familyEndpoints(family)
  return {
    ...endpoints,
    createFrom,
    /** PUT a change, answered at once with the resource. */
    update: <P extends Schema.Schema.Any, const Errs extends Errors>(options: UpdateOptions<P, Errs>) =>
      updateWith(200, options),
    /** DELETE, answered with 204 and no body. */
    delete: <const Errs extends Errors>(options: { readonly summary: string; readonly errors: Errs }) =>
      deleteWith(options.summary, NoContent, undefined, options.errors),
  }
}

/** A top-level synchronous family (regions, brands, API keys). */
export const resource = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment>(
  family: Family<A, I, IdA, Path>,
) => {
  const { createFrom, ...endpoints } = syncEndpoints(family)
  return {
    ...endpoints,
    /** POST to the collection: 201 with the new resource. */
    create: <P extends Schema.Schema.Any, const Errs extends Errors, S extends Schema.Schema.Any = Schema.Schema<A, I>>(
      options: CreateOptions<"create", P, S, Errs>,
    ) => createFrom(HttpApiEndpoint.post("create", family.collection), 201, options),
  }
}

/** A synchronous family under a parent (clusters of regions; shards, nodes, LB addresses of clusters). */
export const childResource = <A, I, IdA, const Path extends HttpApiEndpoint.PathSegment, ParentA>(
  family: ChildFamily<A, I, IdA, Path, ParentA>,
) => {
  const { createFrom, list, ...endpoints } = syncEndpoints(family)
  const parentParams = idPath(family.parent)
  return {
    ...endpoints,
    /** GET the parent's collection (404 for an unknown parent). */
    list: (options: ListOptions) => list(options).setPath(parentParams).addError(NotFoundError),
    /** POST to the parent's collection: 201 with the new resource. */
    create: <P extends Schema.Schema.Any, const Errs extends Errors, S extends Schema.Schema.Any = Schema.Schema<A, I>>(
      options: CreateOptions<"create", P, S, Errs>,
    ) => createFrom(HttpApiEndpoint.post("create", family.collection).setPath(parentParams), 201, options),
  }
}
