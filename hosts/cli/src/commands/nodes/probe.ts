import { createClient, type NodeProbe } from "@hosting/sdk"
import { Args, Command, Flags } from "@oclif/core"

/** Round trip to a node's agent through the platform; waits for the result unless told not to. */
export default class NodesProbe extends Command {
  static override description = "Probe a node: the API starts a workflow that asks the node's agent for its facts"
  static override enableJsonFlag = true
  static override examples = [
    "<%= config.bin %> nodes probe 2b0c…",
    "<%= config.bin %> nodes probe 2b0c… --no-wait --json",
  ]
  static override args = { node: Args.string({ description: "node id (UUID)", required: true }) }
  static override flags = {
    wait: Flags.boolean({ description: "wait until the probe is active or failed", default: true, allowNo: true }),
    timeout: Flags.integer({ description: "seconds to wait", default: 120, min: 1 }),
  }

  async run(): Promise<NodeProbe> {
    const { args, flags } = await this.parse(NodesProbe)
    const apiKey = process.env["HOSTING_API_KEY"]
    const client = createClient({
      baseUrl: process.env["HOSTING_API_URL"] ?? "http://127.0.0.1:8080",
      ...(apiKey === undefined ? {} : { apiKey }),
    })
    let probe = await client.nodes
      .probe({ path: { id: args.node as NodeProbe["node_id"] } })
      .catch((e) => this.apiError(e))
    const deadline = Date.now() + flags.timeout * 1000
    while (flags.wait && (probe.status === "pending" || probe.status === "provisioning")) {
      if (Date.now() > deadline)
        this.error(`probe ${probe.id} still ${probe.status} after ${flags.timeout} s`, { exit: 3 })
      await new Promise((r) => setTimeout(r, 250))
      probe = await client.nodes.getProbe({ path: { id: probe.id } }).catch((e) => this.apiError(e))
    }
    if (probe.status === "failed") {
      if (!this.jsonEnabled()) this.error(`probe failed: ${probe.status_message}`, { exit: 3 })
      process.exitCode = 3
    }
    this.log(
      `${probe.status}\t${probe.id}${probe.facts ? `\t${probe.facts.hostname} ${probe.facts.platform} agent ${probe.facts.agent_version}` : ""}`,
    )
    return probe
  }

  private apiError(e: unknown): never {
    const err = e as { _tag?: string; message?: string }
    this.error(`${err._tag ?? "Error"}: ${err.message ?? String(e)}`, { exit: 2 })
  }
}
