#!/usr/bin/env bash
# Regenerates the TypeScript wire types from proto/ with protons.
#
#   scripts/gen-proto.sh            write src/pb/agentmesh.ts (and the test
#                                   collector's test/helpers/otlp/otlp-trace.ts)
#   scripts/gen-proto.sh OUT_DIR    write OUT_DIR/agentmesh.ts instead
#   scripts/gen-proto.sh --check    regenerate both into a temporary directory and
#                                   fail (exit 1, with a diff) if either drifted
#
# Runs protons on the project's pinned Node (node_modules/.bin/node), never
# the system one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node="$root/node_modules/.bin/node"
protons="$root/node_modules/protons/dist/bin/protons.js"
protos=("$root/proto/agentmesh.proto")
committed="$root/src/pb"

generate() {
  mkdir -p "$1"
  for proto in "${protos[@]}"; do
    "$node" "$protons" --strict --output "$1" "$proto"
  done
}

# Test-only: the OTLP trace request the stand-in collector decodes; generated beside its .proto.
otlp_proto="$root/test/helpers/otlp/otlp-trace.proto"
otlp_dir="$root/test/helpers/otlp"

if [[ "${1:-}" == "--check" ]]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  generate "$tmp"
  mkdir -p "$tmp/otlp"
  "$node" "$protons" --strict --output "$tmp/otlp" "$otlp_proto"
  status=0
  for proto in "${protos[@]}"; do
    name="$(basename "$proto" .proto).ts"
    if ! diff -u "$committed/$name" "$tmp/$name"; then
      echo "src/pb/$name is out of date: run scripts/gen-proto.sh and commit the result" >&2
      status=1
    fi
  done
  if ! diff -u "$otlp_dir/otlp-trace.ts" "$tmp/otlp/otlp-trace.ts"; then
    echo "test/helpers/otlp/otlp-trace.ts is out of date: run scripts/gen-proto.sh and commit the result" >&2
    status=1
  fi
  exit "$status"
fi

generate "${1:-$committed}"
if [[ -z "${1:-}" ]]; then
  "$node" "$protons" --strict --output "$otlp_dir" "$otlp_proto"
fi
