"""What to do with a question the rules could not place: the intent model's guess, filled with slots, or
the two or three closest things the assistant can do. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent.intent_model import Guess
from domain.models import MetricKind

#: Intents the model may route to on its own (never a remediation: that needs the person's exact words).
_NEEDS_HOST = frozenset({"metric_range", "host_status", "capacity", "diagnosis"})


def call_for(
    intent: str, *, host: str | None, metric: MetricKind | None, since: str | None
) -> tuple[str, dict[str, Any]] | None:
    """The tool call for ``intent`` with the slots found, or None when a needed slot is missing."""
    if intent in _NEEDS_HOST and host is None:
        return None
    m = (metric or MetricKind.CPU).value
    calls: dict[str, tuple[str, dict[str, Any]]] = {
        "metric_now": ("get_current_metric", {"metric": m, **({"host": host} if host else {})}),
        "metric_range": ("get_metric_range", {"metric": m, "host": host, "since": since or "1h"}),
        "top_hosts": ("top_hosts", {"metric": m, "n": 5, "order": "highest"}),
        "host_status": ("host_status", {"host": host}),
        "fleet": ("fleet_status", {}),
        "capacity": ("host_capacity", {"host": host}),
        "diagnosis": ("diagnose_host", {"host": host}),
        "anomalies": ("list_recent_anomalies", {"limit": 5}),
        "logs": ("get_logs", {"since": since or "15m", "limit": 20, **({"host": host} if host else {})}),
        "approvals": ("list_pending_approvals", {}),
    }
    return calls.get(intent)


def suggestion(intent: str, *, host: str | None, metric: MetricKind | None) -> str:
    """One thing the assistant can do, as the person could ask it."""
    h = host or "web-1"
    label = (metric or MetricKind.CPU).label
    return {
        "metric_now": f'{label} on {h} now ("{label} on {h}")',
        "metric_range": f'{label} on {h} over a window ("peak {label} on {h} in the last 6h")',
        "top_hosts": f'the busiest hosts ("top 5 hosts by {label}")',
        "host_status": f'the {h} status ("is {h} up?")',
        "fleet": 'the fleet status ("is anything down?")',
        "capacity": f'what {h} has ("how much memory does {h} have?")',
        "diagnosis": f'a health check of {h} ("what\'s wrong with {h}?")',
        "anomalies": 'recent anomalies ("summarize the last 3 anomalies")',
        "logs": f'logs ("show errors for {h} in the last hour")',
        "approvals": 'pending approvals ("what is waiting for approval?")',
        "remediation": f'a restart of a service on {h} ("restart nginx on {h}"), which a person approves',
        "help": 'the list of what I can do ("help")',
    }[intent]


def did_you_mean(guesses: Sequence[Guess], *, host: str | None, metric: MetricKind | None, limit: int = 3) -> str:
    """``I can't answer that as asked. Did you mean: A, B or C?`` from the closest intents."""
    options = [suggestion(g.intent, host=host, metric=metric) for g in guesses[:limit]]
    listed = ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else options[0]
    return f'I can\'t answer that as asked. Did you mean: {listed}? (Ask "help" for everything I can do.)'
