import { Args, Flags } from "@oclif/core"
import { EXIT_PROVISIONING_FAILED, HostingCommand, waitForStatus } from "../base.js"

/** Converges one shard and waits for the outcome, or with --plan shows what would change. */
export default class ConvergeShard extends HostingCommand {
  static override summary = "Converge a shard: ensure every node of it matches the database"
  static override args = { shard: Args.string({ description: "shard id", required: true }) }
  static override flags = {
    plan: Flags.boolean({ description: "only report the changes convergence would make" }),
    timeout: Flags.integer({ description: "seconds to wait", default: 600, min: 1 }),
  }

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(ConvergeShard)
    const client = await this.client(flags["api-url"])
    const id = args.shard as never
    const started = await this.call(client.shards.converge({ path: { id }, payload: { plan: flags.plan } }))
    if (flags.plan) {
      const changes = started.plan ?? []
      if (!this.jsonEnabled()) {
        this.log(
          changes.length === 0
            ? "no changes"
            : changes.map((c) => `${c.action} ${c.kind} ${c.target} on ${c.node_id}`).join("\n"),
        )
      }
      return started
    }
    const shard = await waitForStatus(
      () => this.call(client.shards.get({ path: { id } })),
      flags.timeout,
      (s) => this.logToStderr(`shard ${s.name}: ${s.status}`),
    ).catch((e) => this.error(String(e.message ?? e), { exit: EXIT_PROVISIONING_FAILED }))
    if (shard.status === "failed" && !this.jsonEnabled())
      this.error(`failed: ${shard.status_message}`, { exit: EXIT_PROVISIONING_FAILED })
    if (shard.status === "failed") process.exitCode = EXIT_PROVISIONING_FAILED
    return shard
  }
}
