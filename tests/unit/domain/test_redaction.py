"""SecretRedactor: configured values removed wherever and however they appear, token shapes too."""

from __future__ import annotations

import json

import pytest

from domain.redaction import REDACTED, SecretRedactor

SIGNING = "leak-3c9f1a7e5b2d8c4f6a0e"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"detail=Incorrect key {SIGNING}.", f"detail=Incorrect key {REDACTED}."),
        (f"{SIGNING}{SIGNING}", REDACTED * 2),
        (json.dumps({"detail": 'q"uote' + SIGNING}), json.dumps({"detail": 'q"uote' + REDACTED})),
        ("token xoxb-1234567890-abcdefghij here", f"token {REDACTED} here"),
        ("nothing secret", "nothing secret"),
    ],
)
def test_values_and_token_shapes_are_replaced(text: str, expected: str) -> None:
    assert expected == SecretRedactor.of([SIGNING]).text(text)


def test_a_value_with_json_escapes_is_removed_from_its_json_form() -> None:
    secret = 'pa"ss\\wörd-123'
    rendered = json.dumps({"detail": f"bad {secret}"})

    assert secret not in json.loads(SecretRedactor.of([secret]).text(rendered))["detail"]
    assert REDACTED in SecretRedactor.of([secret]).text(rendered)


def test_a_longer_secret_containing_a_shorter_one_is_removed_whole() -> None:
    redactor = SecretRedactor.of(["abcdef", "abcdef-ghijkl"])

    assert f"x {REDACTED} y" == redactor.text("x abcdef-ghijkl y")


def test_blank_and_short_values_are_not_redacted_by_value() -> None:
    redactor = SecretRedactor.of(["", None, "abc", "   "])

    assert "abc def" == redactor.text("abc def")


def test_json_like_data_is_redacted_in_keys_and_nested_values() -> None:
    data = {"params": {"note": SIGNING, SIGNING: [SIGNING, 3]}, "n": 1}

    assert {"params": {"note": REDACTED, REDACTED: [REDACTED, 3]}, "n": 1} == SecretRedactor.of([SIGNING]).data(data)
