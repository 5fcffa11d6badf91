from __future__ import annotations

from datetime import UTC, datetime

from adapters.clock import ManualClock
from adapters.memory.anomalies import InMemoryAnomalyStore
from domain.models import ToolStatus
from remediation.actions import ActionLimits
from tools.context import ToolContext
from tools.registry import ToolRegistry


def bare_context() -> ToolContext:
    """Nothing optional configured: no metrics, no remediation, no logs."""
    return ToolContext(
        metrics=None,
        anomalies=InMemoryAnomalyStore(),
        remediation=None,
        limits=ActionLimits(),
        clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC)),
    )


def test_only_tools_whose_prerequisites_hold_are_offered() -> None:
    registry = ToolRegistry.for_context(bare_context())

    offered = {t.name for t in registry}

    assert {"list_recent_anomalies", "summarize_anomalies", "explain_rule"} == offered
    assert "SCO_PROMETHEUS__URL" in registry.disabled()["get_current_metric"]
    assert "remediation is not configured" in registry.disabled()["request_remediation"]


def test_a_disabled_tool_answers_with_the_reason_instead_of_failing() -> None:
    ctx = bare_context()
    registry = ToolRegistry.for_context(ctx)

    result = registry.call("get_current_metric", {"metric": "cpu", "host": "web-1"}, ctx)

    assert ToolStatus.ERROR == result.status
    assert "ConfigError" == result.error_type
    assert "SCO_PROMETHEUS__URL" in (result.error or "")


def test_a_context_denies_remediation_unless_the_question_asked_for_one() -> None:
    assert bare_context().remediation_asked is False
