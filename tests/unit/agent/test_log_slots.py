"""The filters a logs question names: its log, its level and its text."""

from __future__ import annotations

import pytest

from agent.log_slots import log_filters


@pytest.mark.parametrize(
    ("question", "filters"),
    [
        ("show logs from 10 minutes ago", {}),
        ("show errors in the last hour", {"contains": "error"}),
        ("any exceptions since 9am", {"contains": "error"}),
        ("show warnings from the last 2h", {"level": "warning"}),
        ("any critical or fatal lines today", {"level": "critical"}),
        ("tail the audit log", {"source": "audit"}),
        ("errors in the bot logs last 30 min", {"source": "events", "contains": "error"}),
        ("cloudwatch logs for web-1", {"source": "cloudwatch"}),
        ("show logs containing timeout", {"contains": "timeout"}),
        ("logs mentioning 'scale up' since 10:00", {"contains": "scale up"}),
        ('grep "connection refused" in the last hour', {"contains": "connection refused"}),
        ("logs with timeout", {"contains": "timeout"}),
        ("logs for web-1 with 'connection refused'", {"contains": "connection refused"}),
        ("logs with errors on web-1", {"contains": "error"}),
        ("logs with warnings today", {"level": "warning"}),
        ("logs with timestamps", {}),
        ("show me the last 50 log lines", {"limit": 50}),
        ("the last 500 entries", {"limit": 200}),
    ],
)
def test_filters_named_by_the_question(question: str, filters: dict[str, object]) -> None:
    assert log_filters(question) == filters
