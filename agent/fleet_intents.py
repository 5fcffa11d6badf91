"""Reading fleet questions: up/down counts, fleet averages, thresholds, name prefixes, comparisons. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from domain.hosts import find_host_mentions
from domain.models import HostRef, MetricKind

_DOWN = re.compile(
    r"\b(is|are)\s+(any|anything|any\s*(thing|one|hosts?|box(es)?|servers?|machines?|nodes?))\s+(down|offline|dead|unreachable)"
    r"|\b(what|which)\s+(hosts?\s+|servers?\s+|boxes\s+|nodes?\s+)?(is|are)\s+(down|offline|dead|unreachable)"
    r"|\b(anything|any\s*hosts?)\s+(down|offline)\b|\bdown\s+hosts?\b|\bhosts?\s+(that\s+are\s+)?down\b"
)
_COUNT = re.compile(
    r"\bhow\s+many\s+(hosts|servers|machines|boxes|nodes|instances)\b"
    r"|\b(hosts?|servers?|nodes?)\s+(are\s+)?(up|alive|online)\b\??$"
)
_OVERVIEW = re.compile(
    r"^(status|health|overview|fleet|the fleet)\??$"
    r"|\bfleet\s+(status|health|overview|summary|state)\b"
    r"|\b(overall|cluster|infrastructure|infra|everything)\s+(status|health)\b"
    r"|\bhow\s+(is|'s|are)\s+(the\s+)?(fleet|everything|things|infra\w*)\b"
    r"|\bis\s+everything\s+(ok|okay|fine|healthy|up)\b"
)
_AVERAGE = re.compile(r"\b(average|avg|mean|overall)\b")
_FLEET_WORD = re.compile(r"\b(fleet|all\s+hosts|across|every\s+host|overall|whole)\b")
_THRESHOLD = re.compile(
    r"\b(?P<dir>above|over|more\s+than|greater\s+than|higher\s+than|exceeding|>|below|under|less\s+than|lower\s+than|<)"
    r"\s*(?P<n>\d+(?:\.\d+)?)\s*%?"
)
_LOWER = ("below", "under", "less", "lower", "<")
_GROUP = re.compile(
    r"\b(?:all|every|each)\s+(?:the\s+|of\s+the\s+)?(?P<prefix>[a-z][a-z0-9]*)[\s-]*"
    r"(?:servers?|hosts?|boxes|box|nodes?|machines?|instances?)\b"
    r"|\b(?:the\s+)?(?P<prefix2>[a-z][a-z0-9]*)\s+(?:servers|hosts|boxes|nodes|machines)\b"
    r"|\b(?P<glob>[a-z][a-z0-9-]*\*)"
)
_NOT_PREFIX = frozenset({"all", "the", "my", "our", "which", "what", "many", "down", "up", "busiest", "these", "those"})
_COMPARE = re.compile(r"\b(compare|comparison|vs\.?|versus)\b|\b\S+\s+and\s+\S+\b")


def fleet_call(text: str, known: Sequence[HostRef], metric: MetricKind | None) -> tuple[str, dict[str, Any]] | None:
    """The tool call a fleet question asks for, or None when the question is not about the fleet."""
    named = _named_hosts(text, known)
    if metric is None:
        if _DOWN.search(text) or _COUNT.search(text) or (_OVERVIEW.search(text) and not named):
            return "fleet_status", {}
        return None
    if len(named) >= 2 and _COMPARE.search(text):
        return "get_current_metric", {"metric": metric.value, "hosts": [h.name for h in named]}
    if named:
        return None
    args: dict[str, Any] = {"metric": metric.value}
    if (prefix := _prefix(text, known)) is not None:
        args["match"] = prefix
    if m := _THRESHOLD.search(text):
        args["below" if m["dir"].split()[0] in _LOWER else "above"] = float(m["n"])
        return "get_current_metric", args
    if _AVERAGE.search(text) and (_FLEET_WORD.search(text) or "match" in args):
        return "fleet_status", {"metrics": [metric.value], **({"match": args["match"]} if "match" in args else {})}
    if "match" in args:
        return "get_current_metric", args
    return None


def _named_hosts(text: str, known: Sequence[HostRef]) -> list[HostRef]:
    words = [w.strip(".,;:!?()[]{}<>'\"`") for w in re.split(r"[\s,;!?()]+", text)]
    return find_host_mentions(words, known)


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
