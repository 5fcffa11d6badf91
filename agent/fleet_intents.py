"""Slots of fleet questions: fleet averages, thresholds, name prefixes and rankings. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent.host_intents import availability_call
from agent.slots import top_n, top_n_named
from domain.durations import UNIT_PATTERN
from domain.models import HostRef, MetricKind

Call = tuple[str, dict[str, Any]]

_AVERAGE = re.compile(r"\b(average|avg|mean|overall)\b")
_FLEET_WORD = re.compile(
    r"\b(fleet|all\s+(the\s+)?(hosts|servers|boxes|machines|nodes)|across|every\s+host|overall|whole|estate)\b"
)
_THRESHOLD = re.compile(
    r"(?P<dir>\b(?:above|over|more\s+than|greater\s+than|higher\s+than|exceeding|below|under|less\s+than"
    r"|lower\s+than)\b|>=?|<=?)"
    rf"\s*(?P<n>\d+(?:\.\d+)?)(?![\d.]|\s*{UNIT_PATTERN}\b)\s*%?"
)
#: A band of values: "between 10 and 20 percent", "between 40 and 60% cpu" (a percent sign or word marks it as values).
_BAND = re.compile(
    r"\bbetween\s+(?P<lo>\d+(?:\.\d+)?)\s*%?\s*(?:and|-|to)\s*(?P<hi>\d+(?:\.\d+)?)\s*(?:%|percent\b|pct\b)"
)
_LOWER = ("below", "under", "less", "lower", "<")
#: Past a value for a whole window ("above 90% for 10 minutes", "sustained"), not at some time in it.
_THROUGHOUT = re.compile(
    r"\bfor\s+(?:the\s+)?(?:(?:past|last|over|more\s+than|at\s+least|longer\s+than)\s+)?"
    rf"(?:\d+|an?|one|two|three|four|five|ten|fifteen|twenty|thirty)\s*{UNIT_PATTERN}\b"
    r"|\bfor\s+(?:the\s+)?(?:past|last|whole|entire)\s+(?:minute|hour|day|week)\b"
    r"|\b(?:sustained|consistently|continuously|constantly|throughout|non-?stop|the\s+whole\s+(?:time|window)"
    r"|all\s+the\s+time|the\s+entire\s+(?:time|window))\b"
)
_LOWEST = re.compile(r"\b(lowest|least|quietest|idlest|idle|fewest|smallest|emptiest|underused|underutilized|bottom)\b")
#: The high end of a metric, as a follow-up of a ranking names it ("and the most?").
_MOST = re.compile(r"\b(most|highest|top|busiest|fullest|max|maximum|biggest|largest|heaviest|high|hottest)\b")
#: Words that rank by CPU whatever the thread was about ("busiest web server" after a memory question).
_BUSY = re.compile(r"\b(?:busiest|busy|idlest|idle)\b")
#: A bare "low"/"light" ranks from the bottom too ("low cpu hosts").
_LOW = re.compile(r"\b(?:low|light)\b")
#: Running short of a resource ("low on memory", "running out of disk"): the hosts using most of it.
_SCARCE = re.compile(r"\b(?:low|short)\s+(?:on|of)\b|\brunning\s+(?:out|low)\b|\bout\s+of\b")
#: A level word that makes a fleet question a ranking: "low cpu hosts", "high memory servers".
_LEVEL = re.compile(r"\b(?:low|high|heavy|light)\b|\brunning\s+out\s+of\b|\bshort\s+(?:on|of)\b")
#: What a fleet's members are called.
_HOST_NOUN = r"(?:servers?|hosts?|boxes|box|nodes?|machines?|instances?)"
_HOSTS_WORD = re.compile(rf"\b{_HOST_NOUN}\b")
#: Free space is the other end of a used-percent metric: the least free disk is the fullest.
_FREE = re.compile(r"\b(free|available|left|remaining|headroom|spare)\b")
_GROUP = re.compile(
    r"\b(?:all|every|each)\s+(?:the\s+|of\s+the\s+)?(?P<prefix>[a-z][a-z0-9]*)[\s-]*"
    rf"{_HOST_NOUN}\b"
    r"|\b(?:the\s+)?(?P<prefix2>[a-z][a-z0-9]*)\s+(?:servers?|hosts?|boxes|box|nodes?|machines?)\b"
    r"|\b(?P<glob>[a-z][a-z0-9-]*\*)"
)
_NOT_PREFIX = frozenset({"all", "the", "my", "our", "which", "what", "many", "down", "up", "busiest", "these", "those"})


def fleet_metric_call(
    text: str, known: Sequence[HostRef], metric: MetricKind, *, since: str | None = None
) -> Call | None:
    """A fleet-wide reading the question narrows by a band or threshold of values, a name prefix, or a fleet
    average (over ``since`` when the question names a window), else None."""
    args: dict[str, Any] = {"metric": metric.value}
    # Past a value within a window ("were above 90% this afternoon"): each host's extreme over it; for all of it
    # ("above 90% for 10 minutes"): its value at the other end.
    window: dict[str, Any] = {"since": since} if since else {}
    if since and _THROUGHOUT.search(text):
        window["throughout"] = True
    args.update(_named_group(text, known))
    # Free space is what a used-percent metric leaves: under 10% free is over 90% used.
    free = metric in (MetricKind.DISK, MetricKind.MEMORY) and _FREE.search(text) is not None
    if m := _BAND.search(text):
        low, high = sorted((float(m["lo"]), float(m["hi"])))
        low, high = (100 - high, 100 - low) if free else (low, high)
        # "between 10 and 20 percent" is a band of values, not a window of hours.
        within = {} if since and since.removeprefix("between ") in m.group(0) else window
        return "get_current_metric", {**args, "above": low, "below": high, **within}
    if m := _THRESHOLD.search(text):
        lower = m["dir"].split()[0].rstrip("=") in _LOWER
        value = float(m["n"])
        args["above" if lower == free else "below"] = 100 - value if free else value
        return "get_current_metric", {**args, **window}
    if _AVERAGE.search(text) and (_FLEET_WORD.search(text) or "match" in args):
        average: dict[str, Any] = {"metrics": [metric.value], **({"match": args["match"]} if "match" in args else {})}
        return "fleet_status", {**average, **window}
    if "match" in args:
        return "get_current_metric", args
    return None


def fleet_call(text: str, known: Sequence[HostRef], metric: MetricKind | None, *, since: str | None = None) -> Call:
    """The fleet intent: up/down and counts, the hosts that were down over a window, or a fleet-wide reading of
    the metric it names."""
    if metric is None:
        named = _named_group(text, known)
        if (past := availability_call(text, None)) is not None:
            return past[0], {**past[1], **named}
        # "how many web servers are up?": the hosts of that name alone.
        return "fleet_status", named
    if (call := fleet_metric_call(text, known, metric, since=since)) is not None:
        return call
    if asks_for_an_end(text):
        return top_call(text, known, metric, since=since)
    return "get_current_metric", {"metric": metric.value}


def top_call(text: str, known: Sequence[HostRef], metric: MetricKind | None, *, since: str | None = None) -> Call:
    """A ranking of hosts by a metric (CPU unless it names one), or the hosts past a threshold it names (within
    ``since`` when the question names a window)."""
    kind = metric or MetricKind.CPU
    threshold = _THRESHOLD.search(text) or _BAND.search(text)
    if threshold and (call := fleet_metric_call(text, known, kind, since=since)) is not None:
        return call
    lowest = _LOWEST.search(text) is not None or _LOW.search(text) is not None
    if _SCARCE.search(text):
        lowest = False
    elif kind in (MetricKind.DISK, MetricKind.MEMORY) and _FREE.search(text):
        lowest = not lowest
    order = "lowest" if lowest else "highest"
    return "top_hosts", {"metric": kind.value, "n": top_n(text), "order": order, **_named_group(text, known)}


def _end_named(text: str) -> str | None:
    """Which end of a metric the words name ("least", "quietest": low; "most", "busiest": high), if one."""
    low = _LOWEST.search(text) is not None or _LOW.search(text) is not None
    high = _MOST.search(text) is not None
    return None if low == high else "low" if low else "high"


def ranking_keeps(text: str, args: dict[str, Any], kept: dict[str, str] | None) -> dict[str, str]:
    """What a ranking's thread keeps: its order, count and host group, and which end its words named (else
    the end its thread's words named)."""
    end = _end_named(text) or (kept or {}).get("end")
    return {
        "order": str(args["order"]),
        "n": str(args["n"]),
        **({"match": str(args["match"])} if "match" in args else {}),
        **({"end": end} if end else {}),
    }


def ranking_follow_up(
    text: str, known: Sequence[HostRef], metric: MetricKind | None, kept: dict[str, str], *, since: str | None = None
) -> Call:
    """A follow-up of a ranking ("and memory?", "and the most?"): the thread's order, count and host group
    unless it names its own. Naming the other end than the thread's words did turns the order round:
    "and the most?" after "the least free memory" ranks the most free."""
    tool, args = top_call(text, known, metric, since=since)
    if tool != "top_hosts":
        return tool, args
    end, before = _end_named(text), kept.get("end")
    if end is None or (before is not None and end == before):
        args["order"] = kept["order"]
    elif before is not None:
        args["order"] = "lowest" if kept["order"] == "highest" else "highest"
    if top_n_named(text) is None and kept.get("n", "").isdigit():
        args["n"] = int(kept["n"])
    if "match" not in args and "match" in kept and not _FLEET_WORD.search(text):
        args["match"] = kept["match"]
    return tool, args


def ranks_by_busyness(text: str) -> bool:
    """Whether the words rank hosts by how busy they are (their CPU), not by a metric the thread named."""
    return _BUSY.search(text) is not None


def asks_for_an_end(text: str) -> bool:
    """True for a question about hosts at one end of a metric ("hosts low on memory", "low cpu servers")."""
    return _LEVEL.search(text) is not None and _HOSTS_WORD.search(text) is not None


def _named_group(text: str, known: Sequence[HostRef]) -> dict[str, str]:
    """``{"match": prefix}`` for the hosts of a name the question gives ("busiest web server"), else empty."""
    prefix = _prefix(text, known)
    return {"match": prefix} if prefix is not None else {}


def _prefix(text: str, known: Sequence[HostRef]) -> str | None:
    """A host-name prefix or glob the question names (``all web servers`` → ``web``), if hosts carry it."""
    for m in _GROUP.finditer(text):
        if m["glob"]:
            return m["glob"]
        word = m["prefix"] or m["prefix2"]
        if word and word not in _NOT_PREFIX:
            stem = word[:-1] if word.endswith("s") and len(word) > 3 else word
            if any(h.name.lower().startswith(candidate) for h in known for candidate in (word, stem)):
                return word if any(h.name.lower().startswith(word) for h in known) else stem
    return None
