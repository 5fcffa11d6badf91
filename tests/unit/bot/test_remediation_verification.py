"""The fix's check as a job: an executed request is watched, audited and told in the right thread, once."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.files.audit import read_records
from adapters.simulated.cloud import SimulatedCloudActions
from bot.config.settings import AuditSettings, RemediationSettings, Settings
from bot.jobs.incident_notifier import PostedIncident, incident_message_map
from bot.jobs.remediation_verification import (
    RemediationVerificationJob,
    build_verification_job,
    verification_queue,
)
from bot.services import Services
from bot.slack.verification_blocks import NEXT_STEP_ACTION
from bot.wiring import build_services
from domain.errors import NotifierUnavailable
from domain.models import Anomaly, AnomalyStatus, HostRef, HostState, MetricKind, Sample, Series, Severity
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest
from remediation.cloud_state import GroupState, InstanceState
from tests.unit.bot.slack.fakes import RecordingChat

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0a1b2c3d4e5f60001")
WEB2 = HostRef(instance="10.0.1.12:9100", host="web-2", instance_id="i-0a1b2c3d4e5f60002")
SCALE = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})
RESTART = ActionCall(
    action=ActionName.RESTART_SERVICE, params={"instance_id": WEB1.instance_id or "", "service": "nginx"}
)
#: A host's value of a signal at a time (NaN: no sample).
Values = Callable[[HostRef, MetricKind, datetime], float]


class ScriptedMetrics:
    """A metrics source whose every value comes from a function of host, signal and time."""

    def __init__(self, values: Values, hosts: Sequence[HostRef] = (WEB1, WEB2)) -> None:
        self.values = values
        self._hosts = list(hosts)

    def hosts(self) -> list[HostRef]:
        return list(self._hosts)

    def host_states(self) -> list[HostState]:
        return [HostState(ref=h, up=True) for h in self._hosts]

    def capacity(self, host: HostRef) -> Any:
        raise AssertionError(f"a fix's check never reads the capacity of {host.name}")

    def current(
        self, metric: MetricKind, hosts: Sequence[HostRef] | None = None, *, at: datetime | None = None
    ) -> list[Sample]:
        when = at or datetime.now(UTC)
        return [Sample(h, metric, self.values(h, metric, when), when, "1m") for h in hosts or self._hosts]

    def range(
        self,
        metric: MetricKind,
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> list[Series]:
        first = math.ceil(start.timestamp() / step_seconds) * step_seconds
        times = [first + i * step_seconds for i in range(int((end.timestamp() - first) // step_seconds) + 1)]
        out = []
        for host in hosts if hosts is not None else self._hosts:
            kept = [(t, self.values(host, metric, datetime.fromtimestamp(t, UTC))) for t in times]
            kept = [(t, v) for t, v in kept if not math.isnan(v)]
            if kept:
                out.append(Series(host, metric, tuple(t for t, _ in kept), tuple(v for _, v in kept)))
        return out


def cpu_falls_to(after: float, *, at: datetime, before: float = 97.0) -> Values:
    """CPU at 40% the day before ``T0``, ``before`` from ``T0``, ``after`` from ``at``; every host up."""

    def values(_host: HostRef, metric: MetricKind, t: datetime) -> float:
        if metric is MetricKind.UP:
            return 1.0
        return 40.0 if t < T0 else (before if t < at else after)

    return values


def cloud() -> SimulatedCloudActions:
    members = tuple(
        InstanceState(instance_id=str(h.instance_id), lifecycle_state="InService", health_status="Healthy")
        for h in (WEB1, WEB2)
    )
    group = GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=6, instances=members)
    return SimulatedCloudActions({"web-asg": group})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0 + timedelta(minutes=5))


def make_services(tmp_path: Path, clock: ManualClock, values: Values, **remediation: Any) -> Services:
    settings = Settings(
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD"]}, **remediation),
    )
    return build_services(settings, clock=clock, metrics=ScriptedMetrics(values), cloud=cloud(), load_model=False)


def job_of(services: Services, chat: RecordingChat | Any) -> RemediationVerificationJob:
    job = build_verification_job(services.settings, services, chat)
    assert job is not None
    return job


def incident(services: Services, *, posted_ts: str | None = "1.100") -> Anomaly:
    """web-1's CPU incident since ``T0``, announced in C_ALERTS (message ``posted_ts``)."""
    found = Anomaly(
        id="web-1-cpu",
        host=WEB1,
        metric=MetricKind.CPU,
        detector="engine",
        severity=Severity.HIGH,
        score=6.0,
        value=97.0,
        started_at=T0,
        updated_at=T0,
    )
    services.anomalies.upsert(found)
    if posted_ts is not None:
        incident_message_map(services.settings).put(
            PostedIncident(
                anomaly_id=found.id,
                channel="C_ALERTS",
                ts=posted_ts,
                severity=found.severity,
                status=found.status,
                peak=found.value,
                announced_at=T0,
            )
        )
    return found


def run_fix(services: Services, call: ActionCall, *, for_incident: Anomaly | None = None) -> ApprovalRequest:
    """Request ``call`` as U_ONCALL (for the incident, as Suggest fix does) and have U_LEAD approve it."""
    assert services.remediation is not None
    request = services.remediation.request(call, "U_ONCALL")
    if for_incident is not None:
        verification_queue(services.settings, services.leases).remember_origin(request.id, for_incident.id)
    return services.remediation.approve(request.id, "U_LEAD")


def audited(services: Services) -> list[dict[str, Any]]:
    return [r for r in read_records(services.settings.audit.dir) if r["event"] == "verification"]


def at(clock: ManualClock, minutes: float) -> datetime:
    """Move the clock to ``minutes`` after execution (``T0`` + 5 min)."""
    target = T0 + timedelta(minutes=5 + minutes)
    clock.advance(target - clock.now())
    return target


def test_a_fix_that_cures_its_incident_is_told_in_the_incidents_thread_and_audited(
    tmp_path: Path, clock: ManualClock
) -> None:
    services = make_services(tmp_path, clock, cpu_falls_to(41.2, at=T0 + timedelta(minutes=9)))
    chat = RecordingChat()
    job = job_of(services, chat)
    request = run_fix(services, SCALE, for_incident=incident(services))

    assert 0 == job(at(clock, 2))
    assert 1 == job(at(clock, 6))
    assert 0 == job(at(clock, 7))

    [post] = chat.posts
    assert ("C_ALERTS", "1.100") == (post["channel"], post["thread_ts"])
    assert "web-1 CPU 97.0% → 41.2% within 4m: recovered" == post["text"]
    assert ":white_check_mark:" in post["blocks"][0]["text"]["text"]
    [line] = audited(services)
    assert (request.id, "recovered", "scale_up", "smartcloudops") == (
        line["request_id"],
        line["state"],
        line["action"],
        line["actor"],
    )
    assert {
        "before": "97.0%",
        "after": "41.2%",
        "duration": "4m",
        "signal": "cpu",
        "incident": "web-1-cpu",
    }.items() <= line["params"].items()


def test_a_fix_that_does_not_help_offers_the_next_step_at_the_deadline(tmp_path: Path, clock: ManualClock) -> None:
    services = make_services(tmp_path, clock, cpu_falls_to(95.3, at=T0 + timedelta(minutes=9)))
    chat = RecordingChat()
    job = job_of(services, chat)
    request = run_fix(services, SCALE, for_incident=incident(services))

    assert 0 == job(at(clock, 9))
    assert 1 == job(at(clock, 10))

    [post] = chat.posts
    assert "web-1 CPU still 95.3% 10m after the scale-up: not recovered" == post["text"]
    button = post["blocks"][-1]["elements"][0]
    assert (NEXT_STEP_ACTION, request.id) == (button["action_id"], button["value"])
    assert f"Request next step: restart nginx on {WEB1.instance_id}" == button["text"]["text"]
    assert ["not_recovered"] == [line["state"] for line in audited(services)]


def test_a_rules_threshold_is_the_normal_of_a_fix_the_rule_requested_and_the_audit_has_it_with_no_thread(
    tmp_path: Path, clock: ManualClock
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: web-hot\n    rule: cpu > 90% for 3m on web-* then scale_up web-asg by 1\n")
    services = make_services(tmp_path, clock, cpu_falls_to(85.0, at=T0 + timedelta(minutes=6)), rules_file=rules)
    chat = RecordingChat()
    job = job_of(services, chat)
    assert services.remediation is not None
    request = services.remediation.request(SCALE, "rule:web-hot")
    services.remediation.approve(request.id, "U_LEAD")

    assert 0 == job(at(clock, 3))  # no thread and no channel to tell: the audit log has it

    assert [] == chat.posts
    [line] = audited(services)
    assert ("recovered", "rule web-hot (cpu > 90%)") == (line["state"], line["params"]["normal"])
    assert ["web-1", "web-2"] == line["params"]["hosts"]


def test_a_bare_restart_watches_the_host_answering_and_is_told_under_its_approval_message(
    tmp_path: Path, clock: ManualClock
) -> None:
    services = make_services(tmp_path, clock, cpu_falls_to(97.0, at=T0))
    chat = RecordingChat()
    job = job_of(services, chat)
    assert services.remediation is not None
    pending = services.remediation.request(RESTART, "U_ONCALL")
    services.remediation.trail.transition(pending.id, lambda r, now: r.shown("C_OPS", "1.7", now))
    services.remediation.approve(pending.id, "U_LEAD")

    assert 1 == job(at(clock, 2))

    [post] = chat.posts
    assert ("C_OPS", "1.7") == (post["channel"], post["thread_ts"])
    assert "web-1 is up 0s after the restart: recovered" == post["text"]


def test_a_host_that_stops_reporting_is_no_data_and_gets_no_button(tmp_path: Path, clock: ManualClock) -> None:
    services = make_services(tmp_path, clock, lambda _h, _m, t: 97.0 if t < T0 + timedelta(minutes=5) else math.nan)
    chat = RecordingChat()
    job = job_of(services, chat)
    run_fix(services, SCALE, for_incident=incident(services))

    assert 1 == job(at(clock, 10))

    [post] = chat.posts
    assert post["text"].startswith("web-1 CPU: no data in the 10m after the scale-up")
    assert "actions" not in [b["type"] for b in post["blocks"]]
    assert ["no_data"] == [line["state"] for line in audited(services)]


def test_the_incident_resolving_is_told_at_once(tmp_path: Path, clock: ManualClock) -> None:
    services = make_services(tmp_path, clock, cpu_falls_to(97.0, at=T0))
    chat = RecordingChat()
    job = job_of(services, chat)
    found = incident(services)
    run_fix(services, SCALE, for_incident=found)
    now = at(clock, 1)
    services.anomalies.upsert(
        found.model_copy(update={"status": AnomalyStatus.RESOLVED, "ended_at": now, "updated_at": now})
    )

    assert 1 == job(now)

    assert chat.posts[0]["text"].endswith("within 1m: recovered")


def test_another_replica_or_a_restart_carries_the_check_on_and_tells_it_once(
    tmp_path: Path, clock: ManualClock
) -> None:
    services = make_services(tmp_path, clock, cpu_falls_to(41.0, at=T0 + timedelta(minutes=6)))
    first_chat, second_chat = RecordingChat(), RecordingChat()
    first, second = job_of(services, first_chat), job_of(services, second_chat)
    run_fix(services, SCALE, for_incident=incident(services))

    assert 0 == first(at(clock, 0.5))
    assert 1 == second(at(clock, 3))
    assert 0 == first(at(clock, 4))

    assert (0, 1) == (len(first_chat.posts), len(second_chat.posts))
    assert 1 == len(audited(services))


class RefusingChat(RecordingChat):
    """A chat that refuses the first ``refusals`` posts."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals

    def post_message(self, **kwargs: Any) -> str:
        if self.refusals:
            self.refusals -= 1
            raise NotifierUnavailable("slack", "ratelimited")
        return super().post_message(**kwargs)


def test_a_message_slack_refused_is_posted_on_a_later_tick_and_audited_once(tmp_path: Path, clock: ManualClock) -> None:
    services = make_services(tmp_path, clock, cpu_falls_to(41.0, at=T0 + timedelta(minutes=6)))
    chat = RefusingChat(refusals=1)
    job = job_of(services, chat)
    run_fix(services, SCALE, for_incident=incident(services))

    assert 0 == job(at(clock, 3))
    assert 1 == job(at(clock, 4))

    assert 1 == len(chat.posts)
    assert 1 == len(audited(services))


def test_verify_for_zero_checks_nothing(tmp_path: Path, clock: ManualClock) -> None:
    services = make_services(tmp_path, clock, cpu_falls_to(41.0, at=T0), verify_for="0")
    run_fix(services, SCALE)

    assert build_verification_job(services.settings, services, RecordingChat()) is None
    assert [] == verification_queue(services.settings, services.leases).ids()


def test_a_fix_that_failed_is_not_checked(tmp_path: Path, clock: ManualClock) -> None:
    services = make_services(tmp_path, clock, cpu_falls_to(41.0, at=T0))
    assert services.remediation is not None
    request = services.remediation.request(SCALE, "U_ONCALL")
    services.remediation.cloud.set_desired_capacity("web-asg", 6)  # at MaxSize by the time it is approved

    assert "failed" == services.remediation.approve(request.id, "U_LEAD").state.value
    assert [] == verification_queue(services.settings, services.leases).ids()


def test_a_request_made_outside_the_incident_watches_the_incident_open_on_its_target(
    tmp_path: Path, clock: ManualClock
) -> None:
    services = make_services(tmp_path, clock, cpu_falls_to(41.0, at=T0 + timedelta(minutes=6)))
    chat = RecordingChat()
    job = job_of(services, chat)
    incident(services, posted_ts="1.200")
    run_fix(services, RESTART)  # asked in a thread of its own, not through Suggest fix

    assert 1 == job(at(clock, 3))

    [post] = chat.posts
    assert ("C_ALERTS", "1.200") == (post["channel"], post["thread_ts"])
    assert "web-1 CPU 97.0% → 41.0% within 1m: recovered" == post["text"]


@pytest.mark.parametrize(
    ("value", "expected"), [("90s", timedelta(seconds=90)), ("1h30m", timedelta(minutes=90)), ("0", timedelta(0))]
)
def test_verify_for_reads_a_duration_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: timedelta
) -> None:
    monkeypatch.setenv("SCO_REMEDIATION__VERIFY_FOR", value)

    assert expected == Settings().remediation.verify_for
