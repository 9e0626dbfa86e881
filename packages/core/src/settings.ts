import { Config, ConfigError, ConfigProvider, Effect, Either } from "effect"

/**
 * Settings are read one way in every process (API, control-plane worker, agent, launcher):
 * Effect `Config` descriptors with their defaults and validation next to the name, secrets as
 * `Redacted`. The ones several processes share are declared once here; each process combines
 * them with its own. The README's settings table lists every name (a test keeps them in step).
 */

/** Where Temporal is and which namespace to use: API, worker and agent. */
export const TemporalSettings = Config.all({
  address: Config.string("HOSTING_TEMPORAL_ADDRESS").pipe(Config.withDefault("127.0.0.1:7233")),
  namespace: Config.string("HOSTING_TEMPORAL_NAMESPACE").pipe(Config.withDefault("default")),
})

/** The control plane's PostgreSQL: API and worker. */
export const DatabaseUrlSetting = Config.redacted("HOSTING_DATABASE_URL")

/** An integer in [min, max], or `fallback` when unset. */
export const intSetting = (name: string, fallback: number, min: number, max: number) =>
  Config.integer(name).pipe(
    Config.validate({
      message: `${name}: must be an integer in ${min}..${max}`,
      validation: (n) => n >= min && n <= max,
    }),
    Config.withDefault(fallback),
  )

/** A TCP/UDP port, or `fallback` when unset. */
export const portSetting = (name: string, fallback: number) => intSetting(name, fallback, 1, 65535)

/**
 * An absolute path of plain segments (`[A-Za-z0-9._-]`), since these paths go into daemon
 * configs and command arguments; `fallback` when unset.
 */
export const pathSetting = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.withDefault(fallback),
    Config.validate({
      message: `${name}: must be an absolute path of letters, digits, '.', '_' and '-'`,
      validation: (p) => /^(\/[A-Za-z0-9._-]+)+$/.test(p),
    }),
  )

/** A string with a fallback, checked against a pattern. */
export const stringSetting = (name: string, fallback: string, pattern?: { re: RegExp; message: string }) =>
  pattern === undefined
    ? Config.string(name).pipe(Config.withDefault(fallback))
    : Config.string(name).pipe(
        Config.withDefault(fallback),
        Config.validate({ message: `${name}: ${pattern.message}`, validation: (s) => pattern.re.test(s) }),
      )

/**
 * Reads settings from an explicit environment (a test's, a child process's) instead of the
 * process's own; an empty value counts as unset. Throws one readable error naming every
 * variable that is wrong.
 */
export const readSettings = <A>(config: Config.Config<A>, env: Readonly<Record<string, string | undefined>>): A => {
  const map = new Map(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""))
  const result = Effect.runSync(Effect.either(Effect.withConfigProvider(config, ConfigProvider.fromMap(map))))
  return Either.getOrThrowWith(result, (e) => new Error(`invalid settings: ${describeConfigError(e)}`))
}

/**
 * `NAME: why` for every failing variable of a ConfigError, joined. (A validation applied
 * after a default has no path of its own, so the descriptors put the name in their messages.)
 */
const at = (path: ReadonlyArray<string>, message: string) => {
  const name = path.join(".")
  return name === "" || message.startsWith(`${name}:`) ? message : `${name}: ${message}`
}

export const describeConfigError = (e: ConfigError.ConfigError): string =>
  ConfigError.reduceWithContext(e, undefined, {
    andCase: (_, l: string, r: string) => `${l}; ${r}`,
    orCase: (_, l: string, r: string) => `${l}; ${r}`,
    invalidDataCase: (_, path, message) => at(path, message),
    // (a secret's own message is redacted, so say it plainly)
    missingDataCase: (_, path) => at(path, "is not set"),
    sourceUnavailableCase: (_, path, message) => at(path, message),
    unsupportedCase: (_, path, message) => at(path, message),
  })
