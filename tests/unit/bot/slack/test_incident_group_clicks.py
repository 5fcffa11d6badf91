"""Clicks on a fleet-wide incident message, and /ops on one of its hosts: each host changes, the one message follows."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.simulated.cloud import SimulatedCloudActions
from bot.config.settings import AuditSettings, Settings, StateSettings
from bot.jobs.incident_messages import IncidentMessageMap, incident_message_map
from bot.jobs.incident_notifier import IncidentNotifierJob
from bot.services import Services
from bot.slack.incident_blocks import IncidentLinks
from bot.slack.incident_silence import set_silence, silence_group
from bot.slack.listeners.actions.incident_group import acknowledge_incident_group, silence_incident_group
from bot.slack.middleware import SERVICES_KEY
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind, Severity
from tests.unit.bot.simulated_services import simulated_services
from tests.unit.bot.slack.fakes import FakeSlackClient, Recorder, RecordingChat


@pytest.fixture
def services(tmp_path: Path, clock: ManualClock, cloud: SimulatedCloudActions) -> Services:
    settings = Settings(audit=AuditSettings(dir=tmp_path / "audit"), state=StateSettings(dir=tmp_path / "state"))
    return simulated_services(settings, clock=clock, cloud=cloud)


@pytest.fixture
def posted(services: Services) -> IncidentMessageMap:
    return incident_message_map(services.settings)


@pytest.fixture
def group_id(services: Services, posted: IncidentMessageMap) -> str:
    """Three hosts' CPU incidents announced as one fleet-wide message (ts ``1.1`` in ``C_ALERTS``)."""
    now = services.clock.now()
    for n in (1, 2, 3):
        services.anomalies.upsert(
            Anomaly(
                id=f"web-{n}-cpu",
                host=HostRef(instance=f"web-{n}:9100", host=f"web-{n}"),
                metric=MetricKind.CPU,
                detector="engine",
                severity=Severity.HIGH,
                score=5.0,
                value=90.0 + n,
                started_at=now,
                updated_at=now,
            )
        )
    job = IncidentNotifierJob(
        anomalies=services.anomalies,
        chat=RecordingChat(),
        posted=posted,
        channel_for=lambda _a: "C_ALERTS",
        links=lambda _a: IncidentLinks(),
    )
    job(now)
    member = posted.get("web-1-cpu")
    assert member is not None
    assert member.group is not None
    return member.group


def click(action_id: str, value: str, *, user: str = "U_ANN") -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": "C_ALERTS"},
        "message": {"ts": "1.1"},
        "actions": [{"action_id": action_id, "value": value}],
    }


def audited(services: Services) -> list[tuple[str, str]]:
    lines = [json.loads(line) for p in sorted(services.settings.audit.dir.glob("audit-*.jsonl")) for line in p.open()]
    return [(e["event"], e["target"]) for e in lines if e["event"].startswith("incident_")]


def test_acknowledge_all_acknowledges_each_open_host_and_updates_the_one_message(
    services: Services, client: FakeSlackClient, respond: Recorder, group_id: str
) -> None:
    acknowledge_incident_group(click("incident_group_acknowledge", group_id), client, respond, {SERVICES_KEY: services})

    stored = [services.anomalies.get(f"web-{n}-cpu") for n in (1, 2, 3)]
    assert {(AnomalyStatus.ACKNOWLEDGED, "U_ANN")} == {(a.status, a.acknowledged_by) for a in stored if a}
    [update] = client.received("chat.update")
    assert ("C_ALERTS", "1.1") == (update["channel"], update["ts"])
    assert "3 acknowledged" in str(update["blocks"])
    [note] = client.received("chat.postMessage")
    assert ("1.1", True) == (note["thread_ts"], note["text"].endswith("on 3 hosts."))
    assert sorted(audited(services)) == [("incident_acknowledged", f"web-{n}") for n in (1, 2, 3)]


def test_silencing_one_host_of_a_group_updates_the_group_message_not_a_message_of_its_own(
    services: Services, client: FakeSlackClient, posted: IncidentMessageMap, group_id: str
) -> None:
    done = set_silence(services, client, "web-2-cpu", user="U_ANN", choice="1h", posted_map=posted)

    until = services.clock.now() + timedelta(hours=1)
    assert f"Silenced web-2 CPU (web-2-cpu) until {until:%H:%M} UTC." == done
    [update] = client.received("chat.update")
    assert "1.1" == update["ts"]
    assert "HIGH: CPU high on 3 hosts" == update["blocks"][0]["text"]["text"]
    assert f":no_bell: Silenced by <@U_ANN> until {until:%H:%M} UTC (1 of 3 open hosts)" in str(update["blocks"])
    assert [f"Silenced by <@U_ANN> until {until:%H:%M} UTC on web-2."] == [
        m["text"] for m in client.received("chat.postMessage") if m["thread_ts"] == "1.1"
    ]
    assert group_id == (posted.get("web-2-cpu") or pytest.fail("not posted")).group


def test_silence_all_then_unsilence_all_change_each_open_host_once(
    services: Services, client: FakeSlackClient, respond: Recorder, posted: IncidentMessageMap, group_id: str
) -> None:
    context = {SERVICES_KEY: services}

    silence_incident_group(click("incident_group_silence_4h", group_id), client, respond, context)
    silenced = [posted.get(f"web-{n}-cpu") for n in (1, 2, 3)]
    assert {"U_ANN"} == {p.silenced_by for p in silenced if p}
    assert "incident_group_unsilence" in str(client.received("chat.update")[-1]["blocks"])

    silence_incident_group(click("incident_group_unsilence", group_id), client, respond, context)

    assert {None} == {p.silenced_by for p in (posted.get(f"web-{n}-cpu") for n in (1, 2, 3)) if p}
    assert "Nothing to unsilence: no open incident of this message is silenced." == silence_group(
        services, client, group_id, user="U_ANN", choice=None
    )
    events = [event for event, _ in audited(services)]
    assert ["incident_silenced"] * 3 + ["incident_unsilenced"] * 3 == events
