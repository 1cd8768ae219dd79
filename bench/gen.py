"""Benchmark inputs generated from the reference spec (never committed: written to a directory).

    python3 bench/gen.py specs N DIR
        N distinct copies of fixtures/reference/service.yaml in DIR (svc-0001.mcp.yaml, ...):
        each with its own metadata.name and namespaces, so a build of all of them writes
        N x 2 environment trees that do not collide.

    python3 bench/gen.py large BYTES yaml|kdl OUT
        The reference spec (fixtures/reference/service.yaml or service.kdl) with its `env`
        replaced by as many variables as bring the file to about BYTES bytes (about 210 bytes
        per variable: 5,000 variables make 1 MB).
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
REF_YAML = (ROOT / "fixtures/reference/service.yaml").read_text()
REF_KDL = (ROOT / "fixtures/reference/service.kdl").read_text()

YAML_ENV = "  env:\n    NODE_ENV: production\n    LOG_LEVEL: info\n    LOG_FORMAT: json\n"
KDL_ENV = "    env NODE_ENV=production LOG_LEVEL=info LOG_FORMAT=json\n"
FILLER = "lorem-ipsum-dolor-sit-amet-consectetur-adipiscing-elit-" * 3


def specs(n, out):
    out.mkdir(parents=True, exist_ok=True)
    for i in range(1, n + 1):
        text = (
            REF_YAML.replace("name: mcp-server\n", f"name: mcp-server-{i:04d}\n")
            .replace("mcp-production", f"mcp-production-{i:04d}")
            .replace("mcp-staging", f"mcp-staging-{i:04d}")
        )
        (out / f"svc-{i:04d}.mcp.yaml").write_text(text)


def var(i):
    return f"SETTING_{i:06d}", f"value-{i:06d}-{FILLER}"[:180]


def large(size, syntax, out):
    if syntax == "yaml":
        assert YAML_ENV in REF_YAML
        base = len(REF_YAML) - len(YAML_ENV)
        lines = ["  env:\n"]
        total, i = base + len(lines[0]), 0
        while total < size:
            i += 1
            k, v = var(i)
            line = f"    {k}: {v}\n"
            lines.append(line)
            total += len(line)
        text = REF_YAML.replace(YAML_ENV, "".join(lines))
    else:
        assert KDL_ENV in REF_KDL
        base = len(REF_KDL) - len(KDL_ENV)
        lines = ["    env {\n"]
        total, i = base + len(lines[0]) + 6, 0
        while total < size:
            i += 1
            k, v = var(i)
            line = f'        {k} "{v}"\n'
            lines.append(line)
            total += len(line)
        lines.append("    }\n")
        text = REF_KDL.replace(KDL_ENV, "".join(lines))
    pathlib.Path(out).write_text(text)
    print(f"{out}: {len(text)} bytes, {i} variables")


if __name__ == "__main__":
    if sys.argv[1] == "specs":
        specs(int(sys.argv[2]), pathlib.Path(sys.argv[3]))
    elif sys.argv[1] == "large":
        large(int(float(sys.argv[2])), sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
