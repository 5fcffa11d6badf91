"""Charts for answers about a host's metric over time: which question wants one, and the PNG itself."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from agent.runner import ToolCallRecord
from bot.services import Services
from bot.slack import messages
from domain.durations import DURATION_PATTERN, UNIT_PATTERN, find_duration, parse_duration
from domain.errors import InputError, OpsError
from domain.hosts import resolve_host
from domain.models import Anomaly, HostRef, MetricKind, Series
from domain.ports import MetricsSource

_LOOK_BACK = re.compile(
    rf"\b(?:over|during|in|for)\s+the\s+(?:last|past)\s+(?:{DURATION_PATTERN}|{UNIT_PATTERN}\b)", re.IGNORECASE
)
_HISTORY_WORDS = re.compile(r"\b(?:trend|graph|chart|plot|history|over time)\b", re.IGNORECASE)
_DEFAULT_MINUTES = 60
_MAX_MINUTES = 7 * 24 * 60
_POINTS = 120
_CHARTED_TOOLS = frozenset({"get_current_metric", "get_metric_range"})


@dataclass(frozen=True)
class Chart:
    """A PNG to attach to an answer."""

    png: bytes
    title: str
    filename: str


def chart_minutes(question: str) -> int | None:
    """How many minutes of history a question asks to see, or None when it asks for no history. Pure."""
    look_back = _LOOK_BACK.search(question)
    length = find_duration(look_back.group(0)) if look_back else None
    if length is None:
        return _DEFAULT_MINUTES if _HISTORY_WORDS.search(question) else None
    return _minutes(length)


def _minutes(length: timedelta) -> int:
    return max(1, min(int(length.total_seconds()) // 60, _MAX_MINUTES))


def _renderer() -> Callable[[Sequence[Series], str], bytes] | None:
    try:
        module = importlib.import_module("tools.charts")
    except ImportError:
        return None
    return cast("Callable[[Sequence[Series], str], bytes] | None", getattr(module, "render_series_png", None))


def _window_minutes(question: str, call: ToolCallRecord) -> int | None:
    if call.name == "get_metric_range":
        try:
            return _minutes(parse_duration(str(call.args.get("since", "1h"))))
        except InputError:
            return _DEFAULT_MINUTES
    return chart_minutes(question)


def chart_for(services: Services, question: str, calls: Sequence[ToolCallRecord]) -> Chart | None:
    """The chart of the host metric behind an answer, when the answer is about that metric over time."""
    call = next(
        (c for c in calls if c.name in _CHARTED_TOOLS and c.args.get("host") and c.status == "success"),
        None,
    )
    if call is None or services.metrics is None:
        return None
    minutes = _window_minutes(question, call)
    if minutes is None:
        return None
    args: dict[str, Any] = call.args
    try:
        metric = MetricKind(str(args["metric"]))
        host = resolve_host(str(args["host"]), services.metrics.hosts())
    except (OpsError, ValueError):
        return None
    return host_chart(services.metrics, host, metric, end=services.clock.now(), minutes=minutes)


def host_chart(
    metrics: MetricsSource, host: HostRef, metric: MetricKind, *, end: datetime, minutes: int
) -> Chart | None:
    """The chart of one host's metric over the ``minutes`` before ``end``; None without data or matplotlib."""
    return hosts_chart(metrics, [host], metric, end=end, minutes=minutes)


def incidents_chart(metrics: MetricsSource, anomalies: Sequence[Anomaly], *, end: datetime) -> Chart | None:
    """The chart of the last hour of incidents' signal on their hosts (each once, in their order)."""
    if not anomalies:
        return None
    hosts = list({a.host.name: a.host for a in anomalies}.values())
    return hosts_chart(metrics, hosts, anomalies[0].metric, end=end, minutes=_DEFAULT_MINUTES)


def hosts_chart(
    metrics: MetricsSource, hosts: Sequence[HostRef], metric: MetricKind, *, end: datetime, minutes: int
) -> Chart | None:
    """One chart of ``hosts``' metric over the ``minutes`` before ``end``, a line per host (the ten highest peaks).

    Returns:
        The chart, named after the host when there is one, else after how many; None without
        hosts, data or matplotlib.
    """
    render = _renderer()  # loads matplotlib: only once a chart is wanted
    if render is None or not hosts:
        return None
    try:
        series = metrics.range(
            metric,
            list(hosts),
            start=end - timedelta(minutes=minutes),
            end=end,
            step_seconds=max(15.0, minutes * 60 / _POINTS),
        )
    except OpsError:
        return None
    if not any(s.timestamps for s in series):
        return None
    name = hosts[0].name if len(hosts) == 1 else f"{len(hosts)} hosts"
    title = messages.chart_title(name, metric.label, minutes)
    return Chart(png=render(series, title), title=title, filename=f"{name.replace(' ', '-')}-{metric.value}.png")
