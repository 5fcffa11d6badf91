"""What a model may say and request: inert Slack markup, no action claims, only the remediation asked for."""

from __future__ import annotations

from typing import Any

import pytest

from agent.intents import remediation_in
from agent.prose import MAX_PROSE_CHARS, neutralise, safe_prose, without_action_claims
from agent.remediation_binding import same_remediation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!channel> web-1 is fine", "‹!channel› web-1 is fine"),
        ("ping <@U123ABC>", "ping ‹@U123ABC›"),
        ("<https://evil.example|Approve now>", "Approve now (https://evil.example)"),
        ("see <https://grafana.example>", "see ‹https://grafana.example›"),
        ("@here cpu is 40%", "@\u2060here cpu is 40%"),
        ("a < b > c", "a ‹ b › c"),
        ("email me@here.com", "email me@here.com"),
    ],
)
def test_slack_markup_becomes_text(text: str, expected: str) -> None:
    assert expected == neutralise(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I approved and executed the scale-up. CPU is 40%.", "CPU is 40%."),
        ("web-asg was scaled to 5.", ""),
        ("I restarted nginx on web-1 for you!", ""),
        ("CPU on web-1 is 40% (1m average).", "CPU on web-1 is 40% (1m average)."),
        ("A request was created; it waits for approval.", "A request was created; it waits for approval."),
        ("CPU is 97%.\nI restarted nginx\nLoad is 4.", "CPU is 97%.\n\nLoad is 4."),
        ("Is it fine? Executed! Yes.", "Is it fine? Yes."),
        ("web-1 unscaled yesterday.", "web-1 unscaled yesterday."),
    ],
)
def test_claims_of_approvals_and_executions_are_dropped(text: str, expected: str) -> None:
    assert expected == without_action_claims(text)


def test_prose_is_capped() -> None:
    assert MAX_PROSE_CHARS == len(safe_prose("x" * 5000))


@pytest.mark.timeout(10)
def test_a_megabyte_of_model_text_is_cleaned_and_capped() -> None:
    shown = safe_prose("<@U1> CPU is fine. I executed it. " + "word " * 200_000 + "<" * 100_000)

    assert len(shown) <= MAX_PROSE_CHARS
    assert shown.startswith("‹@U1› CPU is fine. word word")
    assert shown.endswith("…")
    assert "executed" not in shown
    assert "<" not in shown


@pytest.mark.parametrize(
    ("question", "requested", "same"),
    [
        ("scale web-asg up by 1", {"action": "scale_up", "group": "web-asg", "by": 1}, True),
        ("scale web-asg up", {"action": "scale_up", "group": "web-asg"}, True),
        ("scale web-asg up by 1", {"action": "restart_service", "service": "nginx", "host": "web-1"}, False),
        ("scale web-asg to 3", {"action": "scale_to", "group": "web-asg", "desired": 5}, False),
        ("scale web-asg to 3", {"action": "scale_to", "group": "WEB-ASG", "desired": 3}, True),
        ("scale web-asg to 3", {"action": "scale_to", "group": "api-asg", "desired": 3}, False),
        ("restart nginx on web-1", {"action": "restart_service", "service": "nginx", "host": "web-1"}, True),
        ("restart nginx on web-1", {"action": "restart_service", "service": "sshd", "host": "web-1"}, False),
        ("add 2 instances to web-asg", {"action": "scale_up", "group": "web-asg", "by": 3}, False),
    ],
)
def test_a_request_is_bound_to_the_one_asked_for(question: str, requested: dict[str, Any], same: bool) -> None:
    asked = remediation_in(question)
    assert asked is not None

    assert same == same_remediation(asked, requested)
