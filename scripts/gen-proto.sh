#!/usr/bin/env bash
# Regenerates the TypeScript wire types from proto/ with protons.
#
#   scripts/gen-proto.sh            write src/pb/agentmesh.ts
#   scripts/gen-proto.sh OUT_DIR    write OUT_DIR/agentmesh.ts instead
#   scripts/gen-proto.sh --check    regenerate into a temporary directory and
#                                   fail (exit 1, with a diff) if src/pb/ drifted
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

if [[ "${1:-}" == "--check" ]]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  generate "$tmp"
  status=0
  for proto in "${protos[@]}"; do
    name="$(basename "$proto" .proto).ts"
    if ! diff -u "$committed/$name" "$tmp/$name"; then
      echo "src/pb/$name is out of date: run scripts/gen-proto.sh and commit the result" >&2
      status=1
    fi
  done
  exit "$status"
fi

generate "${1:-$committed}"
