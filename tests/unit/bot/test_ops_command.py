"""Parsing ``/ops`` text into subcommands."""

from __future__ import annotations

import pytest

from bot.slack.ops_command import OpsCommand, OpsKind, parse_lookback, parse_ops
from domain.errors import InputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", OpsCommand(OpsKind.EMPTY)),
        ("   ", OpsCommand(OpsKind.EMPTY)),
        ("help", OpsCommand(OpsKind.HELP)),
        ("HELP", OpsCommand(OpsKind.HELP)),
        ("status", OpsCommand(OpsKind.STATUS)),
        ("status web-1", OpsCommand(OpsKind.STATUS, host="web-1")),
        ("anomalies", OpsCommand(OpsKind.ANOMALIES, count=5)),
        ("anomalies 12", OpsCommand(OpsKind.ANOMALIES, count=12)),
        ("logs nginx", OpsCommand(OpsKind.LOGS, target="nginx", since_seconds=600)),
        ("logs web-1 since 2h", OpsCommand(OpsKind.LOGS, target="web-1", since_seconds=7200)),
        ("logs web-1 30s", OpsCommand(OpsKind.LOGS, target="web-1", since_seconds=30)),
        ("logs web-1 since 10 minutes", OpsCommand(OpsKind.LOGS, target="web-1", since_seconds=600)),
        ("logs web-1 since 1h30m", OpsCommand(OpsKind.LOGS, target="web-1", since_seconds=5400)),
        ("ask what is the cpu on web-1?", OpsCommand(OpsKind.ASK, question="what is the cpu on web-1?")),
        ("approve-list", OpsCommand(OpsKind.APPROVE_LIST)),
        ("what is the cpu on web-1?", OpsCommand(OpsKind.ASK, question="what is the cpu on web-1?")),
        ("status of the fleet please", OpsCommand(OpsKind.ASK, question="status of the fleet please")),
        ("help me scale web-asg", OpsCommand(OpsKind.ASK, question="help me scale web-asg")),
    ],
)
def test_parse(text: str, expected: OpsCommand) -> None:
    assert parse_ops(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("anomalies 0", "from 1 to 50"),
        ("anomalies 51", "from 1 to 50"),
        ("anomalies many", "not 'many'"),
        ("logs", "needs a host or service"),
        ("logs web-1 since", "needs a duration"),
        ("logs web-1 since forever", "not a duration"),
        ("logs web-1 since 30d", "out of range"),
        ("logs web-1 since 30 days", "out of range"),
        ("logs web-1 since 10 minutes extra", "optional `since 10m`"),
        ("logs web-1 10m extra", "optional `since 10m`"),
        ("ask", "needs a question"),
    ],
)
def test_bad_arguments_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_ops(text)
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("10m", 600),
        ("2 h", 7200),
        ("1d", 86400),
        ("45s", 45),
        ("3 mins", 180),
        ("7d", 604800),
        ("1w", 604800),
        ("1h30m", 5400),
        ("10 minutes", 600),
        ("an hour", 3600),
    ],
)
def test_lookbacks(text: str, seconds: int) -> None:
    assert parse_lookback(text) == seconds


@pytest.mark.parametrize("text", ["0m", "8d", "2 weeks", "-5m", "m", "10 parsecs", ""])
def test_bad_lookbacks(text: str) -> None:
    with pytest.raises(InputError):
        parse_lookback(text)
