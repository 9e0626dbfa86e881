#!/usr/bin/env bash
# `npm test`: install what is missing, build (the type check), lint and format check, then every
# suite: unit, property and real-service integration. Extra arguments go to vitest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
start=$SECONDS
bash infra/dev/setup.sh
use_project_node
log "lint and format check (biome)"
npx biome check .
log "tests (vitest)"
mkdir -p build
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json=build/vitest-results.json "$@"
rc=$?
set -e
# One plain summary line that CI reads whatever the runner: "N passed, N failed".
node -e 'const r = JSON.parse(require("fs").readFileSync("build/vitest-results.json", "utf8")); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' || true
[ "$rc" = 0 ] || exit "$rc"
log "npm test finished in $((SECONDS - start)) s"
