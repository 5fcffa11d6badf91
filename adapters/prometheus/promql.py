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

_BY = "instance, host, instance_id"
# The labels a host's series are grouped by: all that identify it, or the instance alone (answers
# a third smaller, for a reader that already knows each instance's other labels).
HOST_LABELS = _BY
INSTANCE_LABEL = "instance"
_LABEL_VALUE_RE = re.compile(r"^[A-Za-z0-9/][A-Za-z0-9_.:/\-]{0,252}$")
MAX_POINTS_PER_SERIES = 1100
RATE_WINDOW = "1m"
# Series every host has exactly one of; its label set is the host's identity.
HOST_INFO_METRIC = "node_uname_info"
# A target is a host when it exposes one of these (Prometheus itself, Alertmanager or the
# bot's /metrics expose neither); ``up`` alone cannot tell.
NODE_SERIES = (HOST_INFO_METRIC, "node_cpu_seconds_total")
# How far back a down host is still known, and the resolution of its "last seen".
HOST_LOOK_BACK = "24h"
LAST_SEEN_STEP = "15s"
# Pseudo and in-memory filesystems say nothing about disk space.
_FS_IGNORED = 'fstype!~"tmpfs|devtmpfs|ramfs|overlay|squashfs|nsfs|autofs|fuse.lxcfs"'
# Mounts that are not the host's own storage: runtime state, firmware, container and snap layers.
_MOUNTS_IGNORED = (
    'mountpoint!~"/run(/.*)?|/boot/efi|/dev(/.*)?|/proc(/.*)?|/sys(/.*)?|/snap/.+|/var/lib/docker/.+|'
    '/var/lib/containers/.+|/var/lib/kubelet/.+"'
)
# The host's own filesystems: what every fleet-wide disk read selects.
_REAL_FILESYSTEMS = f"{_FS_IGNORED},{_MOUNTS_IGNORED}"
# The series behind a used %: 100 × (1 − available / capacity).
_USAGE_BYTES = {
    MetricKind.MEMORY: ("node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"),
    MetricKind.DISK: ("node_filesystem_avail_bytes", "node_filesystem_size_bytes"),
}
RATE_METRICS = frozenset({MetricKind.CPU, MetricKind.DISK_IO, MetricKind.NETWORK_IN, MetricKind.NETWORK_OUT})


def sample_window(metric: MetricKind, *, past: bool) -> str:
    """What a read of ``metric`` at one time is taken over: the rate window, else the sample itself
    (``latest`` now, ``value then`` for a time in the past)."""
    if metric in RATE_METRICS:
        return f"{RATE_WINDOW} average"
    return "value then" if past else "latest"


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


def metric_query(
    metric: MetricKind, instances: Sequence[str] | None = None, *, job: str | None = None, by: str = HOST_LABELS
) -> str:
    """The PromQL giving ``metric`` per host, in the unit of ``metric.unit``.

    Args:
        metric: which host metric.
        instances: ``instance`` label values to select, or None for the whole fleet.
        job: restrict to one scrape job.
        by: the labels each host's series keeps (``HOST_LABELS`` or ``INSTANCE_LABEL``).

    Returns:
        One PromQL expression whose result has one series per host.
    """
    sel = host_selector(instances, job=job)
    w = RATE_WINDOW
    if metric is MetricKind.CPU:
        idle = _join('mode="idle"', sel)
        return f"100 * (1 - avg by ({by}) (rate(node_cpu_seconds_total{{{idle}}}[{w}])))"
    # Ratios are taken series by series, then one aggregation keeps the host labels: a range
    # query over a large fleet evaluates that about 40% faster than aggregating both sides.
    if metric is MetricKind.MEMORY:
        avail, total = (f"{name}{{{sel}}}" for name in _USAGE_BYTES[MetricKind.MEMORY])
        return f"100 * (1 - max by ({by}) ({avail} / {total}))"
    if metric is MetricKind.DISK:
        fs = _join('mountpoint="/"', _FS_IGNORED, sel)
        avail, size = (f"{name}{{{fs}}}" for name in _USAGE_BYTES[MetricKind.DISK])
        return f"100 * (1 - max by ({by}) ({avail} / {size}))"
    if metric is MetricKind.DISK_IO:
        dev = _join('device!~"loop.*|ram.*"', sel)
        read = f"sum by ({by}) (rate(node_disk_read_bytes_total{{{dev}}}[{w}]))"
        written = f"sum by ({by}) (rate(node_disk_written_bytes_total{{{dev}}}[{w}]))"
        return f"({read} + {written}) / 1e6"
    if metric in (MetricKind.NETWORK_IN, MetricKind.NETWORK_OUT):
        family = "receive" if metric is MetricKind.NETWORK_IN else "transmit"
        dev = _join('device!~"lo|veth.*|docker.*|br-.*"', sel)
        return f"sum by ({by}) (rate(node_network_{family}_bytes_total{{{dev}}}[{w}])) / 1e6"
    if metric is MetricKind.LOAD:
        return f"max by ({by}) (node_load1{{{sel}}})"
    if metric is MetricKind.UP:
        return f"max by ({by}) (up{{{sel}}})"
    raise InputError(f"unknown metric {metric}")  # pragma: no cover - exhaustive


def filesystem_query(instances: Sequence[str] | None = None, *, job: str | None = None, by: str = HOST_LABELS) -> str:
    """The PromQL giving the used % of every real filesystem, one series per host × ``mountpoint``.

    Pseudo and in-memory filesystems and the mounts of the runtime, firmware and container
    layers are left out, so the same answer serves every host of the fleet in one query.

    Raises:
        InputError: a value is not a valid label value, or ``instances`` is empty.
    """
    fs = _join(_REAL_FILESYSTEMS, host_selector(instances, job=job))
    avail, size = (f"{name}{{{fs}}}" for name in _USAGE_BYTES[MetricKind.DISK])
    return f"100 * (1 - max by ({by}, mountpoint) ({avail} / {size}))"


def usage_bytes_queries(signal: MetricKind, *, by: str = HOST_LABELS) -> tuple[str, str]:
    """PromQL giving the available bytes and the capacity behind ``signal``'s used %, for the whole fleet.

    Memory is one series per host, disk one per host × real filesystem (the filesystems
    ``filesystem_query`` reads).

    Raises:
        InputError: ``signal`` is neither memory nor disk.
    """
    if signal not in _USAGE_BYTES:
        raise InputError(f"{signal} is not a used share of a capacity")
    disk = signal is MetricKind.DISK
    sel = _REAL_FILESYSTEMS if disk else ""
    grouping = f"{by}, mountpoint" if disk else by
    available, capacity = (f"max by ({grouping}) ({name}{{{sel}}})" for name in _USAGE_BYTES[signal])
    return available, capacity


def hosts_query(selector: str | None = None) -> str:
    """PromQL listing every host that reports now, with its identifying labels.

    A host is a target exposing node_exporter's series; ``selector`` (label matchers such as
    ``job="node"``) narrows that down further.
    """
    sel = selector or ""
    return " or ".join(f"count by ({_BY}) ({name}{{{sel}}})" for name in NODE_SERIES)


def targets_query(selector: str | None = None) -> str:
    """PromQL giving every scrape target's ``up`` (1 or 0), optionally only those ``selector`` matches."""
    return f"max by ({_BY}) (up{{{selector or ''}}})"


def seen_hosts_query(instances: Sequence[str], *, look_back: str, selector: str | None = None) -> str:
    """PromQL giving the identifying labels of those ``instances`` that exposed node series within ``look_back``.

    A range selector reads the samples themselves, so series marked stale since still count.

    Raises:
        InputError: an instance is not a valid label value, or ``instances`` is empty.
    """
    sel = _join(host_selector(instances), selector or "")
    return f"max by ({_BY}) (last_over_time({HOST_INFO_METRIC}{{{sel}}}[{look_back}]))"


def last_up_query(instances: Sequence[str], *, look_back: str, selector: str | None = None) -> str:
    """PromQL giving, per instance, the time of its newest successful scrape (``up == 1``) within ``look_back``.

    ``up`` keeps a sample per scrape while the target fails, so the subquery finds its last 1 to
    within ``LAST_SEEN_STEP``.

    Raises:
        InputError: an instance is not a valid label value, or ``instances`` is empty.
    """
    sel = _join(host_selector(instances), selector or "")
    # timestamp() of a selector is its sample's time (of an expression it would be the step's time).
    scraped = f"timestamp(up{{{sel}}}) and up{{{sel}}} == 1"
    return f"max by (instance) (max_over_time(({scraped})[{look_back}:{LAST_SEEN_STEP}]))"


def capacity_queries(instance: str) -> dict[str, str]:
    """PromQL for what one host has: memory, CPU count, boot time, filesystems and disk I/O, by name.

    Raises:
        InputError: ``instance`` is not a valid label value.
    """
    sel = host_selector([instance])
    fs = _join(_FS_IGNORED, sel)
    dev = _join('device!~"loop.*|ram.*"', sel)
    idle = _join('mode="idle"', sel)
    w = RATE_WINDOW
    return {
        "memory_total": f"max by ({_BY}) (node_memory_MemTotal_bytes{{{sel}}})",
        "memory_available": f"max by ({_BY}) (node_memory_MemAvailable_bytes{{{sel}}})",
        "cpus": f"count by ({_BY}) (node_cpu_seconds_total{{{idle}}})",
        "boot_time": f"max by ({_BY}) (node_boot_time_seconds{{{sel}}})",
        "fs_size": f"max by ({_BY}, mountpoint, device, fstype) (node_filesystem_size_bytes{{{fs}}})",
        "fs_avail": f"max by ({_BY}, mountpoint, device, fstype) (node_filesystem_avail_bytes{{{fs}}})",
        "disk_read": f"sum by ({_BY}) (rate(node_disk_read_bytes_total{{{dev}}}[{w}])) / 1e6",
        "disk_write": f"sum by ({_BY}) (rate(node_disk_written_bytes_total{{{dev}}}[{w}])) / 1e6",
    }


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
