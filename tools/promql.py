"""PromQL builders for the questions the product answers. Pure: strings in, strings out.

Every label value that comes from a user goes through ``label_value`` first: it must
match an allowlist pattern, and is escaped anyway, so no request can inject PromQL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from domain.errors import InputError
from domain.models import MetricKind

HOST_LABELS = ("instance", "host", "instance_id")
_BY = "instance, host, instance_id"
_LABEL_VALUE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,252}$")
MAX_POINTS_PER_SERIES = 1100
RATE_WINDOW = "1m"


def label_value(value: str, *, what: str = "label value") -> str:
    """Validate a label value from user input and return it quoted for PromQL.

    Raises:
        InputError: the value has characters outside ``[A-Za-z0-9_.:/-]`` or is too long.
    """
    if not _LABEL_VALUE_RE.fullmatch(value):
        shown = value[:40].encode("unicode_escape").decode()
        raise InputError(f"'{shown}' is not a valid {what}: use letters, digits and _ . : / -")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def host_selector(instances: Sequence[str] | None) -> str:
    """Label matchers selecting the given ``instance`` values (all hosts when None)."""
    if instances is None:
        return ""
    quoted = [label_value(v, what="host") for v in instances]
    if len(quoted) == 1:
        return f"instance={quoted[0]}"
    alternatives = "|".join(re.escape(q[1:-1]).replace("\\", "\\\\") for q in quoted)
    return f'instance=~"{alternatives}"'


def _join(*matchers: str) -> str:
    return ",".join(m for m in matchers if m)


def metric_query(metric: MetricKind, instances: Sequence[str] | None = None) -> str:
    """The PromQL giving ``metric`` per host, in the unit of ``metric.unit``.

    Args:
        metric: which host metric.
        instances: ``instance`` label values to select, or None for the whole fleet.
    """
    sel = host_selector(instances)
    w = RATE_WINDOW
    if metric is MetricKind.CPU:
        idle = _join('mode="idle"', sel)
        return f"100 * (1 - avg by ({_BY}) (rate(node_cpu_seconds_total{{{idle}}}[{w}])))"
    if metric is MetricKind.MEMORY:
        avail = f"node_memory_MemAvailable_bytes{{{sel}}}"
        total = f"node_memory_MemTotal_bytes{{{sel}}}"
        return f"100 * (1 - max by ({_BY}) ({avail}) / max by ({_BY}) ({total}))"
    if metric is MetricKind.DISK:
        fs = _join('mountpoint="/"', 'fstype!~"tmpfs|overlay|squashfs"', sel)
        avail = f"node_filesystem_avail_bytes{{{fs}}}"
        size = f"node_filesystem_size_bytes{{{fs}}}"
        return f"100 * (1 - max by ({_BY}) ({avail}) / max by ({_BY}) ({size}))"
    if metric is MetricKind.DISK_IO:
        dev = _join('device!~"loop.*|ram.*"', sel)
        read = f"sum by ({_BY}) (rate(node_disk_read_bytes_total{{{dev}}}[{w}]))"
        written = f"sum by ({_BY}) (rate(node_disk_written_bytes_total{{{dev}}}[{w}]))"
        return f"({read} + {written}) / 1e6"
    if metric in (MetricKind.NETWORK_IN, MetricKind.NETWORK_OUT):
        family = "receive" if metric is MetricKind.NETWORK_IN else "transmit"
        dev = _join('device!~"lo|veth.*|docker.*|br-.*"', sel)
        return f"sum by ({_BY}) (rate(node_network_{family}_bytes_total{{{dev}}}[{w}])) / 1e6"
    if metric is MetricKind.LOAD:
        return f"max by ({_BY}) (node_load1{{{sel}}})"
    if metric is MetricKind.UP:
        return f"max by ({_BY}) (up{{{sel}}})"
    raise InputError(f"unknown metric {metric}")  # pragma: no cover - exhaustive


def hosts_query() -> str:
    """PromQL listing every host with its identifying labels."""
    return f"count by ({_BY}) (node_uname_info)"


def range_step(start: float, end: float, requested: float) -> float:
    """A step no smaller than ``requested`` that keeps a range under ``MAX_POINTS_PER_SERIES`` points."""
    if end <= start:
        raise InputError("the end of a time range must be after its start")
    needed = (end - start) / (MAX_POINTS_PER_SERIES - 1)
    return float(max(requested, math.ceil(needed)))
