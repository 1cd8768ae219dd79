#!/usr/bin/env bash
# mcpgen against trivy config and checkov on the same work, in the same run (not a timed test).
#
#   bash bench/compare.sh [BIN] [RUNS]
#
# The work: mcpgen checks the reference spec with its whole policy pack; trivy and checkov
# scan the Kubernetes manifests, Dockerfile and compose file mcpgen generated for it (the
# closest equivalent they can do: they do not read the spec). Medians of RUNS whole-process
# runs (default 5), plus user CPU seconds. trivy comes from .ci/install-tools
# (~/.cache/mcpgen-tools/bin); checkov from PyPI (pip install checkov, or CHECKOV=path).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-$PWD/target/release/mcpgen}"
runs="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" build fixtures/reference/service.yaml -o "$work/out" >/dev/null
trivy="${TRIVY:-$HOME/.cache/mcpgen-tools/bin/trivy}"
checkov="${CHECKOV:-$(command -v checkov || true)}"
cpu() {
  /usr/bin/time -f '%U' "$@" >/dev/null 2>"$work/time" || true
  tail -1 "$work/time"
}
line() {
  local name="$1"
  shift
  local ms
  ms=$(python3 bench/median.py "$runs" "$@" 2>/dev/null || echo "failed")
  echo "$name: wall median $ms ms, user $(cpu "$@") s"
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
line "mcpgen check (reference spec, whole pack)" "$bin" check fixtures/reference/service.yaml
if [ -x "$trivy" ]; then
  # trivy exits 0 without --exit-code; the cache is local so no download happens per run.
  line "trivy config (generated outputs)" "$trivy" config --quiet --skip-check-update --skip-version-check --cache-dir "$work/trivy-cache" "$work/out/mcp-server/production"
else
  echo "trivy: not installed (run .ci/install-tools)"
fi
if [ -n "$checkov" ]; then
  line "checkov (generated outputs)" "$checkov" --quiet --compact -d "$work/out/mcp-server/production" --framework kubernetes dockerfile --skip-download
else
  echo "checkov: not installed (pip install checkov)"
fi
