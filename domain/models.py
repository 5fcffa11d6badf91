"""Domain values shared by every package: hosts, metrics, series, anomalies, tool results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, SerializeAsAny

from domain.durations import format_duration


class Severity(StrEnum):
    """How urgent an anomaly is, from least to most."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Order of the severity, 0 for low up to 3 for critical."""
        return list(Severity).index(self)

    @staticmethod
    def worst(first: Severity, *others: Severity) -> Severity:
        """The most urgent of the severities given."""
        return max((first, *others), key=lambda s: s.rank)


class AnomalyStatus(StrEnum):
    """Life cycle of one incident."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class MetricKind(StrEnum):
    """The host metrics the product knows how to ask for."""

    CPU = "cpu"
    MEMORY = "memory"
    DISK = "disk"
    DISK_IO = "disk_io"
    NETWORK_IN = "network_in"
    NETWORK_OUT = "network_out"
    LOAD = "load"
    UP = "up"

    @property
    def unit(self) -> str:
        """The unit values of this metric carry."""
        return _UNITS[self]

    @property
    def is_percent(self) -> bool:
        """True for metrics measured in percent (cpu, memory, disk), which saturate at 100."""
        return _UNITS[self] == "%"

    @property
    def label(self) -> str:
        """Human name of the metric."""
        return _LABELS[self]


_UNITS: dict[MetricKind, str] = {
    MetricKind.CPU: "%",
    MetricKind.MEMORY: "%",
    MetricKind.DISK: "%",
    MetricKind.DISK_IO: "MB/s",
    MetricKind.NETWORK_IN: "MB/s",
    MetricKind.NETWORK_OUT: "MB/s",
    MetricKind.LOAD: "",
    MetricKind.UP: "",
}

_LABELS: dict[MetricKind, str] = {
    MetricKind.CPU: "CPU",
    MetricKind.MEMORY: "memory used",
    MetricKind.DISK: "disk used",
    MetricKind.DISK_IO: "disk I/O",
    MetricKind.NETWORK_IN: "network in",
    MetricKind.NETWORK_OUT: "network out",
    MetricKind.LOAD: "load (1m)",
    MetricKind.UP: "up",
}


def format_value(metric: MetricKind, value: float) -> str:
    """Render a value with its unit, e.g. ``42.7%`` or ``12.3 MB/s``."""
    if metric is MetricKind.UP:
        return "up" if value >= 1 else "down"
    if metric.is_percent:
        return f"{value:.1f}%"
    if metric.unit:
        return f"{value:.1f} {metric.unit}"
    return f"{value:.2f}"


class HostRef(BaseModel):
    """A host as the metrics see it: the node_exporter ``instance`` label, with optional friendly names."""

    model_config = ConfigDict(frozen=True)

    instance: str
    host: str | None = None
    instance_id: str | None = None

    @property
    def name(self) -> str:
        """The name people use: the friendly ``host`` label when there is one."""
        return self.host or self.instance


class HostState(BaseModel):
    """A known host and whether it answers: a down host is still a host, with when it was last seen."""

    model_config = ConfigDict(frozen=True)

    ref: HostRef
    up: bool
    #: Time of the host's newest node_exporter sample (None when none is left in the look-back).
    last_seen: datetime | None = None

    def describe_down(self, now: datetime) -> str:
        """``down since 14:05 UTC (last seen 2026-03-10 14:05 UTC, 23m ago)`` for a down host; ``up`` otherwise."""
        if self.up:
            return "up"
        if self.last_seen is None:
            return "down (not seen recently)"
        seconds = max(0, int((now - self.last_seen).total_seconds()))
        ago = format_duration(seconds)
        return f"down since {self.last_seen:%H:%M} UTC (last seen {self.last_seen:%Y-%m-%d %H:%M} UTC, {ago} ago)"


class Filesystem(BaseModel):
    """One mounted filesystem of a host."""

    model_config = ConfigDict(frozen=True)

    mountpoint: str
    device: str = ""
    fstype: str = ""
    size_bytes: float
    avail_bytes: float

    @property
    def used_percent(self) -> float:
        """Share of the filesystem in use."""
        return 100.0 * (1.0 - self.avail_bytes / self.size_bytes) if self.size_bytes else 0.0


class HostCapacity(BaseModel):
    """What a host has (memory, CPUs, filesystems) and how long it has been up; None where it is not exposed."""

    model_config = ConfigDict(frozen=True)

    host: HostRef
    at: datetime
    memory_total_bytes: float | None = None
    memory_available_bytes: float | None = None
    cpus: int | None = None
    boot_time: datetime | None = None
    filesystems: tuple[Filesystem, ...] = ()
    disk_read_mb_s: float | None = None
    disk_write_mb_s: float | None = None


@dataclass(frozen=True)
class Sample:
    """One value of a metric for one host at one time, averaged over ``window``."""

    host: HostRef
    metric: MetricKind
    value: float
    timestamp: datetime
    window: str


@dataclass(frozen=True)
class Series:
    """Values of one metric for one host over time (timestamps in epoch seconds, UTC)."""

    host: HostRef
    metric: MetricKind
    timestamps: tuple[float, ...]
    values: tuple[float, ...]
    labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.timestamps) != len(self.values):
            raise ValueError("timestamps and values differ in length")


class Anomaly(BaseModel):
    """One incident on one host and metric; it is updated while it lasts."""

    id: str
    host: HostRef
    metric: MetricKind
    detector: str
    status: AnomalyStatus = AnomalyStatus.OPEN
    severity: Severity
    score: float
    value: float
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None
    summary: str = ""
    acknowledged_by: str | None = None
    #: The filesystem of a disk anomaly (``/data``), when the detector watches each one.
    mountpoint: str | None = None

    @property
    def value_text(self) -> str:
        """The observed value with its unit."""
        return format_value(self.metric, self.value)


class ToolStatus(StrEnum):
    """Outcome of a tool call."""

    SUCCESS = "success"
    NO_DATA = "no_data"
    ERROR = "error"
    APPROVAL_REQUIRED = "approval_required"


class ToolResult(BaseModel):
    """What every tool returns, to the agent and to the router alike.

    ``data`` is the tool's typed result, a pydantic model defined beside the tool: numbers as floats
    with the metric they measure (so their unit), times as aware datetimes, hosts as ``HostRef``.
    It becomes text only where it is shown: the router's phrasing, Slack, the HTTP API and the
    model's tool message. It is None when the call failed.
    """

    status: ToolStatus
    data: SerializeAsAny[BaseModel] | None = None
    error: str | None = None
    error_type: str | None = None
    params: dict[str, Any] = {}
