"""Incident messages end to end: the notifier posts to the fake Slack API, a signed Acknowledge click and /ops ack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from slack_sdk import WebClient

from adapters.clock import ManualClock
from adapters.slack.notifier import SlackNotifier
from bot.config.settings import AuditSettings, PrometheusSettings, Settings, StateSettings
from bot.jobs.chat import ChatMessages
from bot.jobs.incident_notifier import IncidentNotifierJob, build_incident_notifier
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind, Severity
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.slack_bot import RunningBot, serve_bot, slack_settings
from tests.integration.slack_requests import block_action, slash_command
from tests.servers import ServerProcess

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(fake_slack: FakeSlackApi, tmp_path: Path, prometheus: ServerProcess) -> Settings:
    return Settings(
        prometheus=PrometheusSettings(url=prometheus.url),
        state=StateSettings(dir=tmp_path / "state"),
        audit=AuditSettings(dir=tmp_path / "audit"),
        slack=slack_settings(fake_slack.api_url, alert_channel="C_ALERTS", grafana_url="https://grafana.example"),
    )


@pytest.fixture
def bot(settings: Settings, clock: ManualClock) -> Iterator[RunningBot]:
    with serve_bot(settings, clock=clock) as running:
        yield running


@pytest.fixture
def notifier(bot: RunningBot, settings: Settings, fake_slack: FakeSlackApi) -> IncidentNotifierJob:
    job = build_incident_notifier(
        settings, bot.services, SlackNotifier(WebClient(token="xoxb-test", base_url=fake_slack.api_url))
    )
    assert job is not None
    return job


def incident(clock: ManualClock, **extra: object) -> Anomaly:
    fields: dict[str, object] = {
        "id": "web-1-cpu-1",
        "host": HostRef(instance="web-1:9100", host="web-1"),
        "metric": MetricKind.CPU,
        "detector": "engine",
        "severity": Severity.HIGH,
        "score": 6.0,
        "value": 93.0,
        "started_at": clock.now(),
        "updated_at": clock.now(),
        "summary": "CPU 93.0% against a baseline of 31.0%",
    }
    return Anomaly.model_validate({**fields, **extra})


def post(bot: RunningBot, request: tuple[str, dict[str, str]]) -> None:
    body, headers = request
    assert 200 == requests.post(f"{bot.url}/slack/events", data=body, headers=headers, timeout=10).status_code
    bot.lazy.wait_idle()


def audit_events(settings: Settings) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in sorted(settings.audit.dir.glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def test_an_injected_incident_is_posted_within_one_cycle_and_its_one_message_follows_it(
    bot: RunningBot, notifier: IncidentNotifierJob, fake_slack: FakeSlackApi, clock: ManualClock
) -> None:
    assert bot.services.metrics is not None
    web1 = next(h for h in bot.services.metrics.hosts() if h.name == "web-1")
    bot.services.anomalies.upsert(incident(clock, host=web1))

    notifier(clock.now())

    [announced] = fake_slack.received("chat.postMessage")
    assert isinstance(notifier.chat, ChatMessages)
    assert "C_ALERTS" == announced.body["channel"]
    shown = json.dumps(announced.body["blocks"])
    assert "web-1" in shown
    assert "baseline of 31.0%" in shown
    assert "grafana.example/d/" in shown
    ts = announced.response["ts"]
    [chart] = fake_slack.received("files.completeUploadExternal")
    assert ts == chart.body["thread_ts"]
    assert 1 == len(fake_slack.received("upload"))

    clock.advance(timedelta(minutes=2))
    bot.services.anomalies.upsert(
        incident(clock, host=web1, severity=Severity.CRITICAL, value=98.0, updated_at=clock.now())
    )
    notifier(clock.now())
    clock.advance(timedelta(minutes=10))
    resolved = incident(
        clock, host=web1, value=40.0, status=AnomalyStatus.RESOLVED, ended_at=clock.now(), updated_at=clock.now()
    )
    bot.services.anomalies.upsert(resolved)
    notifier(clock.now())

    updates = fake_slack.received("chat.update")
    assert [ts, ts] == [u.body["ts"] for u in updates]
    assert "peak 98.0%" in json.dumps(updates[-1].body["blocks"])
    assert "actions" not in [b["type"] for b in updates[-1].body["blocks"]]
    replies = fake_slack.received("chat.postMessage")[1:]
    assert [ts, ts] == [r.body["thread_ts"] for r in replies]
    assert replies[0].body["text"].startswith("Escalated from high to critical")


def test_the_acknowledge_button_records_who_updates_the_message_and_is_audited(
    bot: RunningBot, notifier: IncidentNotifierJob, fake_slack: FakeSlackApi, clock: ManualClock, settings: Settings
) -> None:
    bot.services.anomalies.upsert(incident(clock))
    notifier(clock.now())
    ts = fake_slack.received("chat.postMessage")[0].response["ts"]

    post(bot, block_action("incident_acknowledge", "web-1-cpu-1", user="U_ANN", channel="C_ALERTS", message_ts=ts))

    stored = bot.services.anomalies.get("web-1-cpu-1")
    assert stored is not None
    assert (AnomalyStatus.ACKNOWLEDGED, "U_ANN") == (stored.status, stored.acknowledged_by)
    update = fake_slack.received("chat.update")[-1]
    assert ts == update.body["ts"]
    assert "Acknowledged by <@U_ANN>" in json.dumps(update.body["blocks"])
    buttons = [e["action_id"] for b in update.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "incident_acknowledge" not in buttons
    assert fake_slack.received("chat.postMessage")[-1].body["thread_ts"] == ts
    [event] = [e for e in audit_events(settings) if e["event"] == "incident_acknowledged"]
    assert ("U_ANN", "web-1") == (event["actor"], event["target"])


def test_ops_ack_acknowledges_a_hosts_open_incidents(
    bot: RunningBot, fake_slack: FakeSlackApi, clock: ManualClock, settings: Settings
) -> None:
    bot.services.anomalies.upsert(incident(clock))

    post(bot, slash_command("ack web-1", user="U_ANN"))

    stored = bot.services.anomalies.get("web-1-cpu-1")
    assert stored is not None
    assert AnomalyStatus.ACKNOWLEDGED is stored.status
    assert "Acknowledged by you: web-1 CPU (web-1-cpu-1)." in fake_slack.received("chat.update")[-1].body["text"]
    assert ["U_ANN"] == [e["actor"] for e in audit_events(settings) if e["event"] == "incident_acknowledged"]


def test_silence_from_the_button_quiets_the_thread_and_ops_unsilence_lifts_it(
    bot: RunningBot, notifier: IncidentNotifierJob, fake_slack: FakeSlackApi, clock: ManualClock, settings: Settings
) -> None:
    bot.services.anomalies.upsert(incident(clock, severity=Severity.CRITICAL))
    notifier(clock.now())
    ts = fake_slack.received("chat.postMessage")[0].response["ts"]

    post(bot, block_action("incident_silence_4h", "web-1-cpu-1", user="U_ANN", channel="C_ALERTS", message_ts=ts))

    update = fake_slack.received("chat.update")[-1]
    assert ts == update.body["ts"]
    assert f"Silenced by <@U_ANN> until {clock.now() + timedelta(hours=4):%H:%M} UTC" in json.dumps(
        update.body["blocks"]
    )
    buttons = [e["action_id"] for b in update.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert ["incident_acknowledge", "incident_investigate", "incident_unsilence"] == buttons  # no AWS: no fix
    posts = len(fake_slack.received("chat.postMessage"))
    clock.advance(timedelta(minutes=45))
    notifier(clock.now())
    assert posts == len(fake_slack.received("chat.postMessage"))

    post(bot, slash_command("unsilence web-1", user="U_ANN"))
    notifier(clock.now())

    assert fake_slack.received("chat.postMessage")[-1].body["text"].startswith("<!here> Still open")
    events = [e["event"] for e in audit_events(settings) if str(e["event"]).startswith("incident_")]
    assert ["incident_silenced", "incident_unsilenced"] == events


def test_investigate_answers_in_the_thread_with_the_hosts_diagnosis(
    bot: RunningBot, notifier: IncidentNotifierJob, fake_slack: FakeSlackApi, clock: ManualClock
) -> None:
    bot.services.anomalies.upsert(incident(clock))
    notifier(clock.now())
    ts = fake_slack.received("chat.postMessage")[0].response["ts"]

    post(bot, block_action("incident_investigate", "web-1-cpu-1", user="U_ANN", channel="C_ALERTS", message_ts=ts))

    placeholder = fake_slack.received("chat.postMessage")[-1]
    assert ts == placeholder.body["thread_ts"]
    answer = fake_slack.received("chat.update")[-1]
    assert placeholder.response["ts"] == answer.body["ts"]
    assert answer.body["text"].startswith("web-1")
    assert "Sorry" not in answer.body["text"]


def buttons_of(blocks: list[dict[str, object]]) -> dict[str, str]:
    return {str(e["action_id"]): str(e["value"]) for b in blocks if b["type"] == "actions" for e in b["elements"]}  # type: ignore[attr-defined]


def test_a_fleet_wide_event_gets_one_message_whose_buttons_act_on_every_host(
    bot: RunningBot, notifier: IncidentNotifierJob, fake_slack: FakeSlackApi, clock: ManualClock, settings: Settings
) -> None:
    hosts = [HostRef(instance=f"web-{n}:9100", host=f"web-{n}") for n in (1, 2, 3)]
    for n, host in enumerate(hosts, start=1):
        bot.services.anomalies.upsert(incident(clock, id=f"web-{n}-cpu-1", host=host, value=90.0 + n))

    notifier(clock.now())

    [announced] = fake_slack.received("chat.postMessage")
    assert announced.body["text"].startswith("[high] CPU high on 3 hosts: web-3 93.0%, web-2 92.0%, web-1 91.0%")
    ts, buttons = announced.response["ts"], buttons_of(announced.body["blocks"])
    assert "web-3-cpu-1" == buttons["incident_investigate"]
    group = buttons["incident_group_acknowledge"]

    post(bot, block_action("incident_group_acknowledge", group, user="U_ANN", channel="C_ALERTS", message_ts=ts))

    stored = [bot.services.anomalies.get(f"web-{n}-cpu-1") for n in (1, 2, 3)]
    assert {(AnomalyStatus.ACKNOWLEDGED, "U_ANN")} == {(a.status, a.acknowledged_by) for a in stored if a}
    update = fake_slack.received("chat.update")[-1]
    assert ts == update.body["ts"]
    assert "3 acknowledged" in json.dumps(update.body["blocks"])
    assert "incident_group_acknowledge" not in buttons_of(update.body["blocks"])
    note = fake_slack.received("chat.postMessage")[-1].body
    assert (ts, True) == (note["thread_ts"], note["text"].endswith("UTC on 3 hosts."))

    post(bot, block_action("incident_group_silence_1h", group, user="U_ANN", channel="C_ALERTS", message_ts=ts))

    update = fake_slack.received("chat.update")[-1]
    until = f"{clock.now() + timedelta(hours=1):%H:%M}"
    assert f"Silenced by <@U_ANN> until {until} UTC" in json.dumps(update.body["blocks"])
    assert "incident_group_unsilence" in buttons_of(update.body["blocks"])
    events = [(e["event"], e["target"]) for e in audit_events(settings) if str(e["event"]).startswith("incident_")]
    assert sorted(events) == sorted(
        [(kind, f"web-{n}") for kind in ("incident_acknowledged", "incident_silenced") for n in (1, 2, 3)]
    )

    clock.advance(timedelta(minutes=5))
    for n in (1, 2):
        bot.services.anomalies.upsert(
            incident(
                clock,
                id=f"web-{n}-cpu-1",
                host=hosts[n - 1],
                status=AnomalyStatus.RESOLVED,
                ended_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    notifier(clock.now())

    update = fake_slack.received("chat.update")[-1]
    assert ts == update.body["ts"]
    assert "2 of 3 resolved" in json.dumps(update.body["blocks"])
    assert 1 == len([c for c in fake_slack.received("chat.postMessage") if not c.body.get("thread_ts")])


def test_when_a_timed_silence_ends_the_message_loses_it_and_its_thread_says_so(
    bot: RunningBot, notifier: IncidentNotifierJob, fake_slack: FakeSlackApi, clock: ManualClock
) -> None:
    bot.services.anomalies.upsert(incident(clock, severity=Severity.CRITICAL))
    notifier(clock.now())
    ts = fake_slack.received("chat.postMessage")[0].response["ts"]
    post(bot, block_action("incident_silence_1h", "web-1-cpu-1", user="U_ANN", channel="C_ALERTS", message_ts=ts))
    assert "Silenced by <@U_ANN>" in json.dumps(fake_slack.received("chat.update")[-1].body["blocks"])
    updates = len(fake_slack.received("chat.update"))

    clock.advance(timedelta(minutes=59))
    notifier(clock.now())
    assert updates == len(fake_slack.received("chat.update"))
    clock.advance(timedelta(minutes=2))
    notifier(clock.now())

    update = fake_slack.received("chat.update")[-1]
    assert ts == update.body["ts"]
    assert "Silenced by" not in json.dumps(update.body["blocks"])
    assert "incident_silence_1h" in buttons_of(update.body["blocks"])
    thread = [c.body["text"] for c in fake_slack.received("chat.postMessage") if c.body.get("thread_ts") == ts]
    assert "Silence by <@U_ANN> ended" in thread
    assert thread[-1].startswith("<!here> Still open and not acknowledged")


def test_a_fleet_wide_message_gets_the_chart_of_its_hosts_in_its_thread(
    bot: RunningBot, notifier: IncidentNotifierJob, fake_slack: FakeSlackApi, clock: ManualClock
) -> None:
    assert bot.services.metrics is not None
    hosts = bot.services.metrics.hosts()[:3]
    for n, host in enumerate(hosts):
        bot.services.anomalies.upsert(incident(clock, id=f"cpu-{n}", host=host, value=91.0 + n))

    notifier(clock.now())

    [group] = fake_slack.received("chat.postMessage")
    assert group.body["text"].startswith("[high] CPU high on 3 hosts")
    [chart] = fake_slack.received("files.completeUploadExternal")
    assert group.response["ts"] == chart.body["thread_ts"]
    assert "3 hosts CPU, last 1h" in json.dumps(chart.body)
