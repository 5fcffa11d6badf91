"""docs/architecture.png is rendered from the current docs/architecture.dot (``make docs``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"


def recorded() -> dict[str, str]:
    """File name → sha256, as ``make docs`` wrote them to docs/architecture.sha256."""
    lines = (DOCS / "architecture.sha256").read_text().splitlines()
    return {name.strip().removeprefix("*"): digest for digest, name in (line.split(maxsplit=1) for line in lines)}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_picture_was_rendered_from_the_current_source() -> None:
    """Edit docs/architecture.dot, then run ``make docs`` and commit all three files."""
    hashes = recorded()

    assert sha256(DOCS / "architecture.dot") == hashes["docs/architecture.dot"], "run `make docs`"
    assert sha256(DOCS / "architecture.png") == hashes["docs/architecture.png"], "run `make docs`"


def test_the_picture_is_a_png() -> None:
    assert b"\x89PNG\r\n\x1a\n" == (DOCS / "architecture.png").read_bytes()[:8]
