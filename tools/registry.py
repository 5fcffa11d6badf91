"""The tool registry: one explicit list of what the agent and the router may call."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from pydantic import BaseModel, ValidationError

from domain.errors import OpsError
from domain.models import ToolResult, ToolStatus
from tools import (
    anomalies,
    around,
    capacity,
    diagnosis,
    downtime,
    fleet,
    logs,
    metric_range,
    metrics,
    remediation,
    rules,
)
from tools.context import ToolContext

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Tool:
    """A tool as the model sees it, plus what the product needs to run it safely."""

    name: str
    args_model: type[BaseModel]
    func: Callable[[ToolContext, Any], ToolResult]
    read_only: bool
    prerequisite: Callable[[ToolContext], str | None]
    #: The types the tool's ``ToolResult.data`` can have.
    results: tuple[type[BaseModel], ...]

    @property
    def description(self) -> str:
        """First line of the function's docstring: written for the model and the user alike."""
        return (self.func.__doc__ or self.name).strip().splitlines()[0]


def _needs_metrics(ctx: ToolContext) -> str | None:
    return None if ctx.metrics is not None else "no metrics source is configured (set SCO_PROMETHEUS__URL)"


def _needs_remediation(ctx: ToolContext) -> str | None:
    return None if ctx.remediation is not None else remediation.REMEDIATION_OFF


def _needs_approval_store(ctx: ToolContext) -> str | None:
    return None if ctx.remediation is not None or ctx.approvals is not None else "no approval store is configured"


def _needs_logs(ctx: ToolContext) -> str | None:
    return None if ctx.log_sources else "no log source is configured"


def _always(_ctx: ToolContext) -> str | None:
    return None


TOOLS: tuple[Tool, ...] = (
    Tool(
        "get_current_metric",
        metrics.CurrentMetricArgs,
        metrics.get_current_metric,
        True,
        _needs_metrics,
        (metrics.CurrentMetric,),
    ),
    Tool(
        "get_metric_range",
        metric_range.MetricRangeArgs,
        metric_range.get_metric_range,
        True,
        _needs_metrics,
        (metric_range.MetricRange,),
    ),
    Tool("top_hosts", metrics.TopHostsArgs, metrics.top_hosts, True, _needs_metrics, (metrics.TopHosts,)),
    Tool("host_status", metrics.HostStatusArgs, metrics.host_status, True, _needs_metrics, (metrics.HostStatus,)),
    Tool("fleet_status", fleet.FleetStatusArgs, fleet.fleet_status, True, _needs_metrics, (fleet.FleetStatus,)),
    Tool(
        "fleet_downtime",
        downtime.FleetDowntimeArgs,
        downtime.fleet_downtime,
        True,
        _needs_metrics,
        (downtime.FleetDowntime,),
    ),
    Tool(
        "host_capacity",
        capacity.HostCapacityArgs,
        capacity.host_capacity,
        True,
        _needs_metrics,
        (capacity.CapacityReport,),
    ),
    Tool(
        "diagnose_host", diagnosis.DiagnoseArgs, diagnosis.diagnose_host, True, _needs_metrics, (diagnosis.Diagnosis,)
    ),
    Tool("what_happened", around.AroundArgs, around.what_happened, True, _needs_metrics, (around.AroundTime,)),
    Tool(
        "list_recent_anomalies",
        anomalies.RecentAnomaliesArgs,
        anomalies.list_recent_anomalies,
        True,
        _always,
        (anomalies.RecentAnomalies,),
    ),
    Tool(
        "summarize_anomalies",
        anomalies.SummarizeAnomaliesArgs,
        anomalies.summarize_anomalies,
        True,
        _always,
        (anomalies.AnomalySummary,),
    ),
    Tool("get_logs", logs.LogsArgs, logs.get_logs, True, _needs_logs, (logs.LogExcerpt,)),
    Tool(
        "request_remediation",
        remediation.RemediationArgs,
        remediation.request_remediation,
        False,
        _needs_remediation,
        (remediation.RequestedRemediation,),
    ),
    Tool(
        "list_pending_approvals",
        remediation.PendingApprovalsArgs,
        remediation.list_pending_approvals,
        True,
        _needs_approval_store,
        (remediation.PendingApprovals,),
    ),
    Tool(
        "explain_rule",
        rules.ExplainRuleArgs,
        rules.explain_rule,
        True,
        _always,
        (rules.RuleExplanation, rules.ConfiguredRules),
    ),
)


class ToolRegistry:
    """Runs tools by name with validated arguments; every failure becomes a ``ToolResult`` with status error.

    Prerequisites (is Prometheus, AWS, a log source configured?) are checked once, when the registry is
    built for a context: iterating yields only the enabled tools (what the model is offered), and
    calling a disabled one answers with the reason, so the rest of a question is still answered.
    """

    def __init__(self, tools: tuple[Tool, ...] = TOOLS, *, disabled: Mapping[str, str] | None = None) -> None:
        self._tools = {t.name: t for t in tools}
        self._disabled = dict(disabled or {})

    @classmethod
    def for_context(cls, ctx: ToolContext, tools: tuple[Tool, ...] = TOOLS) -> ToolRegistry:
        """The registry with each tool's prerequisite evaluated against ``ctx``."""
        disabled = {t.name: reason for t in tools if (reason := t.prerequisite(ctx))}
        return cls(tools, disabled=disabled)

    def __iter__(self) -> Iterator[Tool]:
        return iter(t for t in self._tools.values() if t.name not in self._disabled)

    def disabled(self) -> dict[str, str]:
        """Tools that cannot run here, with the reason (and the setting that would enable them)."""
        return dict(self._disabled)

    def get(self, name: str) -> Tool:
        """The tool with this name.

        Raises:
            KeyError: no such tool.
        """
        return self._tools[name]

    def call(self, name: str, raw_args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        """Validate ``raw_args`` and run tool ``name``."""
        started = time.perf_counter()
        tool = self._tools.get(name)
        if tool is None:
            return ToolResult(status=ToolStatus.ERROR, error=f"unknown tool {name}", params=dict(raw_args))
        missing = self._disabled.get(name)
        if missing:
            return ToolResult(status=ToolStatus.ERROR, error=missing, error_type="ConfigError", params=dict(raw_args))
        try:
            args = tool.args_model.model_validate(dict(raw_args))
            result = tool.func(ctx, args)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            result = ToolResult(status=ToolStatus.ERROR, error=f"invalid arguments: {problems}", params=dict(raw_args))
        except OpsError as exc:
            result = ToolResult(
                status=ToolStatus.ERROR, error=str(exc), error_type=type(exc).__name__, params=dict(raw_args)
            )
        log.info(
            "tool_called",
            tool=name,
            status=result.status.value,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return result
