"""Without Redis, every build_services on one state directory shares the SQLite stores, across restarts too."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.clock import ManualClock
from adapters.simulated.cloud import SimulatedCloudActions
from adapters.sqlite.approvals import SqliteApprovalStore
from bot.cli.demo import run_demo
from bot.config.settings import AuditSettings, RemediationSettings, Settings, StateSettings
from bot.services import Services
from bot.wiring import build_services
from domain.models import AnomalyStatus
from remediation import actions
from remediation.approval import ApprovalState
from tests.store_contracts import anomaly
from tests.unit.bot.simulated_services import GROUP, START, simulated_cloud


def settings_on(state: Path, audit: Path) -> Settings:
    return Settings(
        state=StateSettings(dir=state),
        audit=AuditSettings(dir=audit),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD"]}),
    )


def process(tmp_path: Path, cloud: SimulatedCloudActions, name: str) -> Services:
    """What one process (``ask``, ``serve``, the HTTP API) builds at start-up."""
    return build_services(
        settings_on(tmp_path / "state", tmp_path / name), clock=ManualClock(START), cloud=cloud, load_model=False
    )


def request_scale_up(services: Services) -> str:
    assert services.remediation is not None
    call = actions.scale_up(group=GROUP, by=1, limits=services.tools.limits)
    return services.remediation.request(call, "U_ONCALL").id


def test_without_redis_the_stores_are_the_sqlite_ones(tmp_path: Path) -> None:
    services = process(tmp_path, simulated_cloud(), "audit")

    assert isinstance(services.approvals, SqliteApprovalStore)
    assert (tmp_path / "state" / "state.db").is_file()


def test_one_process_sees_the_approval_request_another_made(tmp_path: Path) -> None:
    cloud = simulated_cloud()
    ask, serve = process(tmp_path, cloud, "ask"), process(tmp_path, cloud, "serve")

    request_id = request_scale_up(ask)

    assert [request_id] == [r.id for r in serve.approvals.pending()]
    assert serve.remediation is not None
    assert ApprovalState.SUCCEEDED is serve.remediation.approve(request_id, "U_LEAD").state
    assert ApprovalState.SUCCEEDED is ask.approvals.get(request_id).state  # type: ignore[union-attr]
    assert 3 == cloud.describe_group(GROUP).desired_capacity


def test_pending_approvals_and_open_incidents_survive_a_restart(tmp_path: Path) -> None:
    cloud = simulated_cloud()
    before = process(tmp_path, cloud, "serve")
    request_id = request_scale_up(before)
    before.anomalies.upsert(anomaly(1))
    before.anomalies.upsert(anomaly(2, status=AnomalyStatus.RESOLVED))
    del before

    after = process(tmp_path, cloud, "serve")

    assert [request_id] == [r.id for r in after.approvals.pending()]
    assert ["a1"] == [a.id for a in after.anomalies.open_anomalies()]


def test_the_demo_stays_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("SCO_STATE__DIR", str(state))

    assert 0 == run_demo(out=io.StringIO(), log_dir=tmp_path / "demo-logs")
    assert not (state / "state.db").exists()
