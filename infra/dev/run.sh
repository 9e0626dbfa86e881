#!/usr/bin/env bash
# `npm run dev`: set up what is missing, build, then run the single-box platform.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
bash infra/dev/setup.sh
# the launcher starts every process with its own node binary: they all run on the project's Node
use_project_node
exec node hosts/dev/dist/main.js
