"""Whether an incident message offers Suggest fix, with Auto Scaling membership read once per instance for a while."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from adapters.clock import ManualClock
from adapters.simulated.cloud import SimulatedCloudActions
from bot.config.settings import AuditSettings, RemediationSettings, Settings
from bot.services import Services
from bot.slack.fix_offers import MembershipCache, common_fix, fix_offers
from domain.errors import CloudActionFailed
from domain.models import MetricKind
from remediation.actions import ActionCall, ActionName
from tests.unit.bot.simulated_services import GROUP, START, simulated_services
from tests.unit.bot.slack.test_fix_requests import WEB1_ID, cloud, incident

__all__ = ["cloud"]  # web-asg with web-1 a member, for this module's tests too

SCALE = ActionCall(action=ActionName.SCALE_UP, params={"group": GROUP, "by": 1})


class CountingMembership:
    """A cloud with groups that counts the questions, or fails them all."""

    def __init__(self, *, failing: bool = False) -> None:
        self.asked: list[str] = []
        self.failing = failing

    def auto_scaling_group_of(self, instance_id: str) -> str | None:
        self.asked.append(instance_id)
        if self.failing:
            raise CloudActionFailed("describe_auto_scaling_instances", "endpoint unreachable")
        return GROUP if instance_id == WEB1_ID else None


@pytest.mark.parametrize(
    ("name", "metric", "expected"),
    [
        ("web-1", MetricKind.CPU, SCALE),
        ("web-1", MetricKind.MEMORY, SCALE),
        ("web-1", MetricKind.DISK, None),  # no rule, and disk is not scaled for
        ("db-1", MetricKind.CPU, None),  # in no group
    ],
)
def test_the_offer_is_what_the_click_would_request_first(
    services: Services, name: str, metric: MetricKind, expected: ActionCall | None
) -> None:
    assert expected == fix_offers(services)(incident(services, name, metric), services.clock.now())


def test_with_remediation_off_nothing_is_offered(tmp_path: Path) -> None:
    settings = Settings(audit=AuditSettings(dir=tmp_path / "audit"))
    services = simulated_services(settings, clock=ManualClock(START), cloud=SimulatedCloudActions({}))

    assert fix_offers(services)(incident(services, "web-1"), START) is None


def test_membership_is_asked_once_per_instance_for_ten_minutes() -> None:
    aws = CountingMembership()
    cache = MembershipCache(aws)

    answers = [cache.group_of(i, START + timedelta(minutes=m)) for m, i in ((0, WEB1_ID), (9, WEB1_ID), (9, "i-2"))]
    cache.group_of(WEB1_ID, START + timedelta(minutes=10))

    assert [GROUP, GROUP, None] == answers
    assert [WEB1_ID, "i-2", WEB1_ID] == aws.asked


def test_aws_failing_means_no_group_logged_and_asked_again_a_minute_later() -> None:
    aws = CountingMembership(failing=True)
    cache = MembershipCache(aws)

    with capture_logs() as logs:
        answers = [cache.group_of(WEB1_ID, START + timedelta(seconds=s)) for s in (0, 30, 60)]

    assert [None, None, None] == answers
    assert [WEB1_ID, WEB1_ID] == aws.asked
    assert ["group_membership_unknown"] * 2 == [e["event"] for e in logs]


def test_without_aws_no_instance_is_in_a_group() -> None:
    assert MembershipCache(None).group_of(WEB1_ID, START) is None


@pytest.mark.parametrize(
    ("fixes", "expected"),
    [
        ((SCALE, SCALE), SCALE),
        ((SCALE, None), None),
        ((), None),
        ((SCALE, SCALE.model_copy(update={"params": {}})), None),
    ],
)
def test_a_group_shares_a_fix_only_when_every_member_has_the_same(
    fixes: tuple[ActionCall | None, ...], expected: ActionCall | None
) -> None:
    assert expected == common_fix(fixes)


def test_a_rules_action_is_offered_on_a_host_in_no_group(tmp_path: Path, cloud: SimulatedCloudActions) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: disk-full\n    rule: disk > 90% for 5m then scale_up web-asg by 1\n")
    settings = Settings(
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD"]}, rules_file=rules),
    )
    services = simulated_services(settings, clock=ManualClock(START), cloud=cloud)

    assert SCALE == fix_offers(services)(incident(services, "db-1", MetricKind.DISK), START)
