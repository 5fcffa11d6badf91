"""Turning tool results into the router's answers. Pure; every number comes from tool data as it is."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import singledispatch

from pydantic import BaseModel

from agent.approval_phrasing import approvals_text, remediation_text
from agent.host_phrasing import around_text, capacity_text, diagnosis_text, reading_text, status_text
from agent.incident_phrasing import anomaly_text, incident_head
from domain.durations import format_duration
from domain.models import MetricKind, ToolResult, ToolStatus
from tools.anomalies import AnomalySummary, RecentAnomalies
from tools.around import AroundTime
from tools.capacity import CapacityReport
from tools.diagnosis import Diagnosis
from tools.downtime import FleetDowntime
from tools.fleet import FleetStatus
from tools.formatting import at, look_back, minute
from tools.logs import LogExcerpt
from tools.metric_range import MetricRange
from tools.metrics import CurrentMetric, HostStatus, TopHosts
from tools.remediation import PendingApprovals, RequestedRemediation
from tools.results import Quantity
from tools.rules import ConfiguredRules, RuleExplanation

HELP_TEXT = (
    "I can answer: current, peak or average CPU, memory, disk, network or load for a host or the fleet "
    '("what is the current CPU on web-1?", "peak memory on db-1 in the last 6h", "which hosts have the highest '
    'memory?", "is db-2 up?"); anomalies ("summarize the last 3 anomalies", "any critical anomalies today?"); '
    'logs ("show logs from 10 minutes ago", "show errors for web-1 in the last hour"); approvals ("what is '
    'waiting for approval?"); and remediation requests that a person approves ("scale web-asg to 4", '
    '"restart nginx on web-1").'
)
MAX_ROWS = 20


def _metric(d: CurrentMetric) -> str:
    readings = d.readings
    if not readings:
        return _no_metric(d)
    rows = [f"{r.host.name} {r.metric.label}: {reading_text(r)}" for r in readings[:MAX_ROWS]]
    if len(readings) > MAX_ROWS:
        rows.append(f"… and {len(readings) - MAX_ROWS} more hosts (highest first; ask for one host by name)")
    rows += [f"{x.ref.name} is {x.describe_down(d.checked_at)}." for x in d.down]
    return "\n".join(rows)


def _no_metric(d: CurrentMetric) -> str:
    label = d.metric.label
    if d.down:
        return "\n".join(f"{x.ref.name} is {x.describe_down(d.checked_at)}: no {label} data." for x in d.down)
    if d.at is not None:
        return (
            f"No {label} data at {minute(d.at)}: the metrics do not reach back that far, "
            "or the host was not reporting then."
        )
    if d.window is not None:
        what = f"{label} in that range" if d.filtered else f"{label} data"
        return f"No host had {what} {'throughout' if d.throughout else 'over'} {d.window}."
    if d.filtered:
        return f"No host matches: nothing has {label} in that range right now."
    return f"No {label} data right now."


def _range(d: MetricRange) -> str:
    name = d.host.ref.name
    if d.stats is None:
        down = "" if d.host.up else f"; it is {d.host.describe_down(d.end)}"
        return f"No {d.metric.label} data for {name} in that window{down}."
    if d.metric is MetricKind.UP:
        return _availability(d)
    s = d.stats
    text = (
        f"{name} {d.metric.label} over {look_back(d.start, d.end, until_now=d.until_now)}: peak {s.peak.text} at "
        f"{_minute_of(s.peak)}, average {s.mean.text}, minimum {s.minimum.text}, "
        f"{'latest' if d.until_now else 'last'} {s.last.text} at {_minute_of(s.last)} ({s.points} points)."
    )
    extra = []
    if d.trend is not None:
        t = d.trend
        extra.append(f"Trend: {t.direction}: {t.change.signed_text} over the window ({t.per_hour.signed_text}/h).")
    if d.full_at is not None:
        rate = f" ({d.fill_pace.signed_text}/h)" if d.fill_pace is not None else ""
        left = timedelta(minutes=round((d.full_at - d.end).total_seconds() / 60))
        what = "memory" if d.metric is MetricKind.MEMORY else "the disk"
        extra.append(f"At this pace{rate} {what} is full at {minute(d.full_at)}, in {format_duration(left)}.")
    extra += _coverage(d)
    if not d.host.up:
        extra.append(f"{name} is {d.host.describe_down(d.end)}.")
    return "\n".join([text, *extra])


def _availability(d: MetricRange) -> str:
    """When a host was down in the window, or that it was up throughout (as far as the data reaches)."""
    name, window = d.host.ref.name, look_back(d.start, d.end, until_now=d.until_now)
    stretches = [_stretch(began, ended) for began, ended in d.down]
    text = (
        f"{name} was down {len(d.down)} time{'s' if len(d.down) > 1 else ''} over {window}: " + "; ".join(stretches)
        if d.down
        else f"{name} was up throughout {window}, as far as the data reaches."
    )
    extra = [f"Each time is that of a sample read every {d.sampled_every}."] if d.down else []
    return "\n".join([text, *extra, *_coverage(d)])


def _stretch(began: datetime, ended: datetime | None) -> str:
    """``14:29 UTC to 17:53 UTC (3h24m)``, or ``from 14:29 UTC, still down at the end of the window``."""
    if ended is None:
        return f"from {minute(began)}, still down at the end of the window"
    return f"{minute(began)} to {minute(ended)} ({format_duration(ended - began)})"


def _downtime(d: FleetDowntime) -> str:
    """The hosts that were down over the window, each with its stretches, or that none was."""
    window = look_back(d.start, d.end, until_now=d.until_now)
    if not d.hosts:
        text = f"No host was down over {window} ({d.hosts_read} hosts, as far as the data reaches)."
    else:
        rows = [f"• {h.host.name}: " + "; ".join(_stretch(b, e) for b, e in h.down) for h in d.hosts]
        text = f"{len(d.hosts)} of {d.hosts_read} hosts were down over {window}:\n" + "\n".join(rows)
        text += f"\nEach time is that of a sample read every {d.sampled_every}."
    if d.gap is not None:
        text += f"\nNo data between {minute(d.gap[0])} and {minute(d.gap[1])}: nothing is known of that time."
    return text


def _coverage(d: MetricRange) -> list[str]:
    """What the window's data does not cover: its start, or a long stretch inside it."""
    out = []
    if d.reaches_back_to is not None:
        out.append(f"The data only reaches back to {minute(d.reaches_back_to)}, not to the start of the window.")
    if d.gap is not None:
        out.append(f"No data between {minute(d.gap[0])} and {minute(d.gap[1])}: the figures leave that time out.")
    return out


def _minute_of(q: Quantity) -> str:
    return minute(q.at) if q.at is not None else "an unknown time"


def _top(d: TopHosts) -> str:
    if not d.readings:
        return f"No {d.metric.label} data right now."
    rows = [f"{n}. {r.host.name}: {reading_text(r)}" for n, r in enumerate(d.readings, 1)]
    down = f" ({', '.join(h.name for h in d.down)} down, not ranked)" if d.down else ""
    return f"{d.order.capitalize()} {d.metric.label} of {d.of_hosts} hosts{down}:\n" + "\n".join(rows)


def fleet_lines(status: FleetStatus) -> list[str]:
    """The fleet status as lines: the up count, each down host, the worst hosts, the averages, open incidents."""
    scope = f" matching '{status.selection}'" if status.selection else ""
    lines = [f"{len(status.up)} of {status.total} hosts{scope} up"]
    lines += [f"• down: {d.ref.name}, {d.describe_down(status.at)}" for d in status.down]
    for m in status.metrics:
        lead = "busiest CPU" if m.metric is MetricKind.CPU else f"highest {m.metric.label}"
        lines.append(f"• {lead}: " + ", ".join(r.text for r in m.highest) + f" ({m.window})")
    if status.metrics:
        lines.append("• fleet average: " + "; ".join(f"{m.metric.label} {m.average_text}" for m in status.metrics))
    lines.append(f"• open anomalies: {len(status.open_incidents)}")
    lines += [f"  ◦ {incident_head(a)} since {a.started_at:%H:%M} UTC" for a in status.open_incidents[:10]]
    return lines


def _fleet(status: FleetStatus) -> str:
    if not status.total:
        return "No hosts are known to the metrics source."
    lines = fleet_lines(status)
    return "\n".join([f"Fleet: {lines[0]} (at {status.at:%H:%M} UTC).", *lines[1:]])


def _anomalies(d: RecentAnomalies) -> str:
    if not d.anomalies:
        return "No anomalies recorded."
    rows = [anomaly_text(a) for a in d.anomalies]
    title = "The latest anomaly" if len(rows) == 1 else f"The latest {len(rows)} anomalies"
    more = f"\n(More are recorded: ask for the last {min(2 * len(rows), 50)}.)" if d.more else ""
    return f"{title}:\n" + "\n".join(rows) + more


def _summary(d: AnomalySummary) -> str:
    window = look_back(d.start, d.end, until_now=d.until_now)
    if not d.total:
        return f"No anomalies in {window}."
    counts = ", ".join(f"{n} {sev.value}" for sev, n in d.by_severity.items() if n)
    hosts = ", ".join(f"{h.host.name} ({h.anomalies})" for h in d.top_hosts)
    noun = "anomaly" if d.total == 1 else "anomalies"
    text = f"{d.total} {noun} in {window}: {counts}. Most affected hosts: {hosts}."
    if d.open:
        text += "\nOpen: " + "; ".join(incident_head(a) for a in d.open)
    return text


_LEVEL_WORDS = {"critical": "critical", "error": "error or critical", "warning": "warning, error or critical"}


def _logs(d: LogExcerpt) -> str:
    window = d.window.describe()
    level = f" ({_LEVEL_WORDS.get(d.level, d.level + ' or above')})" if d.level else ""
    if not d.lines:
        about = f" about {d.host}" if d.host else ""
        matching = f" containing '{d.contains}'" if d.contains else ""
        logs = " and ".join(d.sources)
        read = f" in the {logs} log{'s' if len(d.sources) > 1 else ''}" if d.sources else ""
        return f"No log lines{level}{about}{matching} {window}{read}."
    rows = [f"{at(x.at)} [{x.source}]{f' {x.level}' if d.level else ''} {x.text}" for x in d.lines]
    more = f"\n({d.omitted} more lines not shown)" if d.omitted else ""
    return f"Logs{level} {window}, newest first:\n" + "\n".join(rows) + more


def _rules(d: ConfiguredRules) -> str:
    if not d.rules:
        return "No rules are configured (SCO_REMEDIATION__RULES_FILE)."
    rows = [f"{r.name}: {r.rule} ({r.severity.value if r.severity else 'no severity'})" for r in d.rules]
    return "Configured rules:\n" + "\n".join(rows)


def _rule(d: RuleExplanation) -> str:
    return f"`{d.rule}`: {d.meaning}"


@singledispatch
def result_text(data: BaseModel) -> str:
    """The answer text for a tool's typed result (each result type registers its phrasing)."""
    return f"The answer came back as {type(data).__name__}, which I cannot word."


for _type, _text in (
    (FleetStatus, _fleet),
    (FleetDowntime, _downtime),
    (CurrentMetric, _metric),
    (MetricRange, _range),
    (TopHosts, _top),
    (RecentAnomalies, _anomalies),
    (AnomalySummary, _summary),
    (LogExcerpt, _logs),
    (PendingApprovals, approvals_text),
    (RequestedRemediation, remediation_text),
    (HostStatus, status_text),
    (CapacityReport, capacity_text),
    (Diagnosis, diagnosis_text),
    (AroundTime, around_text),
    (ConfiguredRules, _rules),
    (RuleExplanation, _rule),
):
    result_text.register(_type, _text)


def phrase(tool: str, result: ToolResult) -> str:
    """The answer text for one tool result."""
    if result.status is ToolStatus.ERROR:
        prefix = "I can't request that" if tool == "request_remediation" else "Sorry"
        return f"{prefix}: {result.error}"
    if result.data is None:
        return "No data."
    return result_text(result.data)
