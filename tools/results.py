"""Values the tools' typed results share, and their rendering for the language model.

A tool result holds numbers as floats with the metric they measure (so the unit is known), times
as aware datetimes and hosts as ``HostRef``. Text is made only at the edges: the router's phrasing,
Slack, the HTTP API, and ``for_model`` here, which turns a result into JSON where every number is
a string with its unit and its window or time, so a model can only restate them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol, TypeAlias, runtime_checkable

from pydantic import BaseModel, ConfigDict

from domain.durations import format_duration
from domain.models import Anomaly, HostRef, HostState, MetricKind, Sample, format_value
from tools.formatting import minute, size

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None


@runtime_checkable
class RendersForModel(Protocol):
    """A value that knows how the model should read it (a number with its unit and window, say)."""

    def for_model(self) -> JsonValue:
        """The value as JSON for the model's tool message."""
        ...


class Quantity(BaseModel):
    """A value of a metric (so with its unit), the window it is taken over, and when it was read."""

    model_config = ConfigDict(frozen=True)

    metric: MetricKind
    value: float
    #: What the value is taken over, as the source gives it: ``1m average``, ``latest``, ``24h median``.
    window: str
    at: datetime | None = None

    @property
    def text(self) -> str:
        """``97.3%``, ``12.3 MB/s``."""
        return format_value(self.metric, self.value)

    @property
    def signed_text(self) -> str:
        """``+12.0%`` or ``-3.1 MB/s``: a change, with its sign."""
        return ("+" if self.value >= 0 else "-") + format_value(self.metric, abs(self.value))

    def for_model(self) -> JsonValue:
        """``97.3% (1m average, at 2026-03-10 14:02 UTC)``."""
        when = f", at {minute(self.at)}" if self.at is not None else ""
        return f"{self.text} ({self.window}{when})"


class ByteSize(BaseModel):
    """An amount of memory or storage, in bytes."""

    model_config = ConfigDict(frozen=True)

    bytes: float

    @property
    def text(self) -> str:
        """``7.8 GiB``."""
        return size(self.bytes)

    def for_model(self) -> JsonValue:
        """The size in binary units."""
        return self.text


class HostReading(BaseModel):
    """One host's value of one metric, over the window the source gives, read at ``at`` when known."""

    host: HostRef
    metric: MetricKind
    value: float
    window: str
    at: datetime | None = None

    @classmethod
    def of(cls, sample: Sample) -> HostReading:
        """A metrics sample as a host reading, with its window and time."""
        return cls(
            host=sample.host, metric=sample.metric, value=sample.value, window=sample.window, at=sample.timestamp
        )

    @property
    def quantity(self) -> Quantity:
        """The value with its unit, window and time."""
        return Quantity(metric=self.metric, value=self.value, window=self.window, at=self.at)

    @property
    def text(self) -> str:
        """``db-1 97.3%``."""
        return f"{self.host.name} {format_value(self.metric, self.value)}"

    def for_model(self) -> JsonValue:
        """The host, the metric, and its value with unit, window and time."""
        return {"host": host_for_model(self.host), "metric": self.metric.label, "value": self.quantity.for_model()}


def host_for_model(ref: HostRef) -> str:
    """``web-1``, or ``web-1 (10.0.0.5:9100)`` when the friendly name differs from the instance."""
    return ref.name if ref.name == ref.instance else f"{ref.name} ({ref.instance})"


def state_for_model(state: HostState) -> JsonValue:
    """A host and whether it answers; a down host with when it was last seen."""
    out: dict[str, JsonValue] = {"host": host_for_model(state.ref), "state": "up" if state.up else "down"}
    if not state.up:
        out["last_seen"] = minute(state.last_seen) if state.last_seen else "not seen recently"
    return out


def anomaly_for_model(a: Anomaly) -> JsonValue:
    """An incident with its value's unit and the times it spans."""
    span = f"from {minute(a.started_at)}" + (f" to {minute(a.ended_at)}" if a.ended_at else "")
    out: dict[str, JsonValue] = {
        "id": a.id,
        "host": host_for_model(a.host),
        "metric": a.metric.label,
        "value": f"{a.value_text} (observed during the incident, {span})",
        "severity": a.severity.value,
        "status": a.status.value,
        "started": minute(a.started_at),
    }
    if a.ended_at is not None:
        out["ended"] = minute(a.ended_at)
    out["detector"] = a.detector
    if a.summary:
        out["summary"] = a.summary
    return out


def for_model(value: object) -> JsonValue:
    """A typed tool result as JSON for the model: numbers as text with their unit and window or time.

    Values that know their own rendering (``Quantity``, ``ByteSize``, ``HostReading``...) give it;
    hosts, host states and incidents have theirs here; other models are walked field by field,
    leaving out fields that are None. Counts stay integers. A float that reaches here without a
    unit stays a float, and the tests that walk every tool's result fail on it.
    """
    if isinstance(value, RendersForModel):
        return value.for_model()
    if isinstance(value, HostRef):
        return host_for_model(value)
    if isinstance(value, HostState):
        return state_for_model(value)
    if isinstance(value, Anomaly):
        return anomaly_for_model(value)
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return {name: for_model(v) for name in fields if (v := getattr(value, name)) is not None}
    if isinstance(value, datetime):
        return minute(value)
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return [for_model(v) for v in value]
    if isinstance(value, dict):
        return {str(k.value if isinstance(k, Enum) else k): for_model(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
