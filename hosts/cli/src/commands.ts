// hostctl's command set (oclif "explicit" discovery): the resource commands generated from the
// contract, plus the workflow commands written by hand.
import type { Command } from "@oclif/core"
import ClusterApply from "./commands/cluster/apply.js"
import ConvergeShard from "./commands/converge-shard.js"
import Dev from "./commands/dev.js"
import Seed from "./commands/seed.js"
import { generatedCommands } from "./generated.js"

export const COMMANDS: Record<string, Command.Class> = {
  ...generatedCommands,
  "cluster:apply": ClusterApply,
  "converge-shard": ConvergeShard,
  dev: Dev,
  seed: Seed,
}
