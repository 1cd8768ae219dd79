#!/usr/bin/env bash
# Benchmark of `mcpgen check` with the whole built-in policy pack (not a timed test).
#
#   bash bench/check.sh [RUNS]
#
# Builds the release binary, then reports:
#   1. the whole-process median wall time of `mcpgen check` on the reference spec
#      (parse, schema, semantic checks, engine start-up with the embedded pack, policies for
#      the base and both environments, rendering);
#   2. the per-spec cost when 100 copies of the reference spec are checked in one call:
#      (median(100 specs) - median(1 spec)) / 99, which removes process and engine start-up.
# Medians over RUNS runs (default 21). Needs python3 (bench/median.py).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-21}"
cargo build --release --quiet
bin="$PWD/target/release/mcpgen"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for i in $(seq -w 1 100); do
  cp fixtures/reference/service.yaml "$work/service-$i.yaml"
done

median() {
  python3 bench/median.py "$runs" "$@"
}

one=$(median "$bin" check fixtures/reference/service.yaml)
hundred=$(median "$bin" check "$work"/service-*.yaml)
per=$(python3 -c "print(f'{($hundred - $one) / 99:.3f}')")
echo "mcpgen check, reference spec, whole process (median of $runs): ${one} ms"
echo "mcpgen check, 100 reference specs in one call (median of $runs): ${hundred} ms"
echo "per additional spec (3 variants each: base, staging, production): ${per} ms"
