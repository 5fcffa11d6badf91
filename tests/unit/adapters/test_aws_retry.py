"""Which AWS answers are retried, and after how long."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from adapters.aws.retry import ThrottlingRetry


def answer(status: int, code: str | None) -> tuple[SimpleNamespace, dict[str, object]]:
    parsed: dict[str, object] = {"Error": {"Code": code, "Message": "m"}} if code else {}
    return SimpleNamespace(status_code=status), parsed


@pytest.mark.parametrize(
    ("status", "code", "retried"),
    [
        (400, "Throttling", True),
        (400, "ThrottlingException", True),
        (503, "RequestLimitExceeded", True),
        (429, None, True),
        (403, "AccessDenied", False),
        (400, "ValidationError", False),
        (500, "InternalFailure", False),
        (503, "ServiceUnavailable", False),
        (200, None, False),
    ],
)
def test_only_throttling_is_retried(status: int, code: str | None, retried: bool) -> None:
    retry = ThrottlingRetry(jitter=lambda: 0.0)

    assert retried == (retry(response=answer(status, code), attempts=1) is not None)


def test_no_retry_for_a_connection_error_or_after_the_last_attempt() -> None:
    retry = ThrottlingRetry(max_attempts=3, jitter=lambda: 0.0)

    assert retry(response=None, attempts=1, caught_exception=ConnectionError("reset")) is None
    assert retry(response=answer(400, "Throttling"), attempts=3) is None


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    low = ThrottlingRetry(base_seconds=0.5, cap_seconds=3.0, jitter=lambda: 0.0)
    high = ThrottlingRetry(base_seconds=0.5, cap_seconds=3.0, jitter=lambda: 0.999999)

    assert [0.25, 0.5, 1.0, 1.5, 1.5] == [low.delay(n) for n in range(1, 6)]
    assert [0.5, 1.0, 2.0, 3.0, 3.0] == [round(high.delay(n), 3) for n in range(1, 6)]
