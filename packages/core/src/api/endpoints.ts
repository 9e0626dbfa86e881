import { HttpApiEndpoint, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { ResourceStatus } from "../domain/lifecycle.js"
import { listParams, Page } from "../domain/list.js"
import { RequiredScope } from "./security.js"

/**
 * Building blocks of resource groups: the same list/get/create/update/delete shapes, status
 * codes, errors and scope declarations for every resource, so a new resource is a few lines.
 */

/** `{ id }` path parameters. */
export const idPath = <S extends Schema.Schema.Any>(id: S) => Schema.Struct({ id })

/** GET list with paging, search and sort (and `status` where the resource has a lifecycle). */
export const listEndpoint = <const Name extends string, const Path extends HttpApiEndpoint.PathSegment, A, I>(
  name: Name,
  path: Path,
  item: Schema.Schema<A, I>,
  options: {
    readonly summary: string
    readonly scope: string
    readonly sort: ReadonlyArray<string>
    readonly withStatus?: boolean
  },
) =>
  HttpApiEndpoint.get(name, path)
    .setUrlParams(
      options.withStatus
        ? Schema.Struct({ ...listParams(options.sort).fields, status: Schema.optional(ResourceStatus) })
        : listParams(options.sort),
    )
    .addSuccess(Page(item))
    .annotate(OpenApi.Summary, options.summary)
    .annotate(RequiredScope, options.scope)

/** 204 with no body, for deletes. */
export const NoContent = HttpApiSchema.NoContent
