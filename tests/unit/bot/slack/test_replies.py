"""The reply path: charts in the thread, and Slack failures that end in a log line instead of an exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from structlog.testing import capture_logs

from adapters.clock import ManualClock
from adapters.simulated.cloud import SimulatedCloudActions
from bot.config.settings import AuditSettings, RemediationSettings, Settings
from bot.services import Services
from bot.slack.listeners.replies import Place, answer_question
from tests.unit.bot.simulated_services import simulated_services
from tests.unit.bot.slack.fakes import FakeSlackClient

THREAD = Place(channel="C_OPS", thread_ts="1700000100.000100", conversation="slack:C_OPS:1700000100.000100")


def ask(client: FakeSlackClient, services: Services, question: str) -> list[dict[str, Any]]:
    with capture_logs() as logs:
        answer_question(client, services, THREAD, question=question, user="U_ONCALL", surface="mention")
    return logs


def test_a_question_over_time_gets_a_chart_in_its_thread(client: FakeSlackClient, services: Services) -> None:
    ask(client, services, "show CPU on web-1 over the last hour")

    [upload] = client.received("files.upload")
    assert ("C_OPS", "1700000100.000100") == (upload["channel"], upload["thread_ts"])
    assert ("web-1-cpu.png", "web-1 CPU, last 1h") == (upload["filename"], upload["title"])
    assert upload["content"].startswith(b"\x89PNG")


def test_a_current_value_gets_no_chart(client: FakeSlackClient, services: Services) -> None:
    ask(client, services, "what is the current CPU on web-1?")

    assert [] == client.received("files.upload")


def test_a_reply_slack_refuses_is_logged_not_raised(services: Services) -> None:
    client = FakeSlackClient(failing={"chat.update": "msg_too_long"})

    logs = ask(client, services, "what is the current CPU on web-1?")

    [failed] = [e for e in logs if e["event"] == "slack_reply_failed"]
    assert ("mention", "msg_too_long") == (failed["surface"], failed["error"])
    assert ["chat.postMessage", "chat.update"] == [c.method for c in client.calls]


def test_where_the_bot_may_not_post_a_mention_is_not_answered(services: Services) -> None:
    """No placeholder, so no answer is worked out: it would have nowhere to go."""
    client = FakeSlackClient(failing={"chat.postMessage": "not_in_channel"})

    ask(client, services, "what is the current CPU on web-1?")

    assert ["chat.postMessage"] == [c.method for c in client.calls]


def approval_context(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]


def test_an_approval_message_warns_when_nobody_may_approve_the_action(
    tmp_path: Path, clock: ManualClock, cloud: SimulatedCloudActions
) -> None:
    settings = Settings(
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"restart_service": ["U_LEAD"]}),
    )
    services = simulated_services(settings, clock=clock, cloud=cloud)
    client = FakeSlackClient()

    ask(client, services, "scale web-asg up by 1")

    [approval] = [c for c in client.received("chat.postMessage") if c.get("text", "").startswith("Approval needed")]
    [warning] = approval_context(approval["blocks"])
    assert "Nobody is configured to approve scale_up" in warning


def test_an_approval_message_an_approver_can_act_on_carries_no_warning(
    client: FakeSlackClient, services: Services
) -> None:
    ask(client, services, "scale web-asg up by 1")

    [approval] = [c for c in client.received("chat.postMessage") if c.get("text", "").startswith("Approval needed")]
    assert [] == approval_context(approval["blocks"])
