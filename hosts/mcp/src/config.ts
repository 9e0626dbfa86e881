// Settings of the two entry points, read from the environment by each entry's main.
import { Config } from "effect"
import { DOMAINS, parseDomains } from "./domains.js"

/** `HOSTING_API_URL`: the API the tools call. */
export const ApiUrlConfig = Config.string("HOSTING_API_URL").pipe(Config.withDefault("http://127.0.0.1:8080"))

/** `HOSTING_MCP_GROUPS`: comma-separated domains whose tools are offered; all by default. */
export const GroupsConfig = Config.string("HOSTING_MCP_GROUPS").pipe(
  Config.mapAttempt(parseDomains),
  Config.withDefault(DOMAINS),
)

/** Settings of the stdio server: one client, whose key comes from `HOSTING_API_KEY`. */
export const StdioConfig = Config.all({
  apiUrl: ApiUrlConfig,
  apiKey: Config.option(Config.redacted("HOSTING_API_KEY")),
  groups: GroupsConfig,
})

/** Settings of the HTTP server: each request brings its own key. */
export const HttpConfig = Config.all({
  apiUrl: ApiUrlConfig,
  groups: GroupsConfig,
  host: Config.string("HOSTING_MCP_HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.port("HOSTING_MCP_PORT").pipe(Config.withDefault(8090)),
})
