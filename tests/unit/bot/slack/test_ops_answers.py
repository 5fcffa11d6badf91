"""Answers to parsed ``/ops`` commands, through the tool registry over a simulated fleet."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.clock import ManualClock
from bot.services import Services
from bot.slack import blocks, messages
from bot.slack.ops_answers import answer_command, audit_log_lines
from bot.slack.ops_command import parse_ops
from domain.errors import InputError
from domain.models import Anomaly, HostRef, MetricKind, Severity
from remediation.actions import ActionCall, ActionName
from tests.unit.bot.simulated_services import GROUP


def answer(services: Services, text: str) -> tuple[str, list[str]]:
    reply = answer_command(services, parse_ops(text), user="U_ONCALL")
    return reply.text, [c.name for c in reply.tool_calls]


def request_scale_up(services: Services) -> str:
    assert services.remediation is not None
    call = ActionCall(action=ActionName.SCALE_UP, params={"group": GROUP, "by": 1})
    return services.remediation.request(call, "U_ONCALL").id


def test_help(services: Services) -> None:
    assert (messages.OPS_HELP, []) == answer(services, "help")


def test_fleet_status_counts_hosts_up_and_names_the_busiest(services: Services) -> None:
    text, calls = answer(services, "status")

    lines = text.splitlines()
    assert messages.fleet_up(5, 5) == lines[0]
    assert lines[1].startswith("• busiest CPU: ")
    assert messages.open_anomalies(0) == lines[-1]
    assert ["fleet_status"] == calls


def test_host_status_lists_its_readings(services: Services) -> None:
    text, calls = answer(services, "status web-1")

    lines = text.splitlines()
    assert "*web-1* (10.0.1.11:9100): up" == lines[0]
    assert ["• CPU", "• memory used", "• disk used", "• load (1m)"] == [line.split(":")[0] for line in lines[1:5]]
    assert ["host_status"] == calls


def test_status_of_an_unknown_host_is_a_sorry(services: Services) -> None:
    text, _calls = answer(services, "status nosuchhost")

    assert text.startswith("Sorry: ")


def test_anomalies_when_there_are_none(services: Services) -> None:
    assert (messages.NO_ANOMALIES, ["list_recent_anomalies"]) == answer(services, "anomalies")


def test_anomalies_lists_the_recorded_ones(services: Services, clock: ManualClock) -> None:
    now = clock.now()
    services.anomalies.upsert(
        Anomaly(
            id="a1",
            host=HostRef(instance="10.0.1.11:9100", host="web-1"),
            metric=MetricKind.CPU,
            detector="zscore",
            severity=Severity.CRITICAL,
            score=9.0,
            value=97.0,
            started_at=now - timedelta(minutes=5),
            updated_at=now,
        )
    )

    text, _calls = answer(services, "anomalies 3")

    heading, row = text.splitlines()
    assert messages.last_anomalies(1) == heading
    assert "• [critical] web-1 CPU 97.0%, open since 2026-03-02 09:55 UTC" == row


def test_approve_list_without_pending_requests(services: Services) -> None:
    assert (messages.NO_PENDING_APPROVALS, []) == answer(services, "approve-list")


def test_approve_list_shows_each_pending_request_with_its_buttons(services: Services) -> None:
    request_id = request_scale_up(services)

    reply = answer_command(services, parse_ops("approve-list"), user="U_ONCALL")

    pending = services.approvals.get(request_id)
    assert pending is not None
    assert messages.pending_approvals(1) == reply.text
    assert [*blocks.text_blocks(reply.text), {"type": "divider"}, *blocks.approval_blocks(pending)] == reply.blocks


def test_logs_show_the_audit_entries_for_a_target(services: Services, clock: ManualClock) -> None:
    request_id = request_scale_up(services)
    clock.advance(timedelta(minutes=1))

    text, calls = answer(services, "logs web-asg since 10m")

    heading, *rest = text.splitlines()
    assert messages.last_log_lines(1, "web-asg") == heading
    assert request_id in "\n".join(rest)
    assert "get_logs" == calls[-1]


def test_logs_for_a_target_with_no_lines(services: Services) -> None:
    text, _calls = answer(services, "logs web-9")

    assert messages.logs_unavailable("web-9") == text


def test_a_question_goes_to_the_runner(services: Services) -> None:
    text, calls = answer(services, "ask what is the current CPU on web-1?")

    assert text.startswith("web-1 CPU: ")
    assert ["get_current_metric"] == calls


def write_audit(directory: Path, *entries: dict[str, object]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(e) for e in entries] + ["not json", json.dumps({"no": "timestamp"})]
    (directory / "audit-2026-03-02.jsonl").write_text("\n".join(lines) + "\n")


def test_audit_log_lines_keep_the_window_and_the_target(services: Services, clock: ManualClock) -> None:
    now = clock.now()
    recent = {"timestamp": (now - timedelta(minutes=2)).isoformat(), "params": {"group": "web-asg"}}
    other = {"timestamp": (now - timedelta(minutes=2)).isoformat(), "params": {"group": "db-asg"}}
    old = {"timestamp": (now - timedelta(hours=2)).isoformat(), "params": {"group": "web-asg"}}
    write_audit(services.settings.audit.dir, recent, other, old)

    assert [recent] == audit_log_lines(services, target="web-asg", since_seconds=600)
    assert [recent, other] == audit_log_lines(services, target=None, since_seconds=600)


def test_audit_log_lines_without_a_directory_are_none(services: Services) -> None:
    assert [] == audit_log_lines(services, target=None, since_seconds=600)


def test_audit_log_lines_refuse_a_file_in_place_of_the_directory(services: Services) -> None:
    services.settings.audit.dir.parent.mkdir(parents=True, exist_ok=True)
    services.settings.audit.dir.write_text("")

    with pytest.raises(InputError, match="not a directory"):
        audit_log_lines(services, target=None, since_seconds=600)
