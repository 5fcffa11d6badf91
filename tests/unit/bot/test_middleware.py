"""The request gate's pure parts: describing a request, the rate limiter, retry de-duplication."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.clock import ManualClock
from adapters.memory.leases import InMemoryJobLeases
from bot.slack.middleware import RateLimiter, RequestInfo, SeenEvents, describe
from domain.errors import StoreUnavailable


def test_describe_slash_command() -> None:
    body = {"command": "/ops", "text": "Status web-1", "team_id": "T1", "channel_id": "C1", "user_id": "U1"}

    assert describe(body) == RequestInfo("command", "T1", "C1", "U1", "/ops status", None)


def test_describe_mention_and_dm_and_other_events() -> None:
    def wrap(event: dict[str, str]) -> dict[str, object]:
        return {"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": event}

    mention = wrap({"type": "app_mention", "channel": "C1", "user": "U1"})
    dm = wrap({"type": "message", "channel_type": "im", "channel": "D1", "user": "U1"})
    bot_dm = wrap({"type": "message", "channel_type": "im", "channel": "D1", "bot_id": "B1"})
    edit = wrap({"type": "message", "channel_type": "im", "channel": "D1", "subtype": "message_changed"})

    assert describe(mention) == RequestInfo("mention", "T1", "C1", "U1", "app_mention", "Ev1")
    assert describe(dm).surface == "dm"
    assert describe(bot_dm).surface == "event"
    assert describe(edit).surface == "event"


def test_describe_button_click() -> None:
    body = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "user": {"id": "U1"},
        "actions": [{"action_id": "approval_approve"}],
    }

    assert describe(body) == RequestInfo("action", "T1", "C1", "U1", "approval_approve", None)


def test_rate_limiter_allows_the_limit_per_window_per_user() -> None:
    limiter = RateLimiter(limit=2, window=60)

    assert [limiter.allow("U1", t) for t in (0.0, 1.0)] == [0.0, 0.0]
    assert limiter.allow("U1", 2.0) == pytest.approx(58.0)
    assert limiter.allow("U2", 2.0) == 0.0
    assert limiter.allow("U1", 60.5) == 0.0
    assert limiter.allow("U1", 60.6) == pytest.approx(0.4)


def test_refused_requests_do_not_use_up_the_window() -> None:
    limiter = RateLimiter(limit=1, window=10)
    limiter.allow("U1", 0.0)
    for t in range(1, 10):
        limiter.allow("U1", float(t))

    assert limiter.allow("U1", 10.0) == 0.0


def test_seen_events_is_true_once_per_id_and_bounded() -> None:
    seen = SeenEvents(capacity=2)

    assert [seen.first_time(x) for x in ("a", "a", "b", "c", "a")] == [True, False, True, True, True]


class _UnreachableLeases:
    """A lease store whose backend is down."""

    def acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        raise StoreUnavailable(f"Redis unavailable for {key} ({token}, {ttl_ms})")


def test_replicas_sharing_leases_see_an_event_once() -> None:
    leases = InMemoryJobLeases(ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
    replica_a, replica_b = SeenEvents(shared=leases), SeenEvents(shared=leases)

    assert [replica_a.first_time("Ev1"), replica_b.first_time("Ev1"), replica_b.first_time("Ev2")] == [
        True,
        False,
        True,
    ]


def test_an_unreachable_shared_store_never_drops_an_event() -> None:
    seen = SeenEvents(shared=_UnreachableLeases())  # type: ignore[arg-type]

    assert [seen.first_time("Ev1"), seen.first_time("Ev1")] == [True, False]
