#!/usr/bin/env bash
# The figures of docs/performance.md for one mcpgen binary (not a timed test: nothing fails
# on a slow run).
#
#   bash bench/speed.sh [BIN] [RUNS]
#
# BIN defaults to target/release/mcpgen (build it first with `cargo build --release`). On a
# shared machine wall time is noise, so three figures are reported for each case:
#   instructions  valgrind --tool=callgrind instruction count of the whole process (exact and
#                 repeatable; only for the single-spec cases, it is slow);
#   user/sys/RSS  /usr/bin/time: CPU seconds (user, system) and peak resident memory;
#   wall          median of RUNS runs (default 5), with the load average beside it.
# Inputs are generated from the reference spec by bench/gen.py into a temporary directory:
# 1,000 distinct specs (three variants each, two environments built), and specs of 0.1, 1 and
# 10 MB (about 210 bytes per env variable) in YAML and KDL. MCPGEN_TIMINGS=1 shows where the
# time of one run goes.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-$PWD/target/release/mcpgen}"
runs="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 bench/gen.py specs 1000 "$work/specs" >/dev/null
for s in 1e5 1e6 1e7; do
  for f in yaml kdl; do
    python3 bench/gen.py large "$s" "$f" "$work/large-$s.$f" >/dev/null
  done
done

load() { cut -d' ' -f1-3 /proc/loadavg; }
cpu() {
  /usr/bin/time -f '%U %S %M' "$@" >/dev/null 2>"$work/time" || true
  tail -1 "$work/time" | awk '{printf "user %.2f s, sys %.2f s, peak RSS %.0f MiB", $1, $2, $3/1024}'
}
wall() { python3 bench/median.py "$runs" "$@"; }
instructions() {
  if command -v valgrind >/dev/null; then
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
      | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' | awk '{printf "%.1f M instructions", $1/1e6}'
  else
    echo "(no valgrind)"
  fi
}
report() {
  local name="$1"
  shift
  echo "$name: $(cpu "$@"); wall median $(wall "$@") ms (load $(load))"
}

echo "binary: $bin"
echo "--version: $(instructions "$bin" --version); $(cpu "$bin" --version); wall median $(wall "$bin" --version) ms"
echo "check reference: $(instructions "$bin" check fixtures/reference/service.yaml)"
report "check reference" "$bin" check fixtures/reference/service.yaml
report "check 1,000 specs" "$bin" check "$work/specs"
rm -rf "$work/out"
report "build 1,000 specs (check + build + write)" "$bin" build "$work/specs" -o "$work/out"
report "build --check 1,000 specs" "$bin" build "$work/specs" -o "$work/out" --check
for s in 1e5 1e6 1e7; do
  for f in yaml kdl; do
    bytes=$(wc -c <"$work/large-$s.$f")
    echo "check $f $bytes bytes: $(cpu "$bin" check "$work/large-$s.$f"); wall $( /usr/bin/time -f %e "$bin" check "$work/large-$s.$f" 2>&1 >/dev/null | tail -1) s (load $(load))"
  done
done
