"""Validate Kubernetes manifests with kubernetes-validate's library in strict mode.

Usage: python kube.py VERSION FILE...

Prints one JSON object per document: {"file", "index", "apiVersion", "kind", "status",
"message"}. status is "ok", "error", or "crd" for a kind kubernetes-validate has no schema
for (the caller must validate those against a CRD schema; a CRD it cannot match is a failure).
The CLI of kubernetes-validate only warns on unknown kinds, which is why the library is used.
"""

import json
import sys

import yaml
from kubernetes_validate import utils


def main() -> int:
    version, files = sys.argv[1], sys.argv[2:]
    for path in files:
        with open(path, encoding="utf-8") as f:
            docs = list(yaml.safe_load_all(f))
        for i, doc in enumerate(docs):
            if doc is None:
                continue
            row = {
                "file": path,
                "index": i,
                "apiVersion": doc.get("apiVersion"),
                "kind": doc.get("kind"),
            }
            try:
                utils.validate(doc, version, strict=True)
                row.update(status="ok", message="")
            except utils.SchemaNotFoundError as e:
                row.update(status="crd", message=str(e))
            except utils.ValidationError as e:
                where = "/".join(str(p) for p in e.path)
                row.update(status="error", message=f"{where}: {e.message}")
            except Exception as e:  # noqa: BLE001 - any other failure is a failed validation
                row.update(status="error", message=f"{type(e).__name__}: {e}")
            print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
