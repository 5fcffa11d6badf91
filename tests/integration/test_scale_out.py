"""Three ``smartcloudops serve --http`` processes against one Redis, one Prometheus (fleet simulator) and moto.

Each runs the real scheduler with 1 s intervals. Every job tick must run on exactly one of
them, every anomaly must be stored once, and 50 concurrent Approve clicks spread over the three
must execute each approved request exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
import requests
from pydantic import SecretStr

from bot.config.settings import AuditSettings, AwsSettings, RedisSettings, RemediationSettings, Settings, SlackSettings
from bot.services import Services
from bot.wiring import build_services
from remediation import actions
from remediation.approval import ApprovalRequest, ApprovalState
from tests import servers
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_requests import SIGNING_SECRET, block_action

REPLICAS = 3
TICKS = 10
REQUESTS = 5
CLICKS = 50


@dataclass
class Replica:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    audit_dir: Path

    def events(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        return out


def start_replica(n: int, tmp_path: Path, env: dict[str, str], *, state: Path | None = None) -> Replica:
    """Start ``serve --http`` with its own audit dir, and its own state dir unless ``state`` is shared."""
    home = tmp_path / f"replica-{n}"
    home.mkdir()
    port = servers.free_port()
    log_path = home / "out.log"
    own = {
        **env,
        "SCO_HTTP__PORT": str(port),
        "SCO_AUDIT__DIR": str(home / "audit"),
        "SCO_STATE__DIR": str(state or home / "state"),
        "SCO_SCHEDULER__REPLICA": f"replica-{n}",
    }
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--http"], stdout=out, stderr=subprocess.STDOUT, env=own
        )
    return Replica(f"replica-{n}", f"http://127.0.0.1:{port}", process, log_path, home / "audit")


def wait_ready(replica: Replica, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if replica.process.poll() is not None:
            raise AssertionError(f"{replica.name} exited:\n{replica.log_path.read_text()[-3000:]}")
        try:
            if requests.get(f"{replica.url}/healthz", timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{replica.name} not ready:\n{replica.log_path.read_text()[-3000:]}")


def runs(fleet: list[Replica], job: str) -> Counter[str]:
    """How many replicas ran each tick of ``job``."""
    return Counter(e["tick"] for r in fleet for e in r.events() if e.get("event") == "job_ran" and e["job"] == job)


def approving_env(aws_env: str, fake_slack: FakeSlackApi, tmp_path: Path) -> dict[str, str]:
    """What a ``serve`` process needs to receive signed Approve clicks and scale groups in moto."""
    return {
        "SCO_AWS__ENDPOINT_URL": aws_env,
        "SCO_SLACK__API_URL": fake_slack.api_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SCO_REMEDIATION__APPROVERS": json.dumps({"scale_up": ["U_LEAD"]}),
        "SCO_DETECTION__MODEL_PATH": str(tmp_path / "no-model.pkl"),
    }


@pytest.fixture
def fleet(
    tmp_path: Path, redis_url: str, prometheus: servers.ServerProcess, aws_env: str, fake_slack: FakeSlackApi
) -> Iterator[list[Replica]]:
    for n in range(REQUESTS):
        create_group(aws_env, f"web-asg-{n}", desired=2, max_size=20)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - name: db-cpu-hot\n"
        "    rule: cpu > 90% for 2m on db-*\n"
        "  - name: db-cpu-scale\n"
        "    rule: cpu > 95% for 2m on db-1 then scale_up web-asg-0 by 1\n"
    )
    env = {
        **os.environ,
        "SCO_REMEDIATION__RULES_FILE": str(rules),
        "SCO_SCHEDULER__RULES_SECONDS": "1",
        "SCO_PROMETHEUS__URL": prometheus.url,
        "SCO_REDIS__URL": redis_url,
        **approving_env(aws_env, fake_slack, tmp_path),
        "SCO_DETECTION__INTERVAL_SECONDS": "1",
        "SCO_SCHEDULER__EXPIRY_SECONDS": "1",
        "SCO_SCHEDULER__DIGESTS": json.dumps({"C0DIGEST": "* * * * *"}),
        "SCO_SLACK__DIGEST_POST_WHEN_QUIET": "true",
    }
    with serving([start_replica(n, tmp_path, env) for n in range(REPLICAS)]) as replicas:
        yield replicas


@contextmanager
def serving(replicas: list[Replica]) -> Iterator[list[Replica]]:
    """The replicas once each one answers; every one is stopped when the block ends."""
    try:
        for r in replicas:
            wait_ready(r)
        yield replicas
    finally:
        stop_replicas(replicas)


def stop_replicas(replicas: list[Replica]) -> None:
    """Interrupt every replica still running, and kill those that do not stop."""
    for r in replicas:
        if r.process.poll() is None:
            r.process.send_signal(signal.SIGINT)
    for r in replicas:
        try:
            r.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            r.process.kill()
            r.process.wait(timeout=5)


def click(replica: Replica, request_id: str, n: int) -> int:
    body, headers = block_action("approval_approve", request_id, user="U_LEAD", message_ts=f"1.{n:06d}")
    return requests.post(f"{replica.url}/slack/events", data=body, headers=headers, timeout=30).status_code


def request_scale_ups(settings: Settings, count: int) -> tuple[Services, list[ApprovalRequest]]:
    """Services on ``settings``, and one pending request to scale up each group ``web-asg-<n>`` by 1."""
    services = build_services(settings, load_model=False)
    assert services.remediation is not None
    limits = services.tools.limits
    made = [
        services.remediation.request(actions.scale_up(group=f"web-asg-{n}", by=1, limits=limits), "U_ONCALL")
        for n in range(count)
    ]
    return services, made


def click_at_once(fleet: list[Replica], request_ids: list[str], clicks: int) -> list[int]:
    """``clicks`` Approve clicks at the same time, round robin over the requests and the replicas."""
    plan = [(fleet[n % len(fleet)], request_ids[n % len(request_ids)], n) for n in range(clicks)]
    with ThreadPoolExecutor(max_workers=clicks) as pool:
        return list(pool.map(lambda p: click(*p), plan))


def audit_events(fleet: list[Replica]) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for r in fleet
        for path in sorted(r.audit_dir.glob("audit-*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def test_three_replicas_run_each_tick_once_store_each_anomaly_once_and_execute_each_approval_once(
    fleet: list[Replica], redis_url: str, aws_env: str, fake_slack: FakeSlackApi, tmp_path: Path
) -> None:
    settings = Settings(
        aws=AwsSettings(endpoint_url=aws_env),
        redis=RedisSettings(url=redis_url),
        audit=AuditSettings(dir=tmp_path / "requester-audit"),
        remediation=RemediationSettings(approvers={"scale_up": ["U_LEAD"]}),
        slack=SlackSettings(bot_token=SecretStr("xoxb-test"), signing_secret=SecretStr(SIGNING_SECRET)),
    )
    services, requests_made = request_scale_ups(settings, REQUESTS)

    # 50 clicks at once: each request clicked 10 times, round robin over the replicas.
    assert [200] * CLICKS == click_at_once(fleet, [r.id for r in requests_made], CLICKS)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ticks = runs(fleet, "detection")
        done = all(services.approvals.get(r.id).state is ApprovalState.SUCCEEDED for r in requests_made)  # type: ignore[union-attr]
        if len(ticks) >= TICKS + 2 and done:
            break
        time.sleep(0.5)

    # A replica that dies without warning: the other two go on, still once per tick.
    fleet[0].process.kill()
    fleet[0].process.wait(timeout=10)
    before_crash = set(runs(fleet, "detection"))
    deadline = time.monotonic() + 20
    while len(set(runs(fleet, "detection")) - before_crash) < 3 and time.monotonic() < deadline:
        time.sleep(0.25)
    for r in fleet[1:]:
        r.process.send_signal(signal.SIGINT)
    for r in fleet[1:]:
        r.process.wait(timeout=15)
    after_crash = set(runs(fleet, "detection")) - before_crash
    assert len(after_crash) >= 3, "the surviving replicas stopped running detection"

    # Every job tick ran on exactly one replica (the first and last ticks may be partial).
    for job in ("detection", "rule_actions", "approval_expiry"):
        ticks = runs(fleet, job)
        assert len(ticks) >= TICKS, f"{job}: only {len(ticks)} ticks ran"
        assert dict.fromkeys(ticks, 1) == dict(ticks), f"{job} ran twice in a tick"
    ran_by = Counter(e["replica"] for r in fleet for e in r.events() if e.get("event") == "job_ran")
    assert len(ran_by) >= 2, f"one replica ran everything: {ran_by}"
    digest_runs = runs(fleet, "digest:C0DIGEST")
    posted = [c for c in fake_slack.received("chat.postMessage") if c.body.get("channel") == "C0DIGEST"]
    assert dict.fromkeys(digest_runs, 1) == dict(digest_runs)
    assert sum(digest_runs.values()) == len(posted)

    # Each anomaly opened by one replica and stored once.
    client = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    opened = sum(e["opened"] for r in fleet for e in r.events() if e.get("event") == "detection_cycle")
    stored = client.zcard("sco:{anomalies}:by_time")
    assert opened == stored
    assert stored >= 1
    open_now = services.anomalies.open_anomalies()
    keys = [(a.host.instance, a.metric, a.detector) for a in open_now]
    assert len(set(keys)) == len(keys)
    assert any(a.host.name == "db-1" for a in open_now)

    # Each approved request executed exactly once.
    audit = audit_events(fleet)
    executed = Counter(e["request_id"] for e in audit if e["event"] == "executing")
    succeeded = Counter(e["request_id"] for e in audit if e["event"] == "succeeded")
    assert {r.id: 1 for r in requests_made} == dict(executed)
    assert {r.id: 1 for r in requests_made} == dict(succeeded)
    assert [3] * REQUESTS == [desired_capacity(aws_env, f"web-asg-{n}") for n in range(REQUESTS)]
    assert [ApprovalState.SUCCEEDED] * REQUESTS == [services.remediation.get(r.id).state for r in requests_made]
