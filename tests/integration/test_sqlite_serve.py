"""Two ``smartcloudops serve --http`` processes on one machine, without Redis, share one SQLite state file.

The same signed Approve clicks reach both: each approved request executes exactly once. Below
that, plain worker processes race on the file: for one compare-and-set exactly one wins, and
each job tick's lease is taken by exactly one.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.sqlite.approvals import SqliteApprovalStore
from adapters.sqlite.database import StateDatabase
from adapters.sqlite.leases import SqliteJobLeases
from bot.config.settings import AuditSettings, AwsSettings, RemediationSettings, Settings, SlackSettings, StateSettings
from remediation.approval import ApprovalState
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_requests import SIGNING_SECRET
from tests.integration.test_scale_out import (
    Replica,
    approving_env,
    audit_events,
    click_at_once,
    request_scale_ups,
    serving,
    start_replica,
)
from tests.store_contracts import T0, approval

REQUESTS = 3
CLICKS_PER_REQUEST = 8
WORKERS = 8


@pytest.fixture
def pair(tmp_path: Path, aws_env: str, fake_slack: FakeSlackApi) -> Iterator[list[Replica]]:
    for n in range(REQUESTS):
        create_group(aws_env, f"web-asg-{n}", desired=2, max_size=10)
    env = {key: value for key, value in os.environ.items() if key != "SCO_REDIS__URL"}
    env.update(approving_env(aws_env, fake_slack, tmp_path))
    with serving([start_replica(n, tmp_path, env, state=tmp_path / "state") for n in range(2)]) as replicas:
        yield replicas


def test_the_same_approve_click_to_two_serve_processes_executes_once(
    pair: list[Replica], aws_env: str, tmp_path: Path
) -> None:
    settings = Settings(
        aws=AwsSettings(endpoint_url=aws_env),
        state=StateSettings(dir=tmp_path / "state"),
        audit=AuditSettings(dir=tmp_path / "requester-audit"),
        remediation=RemediationSettings(approvers={"scale_up": ["U_LEAD"]}),
        slack=SlackSettings(bot_token=SecretStr("xoxb-test"), signing_secret=SecretStr(SIGNING_SECRET)),
    )
    services, made = request_scale_ups(settings, REQUESTS)
    assert services.remediation is not None

    clicks = REQUESTS * CLICKS_PER_REQUEST
    assert [200] * clicks == click_at_once(pair, [r.id for r in made], clicks)

    deadline = time.monotonic() + 60
    while any(services.remediation.get(r.id).state is not ApprovalState.SUCCEEDED for r in made):
        assert time.monotonic() < deadline, [services.remediation.get(r.id).state for r in made]
        time.sleep(0.25)

    audit = audit_events(pair)
    assert {r.id: 1 for r in made} == dict(Counter(e["request_id"] for e in audit if e["event"] == "executing"))
    assert {r.id: 1 for r in made} == dict(Counter(e["request_id"] for e in audit if e["event"] == "succeeded"))
    assert [3] * REQUESTS == [desired_capacity(aws_env, f"web-asg-{n}") for n in range(REQUESTS)]


def _race(directory: str, barrier: Any, user: str, wins: Any) -> None:
    """One worker process: open the file, wait for the others, try the same transition."""
    store = SqliteApprovalStore(StateDatabase.in_directory(Path(directory)))
    barrier.wait()
    wins.put(store.compare_and_set(0, approval().approve(user, T0)))


def test_worker_processes_racing_one_compare_and_set_have_one_winner(tmp_path: Path) -> None:
    setup = StateDatabase.in_directory(tmp_path)
    SqliteApprovalStore(setup).add(approval())
    setup.close()
    fork = multiprocessing.get_context("fork")
    barrier, wins = fork.Barrier(WORKERS), fork.Queue()
    workers = [fork.Process(target=_race, args=(str(tmp_path), barrier, f"U_{n}", wins)) for n in range(WORKERS)]
    for w in workers:
        w.start()
    results = [wins.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(timeout=30)

    assert 1 == sum(results)
    assert [0] * WORKERS == [w.exitcode for w in workers]
    stored = SqliteApprovalStore(StateDatabase.in_directory(tmp_path)).get("r1")
    assert stored is not None
    assert (ApprovalState.APPROVED, 1) == (stored.state, stored.version)


def _take_ticks(directory: str, barrier: Any, token: str, ticks: int, taken: Any) -> None:
    """One worker process: try to take the lease of every tick, as each replica's scheduler does."""
    leases = SqliteJobLeases(StateDatabase.in_directory(Path(directory)))
    barrier.wait()
    taken.put([n for n in range(ticks) if leases.acquire(f"detection:{n}", token, 60_000)])


def test_worker_processes_racing_for_the_same_ticks_take_each_lease_once(tmp_path: Path) -> None:
    StateDatabase.in_directory(tmp_path).close()
    fork = multiprocessing.get_context("fork")
    barrier, taken = fork.Barrier(WORKERS), fork.Queue()
    workers = [
        fork.Process(target=_take_ticks, args=(str(tmp_path), barrier, f"w{n}", 30, taken)) for n in range(WORKERS)
    ]
    for w in workers:
        w.start()
    results = [taken.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(timeout=30)

    assert list(range(30)) == sorted(n for ticks in results for n in ticks)
    assert [0] * WORKERS == [w.exitcode for w in workers]
