// Writes hosts/cli/commands.json from the contract (run by `npm run openapi`, after a build).
import { writeFileSync } from "node:fs"
import { MANIFEST_URL } from "./command-spec.js"
import { deriveCommandSpecs, renderManifest } from "./contract-commands.js"

const commands = deriveCommandSpecs()
writeFileSync(MANIFEST_URL, renderManifest(commands))
console.log(`wrote ${commands.length} commands to ${MANIFEST_URL.pathname}`)
