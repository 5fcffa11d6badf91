"""Start-up warns about every action nobody is configured to approve."""

from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs

from bot.config.settings import RemediationSettings, Settings
from bot.slack import messages
from bot.wiring import build_services
from tests.unit.agent.fleet import make_world


def warned_actions(approvers: dict[str, list[str]], tmp_path: Path) -> list[str]:
    world = make_world(tmp_path, hosts=2)
    settings = Settings(remediation=RemediationSettings(approvers=approvers)).model_copy(
        update={"audit": world.services.settings.audit}
    )
    with capture_logs() as logs:
        build_services(settings, clock=world.clock, metrics=world.services.metrics, cloud=world.cloud, load_model=False)
    return [e["action"] for e in logs if e["event"] == "no_approvers_configured"]


@pytest.mark.parametrize(
    ("approvers", "warned"),
    [
        ({}, ["restart_service", "scale_up", "scale_to"]),
        ({"scale_up": ["U0LEAD"]}, ["restart_service", "scale_to"]),
        ({"*": ["S0SRE"]}, []),
    ],
)
def test_start_up_warns_per_action_without_approvers(
    approvers: dict[str, list[str]], warned: list[str], tmp_path: Path
) -> None:
    assert warned_actions(approvers, tmp_path) == warned


def test_the_request_message_says_who_to_configure() -> None:
    text = messages.no_approvers("scale_to")

    assert "scale_to" in text
    assert "SCO_REMEDIATION__APPROVERS" in text
