"""The local OSV endpoint's matching (tests/security/osv_mirror.py): a miss here would hide a vulnerability."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.osv_mirror import affects, canonical


def advisory(*, ranges: list[list[dict[str, str]]], versions: list[str] | None = None, name: str = "Jinja2") -> Any:
    return {
        "id": "PYSEC-0000-1",
        "affected": [
            {
                "package": {"name": name, "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": events} for events in ranges],
                "versions": versions or [],
            }
        ],
    }


@pytest.mark.parametrize(
    ("ranges", "versions", "version", "expected"),
    [
        ([[{"introduced": "0"}, {"fixed": "2.20.0"}]], [], "2.19.0", True),
        ([[{"introduced": "0"}, {"fixed": "2.20.0"}]], [], "2.20.0", False),
        ([[{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.3"}]], [], "1.7", False),
        ([[{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.3"}]], [], "2.2.1", True),
        ([[{"introduced": "1.0"}, {"last_affected": "1.4"}]], [], "1.4", True),
        ([[{"introduced": "1.0"}, {"last_affected": "1.4"}]], [], "1.4.1", False),
        ([[{"introduced": "3.0"}]], [], "2.9", False),
        ([[{"introduced": "3.0"}]], [], "3.1", True),
        ([], ["2.10", "2.10.1"], "2.10.1", True),
        ([], ["2.10", "2.10.1"], "2.11", False),
    ],
)
def test_affected_versions(
    ranges: list[list[dict[str, str]]], versions: list[str], version: str, expected: bool
) -> None:
    assert expected == affects(advisory(ranges=ranges, versions=versions), "jinja2", version)


def test_names_are_compared_normalised() -> None:
    found = advisory(name="Foo_Bar.baz", ranges=[[{"introduced": "0"}, {"fixed": "1.0"}]])

    assert ("foo-bar-baz", True, False) == (
        canonical("Foo_Bar.baz"),
        affects(found, "foo-bar-baz", "0.9"),
        affects(found, "other", "0.9"),
    )
