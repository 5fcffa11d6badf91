"""Measuring how deep JSON nests without parsing it."""

from __future__ import annotations

import pytest

from bot.http.json_depth import MAX_JSON_DEPTH, json_depth_within


@pytest.mark.parametrize(
    ("text", "within"),
    [
        ("{}", True),
        ('{"a": [1, {"b": 2}]}', True),
        ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, True),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), False),
        ('["' + "[" * 100 + '"]', True),
        ('["\\"' + "[" * 100 + '"]', True),
        ('{"a": "\\\\"}' + "[" * (MAX_JSON_DEPTH + 1), False),
        ("[" * 100_000 + "]" * 100_000, False),
    ],
)
def test_depth_counts_brackets_outside_strings(text: str, within: bool) -> None:
    assert within is json_depth_within(text)


def test_a_smaller_limit_is_honoured() -> None:
    assert (True, False) == (json_depth_within("[[]]", limit=2), json_depth_within("[[[]]]", limit=2))
