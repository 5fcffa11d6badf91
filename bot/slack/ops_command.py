"""Parsing the text of ``/ops``: subcommands with their arguments, or a free-text question. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from domain.durations import DURATION_PATTERN, parse_duration
from domain.errors import InputError

MAX_LOOKBACK = timedelta(days=7)
MAX_ANOMALIES = 50
#: What ``/ops silence`` and the Silence buttons accept: an hour, four hours, or until the incident resolves.
SILENCE_LENGTHS = ("1h", "4h", "resolved")


class OpsKind(StrEnum):
    """What a ``/ops`` invocation asks for."""

    EMPTY = "empty"
    HELP = "help"
    STATUS = "status"
    ANOMALIES = "anomalies"
    LOGS = "logs"
    ASK = "ask"
    APPROVE_LIST = "approve-list"
    AUTO = "auto"
    CANCEL = "cancel"
    ACK = "ack"
    SILENCE = "silence"
    UNSILENCE = "unsilence"


@dataclass(frozen=True)
class OpsCommand:
    """A parsed ``/ops`` text."""

    kind: OpsKind
    host: str | None = None
    count: int = 5
    target: str | None = None
    since_seconds: int = 600
    question: str = ""
    #: How long ``/ops silence`` silences (``1h``, ``4h``, ``resolved``).
    silence: str | None = None

    @property
    def name(self) -> str:
        """The subcommand name, for logs and metrics."""
        return self.kind.value


def parse_lookback(text: str) -> int:
    """Seconds in a look-back such as ``10m``, ``2 h``, ``1h30m`` or ``10 minutes`` (1s to 7 days).

    Raises:
        InputError: not a duration, or outside 1s to 7 days.
    """
    return int(parse_duration(text, at_most=MAX_LOOKBACK).total_seconds())


def parse_ops(text: str) -> OpsCommand:
    """Parse the text after ``/ops``.

    Raises:
        InputError: a known subcommand with arguments that do not fit it.
    """
    words = text.strip().split()
    if not words:
        return OpsCommand(OpsKind.EMPTY)
    head, rest = words[0].lower(), words[1:]
    if head in {"help", "?"} and not rest:
        return OpsCommand(OpsKind.HELP)
    if head == "status" and len(rest) <= 1:
        return OpsCommand(OpsKind.STATUS, host=rest[0] if rest else None)
    if head in {"anomalies", "incidents"} and len(rest) <= 1:
        if not rest:
            return OpsCommand(OpsKind.ANOMALIES)
        if not rest[0].isdigit() or not 1 <= int(rest[0]) <= MAX_ANOMALIES:
            raise InputError(f"`/ops anomalies` takes a count from 1 to {MAX_ANOMALIES}, not '{rest[0]}'.")
        return OpsCommand(OpsKind.ANOMALIES, count=int(rest[0]))
    if head == "logs":
        return _parse_logs(rest)
    if head == "ask":
        if not rest:
            raise InputError("`/ops ask` needs a question, e.g. `/ops ask what is the CPU on web-1?`.")
        return OpsCommand(OpsKind.ASK, question=" ".join(rest))
    if head in {"approve-list", "approvals", "pending"} and not rest:
        return OpsCommand(OpsKind.APPROVE_LIST)
    if head in {"ack", "acknowledge"}:
        if len(rest) != 1:
            raise InputError("`/ops ack` takes a host or an incident id, e.g. `/ops ack web-3`.")
        return OpsCommand(OpsKind.ACK, target=rest[0])
    if head == "silence":
        if len(rest) != 2 or rest[1].lower() not in SILENCE_LENGTHS:
            raise InputError(
                "`/ops silence` takes a host or incident and 1h, 4h or resolved, e.g. `/ops silence web-3 1h`."
            )
        return OpsCommand(OpsKind.SILENCE, target=rest[0], silence=rest[1].lower())
    if head == "unsilence":
        if len(rest) != 1:
            raise InputError("`/ops unsilence` takes a host or an incident id, e.g. `/ops unsilence web-3`.")
        return OpsCommand(OpsKind.UNSILENCE, target=rest[0])
    if head == "cancel":
        if len(rest) != 1:
            raise InputError("`/ops cancel` takes the id of your pending request, e.g. `/ops cancel 3f9a0c1d2e4b`.")
        return OpsCommand(OpsKind.CANCEL, target=rest[0])
    if head == "auto" and len(rest) <= 1:
        word = rest[0].lower() if rest else "status"
        if word not in {"on", "off", "status"}:
            raise InputError(f"`/ops auto` takes on, off or status, not '{rest[0]}'.")
        return OpsCommand(OpsKind.AUTO, target=word)
    return OpsCommand(OpsKind.ASK, question=text.strip())


def _parse_logs(rest: list[str]) -> OpsCommand:
    if not rest:
        raise InputError("`/ops logs` needs a host or service, e.g. `/ops logs web-1 since 10m`.")
    target, tail = rest[0], rest[1:]
    if tail and tail[0].lower() == "since":
        tail = tail[1:]
        if not tail:
            raise InputError("`since` needs a duration, e.g. `since 10m`.")
    if len(tail) == 2 and re.fullmatch(DURATION_PATTERN, " ".join(tail), re.IGNORECASE):
        tail = [" ".join(tail)]  # "since 10 minutes": one duration in two words
    if len(tail) > 1:
        raise InputError("`/ops logs` takes a host or service and an optional `since 10m`.")
    since = parse_lookback(tail[0]) if tail else 600
    return OpsCommand(OpsKind.LOGS, target=target, since_seconds=since)
