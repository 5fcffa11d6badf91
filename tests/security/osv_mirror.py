"""An OSV ``/v1/query`` endpoint on 127.0.0.1 answered from a local checkout of the PyPA advisory database.

``make security`` points ``pip-audit --vulnerability-service osv --osv-url`` at it when
``SECURITY_ADVISORY_DB`` names a checkout of https://github.com/pypa/advisory-database, so the
dependency audit runs on machines that cannot reach api.osv.dev. Matching follows the OSV
schema: a version is affected when it is listed in ``affected[].versions`` or falls in an
``ECOSYSTEM`` range (``introduced`` ≤ version < ``fixed``, or ≤ ``last_affected``).

    python tests/security/osv_mirror.py ADVISORY_DB_DIR PORT_FILE
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version


def canonical(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def load_advisories(root: Path) -> dict[str, list[dict[str, Any]]]:
    """Advisories by canonical package name, from ``vulns/<package>/*.yaml``."""
    by_package: dict[str, list[dict[str, Any]]] = defaultdict(list)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted((root / "vulns").glob("*/*.yaml")):
        advisory = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a SafeLoader
        for affected in advisory.get("affected", []):
            package = affected.get("package", {})
            if package.get("ecosystem") == "PyPI":
                by_package[canonical(package["name"])].append(advisory)
    return by_package


def _in_range(version: Version, events: list[dict[str, str]]) -> bool:
    affected = False
    for event in events:
        try:
            if "introduced" in event:
                affected = event["introduced"] == "0" or version >= Version(event["introduced"])
            elif affected:
                past_fix = "fixed" in event and version >= Version(event["fixed"])
                affected = not (past_fix or ("last_affected" in event and version > Version(event["last_affected"])))
        except InvalidVersion:
            continue
    return affected


def affects(advisory: dict[str, Any], name: str, version: str) -> bool:
    """Whether ``advisory`` covers ``name`` at ``version``."""
    for affected in advisory.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI" or canonical(package.get("name", "")) != name:
            continue
        if version in [str(v) for v in affected.get("versions", [])]:
            return True
        try:
            parsed = Version(version)
        except InvalidVersion:
            continue
        for r in affected.get("ranges", []):
            if r.get("type") == "ECOSYSTEM" and _in_range(parsed, r.get("events", [])):
                return True
    return False


def serve(root: Path, port_file: Path) -> None:
    """Serve until killed; the chosen port is written to ``port_file``."""
    advisories = load_advisories(root)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            name = canonical(query.get("package", {}).get("name", ""))
            version = str(query.get("version", ""))
            vulns = [a for a in advisories.get(name, []) if affects(a, name, version)]
            body = json.dumps({"vulns": vulns} if vulns else {}, default=str).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002, ARG002 - fixed by http.server
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]))
