"""Regenerate the Inputs/Outputs tables of a Terraform README without terraform-docs.

Usage: python tests/infra/tfdocs.py terraform
Rewrites the section between <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS --> of
<dir>/README.md. tests/infra/test_terraform_docs.py fails when the tables drift.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hcl_loader import load_module, named_blocks

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"


def _expr(value: object) -> str:
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return json.dumps(value)
    return json.dumps(value)


def _type(value: object) -> str:
    text = str(value)
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(directory: Path) -> str:
    module = load_module(directory)
    lines = [
        BEGIN,
        "## Inputs",
        "",
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    for name, body in sorted(named_blocks(module, "variable").items()):
        has_default = "default" in body
        default = f"`{_cell(_expr(body['default']))}`" if has_default else "n/a"
        lines.append(
            f"| `{name}` | {_cell(body.get('description', ''))} | `{_cell(_type(body.get('type', 'any')))}` "
            f"| {default} | {'no' if has_default else 'yes'} |"
        )
    lines += ["", "## Outputs", "", "| Name | Description |", "|------|-------------|"]
    for name, body in sorted(named_blocks(module, "output").items()):
        lines.append(f"| `{name}` | {_cell(body.get('description', ''))} |")
    lines.append(END)
    return "\n".join(lines)


def update(directory: Path) -> bool:
    """Rewrite the README section; return True when it changed."""
    readme = directory / "README.md"
    text = readme.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = head + render(directory) + tail
    if new != text:
        readme.write_text(new)
        return True
    return False


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        update(Path(arg))
