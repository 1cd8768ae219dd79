"""Runs a generated blackbox exporter module against a stand-in MCP server.

Usage: mcp_probe.py BLACKBOX_BINARY MODULE_FILE

Starts a small HTTP server that answers like an MCP server (a real `initialize` or
`server/discover` result) or like a broken one, starts the real blackbox exporter with the
generated module (its bearer token file pointed at a temporary token), asks the exporter to
probe the stand-in in each mode, and prints one JSON line per mode:
{"mode": ..., "probe_success": 0|1, "requests": [...]} where `requests` are the requests the
stand-in received (method, JSON-RPC method, headers). Exits non-zero when it cannot run.
"""

import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import yaml

TOKEN = "probe-test-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class State:
    mode = "mcp"
    auth = False
    seen = []


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        State.seen.append(
            {
                "method": "POST",
                "rpc": body.get("method"),
                "authorization": self.headers.get("Authorization"),
                "accept": self.headers.get("Accept"),
                "protocol": self.headers.get("MCP-Protocol-Version"),
                "mcp_method": self.headers.get("Mcp-Method"),
                "params": body.get("params"),
            }
        )
        if State.mode == "health":
            # What a plain HTTP health endpoint answers: 200 and no MCP.
            self.reply(200, "text/plain", b"OK")
            return
        if State.auth and self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.reply(401, "application/json", b'{"error":"unauthorized"}')
            return
        rpc = body.get("method")
        if State.mode == "error" or rpc not in ("initialize", "server/discover"):
            answer = {
                "jsonrpc": "2.0",
                "id": body.get("id"),
                "error": {"code": -32601, "message": "Method not found"},
            }
        elif rpc == "initialize":
            answer = {
                "jsonrpc": "2.0",
                "id": body.get("id"),
                "result": {
                    "protocolVersion": body["params"]["protocolVersion"],
                    "capabilities": {"tools": {}},
                    "serverInfo": {"name": "stand-in", "version": "1.0.0"},
                },
            }
        else:
            answer = {
                "jsonrpc": "2.0",
                "id": body.get("id"),
                "result": {
                    "supportedVersions": ["2026-07-28"],
                    "capabilities": {"tools": {}},
                    "resultType": "complete",
                    "ttlMs": 60000,
                    "cacheScope": "public",
                },
            }
        # Streamable HTTP servers may answer with an SSE stream: the module must accept both.
        if State.mode == "sse":
            data = f"event: message\ndata: {json.dumps(answer)}\n\n".encode()
            self.reply(200, "text/event-stream", data)
        else:
            self.reply(200, "application/json", json.dumps(answer).encode())

    def reply(self, status, ctype, data):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    binary, module_file = sys.argv[1], sys.argv[2]
    config = yaml.safe_load(open(module_file))
    (name, module), = config["modules"].items()
    tmp = tempfile.mkdtemp()
    auth = module["http"].get("authorization")
    if auth:
        token = os.path.join(tmp, "token")
        with open(token, "w") as f:
            f.write(TOKEN)
        auth["credentials_file"] = token
        State.auth = True
    config_path = os.path.join(tmp, "blackbox.yml")
    with open(config_path, "w") as f:
        yaml.safe_dump(config, f)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{server.server_address[1]}/mcp"

    exporter_port = free_port()
    exporter = subprocess.Popen(
        [
            binary,
            f"--config.file={config_path}",
            f"--web.listen-address=127.0.0.1:{exporter_port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{exporter_port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/metrics", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("blackbox exporter did not start", file=sys.stderr)
            return 2
        for mode in ["mcp", "sse", "error", "health"]:
            State.mode = mode
            State.seen = []
            url = f"{base}/probe?module={urllib.parse.quote(name)}&target={urllib.parse.quote(target)}"
            text = urllib.request.urlopen(url, timeout=30).read().decode()
            success = [
                int(float(line.split()[-1]))
                for line in text.splitlines()
                if line.startswith("probe_success ")
            ]
            print(
                json.dumps(
                    {"mode": mode, "probe_success": success[0], "requests": State.seen}
                )
            )
        return 0
    finally:
        exporter.terminate()
        exporter.wait(timeout=10)
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
