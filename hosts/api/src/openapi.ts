#!/usr/bin/env node
// Writes the OpenAPI document derived from the contract to docs/openapi.json (`npm run openapi`).
import { writeFileSync } from "node:fs"
import { OpenApi } from "@effect/platform"
import { HostingApi } from "@hosting/core/api"

const target = process.argv[2] ?? "docs/openapi.json"
writeFileSync(target, `${JSON.stringify(OpenApi.fromApi(HostingApi), null, 2)}\n`)
console.log(`wrote ${target}`)
