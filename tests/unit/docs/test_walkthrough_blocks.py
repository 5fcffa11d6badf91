"""docs/walkthrough.md shows the Block Kit the renderers produce now (rewritten by ``walkthrough_examples``)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.unit.docs.walkthrough_examples import EXAMPLES, PAGE, Payload, rendered, rewritten, shown_blocks


def test_the_page_shows_one_block_per_example() -> None:
    assert len(EXAMPLES) == len(shown_blocks(PAGE.read_text()))


@pytest.mark.parametrize(
    ("index", "example"),
    [(i, e) for i, e in enumerate(EXAMPLES) if e is not None],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_each_block_is_what_its_renderer_produces(index: int, example: Callable[[], Payload]) -> None:
    """On a failure, rewrite the page's blocks with ``python -m tests.unit.docs.walkthrough_examples``."""
    shown = shown_blocks(PAGE.read_text())[index]

    assert json.loads(rendered(example)) == json.loads(shown)


def test_rewriting_keeps_the_audit_line_and_the_prose() -> None:
    page = PAGE.read_text()

    again = rewritten(page)

    assert [b for b, e in zip(shown_blocks(page), EXAMPLES, strict=True) if e is None] == [
        b for b, e in zip(shown_blocks(again), EXAMPLES, strict=True) if e is None
    ]
    assert page.split("## 3.")[0] == again.split("## 3.")[0]
