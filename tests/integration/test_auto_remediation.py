"""Automatic remediation across three replicas sharing Redis, on moto, with scheduler ticks at explicit times."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.simulated.metrics import SimulatedMetrics
from bot.config.settings import (
    AuditSettings,
    AutoRemediationSettings,
    AwsSettings,
    RedisSettings,
    RemediationSettings,
    Settings,
)
from bot.jobs.rule_outcomes import RuleOutcomePoster
from bot.jobs.scheduler import ScheduledJob, TickRunner
from bot.services import Services
from bot.wiring import build_services
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.test_degradation_aws import AutoScalingApi

T0 = datetime.fromtimestamp((datetime.now(UTC).timestamp() // 60) * 60, UTC)
M = timedelta(minutes=1)
RULES = """
rules:
  - name: web-hot
    rule: cpu > 90% for 3m on web-1 then scale_up web-asg by 1
    mode: auto
"""


class Channel:
    def __init__(self) -> None:
        self.posts: list[str] = []
        self.lock = threading.Lock()

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        with self.lock:
            self.posts.append(f"{channel}: {text} {json.dumps(blocks)}")


class Fleet:
    """Three replicas of the bot over one Redis, one AWS endpoint and one simulated fleet."""

    def __init__(self, tmp_path: Path, redis_url: str, aws: str) -> None:
        start = T0.timestamp()
        model = FleetModel(
            5,
            (
                Incident(IncidentKind.CPU_SATURATION, "web-1", start - 10 * 60, 15 * 60),
                Incident(IncidentKind.CPU_SATURATION, "web-1", start + 8 * 60, 20 * 60),
            ),
        )
        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES)
        settings = Settings(
            redis=RedisSettings(url=redis_url),
            aws=AwsSettings(endpoint_url=aws),
            audit=AuditSettings(dir=tmp_path / "audit"),
            remediation=RemediationSettings(approvers={"*": ["U_LEAD"]}, rules_file=rules),
            auto_remediation=AutoRemediationSettings(scale_ups_per_window=1),
        )
        self.audit_dir = tmp_path / "audit"
        self.clock = ManualClock(T0)
        self.channel = Channel()
        self.replicas: list[Services] = [
            build_services(settings, clock=self.clock, metrics=SimulatedMetrics(model, self.clock)) for _ in range(3)
        ]
        self.runners = [TickRunner(leases=s.leases, replica=f"r{n}") for n, s in enumerate(self.replicas)]  # type: ignore[arg-type]
        self.jobs = []
        for services in self.replicas:
            assert services.rule_actions is not None
            poster = RuleOutcomePoster(job=services.rule_actions, notifier=self.channel, channel="C_OPS")
            self.jobs.append(ScheduledJob(name="rule_actions", run=poster, every=timedelta(seconds=15)))

    def tick(self, offset: timedelta) -> None:
        """Every replica fires the rule job for the same tick at once, as their schedulers do."""
        self.clock.advance(T0 + offset - self.clock.now())
        tick = self.clock.now()
        threads = [
            threading.Thread(target=runner.run, args=(job, tick))
            for runner, job in zip(self.runners, self.jobs, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def audit(self) -> list[dict[str, Any]]:
        return [json.loads(x) for p in sorted(self.audit_dir.glob("audit-*.jsonl")) for x in p.read_text().splitlines()]


@pytest.fixture
def fleet(tmp_path: Path, redis_url: str, aws_env: str) -> Fleet:
    create_group(aws_env, desired=2, max_size=6)
    return Fleet(tmp_path, redis_url, aws_env)


def test_an_auto_rule_breach_runs_exactly_one_action_across_three_replicas(fleet: Fleet, aws_env: str) -> None:
    fleet.tick(0 * M)
    fleet.tick(1 * M)

    assert 3 == desired_capacity(aws_env)
    approvals = [(e["event"], e["actor"]) for e in fleet.audit() if e["event"] in ("approved", "executing")]
    assert [("approved", "policy:web-hot"), ("executing", "smartcloudops")] == approvals
    assert 1 == len(fleet.channel.posts)
    assert "Done automatically" in fleet.channel.posts[0]
    assert "auto_undo" in fleet.channel.posts[0]


def test_a_second_breach_inside_the_rate_window_asks_for_approval(fleet: Fleet, aws_env: str) -> None:
    fleet.tick(0 * M)
    fleet.tick(12 * M)

    assert 3 == desired_capacity(aws_env)
    assert 2 == len(fleet.channel.posts)
    assert "Approval needed" in fleet.channel.posts[1]
    assert "rate limit: at most 1 automatic scale_up of web-asg per 1h" in fleet.channel.posts[1]
    services = fleet.replicas[0]
    assert services.remediation is not None
    assert 1 == len(services.remediation.store.pending())


def test_the_kill_switch_stops_the_next_automatic_action(fleet: Fleet, aws_env: str) -> None:
    replica = fleet.replicas[1]
    assert replica.auto_state is not None
    replica.auto_state.set_kill_switch(True, by="U_LEAD")

    fleet.tick(0 * M)

    assert 2 == desired_capacity(aws_env)
    assert "kill switch" in fleet.channel.posts[0]


def test_undo_scales_back_down_after_an_approver_clicks(fleet: Fleet, aws_env: str) -> None:
    fleet.tick(0 * M)
    services = fleet.replicas[2]
    assert services.remediation is not None
    automatic = next(e["request_id"] for e in fleet.audit() if e["actor"] == "policy:web-hot")

    services.remediation.undo(automatic, "U_LEAD")

    assert 2 == desired_capacity(aws_env)


def test_a_failed_action_starts_the_cool_down(tmp_path: Path, redis_url: str, aws_env: str) -> None:
    api = AutoScalingApi()
    threading.Thread(target=api.serve_forever, daemon=True).start()
    api.script = ["AccessDenied"]
    try:
        fleet = Fleet(tmp_path, redis_url, api.url)
        fleet.tick(0 * M)
        fleet.tick(12 * M)
    finally:
        api.shutdown()

    failed = [e for e in fleet.audit() if e["event"] == "failed"]
    assert 1 == len(failed)
    assert "AccessDenied" in failed[0]["error"]
    assert "cool-down after the failed scale_up on web-asg" in fleet.channel.posts[-1]
    assert 1 == api.seen("SetDesiredCapacity")
