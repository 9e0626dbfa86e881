#!/usr/bin/env bash
# Installs the Temporal CLI (dev server) when it is not on PATH. Built from source with
# `go install` because nothing may download a prebuilt binary; v1.5.1 is the newest tag whose
# go.mod has no replace directive (later tags cannot be installed with `go install …@version`).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPORAL_BIN_DIR=${TEMPORAL_BIN_DIR:-/usr/local/bin}
if command -v temporal >/dev/null 2>&1; then exit 0; fi
[ -x "$TEMPORAL_BIN_DIR/temporal" ] && exit 0
command -v go >/dev/null 2>&1 || apt_install golang-go
start=$SECONDS
for version in v1.5.1 v1.4.1 v1.3.0; do
  log "building Temporal CLI $version with go install (takes a few minutes on 2 cores)"
  if GOBIN="$TEMPORAL_BIN_DIR" GOFLAGS=-buildvcs=false go install "github.com/temporalio/cli/cmd/temporal@$version"; then
    log "Temporal CLI $version installed in $TEMPORAL_BIN_DIR after $((SECONDS - start)) s"
    exit 0
  fi
done
die "could not build the Temporal CLI from the Go module proxy"
