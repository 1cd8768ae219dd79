#!/usr/bin/env bash
# Benchmark of `mcpgen build` on the reference spec (not a timed test).
#
#   bash bench/build.sh [RUNS]
#
# Builds the release binary, then reports the whole-process median wall time of
#   mcpgen build fixtures/reference/service.yaml -o DIR
# (validation, the policy gate with the built-in pack, the Model for both environments, every
# target, and the atomic write of 2 x 26 files), and of the same build with --check against the
# written output (everything but the write). Medians over RUNS runs (default 21). Needs python3 (bench/median.py).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-21}"
cargo build --release --quiet
bin="$PWD/target/release/mcpgen"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

median() {
  python3 bench/median.py "$runs" "$@"
}

write=$(median "$bin" build fixtures/reference/service.yaml -o "$work/out")
check=$(median "$bin" build fixtures/reference/service.yaml -o "$work/out" --check)
echo "mcpgen build, reference spec, 2 environments, whole process (median of $runs): ${write} ms"
echo "mcpgen build --check against that output (median of $runs): ${check} ms"
