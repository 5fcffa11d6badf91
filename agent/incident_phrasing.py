"""How an incident reads wherever the router lists one: severity, kind, host, signal and filesystem, value.

Pure. ``[high] disk fill: worker-1 disk used (/data) 55.2%``; a plain anomaly has no kind
(``[high] worker-1 CPU 97.0%``); a host that is down reads ``[critical] host down: api-2 not reachable``.
"""

from __future__ import annotations

import re

from domain.models import Anomaly, MetricKind
from tools.formatting import minute

#: The projection an incident's summary ends with ("full in ~6 h at 20:16 UTC"): its time is kept, not its
#: countdown, which was counted from when the summary was written.
_FORECAST = re.compile(r"full in [^,]+ at (?P<at>[^,]+)$")


def _kind(a: Anomaly) -> str:
    kind = a.detector.removeprefix("engine:") if a.detector.startswith("engine:") else "anomaly"
    if a.metric is MetricKind.UP and kind == "anomaly" and a.value < 0.5:
        return "host_down"
    return kind


def incident_head(a: Anomaly, *, host: bool = True) -> str:
    """Severity, kind (when more than an anomaly), host (unless ``host`` is False), signal, filesystem and value."""
    kind = _kind(a)
    tag = "" if kind == "anomaly" else f" {kind.replace('_', ' ')}:"
    name = f" {a.host.name}" if host else ""
    if kind == "host_down":
        return f"[{a.severity.value}]{tag}{name or ' host'} not reachable"
    where = f" ({a.mountpoint})" if a.mountpoint else ""
    return f"[{a.severity.value}]{tag}{name} {a.metric.label}{where} {a.value_text}"


def anomaly_text(a: Anomaly) -> str:
    """``[critical] db-1 CPU 97.0%, open since 2026-03-10 14:50 UTC``, and the forecast when the incident has one::

    [high] disk fill: worker-1 disk used (/data) 55.2%, open since 2026-03-10 14:10 UTC, projected full at 20:16 UTC
    """
    forecast = _FORECAST.search(a.summary)
    head = f"{incident_head(a)}, {a.status.value} since {minute(a.started_at)}"
    return head + (f", projected full at {forecast['at']}" if forecast else "")
