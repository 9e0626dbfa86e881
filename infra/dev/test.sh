#!/usr/bin/env bash
# `npm test`: install what is missing, build (the type check), lint and format check, then every
# suite: unit, property and real-service integration. Extra arguments go to vitest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
start=$SECONDS
bash infra/dev/setup.sh
log "lint and format check (biome)"
npx biome check .
log "tests (vitest)"
npx vitest run "$@"
log "npm test finished in $((SECONDS - start)) s"
