#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 60), seeded from the repository's fixtures.
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Builds without a
# sanitizer (`-s none`: mcpgen has no unsafe code; the targets look for panics, stack overflows,
# timeouts and memory blow-ups). Exits non-zero on the first crash; the input is left in
# fuzz/artifacts/<target>/ and belongs, once fixed, in fixtures/hostile/.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(yaml kdl check_pipeline build_pipeline)

rm -rf seeds && mkdir -p seeds/yaml seeds/kdl
i=0
while IFS= read -r -d '' f; do
  i=$((i + 1))
  case "$f" in
    *.kdl) cp "$f" "seeds/kdl/$i" ;;
    *) cp "$f" "seeds/yaml/$i" ;;
  esac
done < <(find ../fixtures ../../shared/specs -type f \( -name '*.yaml' -o -name '*.kdl' \) -size -200k -print0 2>/dev/null)

for t in "${targets[@]}"; do
  seeds=seeds/yaml
  [ "$t" = kdl ] && seeds=seeds/kdl
  mkdir -p "corpus/$t"
  cargo +nightly fuzz run -s none "$t" "corpus/$t" "$seeds" -- \
    -max_total_time="$secs" -max_len=16384 -dict=spec.dict -timeout=20 -rss_limit_mb=3072 -print_final_stats=1
done
