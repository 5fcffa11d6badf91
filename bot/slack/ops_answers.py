"""Answering a parsed ``/ops`` command through the tool registry and the runner (never a data source directly)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adapters.files.audit import read_records
from agent.host_phrasing import incident_text, reading_text
from agent.incident_phrasing import anomaly_text
from agent.phrasing import fleet_lines
from agent.runner import Answer, ToolCallRecord
from bot.services import Services
from bot.slack import blocks, messages
from bot.slack.auto_switch import switch_auto
from bot.slack.ops_command import OpsCommand, OpsKind
from domain.durations import format_duration
from domain.errors import InputError
from domain.models import ToolResult, ToolStatus
from tools.anomalies import RecentAnomalies
from tools.fleet import FleetStatus
from tools.logs import LogExcerpt
from tools.metrics import HostStatus

_MAX_PENDING_SHOWN = 8
_MAX_LOG_LINES = 50


@dataclass
class Reply:
    """What goes back to the person: text, optional blocks, and what was done to produce it."""

    text: str
    blocks: list[dict[str, Any]] | None = None
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    approval_id: str | None = None

    @classmethod
    def from_answer(cls, answer: Answer) -> Reply:
        """A runner's answer as a reply."""
        return cls(text=answer.answer, tool_calls=list(answer.tool_calls), approval_id=answer.approval_id)


class _Calls:
    """Runs registry tools for one reply and records each call."""

    def __init__(self, services: Services, user: str) -> None:
        self.services = services
        self.user = user
        self.records: list[ToolCallRecord] = []

    def has(self, name: str) -> bool:
        return any(tool.name == name for tool in self.services.registry)

    def __call__(self, name: str, args: Mapping[str, Any]) -> ToolResult:
        ctx = self.services.tools
        result = self.services.registry.call(name, args, type(ctx)(**{**ctx.__dict__, "user": self.user}))
        self.records.append(
            ToolCallRecord(
                name=name, args=dict(args), status=result.status.value, error_type=result.error_type, error=result.error
            )
        )
        return result


def ask(services: Services, question: str, *, user: str, conversation: str | None = None) -> Reply:
    """A free-text question to the runner (LLM agent or router), in a conversation when one is given."""
    return Reply.from_answer(services.runner.answer(question, user=user, thread=conversation))


def answer_command(services: Services, command: OpsCommand, *, user: str, conversation: str | None = None) -> Reply:
    """Answer ``command`` asked by ``user``."""
    if command.kind is OpsKind.HELP or command.kind is OpsKind.EMPTY:
        return Reply(text=messages.OPS_HELP)
    if command.kind is OpsKind.ASK:
        return ask(services, command.question, user=user, conversation=conversation)
    if command.kind is OpsKind.AUTO:
        return Reply(text=switch_auto(services, command.target or "status", user=user))
    calls = _Calls(services, user)
    if command.kind is OpsKind.STATUS:
        text = _status(calls, command.host)
    elif command.kind is OpsKind.ANOMALIES:
        text = _anomalies(calls, command.count)
    elif command.kind is OpsKind.LOGS:
        text = _logs(services, calls, command.target or "", command.since_seconds)
    else:
        return _approve_list(services)
    return Reply(text=text, tool_calls=calls.records)


def _host_status(calls: _Calls, host: str) -> str:
    result = calls("host_status", {"host": host})
    if result.status is ToolStatus.ERROR:
        return messages.sorry(str(result.error))
    status = result.data
    if not isinstance(status, HostStatus):
        return messages.sorry(f"no status for {host}")
    ref = status.host.ref
    lines = [f"*{ref.name}* ({ref.instance}): {status.host.describe_down(status.checked_at)}"]
    lines += [f"• {r.metric.label}: {reading_text(r)}" for r in status.readings]
    lines.append(messages.open_anomalies(len(status.open_anomalies)))
    lines += [f"  ◦ {incident_text(a)}" for a in status.open_anomalies[:10]]
    return "\n".join(lines)


def _status(calls: _Calls, host: str | None) -> str:
    if host is not None:
        return _host_status(calls, host)
    result = calls("fleet_status", {})
    if result.status is ToolStatus.ERROR:
        return messages.sorry(str(result.error))
    status = result.data
    if not isinstance(status, FleetStatus) or not status.total:
        return messages.sorry("no hosts are known to the metrics source")
    return "\n".join([messages.fleet_up(len(status.up), status.total), *fleet_lines(status)[1:]])


def _anomalies(calls: _Calls, count: int) -> str:
    result = calls("list_recent_anomalies", {"limit": count})
    if result.status is ToolStatus.ERROR:
        return messages.sorry(str(result.error))
    found = result.data.anomalies if isinstance(result.data, RecentAnomalies) else []
    if not found:
        return messages.NO_ANOMALIES
    return messages.last_anomalies(len(found)) + "\n" + "\n".join(f"• {anomaly_text(a)}" for a in found)


def _logs(services: Services, calls: _Calls, target: str, since_seconds: int) -> str:
    if calls.has("get_logs"):
        since = format_duration(max(1, since_seconds))
        result = calls("get_logs", {"host": target, "since": since, "limit": _MAX_LOG_LINES})
        if result.status is not ToolStatus.SUCCESS:
            result = calls("get_logs", {"contains": target, "since": since, "limit": _MAX_LOG_LINES})
        if result.status is ToolStatus.ERROR:
            return messages.sorry(str(result.error))
        rows = result.data.lines if isinstance(result.data, LogExcerpt) else []
        lines = [" ".join(v for v in r.fields().values() if v) for r in reversed(rows)]
    else:
        lines = [json.dumps(x) for x in audit_log_lines(services, target=target, since_seconds=since_seconds)]
    if not lines:
        return messages.logs_unavailable(target)
    shown = lines[-_MAX_LOG_LINES:]
    return messages.last_log_lines(len(shown), target) + "\n```" + "\n".join(shown)[-2700:] + "```"


def audit_log_lines(services: Services, *, target: str | None, since_seconds: int) -> list[dict[str, Any]]:
    """The product's own JSON event log (the audit log) from the last ``since_seconds``, optionally for one target.

    Raises:
        InputError: never for missing files; only for an unreadable directory path.
    """
    directory = services.settings.audit.dir
    cutoff = services.clock.now() - timedelta(seconds=since_seconds)
    if not directory.exists():
        return []
    if not directory.is_dir():
        raise InputError(f"the audit log path {directory} is not a directory")
    out: list[dict[str, Any]] = []
    for entry in read_records(directory):
        try:
            at = datetime.fromisoformat(str(entry["timestamp"]))
        except (ValueError, KeyError):
            continue
        if at < cutoff:
            continue
        if target and target not in json.dumps(entry.get("params", {})):
            continue
        out.append(entry)
    return out


def _approve_list(services: Services) -> Reply:
    if services.remediation is None:
        return Reply(text=messages.REMEDIATION_OFF)
    pending = services.approvals.pending()
    if not pending:
        return Reply(text=messages.NO_PENDING_APPROVALS)
    text = messages.pending_approvals(len(pending))
    out: list[dict[str, Any]] = blocks.text_blocks(text)
    for request in pending[:_MAX_PENDING_SHOWN]:
        out.extend([{"type": "divider"}, *blocks.approval_blocks(request)])
    return Reply(text=text, blocks=out)
