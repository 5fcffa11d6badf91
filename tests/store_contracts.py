"""Contract tests every store must pass (anomalies, approvals, rule firings, automatic-remediation state,
conversations); subclasses provide the ``store`` fixture."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind, Severity
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.brakes import AutoAction
from tests.factories import approval_request

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0123456789abcdef0")
DB1 = HostRef(instance="10.0.1.13:9100", host="db-1")


def anomaly(n: int, host: HostRef = WEB1, status: AnomalyStatus = AnomalyStatus.OPEN) -> Anomaly:
    return Anomaly(
        id=f"a{n}",
        host=host,
        metric=MetricKind.CPU,
        detector="robust_zscore",
        status=status,
        severity=Severity.HIGH,
        score=7.5,
        value=93.2,
        started_at=T0 + timedelta(minutes=n),
        updated_at=T0 + timedelta(minutes=n),
    )


def approval(request_id: str = "r1") -> ApprovalRequest:
    return approval_request(request_id=request_id, at=T0)


class AnomalyStoreContract:
    """What every anomaly store does."""

    def test_recent_is_newest_first_and_bounded(self, store: Any) -> None:
        for n in range(5):
            store.upsert(anomaly(n))
        assert ["a4", "a3", "a2"] == [a.id for a in store.recent(3)]

    def test_upsert_replaces_by_id(self, store: Any) -> None:
        store.upsert(anomaly(1))
        store.upsert(anomaly(1).model_copy(update={"severity": Severity.CRITICAL}))
        assert [Severity.CRITICAL] == [a.severity for a in store.recent(10)]

    def test_round_trip_keeps_every_field(self, store: Any) -> None:
        store.upsert(anomaly(2))
        assert anomaly(2) == store.get("a2")
        assert store.get("missing") is None

    def test_round_trip_keeps_the_mountpoint_of_a_disk_anomaly(self, store: Any) -> None:
        disk = anomaly(3).model_copy(update={"metric": MetricKind.DISK, "mountpoint": "/data"})
        store.upsert(disk)
        assert "/data" == store.get("a3").mountpoint
        assert [disk] == store.open_anomalies()

    def test_open_for_finds_only_unresolved_incidents(self, store: Any) -> None:
        store.upsert(anomaly(1))
        assert "a1" == store.open_for(WEB1, MetricKind.CPU, "robust_zscore").id
        assert store.open_for(DB1, MetricKind.CPU, "robust_zscore") is None
        assert store.open_for(WEB1, MetricKind.MEMORY, "robust_zscore") is None
        store.upsert(anomaly(1, status=AnomalyStatus.RESOLVED))
        assert store.open_for(WEB1, MetricKind.CPU, "robust_zscore") is None

    def test_empty_store(self, store: Any) -> None:
        assert [] == store.recent(5)
        assert [] == store.recent(0)

    def test_for_host_is_newest_first_and_bounded(self, store: Any) -> None:
        for n in range(4):
            store.upsert(anomaly(n, host=WEB1 if n % 2 == 0 else DB1))
        assert ["a2", "a0"] == [a.id for a in store.for_host(WEB1, 10)]
        assert ["a3"] == [a.id for a in store.for_host(DB1, 1)]
        assert [] == store.for_host(HostRef(instance="10.9.9.9:9100"), 10)

    def test_between_is_inclusive_and_newest_first(self, store: Any) -> None:
        for n in range(6):
            store.upsert(anomaly(n))
        found = store.between(T0 + timedelta(minutes=1), T0 + timedelta(minutes=3))
        assert ["a3", "a2", "a1"] == [a.id for a in found]
        assert [] == store.between(T0 + timedelta(hours=1), T0 + timedelta(hours=2))

    def test_open_anomalies_leave_out_resolved_ones(self, store: Any) -> None:
        store.upsert(anomaly(1))
        store.upsert(anomaly(2, host=DB1))
        store.upsert(anomaly(3, status=AnomalyStatus.RESOLVED))
        assert ["a2", "a1"] == [a.id for a in store.open_anomalies()]
        store.upsert(anomaly(2, host=DB1, status=AnomalyStatus.RESOLVED))
        assert ["a1"] == [a.id for a in store.open_anomalies()]

    def test_acknowledge_keeps_the_incident_unresolved(self, store: Any) -> None:
        store.upsert(anomaly(1))
        at = T0 + timedelta(hours=1)

        acked = store.acknowledge("a1", by="U_LEAD", at=at)

        assert (AnomalyStatus.ACKNOWLEDGED, "U_LEAD", at) == (acked.status, acked.acknowledged_by, acked.updated_at)
        assert acked == store.get("a1")
        assert ["a1"] == [a.id for a in store.open_anomalies()]
        assert "a1" == store.open_for(WEB1, MetricKind.CPU, "robust_zscore").id

    def test_acknowledge_leaves_resolved_and_missing_alone(self, store: Any) -> None:
        store.upsert(anomaly(1, status=AnomalyStatus.RESOLVED))
        assert AnomalyStatus.RESOLVED == store.acknowledge("a1", by="U_LEAD", at=T0).status
        assert store.acknowledge("missing", by="U_LEAD", at=T0) is None


class ApprovalStoreContract:
    """What every approval store does, compare-and-set above all."""

    def test_add_then_get(self, store: Any) -> None:
        store.add(approval())
        assert approval() == store.get("r1")
        assert store.get("nope") is None

    def test_compare_and_set_needs_the_current_version(self, store: Any) -> None:
        store.add(approval())
        approved = approval().approve("U_OK", T0)
        assert store.compare_and_set(0, approved)
        assert not store.compare_and_set(0, approved.start(T0))
        assert ApprovalState.APPROVED == store.get("r1").state

    def test_pending_lists_only_pending_requests(self, store: Any) -> None:
        store.add(approval("r1"))
        store.add(approval("r2"))
        store.compare_and_set(0, approval("r2").reject("U_OK", T0))
        assert ["r1"] == [r.id for r in store.pending()]

    def test_concurrent_compare_and_set_has_one_winner(self, store: Any) -> None:
        store.add(approval())
        wins: list[bool] = []
        barrier = threading.Barrier(20)

        def attempt(n: int) -> None:
            barrier.wait()
            wins.append(store.compare_and_set(0, approval().approve(f"U_{n}", T0)))

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert 1 == sum(wins)

    def test_add_refuses_an_existing_id_and_keeps_the_stored_request(self, store: Any) -> None:
        store.add(approval())
        other = approval().model_copy(update={"requested_by": "U_OTHER"})

        with pytest.raises(ValueError, match="already exists"):
            store.add(other)

        assert "U_REQ" == store.get("r1").requested_by

    def test_compare_and_set_on_an_unknown_request_fails(self, store: Any) -> None:
        assert not store.compare_and_set(0, approval("ghost"))
        assert store.get("ghost") is None

    def test_round_trip_keeps_every_field_through_the_whole_life(self, store: Any) -> None:
        store.add(approval())
        approved = approval().model_copy(update={"required_approvals": 2}).approve("U_A", T0).approve("U_B", T0)
        started = approved.start(T0)
        done = started.succeed("web-asg desired capacity 2 → 3", T0)
        assert store.compare_and_set(0, approved)
        assert store.compare_and_set(approved.version, started)
        assert store.compare_and_set(started.version, done)

        assert done == store.get("r1")
        assert [] == store.pending()

    def test_pending_is_oldest_first(self, store: Any) -> None:
        for n, minutes in enumerate((5, 1, 3)):
            store.add(approval(f"r{n}").model_copy(update={"requested_at": T0 + timedelta(minutes=minutes)}))

        assert ["r1", "r2", "r0"] == [r.id for r in store.pending()]

    def test_concurrent_approve_chains_apply_every_step_once(self, store: Any) -> None:
        """Many writers retrying compare-and-set: each successful write is based on the latest version."""
        store.add(approval().model_copy(update={"required_approvals": 50}))
        barrier = threading.Barrier(10)

        def approve_as(user: str) -> None:
            barrier.wait()
            while True:
                current = store.get("r1")
                if store.compare_and_set(current.version, current.approve(user, T0)):
                    return

        threads = [threading.Thread(target=approve_as, args=(f"U_{n}",)) for n in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final = store.get("r1")
        assert (10, 10) == (final.version, len(set(final.approvers)))


class RuleFiringsContract:
    """What every rule-firings store does."""

    def test_put_then_get_per_rule_and_host(self, store: Any) -> None:
        store.put("db-cpu-hot", "10.0.1.13:9100", 1_700_000_000.5, 1_700_000_120.25)

        assert (1_700_000_000.5, 1_700_000_120.25) == store.get("db-cpu-hot", "10.0.1.13:9100")
        assert store.get("db-cpu-hot", "10.0.1.11:9100") is None
        assert store.get("web-cpu-hot", "10.0.1.13:9100") is None

    def test_put_replaces_the_fired_breach(self, store: Any) -> None:
        store.put("db-cpu-hot", "10.0.1.13:9100", 100.0, 160.0)
        store.put("db-cpu-hot", "10.0.1.13:9100", 900.0, 960.0)

        assert (900.0, 960.0) == store.get("db-cpu-hot", "10.0.1.13:9100")


class AutoRemediationStateContract:
    """What every automatic-remediation state does: the kill switch and the latest record of each action."""

    def test_kill_switch_is_off_until_switched_on(self, store: Any) -> None:
        assert store.kill_switch() is False
        store.set_kill_switch(True, by="U_LEAD")
        assert store.kill_switch() is True
        store.set_kill_switch(False, by="U_LEAD")
        assert store.kill_switch() is False

    def test_history_keeps_the_latest_record_of_each_action_since(self, store: Any) -> None:
        old = AutoAction(action="restart_service", target="web-1", at=T0 - timedelta(hours=2))
        started = AutoAction(action="scale_up", target="web-asg", at=T0)
        store.record(old)
        store.record(started)
        store.record(AutoAction(action="scale_up", target="web-asg", at=T0, succeeded=True))

        assert [AutoAction(action="scale_up", target="web-asg", at=T0, succeeded=True)] == store.history(
            T0 - timedelta(hours=1)
        )
        assert [old.action, started.action] == [a.action for a in store.history(T0 - timedelta(hours=3))]


class ConversationStoreContract:
    """What every conversation store does; subclasses also give ``expired_store`` (a TTL already past)."""

    def test_round_trip_per_thread(self, store: Any) -> None:
        store.save("T1", {"host": "web-1", "metric": "cpu"})

        assert {"host": "web-1", "metric": "cpu"} == store.load("T1")
        assert store.load("T2") is None

    def test_save_replaces_the_context(self, store: Any) -> None:
        store.save("T1", {"host": "web-1"})
        store.save("T1", {"host": "db-1"})

        assert {"host": "db-1"} == store.load("T1")

    def test_expired_context_is_forgotten(self, expired_store: Any) -> None:
        expired_store.save("T1", {"host": "web-1"})

        assert expired_store.load("T1") is None
