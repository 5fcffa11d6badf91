"""Load Terraform files with python-hcl2 into plain Python values.

python-hcl2 keeps string quotes (``'"tcp"'``) and block markers (``__is_block__``);
this module strips both so tests can compare against ordinary literals. Expressions
stay as ``${...}`` strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO_ROOT / "terraform"


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def load_module(directory: Path = TERRAFORM_DIR) -> dict[str, list[dict[str, Any]]]:
    """Return every top-level block type of the module's *.tf files, merged."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.tf")):
        with path.open() as handle:
            parsed = _clean(hcl2.load(handle))
        for block_type, blocks in parsed.items():
            merged.setdefault(block_type, []).extend(blocks)
    return merged


def resources(module: dict[str, list[dict[str, Any]]], kind: str = "resource") -> dict[tuple[str, str], dict[str, Any]]:
    """Map (type, name) to the body of every resource (or data) block."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for block in module.get(kind, []):
        for rtype, named in block.items():
            for name, body in named.items():
                found[(rtype, name)] = body
    return found


def named_blocks(module: dict[str, list[dict[str, Any]]], kind: str) -> dict[str, dict[str, Any]]:
    """Map name to body for single-label blocks such as variable and output."""
    found: dict[str, dict[str, Any]] = {}
    for block in module.get(kind, []):
        for name, body in block.items():
            found[name] = body
    return found


def locals_(module: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Merge every locals block."""
    found: dict[str, Any] = {}
    for block in module.get("locals", []):
        found.update(block)
    return found
