"""Carries out a generated Dockerfile of a bridged stdio server on this machine, runs its CMD and
speaks MCP to it, the way a client behind the Service would.

Usage: bridge_run.py ENV_DIR WORK_DIR CALL_JSON

ENV_DIR is one environment directory of `mcpgen build` (its Dockerfile and
k8s/deployment.yaml). WORK_DIR is an empty scratch directory. CALL_JSON is the tool call to make,
{"name": ..., "arguments": {...}}.

What stands in for what (there is no container engine):
- the image's file system is WORK_DIR/root: every path under /app, /opt and /home in the
  Dockerfile is read as WORK_DIR/root/<path>;
- the build stages the final stage copies from are carried out in order: their exec-form RUN
  commands run with the host's `npm` and this interpreter standing in for `python` (the host's
  node and Python stand in for the base images'); a stage with shell-form RUN commands (the
  tini stage) is skipped, and so are copies outside the mapped directories (tini itself);
- then the build tree is set aside and only what the final stage COPYs is copied back, at the
  same paths (so venv scripts keep their interpreter), before the CMD runs: a file the final
  stage does not copy is not there;
- the CMD runs in the final WORKDIR with the final stage's ENV and the Deployment container's
  env, its `--port` moved to a free port (the original is reported).

Then: GET every probe path of the Deployment, run the HEALTHCHECK command, GET /metrics,
initialize, send `notifications/initialized`, list tools, call one, send a request with a
session id the bridge never issued, and finally SIGTERM the bridge and wait for it and every
process it started to end. Prints one JSON object with what it saw; exits non-zero only when it
cannot run at all (the caller judges the results).
"""

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import yaml

MAPPED = ("/app", "/opt", "/home")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Image:
    def __init__(self, text):
        self.stages = []  # {"name", "from", "workdir", "env", "run", "shell", "copy", "cmd", "healthcheck"}
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word == "FROM":
                parts = rest.split()
                name = parts[2] if len(parts) == 3 and parts[1] == "AS" else None
                self.stages.append(
                    {"name": name, "from": parts[0], "workdir": "/", "env": {}, "run": [],
                     "shell": [], "copy": [], "cmd": None, "healthcheck": None}
                )
                continue
            stage = self.stages[-1]
            if word == "WORKDIR":
                stage["workdir"] = rest
            elif word == "ENV":
                for pair in shlex.split(rest):
                    k, _, v = pair.partition("=")
                    stage["env"][k] = v
            elif word == "RUN":
                if rest.startswith("["):
                    stage["run"].append(json.loads(rest))
                else:
                    stage["shell"].append(rest)
            elif word == "COPY":
                src_from = None
                if rest.startswith("--from="):
                    flag, _, rest = rest.partition(" ")
                    src_from = flag[len("--from="):]
                stage["copy"].append((src_from, json.loads(rest)))
            elif word == "CMD":
                stage["cmd"] = json.loads(rest)
            elif word == "HEALTHCHECK" and " CMD " in rest:
                stage["healthcheck"] = json.loads(rest.split(" CMD ", 1)[1])

    def stage(self, name):
        return next(s for s in self.stages if s["name"] == name)


class Root:
    def __init__(self, path):
        self.path = path

    def is_mapped(self, p):
        return any(p == m or p.startswith(m + "/") for m in MAPPED)

    def map(self, p):
        return self.path + p if self.is_mapped(p) else p

    def map_list(self, value):
        return ":".join(self.map(p) for p in value.split(":"))


def program(argv0):
    # This interpreter stands in for the image's `python`; everything else is looked up on PATH.
    if argv0 == "python":
        return sys.executable
    return argv0


def run_stage(stage, root, env, log):
    if stage["shell"]:
        return False
    cwd = root.map(stage["workdir"])
    os.makedirs(cwd, exist_ok=True)
    stage_env = dict(env)
    for k, v in stage["env"].items():
        stage_env[k] = root.map_list(v) if k == "PATH" else v
    if "PATH" in stage["env"]:
        stage_env["PATH"] += ":" + env["PATH"]
    for argv in stage["run"]:
        mapped = [program(argv[0]) if i == 0 else a for i, a in enumerate(argv)]
        mapped = [root.map(a) for a in mapped]
        started = time.monotonic()
        done = subprocess.run(mapped, cwd=cwd, env=stage_env, capture_output=True, text=True)
        log.append({"run": argv, "exit": done.returncode,
                    "seconds": round(time.monotonic() - started, 1),
                    "stderr": done.stderr[-2000:] if done.returncode else ""})
        if done.returncode != 0:
            raise SystemExit(f"RUN {argv} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return True


def du(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            p = os.path.join(d, f)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def http(method, url, body=None, headers=None, timeout=30):
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode(errors="replace")


def messages(body):
    """JSON-RPC messages of a JSON or SSE answer."""
    out = []
    for line in body.splitlines():
        if line.startswith("data:") and line[5:].strip():
            out.append(json.loads(line[5:]))
    if not out and body.strip():
        try:
            out.append(json.loads(body))
        except ValueError:
            pass
    return out


def processes_under(marker):
    """PIDs of processes whose command line or working directory lies under `marker`."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if marker in cmdline or cwd.startswith(marker):
            found.append(int(pid))
    return found


def main():
    env_dir, work, call = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    image = Image(open(os.path.join(env_dir, "Dockerfile")).read())
    deployment = yaml.safe_load(open(os.path.join(env_dir, "k8s/deployment.yaml")))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    final = image.stages[-1]
    root = Root(os.path.join(os.path.abspath(work), "root"))
    os.makedirs(root.path)
    # The build sees this machine's environment (its registry and proxy settings), as a build
    # sees the builder's network; the running container sees only its own.
    host_env = dict(os.environ)
    report = {"build": [], "skipped": [], "copied": [], "sizes": {}}

    # Build: every stage the final stage copies from, in Dockerfile order.
    sources = {f for f, _ in final["copy"] if f}
    built = set()
    for stage in image.stages[:-1]:
        if stage["name"] in sources:
            if run_stage(stage, root, host_env, report["build"]):
                built.add(stage["name"])
            else:
                report["skipped"].append({"stage": stage["name"], "shell": stage["shell"]})

    build_tree = root.path + ".build"
    os.rename(root.path, build_tree)
    try:
        # The negative control: the final stage without the directory holding the bridge the
        # CMD starts. It must not come up; if it did, this harness would prove nothing.
        bridge_dirs = [dst for _, (*_, dst) in final["copy"]
                       if root.is_mapped(dst) and any(a.startswith(dst + "/") for a in final["cmd"])]
        report["control"] = {"dropped": bridge_dirs}
        assemble(root, build_tree, final, built, bridge_dirs, {})
        control = launch(root, final, container, os.path.join(work, "control.log"))
        report["control"].update(control.wait_up(timeout=60))
        stop({}, control, root)
        shutil.rmtree(root.path)

        assemble(root, build_tree, final, built, [], report)
    finally:
        shutil.rmtree(build_tree)

    bridge = launch(root, final, container, os.path.join(work, "bridge.log"))
    report["cmdPort"] = bridge.cmd_port
    try:
        report.update(bridge.wait_up(timeout=120))
        if bridge.up:
            talk(report, image, container, call, bridge, root)
    finally:
        stop(report, bridge, root)
    with open(bridge.log_path) as f:
        report["logTail"] = f.read()[-3000:]
    print(json.dumps(report))
    return 0


def assemble(root, build_tree, final, built, drop, report):
    """The final stage's file system: only what it copies from a built stage, at the same paths
    (so that venv scripts keep their interpreter), less the destinations in `drop`."""
    os.makedirs(root.path)
    for src_from, paths in final["copy"]:
        *srcs, dst = paths
        for src in srcs:
            if src_from not in built or not root.is_mapped(src) or not root.is_mapped(dst):
                report.setdefault("skipped", []).append({"copy": [src_from, src, dst]})
                continue
            if dst in drop:
                continue
            origin = build_tree + src
            target = root.map(dst)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.isdir(origin):
                shutil.copytree(origin, target, symlinks=True)
            else:
                shutil.copy2(origin, target)
            report.setdefault("copied", []).append(dst)
            report.setdefault("sizes", {})[dst] = du(target)
    os.makedirs(root.map(final["workdir"]), exist_ok=True)


class Launched:
    """The CMD, started as the container would start it (without tini: SIGTERM goes to the
    bridge directly, which is what `tini -s` forwards), its `--port` moved to a free port."""

    def __init__(self, root, final, container, log_path):
        cmd = list(final["cmd"])
        self.port = free_port()
        self.cmd_port = None
        if "--port" in cmd:
            i = cmd.index("--port") + 1
            self.cmd_port = int(cmd[i])
            cmd[i] = str(self.port)
        cmd = [root.map(a) for a in cmd]
        env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
        for k, v in final["env"].items():
            env[k] = root.map_list(v) if k == "PATH" else v
        if "PATH" in final["env"]:
            env["PATH"] += ":" + os.environ["PATH"]
        for e in container.get("env", []):
            if "value" in e:
                env[e["name"]] = root.map(e["value"])
        env.setdefault("HOME", root.map("/home/mcp"))
        os.makedirs(env["HOME"], exist_ok=True)
        self.env = env
        self.base = f"http://127.0.0.1:{self.port}"
        self.probes = {k: container[k]["httpGet"]["path"]
                       for k in ("livenessProbe", "readinessProbe", "startupProbe")
                       if k in container}
        self.log_path = log_path
        self.up = False
        self.started = time.monotonic()
        try:
            self.proc = subprocess.Popen(cmd, cwd=root.map(final["workdir"]), env=env,
                                         stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
                                         start_new_session=True)
            self.error = None
        except OSError as e:
            self.proc = None
            self.error = str(e)

    def wait_up(self, timeout):
        """Wait until the startup probe's path answers 200, the process ends, or `timeout`."""
        if self.proc is None:
            return {"up": False, "error": self.error}
        while time.monotonic() - self.started < timeout and self.proc.poll() is None:
            try:
                if http("GET", self.base + self.probes["startupProbe"], timeout=2)[0] == 200:
                    self.up = True
                    break
            except OSError:
                pass
            time.sleep(0.2)
        return {"up": self.up, "startSeconds": round(time.monotonic() - self.started, 1),
                "exit": self.proc.poll()}


launch = Launched


def talk(report, image, container, call, bridge, root):
    base = bridge.base
    report["probes"] = {k: http("GET", base + p)[0] for k, p in bridge.probes.items()}
    hc = [program(a) if i == 0 else a.replace("127.0.0.1:%d" % (bridge.cmd_port or 0),
                                                  "127.0.0.1:%d" % bridge.port)
          for i, a in enumerate(image.stages[-1]["healthcheck"] or [])]
    if hc:
        report["healthcheck"] = subprocess.run(hc, env=bridge.env, capture_output=True,
                                               timeout=30).returncode
    report["metrics"] = http("GET", base + "/metrics")[0]

    mcp_path = next(e["value"] for e in container["env"] if e["name"] == "MCP_PATH")
    revisions = next((e["value"].split(",") for e in container["env"]
                      if e["name"] == "MCP_PROTOCOL_VERSIONS"), ["2025-11-25"])
    revision = revisions[-1]
    accept = {"Content-Type": "application/json",
              "Accept": "application/json, text/event-stream"}

    def rpc(msg, session=None):
        headers = dict(accept)
        if msg.get("method") != "initialize":
            headers["MCP-Protocol-Version"] = revision
        if session:
            headers["Mcp-Session-Id"] = session
        status, hdrs, body = http("POST", base + mcp_path, json.dumps(msg).encode(), headers)
        sid = {k.lower(): v for k, v in hdrs.items()}.get("mcp-session-id")
        return status, sid, messages(body)

    status, session, out = rpc({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": revision, "capabilities": {},
        "clientInfo": {"name": "mcpgen-bridge-test", "version": "1"}}})
    result = next((m.get("result") for m in out if m.get("id") == 1), None) or {}
    report["initialize"] = {"status": status, "session": session is not None,
                            "protocolVersion": result.get("protocolVersion"),
                            "server": (result.get("serverInfo") or {}).get("name")}
    report["initialized"] = rpc({"jsonrpc": "2.0", "method": "notifications/initialized"},
                                session)[0]
    status, _, out = rpc({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, session)
    result = next((m.get("result") for m in out if m.get("id") == 2), None) or {}
    report["tools"] = {"status": status, "names": [t["name"] for t in result.get("tools", [])]}
    status, _, out = rpc({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": call},
                         session)
    answer = next((m for m in out if m.get("id") == 3), {})
    content = (answer.get("result") or {}).get("content") or []
    report["call"] = {"status": status, "error": answer.get("error"),
                      "text": " ".join(c.get("text", "") for c in content)}
    # What another pod's bridge would answer this session: it never issued it.
    if session:
        report["foreignSession"] = rpc({"jsonrpc": "2.0", "id": 4, "method": "tools/list"},
                                       "00000000-0000-4000-8000-000000000000")[0]
    children = [p for p in processes_under(root.path) if p != bridge.proc.pid]
    report["childrenBeforeStop"] = len(children)
    # Resident memory after one session: the bridge's own, and its children's (the server).
    report["rssKiB"] = {"bridge": rss_kib(bridge.proc.pid),
                        "children": sum(rss_kib(p) for p in children)}


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def stop(report, launched, root):
    """SIGTERM the bridge, wait for it and everything it started; kill what is left."""
    bridge = launched.proc
    stopped = time.monotonic()
    if bridge is not None and bridge.poll() is None:
        bridge.send_signal(signal.SIGTERM)
        try:
            bridge.wait(timeout=40)
        except subprocess.TimeoutExpired:
            pass
    report["stop"] = {"exited": bridge is None or bridge.poll() is not None,
                      "seconds": round(time.monotonic() - stopped, 1)}
    for _ in range(50):
        left = processes_under(root.path)
        if not left:
            break
        time.sleep(0.1)
    report["stop"]["leftover"] = len(left)
    # Nothing of this run may outlive it, whatever the result.
    for pid in left + ([bridge.pid] if bridge is not None and bridge.poll() is None else []):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main())
