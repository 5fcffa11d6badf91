"""The router's phrasing of one host's results: its status, capacity, diagnosis and what happened around a time.

Pure; every number and time comes from the typed result, with its unit and window.
"""

from __future__ import annotations

from agent.incident_phrasing import incident_head
from domain.durations import format_duration
from domain.models import Anomaly
from tools.around import AroundTime, SignalChange
from tools.capacity import CapacityReport
from tools.diagnosis import Diagnosis, SignalCheck
from tools.formatting import at, minute
from tools.metrics import HostStatus
from tools.results import HostReading


def reading_text(reading: HostReading) -> str:
    """``97.3% (1m average, 2026-03-10 14:05:00 UTC)``: a reading's value with its window and time."""
    when = f", {at(reading.at)}" if reading.at is not None else ""
    return f"{reading.quantity.text} ({reading.window}{when})"


def incident_text(a: Anomaly) -> str:
    """``[critical] CPU 97.0% since 2026-03-10 14:50 UTC``: an open incident of a host already named."""
    return f"{incident_head(a, host=False)} since {minute(a.started_at)}"


def status_text(d: HostStatus) -> str:
    """A host's state, readings and open anomalies."""
    ref = d.host.ref
    lines = [f"{ref.name} ({ref.instance}) is {d.host.describe_down(d.checked_at)}."]
    lines += [f"{r.metric.label}: {reading_text(r)}" for r in d.readings]
    if d.open_anomalies:
        lines.append("Open anomalies: " + "; ".join(incident_text(a) for a in d.open_anomalies))
    else:
        lines.append("No open anomalies.")
    return "\n".join(lines)


def capacity_text(d: CapacityReport) -> str:
    """What a host has, or that it is down."""
    name = d.host.ref.name
    if d.at is None:
        return f"{name} is {d.host.describe_down(d.checked_at)}: no capacity data."
    lines = [f"{name} (at {minute(d.at)}):"]
    if d.memory_total is not None:
        available = d.memory_available.text if d.memory_available is not None else "?"
        lines.append(f"memory: {d.memory_total.text} total, {available} available")
    if d.cpus is not None:
        lines.append(f"CPUs: {d.cpus}")
    if d.uptime is not None and d.booted is not None:
        lines.append(f"uptime: {format_duration(d.uptime)} (booted {minute(d.booted)})")
    else:
        lines.append("uptime: not exposed (no node_boot_time_seconds)")
    lines += [
        f"{f.mountpoint}: {f.size.text}, {f.used.text} used, {f.free.text} free ({f.device})" for f in d.filesystems
    ]
    if d.disk_read is not None and d.disk_write is not None:
        lines.append(f"disk I/O: read {d.disk_read.text}, write {d.disk_write.text} ({d.disk_read.window})")
    return "\n".join(lines)


def _check(c: SignalCheck) -> str:
    usual = f"usual {c.usual.text} over 24h" if c.usual is not None else "no baseline yet"
    return f"{c.value.metric.label} {c.value.text} ({usual})"


def diagnosis_text(d: Diagnosis) -> str:
    """The abnormal signals (or that there are none) and the open incidents."""
    name, when = d.host.ref.name, minute(d.checked_at)
    if not d.host.up:
        head = f"{name} is {d.host.describe_down(d.checked_at)}: it is not reporting, so nothing else can be checked."
    elif d.abnormal:
        head = f"{name}: {len(d.abnormal)} abnormal signal(s) at {when}: " + "; ".join(map(_check, d.abnormal)) + "."
    else:
        head = f"{name}: nothing abnormal at {when} (" + "; ".join(map(_check, d.normal)) + ")."
    incidents = d.open_incidents
    tail = ("Open incidents: " + "; ".join(map(incident_text, incidents))) if incidents else "No open incidents."
    return f"{head}\n{tail}"


def _signal(c: SignalChange) -> str:
    change = c.change
    versus = (
        "" if c.before is None or change is None else f", {change.signed_text} on the hour before ({c.before.text})"
    )
    return f"{c.around.metric.label} {c.around.text}{versus}"


def _overlapping(a: Anomaly) -> str:
    until = f" to {minute(a.ended_at)}" if a.ended_at else ""
    return f"{incident_head(a, host=False)}, {a.status.value}, from {minute(a.started_at)}{until}"


def around_text(d: AroundTime) -> str:
    """Each signal around the time against the hour before, and the incidents then."""
    name = d.host.ref.name
    if not d.signals and not d.incidents:
        return (
            f"No metrics or incidents for {name} around {minute(d.at)}: "
            "the metrics do not reach back that far, or the host was not reporting then."
        )
    lines = [f"{name} around {minute(d.at)} ({minute(d.start)} – {minute(d.end)}, averages):"]
    lines += [f"• {_signal(c)}" for c in d.signals] or ["• no metrics in that window"]
    incidents = d.incidents
    lines.append(
        ("Incidents then: " + "; ".join(map(_overlapping, incidents)))
        if incidents
        else "No incidents overlapped that time."
    )
    if not d.host.up:
        lines.append(f"{name} is {d.host.describe_down(d.checked_at)} now.")
    return "\n".join(lines)
