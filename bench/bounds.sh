#!/usr/bin/env bash
# Whole-process time and peak memory of mcpgen on the resource-exhaustion reproducers of
# issue 8 (not a timed test). Generates the inputs, then runs each once with /usr/bin/time.
#
#   bash bench/bounds.sh [MCPGEN_BINARY]     # default: target/release/mcpgen (built first)
#
# Compare two versions by running it with each binary. Needs python3 and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then bin="$(realpath "$1")"; else cargo build --release --quiet; bin="$PWD/target/release/mcpgen"; fi
repo="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 - <<'PY'
head = 'apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata:\n  name: weather\nspec:\n  image: ghcr.io/acme/weather-mcp:0.3.1\n'
mcp = '  mcp: {protocolVersions: ["2026-07-28"]}\n'
open('min.yaml', 'w').write(head + mcp)
open('deep-yaml.yaml', 'w').write('- ' * 8000 + 'a\n')
open('deep.kdl', 'w').write('apiVersion "mcpgen.dev/v1"\nspec {\n x ' + 'a {' * 1500 + '\n')
open('alias.yaml', 'w').write(head + mcp + '  files:\n    /a: &a ' + 'x' * 50000 + '\n  build:\n    runtime: node\n    version: "20"\n    command: [' + ', '.join(['*a'] * 3500) + ']\n')
open('longline.yaml', 'w').write('{"apiVersion": "mcpgen.dev/v1", "kind": "MCPServer", "metadata": {"name": "weather", "labels": {' + ', '.join(f'"l{i}": "v"' for i in range(8000)) + '}}, "spec": {"image": "ghcr.io/acme/weather-mcp:0.3.1", "replicas": 010}}\n')
open('million.yaml', 'w').write(head + '  mcp:\n    protocolVersions: ["2026-07-28"]\n    allowedHosts:\n' + ''.join(f'      - h{i % 1000}.example.com\n' for i in range(1000000)))
hosts = lambda n: ''.join(f'    - "h{i}.example.com"\n' for i in range(n))
kdl = lambda n: 'apiVersion "mcpgen.dev/v1"\nkind "MCPServer"\nmetadata { name "weather"; }\nspec {\n image "ghcr.io/acme/weather-mcp:0.3.1"\n mcp {\n allowedHosts {\n' + hosts(n) + '}\n}\n}\n'
open('big.kdl', 'w').write(kdl(250000))
open('kdl-9999.kdl', 'w').write(kdl(9999))
open('hosts-9999.yaml', 'w').write(head + '  mcp:\n    protocolVersions: ["2026-07-28"]\n    allowedHosts:\n' + ''.join(f'      - h{i % 1000}.example.com\n' for i in range(9999)))
for n in (100, 1000):
    open(f'envs{n}.yaml', 'w').write(head + mcp + '  environments:\n' + ''.join(f'    e{i}: {{spec: {{replicas: 2}}}}\n' for i in range(n)))
for n in (9000, 20000):
    open(f'findings{n}.yaml', 'w').write(head + '  env:\n' + ''.join(f'    X{i}: {{a: 1}}\n' for i in range(n)))
for n in (1000, 20000):
    open(f'ex{n}.toml', 'w').write(''.join(f'[[exceptions]]\nrule = "latest-image-tag"\npath = "/spec/x{i}"\nreason = "r"\n' for i in range(n)))
import os
for name, body in (('range', 'count(numbers.range(0, 300000000)) > 0'), ('cidr', 'count(net.cidr_expand("0.0.0.0/4")) > 0')):
    os.makedirs(f'pol-{name}', exist_ok=True)
    open(f'pol-{name}/p.rego', 'w').write(f'package team\n\ndeny contains "x" if {{ {body} }}\n')
PY
m() {
  local label="$1"; shift
  /usr/bin/time -f "%e s, %M KB, exit %x" timeout 180 "$bin" "$@" >/dev/null 2>"$work/err" || true
  local sig=""
  if grep -q "terminated by signal" "$work/err"; then sig=" ($(grep -o 'terminated by signal [0-9]*' "$work/err"))"; fi
  printf '%-48s %s%s\n' "$label" "$(tail -1 "$work/err")" "$sig"
}
echo "binary: $bin"
m "deep YAML (8,000 block sequences)" check deep-yaml.yaml
m "deep KDL (1,500 unclosed blocks)" check deep.kdl
m "alias bytes (50 KB string x 3,500)" check alias.yaml
m "one 111,000-column line with warnings (human)" check longline.yaml
m "1,000,000 list items (24 MB YAML)" check million.yaml
m "9,999 list items, 1,000 distinct (YAML)" check hosts-9999.yaml
m "6.9 MB KDL (250,000 list items)" check big.kdl
m "9,999 list items (KDL)" check kdl-9999.kdl
m "100 environments" check envs100.yaml
m "1,000 environments" check envs1000.yaml
m "9,000 findings (human)" check findings9000.yaml
m "9,000 findings (json)" check --format json findings9000.yaml
m "20,000 findings (human)" check findings20000.yaml
m "1,000 exceptions in mcpgen.toml" check --config ex1000.toml min.yaml
m "20,000 exceptions in mcpgen.toml" check --config ex20000.toml min.yaml
m "team policy numbers.range(0, 3e8)" check --policy pol-range min.yaml
m "team policy net.cidr_expand(0.0.0.0/4)" check --policy pol-cidr min.yaml
m "reference spec" check "$repo/fixtures/reference/service.yaml"
