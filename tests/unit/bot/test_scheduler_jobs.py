"""Which jobs the settings ask for, on which schedule; Slack's rate-limit retry decision."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from adapters.memory.leases import InMemoryJobLeases
from adapters.slack.notifier import BoundedRateLimitRetry
from bot.config.settings import DetectionSettings, SchedulerSettings, Settings, SlackSettings
from bot.jobs.schedule import digest_schedules, scheduled_jobs
from bot.wiring import build_services
from tests.unit.agent.fleet import make_world


class Posted:
    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []

    def post(self, channel: str, text: str, blocks: object = None) -> None:  # noqa: ARG002 - the Notifier port
        self.posts.append((channel, text))


def schedules(settings: Settings, tmp_path: Path) -> dict[str, object]:
    world = make_world(tmp_path, hosts=3)
    services = build_services(
        settings.model_copy(update={"audit": world.services.settings.audit}),
        clock=world.clock,
        metrics=world.services.metrics,
        cloud=world.cloud,
        load_model=False,
    )
    jobs = scheduled_jobs(settings, services, leases=InMemoryJobLeases(world.clock), notifier=Posted())
    return {j.name: j.every or j.cron for j in jobs}


def test_defaults(tmp_path: Path) -> None:
    settings = Settings(slack=SlackSettings(digest_channel="C0OPS"))

    assert {
        "detection": timedelta(seconds=60),
        "approval_expiry": timedelta(seconds=30),
        "remediation_verification": timedelta(seconds=30),
        "outcome_reconcile": timedelta(minutes=5),
        "digest:C0OPS": "0 9 * * mon-fri",
    } == schedules(settings, tmp_path)


def test_intervals_digests_per_channel_and_retrain(tmp_path: Path) -> None:
    settings = Settings(
        slack=SlackSettings(digest_channel="C0OPS"),
        detection=DetectionSettings(interval_seconds=2),
        scheduler=SchedulerSettings(expiry_seconds=1, digests={"C0DB": "30 8 * * *"}, retrain=True),
    )

    assert {
        "detection": timedelta(seconds=2),
        "approval_expiry": timedelta(seconds=1),
        "remediation_verification": timedelta(seconds=30),
        "outcome_reconcile": timedelta(minutes=5),
        "digest:C0DB": "30 8 * * *",
        "digest:C0OPS": "0 9 * * mon-fri",
        "retrain": "30 3 * * *",
    } == schedules(settings, tmp_path)


def test_an_explicit_slack_digest_schedule_is_kept() -> None:
    settings = Settings(slack=SlackSettings(digest_channel="C0OPS", digest_schedule="0 7 * * *"))

    assert {"C0OPS": "0 7 * * *"} == digest_schedules(settings)


@pytest.mark.parametrize(
    "bad",
    [
        {"slack": {"digest_schedule": "9am"}},
        {"scheduler": {"digests": {"C0OPS": "0 25 * * *"}}},
        {"scheduler": {"retrain_schedule": "daily"}},
    ],
)
def test_bad_schedules_are_refused_at_start_up(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="crontab"):
        Settings.model_validate(bad)


def response(status: int, retry_after: str | None) -> HttpResponse:
    headers = {"Retry-After": [retry_after]} if retry_after is not None else {}
    return HttpResponse(status_code=status, headers=headers, body={}, data=b"")


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [(429, "1", True), (429, "30", True), (429, "3600", False), (429, None, True), (500, "1", False)],
)
def test_rate_limits_are_waited_out_up_to_a_cap(status: int, retry_after: str | None, expected: bool) -> None:
    handler = BoundedRateLimitRetry(max_retry_count=2, max_wait_seconds=60)
    request = HttpRequest(method="POST", url="https://slack.invalid/api/chat.postMessage", headers={}, body_params={})

    assert expected == handler.can_retry(state=RetryState(), request=request, response=response(status, retry_after))


def test_retrain_snapshots_the_engine_from_history_before_the_first_cycle_then_its_live_state(tmp_path: Path) -> None:
    from adapters.files.engine_snapshot import read_snapshot
    from bot.jobs.retrain import RetrainJob
    from detectors.engine.config import EngineConfig
    from detectors.engine.snapshot import decode
    from detectors.engine.trend import TrendConfig

    world = make_world(tmp_path, hosts=3)
    detection = world.services.detection
    assert detection is not None
    assert detection.feed is not None
    assert world.services.metrics is not None
    path = tmp_path / "models" / "engine_snapshot.npz"
    job = RetrainJob(metrics=world.services.metrics, detection=detection, path=path, hours=2)

    def saved() -> tuple[set[str], float]:
        payload = read_snapshot(path)
        assert payload is not None
        snapshot = decode(payload, config=EngineConfig(), trend=TrendConfig(), step_seconds=60.0)
        return {k.host.instance for k in snapshot.engine.keys}, snapshot.covered_until

    job(world.clock.now())
    from_history, _ = saved()
    detection.run_once(world.clock.now())
    job(world.clock.now())
    live, until = saved()

    assert 3 == len(from_history)
    assert from_history == live
    assert detection.feed.last == until
