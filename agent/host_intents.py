"""Slots of questions about one host: its status, capacity, a diagnosis, what happened around a time. Pure."""

from __future__ import annotations

import re
from typing import Any

from agent.slots import around_clock, day_in, mountpoint_in, since_in

Call = tuple[str, dict[str, Any]]

#: Whether a host was down in the past, not whether it is now ("was api-2 down today", "when did the outage end").
_WAS_DOWN = re.compile(
    r"\b(?:was|were|went|been|has\s+it\s+been|have\s+been)\b.*\b(?:down|offline|unreachable|dead|out)\b"
    r"|\b(?:outages?|downtime|down\s*time)\b|\bcome\s+back\b|\bback\s+(?:up|online)\b|\blast\s+down\b"
    r"|\bdid\b.*\bgo\s+(?:down|offline)\b"
    r"|\b(?:was|were|been)\b.*\bup\s+(?:all|the\s+whole|throughout)\b"
    # "has web-1 gone down since 9am" asks about a window; "has api-3 gone offline" about now.
    r"|\b(?:has|have|had)\b.*\b(?:gone|been)\s+(?:down|offline|unreachable)\b"
    r"(?=.*\b(?:since|today|yesterday|overnight|last|this|during|ago|at\s+all)\b)"
    r"|\bdid\b.*\bcrash(?:ed)?\b"
)
#: A question about a past restart of the host ("did db-1 reboot today", "has web-1 restarted"): its uptime.
_RESTARTED = re.compile(
    r"^(?:did|has|have|had|was|were|when\s+(?:did|was|were|has|had)|how\s+long\s+(?:since|ago|has)|is\s+it\s+true)\b"
    r"(?!.*\b(?:work|succeed|go\s+through|finish|complete|fail)(?:ed|s)?\b).*\b(?:restart|reboot|bounce)(?:ed|s)?\b"
    r"|\b(?:restarted|rebooted)\s+(?:recently|today|yesterday|overnight|lately)\b"
)


def availability_call(text: str, host: str | None) -> Call | None:
    """When the host (without one, every host) was down over the question's window (the last day unless it
    names one), or None when the question is not about the past."""
    if not _WAS_DOWN.search(text) or re.search(r"\bhow\s+long\s+(?:has|have)\b", text):
        return None
    since = since_in(text) or day_in(text) or around_clock(text, minutes=30) or "24h"
    if host is None:
        return "fleet_downtime", {"since": since}
    return "get_metric_range", {"metric": "up", "host": host, "since": since}


def restart_question_call(text: str, host: str | None) -> Call | None:
    """The host's uptime and boot time when the question asks whether (or when) it restarted, else None."""
    return ("host_capacity", {"host": host}) if host and _RESTARTED.search(text) else None


def status_call(host: str | None, text: str = "") -> Call:
    """The host's status, or the fleet's when the question names no host; when it was down, if that is asked."""
    if (past := availability_call(text, host)) is not None:
        return past
    return ("host_status", {"host": host}) if host else ("fleet_status", {})


def capacity_call(text: str, host: str | None) -> Call | None:
    """What the host has (memory, CPUs, uptime, filesystems, one mountpoint), or None without a host."""
    if host is None:
        return None
    if (past := availability_call(text, host)) is not None:
        return past
    args: dict[str, Any] = {"host": host}
    if (mount := mountpoint_in(text)) is not None:
        args["mountpoint"] = mount
    return "host_capacity", args


def diagnosis_call(host: str | None, moment: str | None, text: str = "") -> Call | None:
    """A health check of the host now, or what happened on it around ``moment``; without a host, the fleet's
    anomalies that began within half an hour of a time of day the text names; else None. Whether it was
    down ("was db-1 down yesterday") is its availability over that window."""
    if (past := availability_call(text, host)) is not None:
        return past
    if host is None:
        window = around_clock(text, minutes=30) if moment is not None else None
        return ("summarize_anomalies", {"since": window}) if window else None
    if moment is not None:
        return "what_happened", {"host": host, "at": moment}
    return "diagnose_host", {"host": host}
