"""Every tool's typed result, and what the model reads of it: no number without its unit.

Each tool is called over the simulated fleet (db-1 saturating its CPU, cache-1 down), with an
incident and a log line seeded, and its result rendered for the model. A float there, or a number
written without a unit or window, fails.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from types import UnionType
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from agent.langchain_runner import render_for_model
from agent.phrasing import result_text
from bot.services import Services
from domain.models import Anomaly, HostState, ToolResult, ToolStatus
from tests.unit.tools.conftest import NOW, db_cpu_incident
from tools.registry import TOOLS, Tool
from tools.results import JsonValue, Quantity, RendersForModel, for_model

#: One or more calls per tool: (tool, arguments, the status expected).
CALLS: list[tuple[str, dict[str, Any], ToolStatus]] = [
    ("get_current_metric", {"metric": "cpu"}, ToolStatus.SUCCESS),
    ("get_current_metric", {"metric": "cpu", "host": "cache-1"}, ToolStatus.NO_DATA),
    ("get_current_metric", {"metric": "load", "at": "30 minutes ago"}, ToolStatus.SUCCESS),
    ("get_metric_range", {"metric": "disk", "host": "db-1", "since": "2h"}, ToolStatus.SUCCESS),
    ("get_metric_range", {"metric": "cpu", "host": "cache-1", "since": "10m"}, ToolStatus.NO_DATA),
    ("top_hosts", {"metric": "network_in", "n": 3}, ToolStatus.SUCCESS),
    ("host_status", {"host": "db-1"}, ToolStatus.SUCCESS),
    ("host_status", {"host": "cache-1"}, ToolStatus.SUCCESS),
    ("fleet_status", {"worst": 2}, ToolStatus.SUCCESS),
    ("fleet_downtime", {"since": "1h"}, ToolStatus.SUCCESS),
    ("host_capacity", {"host": "web-1"}, ToolStatus.SUCCESS),
    ("host_capacity", {"host": "cache-1"}, ToolStatus.NO_DATA),
    ("diagnose_host", {"host": "db-1"}, ToolStatus.SUCCESS),
    ("what_happened", {"host": "db-1", "at": "5 minutes ago"}, ToolStatus.SUCCESS),
    ("list_recent_anomalies", {}, ToolStatus.SUCCESS),
    ("summarize_anomalies", {"since": "1h"}, ToolStatus.SUCCESS),
    ("get_logs", {"since": "1h"}, ToolStatus.SUCCESS),
    ("request_remediation", {"action": "scale_up", "group": "web-asg"}, ToolStatus.APPROVAL_REQUIRED),
    ("list_pending_approvals", {}, ToolStatus.SUCCESS),
    ("explain_rule", {"rule": "disk > 85% for 10m then scale_up web-asg"}, ToolStatus.SUCCESS),
    ("explain_rule", {}, ToolStatus.NO_DATA),
]
# A decimal number is only ever written with a unit or with the window or time it belongs to.
_DECIMAL = re.compile(r"\d\.\d")
_UNIT_OR_WINDOW = re.compile(r"%|MB/s|iB\b|\(")


@pytest.fixture
def seeded(services: Services) -> Services:
    db_cpu_incident(services)
    events = services.settings.audit.dir / "events.jsonl"
    events.parent.mkdir(parents=True, exist_ok=True)
    at = (NOW - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    events.write_text(json.dumps({"timestamp": at, "level": "warning", "event": "cpu at 97.3% on db-1"}) + "\n")
    return services


def _call(services: Services, name: str, args: dict[str, Any]) -> ToolResult:
    ctx = replace(services.tools, remediation_asked=name == "request_remediation")
    return services.registry.call(name, args, ctx)


def _leaves(value: JsonValue, path: str = "data") -> list[tuple[str, JsonValue]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [leaf for n, v in enumerate(value) for leaf in _leaves(v, f"{path}[{n}]")]
    return [(path, value)]


def unitless(rendered: JsonValue) -> list[str]:
    """Where the rendering has a float, or a decimal number written without a unit or window."""
    found = []
    for path, leaf in _leaves(rendered):
        written_bare = isinstance(leaf, str) and _DECIMAL.search(leaf) and not _UNIT_OR_WINDOW.search(leaf)
        if isinstance(leaf, float) or written_bare:
            found.append(f"{path} = {leaf!r}")
    return found


def test_every_tool_is_called_here() -> None:
    assert {t.name for t in TOOLS} == {name for name, _, _ in CALLS}


@pytest.mark.parametrize(("name", "args", "status"), CALLS, ids=[f"{c[0]}-{n}" for n, c in enumerate(CALLS)])
def test_the_model_sees_every_number_with_its_unit(
    seeded: Services, name: str, args: dict[str, Any], status: ToolStatus
) -> None:
    if name == "list_pending_approvals":
        _call(seeded, "request_remediation", {"action": "scale_up", "group": "web-asg"})

    result = _call(seeded, name, args)

    assert (status, None) == (result.status, result.error)
    assert isinstance(result.data, seeded.registry.get(name).results)
    assert [] == unitless(for_model(result.data))


def test_the_checks_find_a_bare_float_and_a_number_without_unit() -> None:
    assert ["data.cpu = 97.3", "data.rows[0] = '97.3 now'"] == unitless({"cpu": 97.3, "rows": ["97.3 now", "3 of 4"]})


def test_the_tool_message_carries_the_facts_and_the_rendered_result(seeded: Services) -> None:
    result = _call(seeded, "host_status", {"host": "db-1"})

    message = render_for_model("host_status", result)

    payload = json.loads(message.split("\n")[1])
    assert payload["facts"].startswith("db-1 (")
    assert for_model(result.data) == payload["data"]
    cpu = next(r for r in payload["data"]["readings"] if r["metric"] == "CPU")
    assert re.fullmatch(r"\d+\.\d% \(1m average, at 2026-03-10 1\d:\d\d UTC\)", cpu["value"])


def _floats(annotation: Any, path: str) -> list[str]:
    """Fields typed ``float`` reachable from ``annotation`` other than through a value that renders itself."""
    if annotation is float:
        return [path]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if issubclass(annotation, RendersForModel) or annotation in (Anomaly, HostState):
            return []
        fields = annotation.model_fields.items()
        return [p for name, f in fields for p in _floats(f.annotation, f"{path}.{name}")]
    if get_origin(annotation) in (list, tuple, dict, Union, UnionType):
        return [p for arg in get_args(annotation) for p in _floats(arg, path)]
    return []


@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
def test_result_models_keep_floats_inside_values_with_a_unit(tool: Tool) -> None:
    assert [] == [p for model in tool.results for p in _floats(model, model.__name__)]


class _Bare(BaseModel):
    cpu: float
    rows: list[float | None]
    reading: Quantity


def test_the_type_check_finds_bare_float_fields() -> None:
    assert ["_Bare.cpu", "_Bare.rows"] == _floats(_Bare, "_Bare")


@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
def test_the_router_can_word_every_result_type(tool: Tool) -> None:
    fallback = result_text.dispatch(BaseModel)

    assert [] == [model.__name__ for model in tool.results if result_text.dispatch(model) is fallback]
