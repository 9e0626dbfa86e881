import { HttpApiMiddleware, HttpApiSecurity, OpenApi } from "@effect/platform"
import { Context, Schema } from "effect"
import type { Principal } from "../families/access/domain-api-key.js"
import {
  DecodeErrorEnvelope,
  ForbiddenError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnauthorizedError,
  UnavailableError,
} from "./errors.js"

/** The caller of the current request, provided by the Authorization middleware. */
export class CurrentPrincipal extends Context.Tag("@hosting/CurrentPrincipal")<CurrentPrincipal, Principal>() {}

/**
 * API-key authentication and authorization: every /api/v1 route requires an `X-API-Key` header,
 * and the key must carry the scope (and brand access) the endpoint declares.
 */
export class Authorization extends HttpApiMiddleware.Tag<Authorization>()("Authorization", {
  // Besides 401/403: a body over the endpoint's limit (413) or nested too deep (400), repeated
  // failed keys from one address (429), and an audit log that cannot be written (503: the
  // mutation is not carried out unaudited).
  failure: Schema.Union(
    UnauthorizedError,
    ForbiddenError,
    PayloadTooLargeError,
    DecodeErrorEnvelope,
    TooManyRequestsError,
    UnavailableError,
  ),
  provides: CurrentPrincipal,
  security: {
    apiKey: HttpApiSecurity.apiKey({ key: "X-API-Key", in: "header" }).pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "API key created with POST /api/v1/api-keys (shown once)"),
    ),
  },
}) {}

/**
 * The `resource:action` scope an endpoint requires, declared on the endpoint in the contract so
 * the server enforces it and the scope-matrix test can read it.
 */
export class RequiredScope extends Context.Tag("@hosting/RequiredScope")<RequiredScope, string>() {}

/**
 * Marks an endpoint whose effect a client should confirm before calling it: it stops, moves or
 * replaces something (suspend, migrate, a PUT that replaces a whole list). Clients (MCP tool
 * hints, hostctl's confirmation) read it; without it, only DELETE counts as destructive.
 */
export class Destructive extends Context.Tag("@hosting/Destructive")<Destructive, boolean>() {}

/** Marks an endpoint as touching platform resources: only platform-admin keys (brands `*`) may call it. */
export class PlatformOnly extends Context.Tag("@hosting/PlatformOnly")<PlatformOnly, boolean>() {}

/**
 * The largest request body an endpoint accepts, in bytes, when it differs from the API's
 * default (HOSTING_MAX_BODY_BYTES); enforced while the body streams in, before it is parsed.
 */
export class MaxBodyBytes extends Context.Tag("@hosting/MaxBodyBytes")<MaxBodyBytes, number>() {}

/**
 * The domains an MCP server groups its tools by; a server can be limited to some of them
 * (HOSTING_MCP_GROUPS), so an agent sees only the tools it needs.
 */
export const TOOL_DOMAINS = [
  "infrastructure",
  "platform",
  "tenants",
  "web",
  "databases",
  "dns",
  "email",
  "storage",
] as const

/** One of {@link TOOL_DOMAINS}. */
export type ToolDomainName = (typeof TOOL_DOMAINS)[number]

/**
 * The tool domain of a contract group, declared on the group in its family's contract (so a new
 * family places its tools where it is defined, not in a table of the MCP host's).
 */
export class ToolDomain extends Context.Tag("@hosting/ToolDomain")<ToolDomain, ToolDomainName>() {}
