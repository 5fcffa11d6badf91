"""The layers of the product, checked on the source: imports only run from a higher layer to a lower one.

domain is the bottom: it imports nothing of ours. The core packages (remediation, detectors,
evaluation, tools, agent, simulator) import the domain and each other only downwards. Adapters
implement ports of the core and never reach up into tools, the agent or the bot. The bot is the
top; inside it, only the entry points (the CLI and the ASGI server) use the composition root.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "simulator": {"domain"},
    "remediation": {"domain"},
    "detectors": {"domain"},
    "evaluation": {"domain", "detectors"},
    "tools": {"domain", "remediation", "detectors"},
    "agent": {"domain", "remediation", "detectors", "tools"},
    "adapters": {"domain", "remediation", "detectors", "evaluation", "simulator"},
    "bot": {"domain", "remediation", "detectors", "evaluation", "tools", "agent", "adapters", "simulator"},
}
ENTRY_POINTS = ("bot/cli/", "bot/http/asgi.py")
MAX_LINES = 320


def modules() -> Iterator[Path]:
    for package in ALLOWED:
        yield from sorted((ROOT / package).rglob("*.py"))


def imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_every_import_runs_downwards() -> None:
    wrong = []
    for path in modules():
        package = path.relative_to(ROOT).parts[0]
        for module in imports(path):
            top = module.split(".")[0]
            if top in ALLOWED and top != package and top not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")

    assert [] == wrong


def test_only_the_entry_points_use_the_composition_root() -> None:
    users = [
        str(path.relative_to(ROOT))
        for path in modules()
        if "bot.wiring" in set(imports(path)) and not str(path.relative_to(ROOT)).startswith(ENTRY_POINTS)
    ]

    assert [] == users


def test_the_services_type_is_a_leaf_that_imports_only_types() -> None:
    tree = ast.parse((ROOT / "bot" / "services.py").read_text(encoding="utf-8"))
    at_run_time = [
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ALLOWED
    ]

    assert ["bot.telemetry"] == at_run_time


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_too_long_to_read(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES
