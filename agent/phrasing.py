"""Turning tool results into the router's answers. Pure; every number comes from tool data as it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.models import MetricKind, ToolResult, ToolStatus
from tools.fleet import FleetStatus

HELP_TEXT = (
    "I can answer: current, peak or average CPU, memory, disk, network or load for a host or the fleet "
    '("what is the current CPU on web-1?", "peak memory on db-1 in the last 6h", "which hosts have the highest '
    'memory?", "is db-2 up?"); anomalies ("summarize the last 3 anomalies", "any critical anomalies today?"); '
    'logs ("show logs from 10 minutes ago", "show errors for web-1 in the last hour"); approvals ("what is '
    'waiting for approval?"); and remediation requests that a person approves ("scale web-asg to 4", '
    '"restart nginx on web-1").'
)
MAX_ROWS = 20


def _metric(d: dict[str, Any]) -> str:
    samples = d["samples"]
    rows = [f"{s['host']} {s['metric']}: {s['value']} ({s['window']}, {s['at']})" for s in samples[:MAX_ROWS]]
    if len(samples) > MAX_ROWS:
        rows.append(f"… and {len(samples) - MAX_ROWS} more hosts (highest first; ask for one host by name)")
    rows += [f"{x['host']} is {x['state']}." for x in d.get("down", [])]
    return "\n".join(rows)


def _no_metric(d: dict[str, Any]) -> str:
    down = d.get("down") or []
    if down:
        return "\n".join(f"{x['host']} is {x['state']}: no {d.get('metric', 'metric')} data." for x in down)
    if d.get("at"):
        return (
            f"No {d.get('metric', 'metric')} data at {d['at']}: the metrics do not reach back that far, "
            "or the host was not reporting then."
        )
    if d.get("filtered"):
        return f"No host matches: nothing has {d.get('metric', 'that metric')} in that range right now."
    return f"No {d.get('metric', 'metric')} data right now."


def _range(d: dict[str, Any]) -> str:
    text = (
        f"{d['host']} {d['metric']} over {d['window']}: peak {d['max']}, average {d['mean']}, "
        f"minimum {d['min']}, latest {d['last']} ({d['points']} points)."
    )
    extra = []
    if d.get("trend"):
        extra.append(f"Trend: {d['trend']}.")
    if d.get("full_at"):
        extra.append(f"At this pace the disk is full at {d['full_at']}.")
    if d.get("reaches_back_to"):
        extra.append(f"The data only reaches back to {d['reaches_back_to']}, not to the start of the window.")
    if d.get("state", "up") != "up":
        extra.append(f"{d['host']} is {d['state']}.")
    return "\n".join([text, *extra])


def _top(d: dict[str, Any]) -> str:
    rows = [f"{n}. {s['host']}: {s['value']} ({s['window']}, {s['at']})" for n, s in enumerate(d["samples"], 1)]
    label = d["samples"][0]["metric"] if d["samples"] else ""
    return f"{d['order'].capitalize()} {label} of {d['of_hosts']} hosts:\n" + "\n".join(rows)


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
    lines += [
        f"  ◦ [{a.severity.value}] {a.host.name} {a.metric.label} {a.value_text} since {a.started_at:%H:%M} UTC"
        for a in status.open_incidents[:10]
    ]
    return lines


def _fleet(status: FleetStatus) -> str:
    lines = fleet_lines(status)
    return "\n".join([f"Fleet: {lines[0]} (at {status.at:%H:%M} UTC).", *lines[1:]])


def _status(d: dict[str, Any]) -> str:
    lines = [f"{d['host']} ({d['instance']}) is {d['state']}."]
    lines += [f"{name}: {value}" for name, value in d["readings"].items()]
    if d["open_anomalies"]:
        lines.append("Open anomalies: " + "; ".join(d["open_anomalies"]))
    else:
        lines.append("No open anomalies.")
    return "\n".join(lines)


def _capacity(d: dict[str, Any]) -> str:
    lines = [f"{d['host']} (at {d['at']}):"]
    if "memory_total" in d:
        lines.append(f"memory: {d['memory_total']} total, {d.get('memory_available', '?')} available")
    if "cpus" in d:
        lines.append(f"CPUs: {d['cpus']}")
    lines.append(f"uptime: {d['uptime']}" if "uptime" in d else "uptime: not exposed (no node_boot_time_seconds)")
    lines += [
        f"{f['mountpoint']}: {f['size']}, {f['used']} used, {f['free']} free ({f['device']})" for f in d["filesystems"]
    ]
    if "disk_io" in d:
        lines.append(f"disk I/O: {d['disk_io']}")
    return "\n".join(lines)


def _diagnosis(d: dict[str, Any]) -> str:
    if d["state"] != "up":
        head = f"{d['host']} is {d['state']}: it is not reporting, so nothing else can be checked."
    elif d["abnormal"]:
        head = f"{d['host']}: {len(d['abnormal'])} abnormal signal(s) at {d['at']}: " + "; ".join(d["abnormal"]) + "."
    else:
        head = f"{d['host']}: nothing abnormal at {d['at']} (" + "; ".join(d["normal"]) + ")."
    incidents = d["open_incidents"]
    tail = ("Open incidents: " + "; ".join(incidents)) if incidents else "No open incidents."
    return f"{head}\n{tail}"


def _around(d: dict[str, Any]) -> str:
    lines = [f"{d['host']} around {d['at']} ({d['window']}, averages):"]
    lines += [f"• {row}" for row in d["signals"]] or ["• no metrics in that window"]
    incidents = d["incidents"]
    lines.append(("Incidents then: " + "; ".join(incidents)) if incidents else "No incidents overlapped that time.")
    if d.get("state", "up") != "up":
        lines.append(f"{d['host']} is {d['state']} now.")
    return "\n".join(lines)


def _anomalies(d: dict[str, Any]) -> str:
    rows = [
        f"[{a['severity']}] {a['host']} {a['metric']} {a['value']}, {a['status']} since {a['started']}"
        for a in d["anomalies"]
    ]
    title = "The latest anomaly" if len(rows) == 1 else f"The latest {len(rows)} anomalies"
    return f"{title}:\n" + "\n".join(rows)


def _summary(d: dict[str, Any]) -> str:
    counts = ", ".join(f"{n} {sev}" for sev, n in d["by_severity"].items() if n)
    hosts = ", ".join(f"{h} ({n})" for h, n in d["top_hosts"].items())
    noun = "anomaly" if d["total"] == 1 else "anomalies"
    text = f"{d['total']} {noun} in {d['window']}: {counts}. Most affected hosts: {hosts}."
    if d["open"]:
        text += "\nOpen: " + "; ".join(f"[{a['severity']}] {a['host']} {a['metric']} {a['value']}" for a in d["open"])
    return text


def _logs(d: dict[str, Any]) -> str:
    rows = [f"{x['at']} [{x['source']}] {x['text']}" for x in d["lines"]]
    more = f"\n({d['omitted']} more lines not shown)" if d["omitted"] else ""
    return f"Logs {d['window']}, newest first:\n" + "\n".join(rows) + more


def _approvals(d: dict[str, Any]) -> str:
    rows = [
        f"{r['approval_id']}: {r['action']} requested by {r['requested_by']}, {r['approvals']} approvals, "
        f"expires {r['expires']}"
        for r in d["pending"]
    ]
    return "Waiting for approval:\n" + "\n".join(rows)


def _remediation(d: dict[str, Any]) -> str:
    need = d["approvals_needed"]
    who = "an approver approves" if need == 1 else f"{need} approvers approve"
    return (
        f"Requested: {d['action']} (request {d['approval_id']}). Dry run: {d['dry_run']}. "
        f"Nothing runs until {who}; the request expires at {d['expires']}."
    )


def _rule(d: dict[str, Any]) -> str:
    if "rules" in d:
        return "Configured rules:\n" + "\n".join(f"{r['name']}: {r['rule']} ({r['severity']})" for r in d["rules"])
    return f"`{d['rule']}`: {d['meaning']}"


_SUCCESS: dict[str, Callable[[dict[str, Any]], str]] = {
    "explain_rule": _rule,
    "get_current_metric": _metric,
    "get_metric_range": _range,
    "top_hosts": _top,
    "host_status": _status,
    "host_capacity": _capacity,
    "diagnose_host": _diagnosis,
    "what_happened": _around,
    "list_recent_anomalies": _anomalies,
    "summarize_anomalies": _summary,
    "get_logs": _logs,
    "list_pending_approvals": _approvals,
    "request_remediation": _remediation,
}
_NO_DATA: dict[str, Callable[[dict[str, Any]], str]] = {
    "get_current_metric": _no_metric,
    "get_metric_range": lambda d: (
        f"No {d.get('metric', '')} data for {d.get('host', 'that host')} in that window"
        + (f"; it is {d['state']}." if d.get("state", "up") != "up" else ".")
    ),
    "top_hosts": lambda d: f"No {d.get('metric', '')} data right now.",
    "list_recent_anomalies": lambda _d: "No anomalies recorded.",
    "summarize_anomalies": lambda d: f"No anomalies in {d.get('window', 'that window')}.",
    "get_logs": lambda d: f"No log lines {d.get('window', 'in that window')}.",
    "list_pending_approvals": lambda _d: "Nothing is waiting for approval.",
    "what_happened": lambda d: (
        f"No metrics or incidents for {d.get('host', 'that host')} around {d.get('at', 'that time')}: "
        "the metrics do not reach back that far, or the host was not reporting then."
    ),
    "host_capacity": lambda d: f"{d.get('host', 'That host')} is {d.get('state', 'not reporting')}: no capacity data.",
    "explain_rule": lambda _d: "No rules are configured (SCO_REMEDIATION__RULES_FILE).",
}


def phrase(tool: str, result: ToolResult) -> str:
    """The answer text for one tool result."""
    if result.status is ToolStatus.ERROR:
        prefix = "I can't request that" if tool == "request_remediation" else "Sorry"
        return f"{prefix}: {result.error}"
    if isinstance(result.data, FleetStatus):
        return _fleet(result.data) if result.data.total else "No hosts are known to the metrics source."
    data = result.data if isinstance(result.data, dict) else {}
    if result.status is ToolStatus.NO_DATA:
        no_data = _NO_DATA.get(tool)
        return no_data(data) if no_data else "No data."
    return _SUCCESS[tool](data)
