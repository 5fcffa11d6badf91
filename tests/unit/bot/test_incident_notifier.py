"""The incident notifier: one message per incident, updated in place, said in its thread, re-announced, routed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.memory.conversations import InMemoryConversationStore
from bot.config.alert_routes import AlertRoute, alert_channel_for
from bot.jobs.incident_notifier import IncidentMessageMap, IncidentNotifierJob, PostedIncident, render
from bot.slack.charts import Chart
from bot.slack.incident_blocks import ACKNOWLEDGE_ACTION, SUGGEST_FIX_ACTION, IncidentLinks, incident_blocks
from bot.slack.ops_command import OpsKind, parse_ops
from domain.errors import InputError
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind, Severity
from remediation.actions import ActionCall, ActionName
from tests.unit.bot.slack.fakes import RecordingChat

T0 = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def anomaly(host: str = "web-1", severity: Severity = Severity.HIGH, value: float = 91.0, **extra: Any) -> Anomaly:
    fields: dict[str, Any] = {
        "id": f"{host}-cpu",
        "host": HostRef(instance=f"{host}:9100", host=host),
        "metric": MetricKind.CPU,
        "detector": "engine",
        "severity": severity,
        "score": 5.0,
        "value": value,
        "started_at": T0,
        "updated_at": T0,
        "summary": "CPU 91.0% against a baseline of 35.0%",
    }
    return Anomaly(**{**fields, **extra})


@pytest.fixture
def store() -> InMemoryAnomalyStore:
    return InMemoryAnomalyStore()


@pytest.fixture
def chat() -> RecordingChat:
    return RecordingChat()


def notifier_job(store: InMemoryAnomalyStore, chat: RecordingChat, **fields: Any) -> IncidentNotifierJob:
    """The notifier over ``store`` and ``chat``, posting incidents of at least high to ``C_ALERTS``."""
    defaults: dict[str, Any] = {
        "links": lambda _a: IncidentLinks(grafana="https://grafana.example/d/x", runbook=None),
        "renotify_after": timedelta(minutes=30),
        "renotify_max": 2,
    }
    return IncidentNotifierJob(
        anomalies=store,
        chat=chat,
        posted=IncidentMessageMap(InMemoryConversationStore()),
        channel_for=lambda a: alert_channel_for(a, routes=[], default="C_ALERTS", min_severity=Severity.HIGH),
        **(defaults | fields),
    )


@pytest.fixture
def job(store: InMemoryAnomalyStore, chat: RecordingChat) -> IncidentNotifierJob:
    return notifier_job(store, chat)


def actions(blocks: list[dict[str, Any]] | None) -> list[str]:
    return [e["action_id"] for b in blocks or [] if b["type"] == "actions" for e in b["elements"]]


def test_a_new_incident_is_announced_once_with_its_facts_and_the_acknowledge_button(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    store.upsert(anomaly())

    assert 1 == job(T0)
    assert 0 == job(T0 + timedelta(minutes=1))

    [post] = chat.posts
    assert ("C_ALERTS", None) == (post["channel"], post["thread_ts"])
    shown = str(post["blocks"])
    for fact in (
        "web-1",
        "91.0%",
        "2026-03-10 14:00 UTC",
        "baseline of 35.0%",
        "<https://grafana.example/d/x|Grafana>",
    ):
        assert fact in shown
    expected = [
        ACKNOWLEDGE_ACTION,
        "incident_investigate",
        *(f"incident_silence_{k}" for k in ("1h", "4h", "resolved")),
    ]
    assert expected == actions(post["blocks"])
    assert [] == chat.updates


def test_below_the_minimum_severity_nothing_is_posted(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    store.upsert(anomaly(severity=Severity.MEDIUM))

    assert 0 == job(T0)
    assert [] == chat.posts


def test_escalation_and_resolution_update_the_one_message_and_are_said_in_its_thread(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    store.upsert(anomaly())
    job(T0)
    store.upsert(anomaly(severity=Severity.CRITICAL, value=97.0))
    job(T0 + timedelta(minutes=1))
    ended = T0 + timedelta(minutes=23)
    store.upsert(anomaly(severity=Severity.CRITICAL, value=41.0, status=AnomalyStatus.RESOLVED, ended_at=ended))
    job(ended)
    job(ended + timedelta(minutes=1))

    assert ["1.1", "1.1"] == [u["ts"] for u in chat.updates]
    assert [None, "1.1", "1.1"] == [p["thread_ts"] for p in chat.posts]
    assert chat.posts[1]["text"].startswith("Escalated from high to critical")
    assert chat.posts[2]["text"].startswith("Resolved:")
    resolved = str(chat.updates[-1]["blocks"])
    assert "after 23m; peak 97.0%" in resolved
    assert [] == actions(chat.updates[-1]["blocks"])


def test_an_unacknowledged_critical_is_announced_again_at_most_n_times_and_not_once_acknowledged(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    store.upsert(anomaly(severity=Severity.CRITICAL))
    for minutes in range(0, 200, 10):
        job(T0 + timedelta(minutes=minutes))

    again = [p for p in chat.posts if p["thread_ts"]]
    assert 2 == len(again)
    assert all(p["text"].startswith("<!here> Still open") for p in again)

    other = anomaly("web-2", severity=Severity.CRITICAL)
    store.upsert(other)
    job(T0 + timedelta(hours=4))
    announced = f"1.{len(chat.posts)}"
    store.acknowledge(other.id, by="U_ANN", at=T0)
    job(T0 + timedelta(hours=6))

    assert [] == [p for p in chat.posts if p["thread_ts"] == announced]
    assert announced == chat.updates[-1]["ts"]
    assert "Acknowledged by <@U_ANN>" in str(chat.updates[-1]["blocks"])


def mrkdwn_texts(node: Any) -> list[str]:
    """Every mrkdwn text object in a block tree (plain_text is never parsed by Slack)."""
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "mrkdwn" else []
    return own + [t for value in node.values() for t in mrkdwn_texts(value)]


def test_label_values_reach_the_message_as_text() -> None:
    hostile = anomaly("<!channel>", summary="<https://evil.example|click> & more")

    shown = "\n".join(mrkdwn_texts(incident_blocks(hostile, peak=91.0, links=IncidentLinks(), now=T0)))

    assert "<!channel>" not in shown
    assert "<https://evil.example|click>" not in shown
    assert "`&lt;!channel&gt;`" in shown
    assert "&lt;https://evil.example|click&gt; &amp; more" in shown


@pytest.mark.parametrize(
    ("host", "severity", "expected"),
    [
        ("db-1", Severity.MEDIUM, "C_DB"),
        ("db-1", Severity.LOW, None),
        ("web-1", Severity.MEDIUM, None),
        ("web-1", Severity.HIGH, "C_ALERTS"),
        ("web-1", Severity.CRITICAL, "C_PAGE"),
    ],
)
def test_routes_are_tried_in_order_before_the_alert_channel(
    host: str, severity: Severity, expected: str | None
) -> None:
    routes = [
        AlertRoute(channel="C_PAGE", hosts="web-*", min_severity=Severity.CRITICAL),
        AlertRoute(channel="C_DB", hosts="db-*", min_severity=Severity.MEDIUM),
    ]

    channel = alert_channel_for(anomaly(host, severity), routes=routes, default="C_ALERTS", min_severity=Severity.HIGH)

    assert expected == channel


def test_a_silenced_incident_says_nothing_in_its_thread_until_the_silence_ends(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    store.upsert(anomaly(severity=Severity.CRITICAL))
    job(T0)
    posted = job.posted.get("web-1-cpu")
    assert posted is not None
    job.posted.put(posted.model_copy(update={"silenced_by": "U_ANN", "silenced_until": T0 + timedelta(hours=1)}))

    job(T0 + timedelta(minutes=45))
    assert [None] == [p["thread_ts"] for p in chat.posts]
    job(T0 + timedelta(minutes=61))

    assert [None, "1.1", "1.1"] == [p["thread_ts"] for p in chat.posts]
    assert "Silence by <@U_ANN> ended" == chat.posts[1]["text"]
    assert chat.posts[2]["text"].startswith("<!here> Still open and not acknowledged")
    assert "Silenced by" not in str(chat.updates[-1]["blocks"])
    assert "incident_silence_1h" in actions(chat.updates[-1]["blocks"])
    job(T0 + timedelta(minutes=62))
    assert 3 == len(chat.posts)
    assert "Silenced by <@U_ANN> until 15:00 UTC" == posted.model_copy(
        update={"silenced_by": "U_ANN", "silenced_until": T0 + timedelta(hours=1)}
    ).silence_line(T0)


def test_ops_silence_and_unsilence_parse() -> None:
    assert ("web-3", "4h") == (parse_ops("silence web-3 4h").target, parse_ops("silence web-3 4H").silence)
    assert OpsKind.UNSILENCE is parse_ops("unsilence web-3").kind
    for bad in ("silence web-3", "silence web-3 2d", "unsilence"):
        with pytest.raises(InputError):
            parse_ops(bad)


def test_other_open_incidents_on_the_host_are_listed_on_the_message(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    store.upsert(anomaly())
    store.upsert(anomaly(id="web-1-mem", metric=MetricKind.MEMORY, severity=Severity.MEDIUM))
    store.upsert(anomaly("web-2", id="web-2-cpu"))

    job(T0)

    [web1] = [p for p in chat.posts if "web-1: CPU" in p["text"]]
    assert "Also open on web-1: memory used (medium)" in str(web1["blocks"])
    assert "web-2" not in str(web1["blocks"])


def test_the_chart_of_the_last_hour_goes_in_the_new_messages_thread_once(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    job.chart = lambda a, now: Chart(png=b"PNG", title=f"{a[0].host.name} at {now:%H:%M}", filename="web-1-cpu.png")
    store.upsert(anomaly())

    job(T0)
    job(T0 + timedelta(minutes=1))

    assert [
        {"channel": "C_ALERTS", "thread_ts": "1.1", "bytes": 3, "filename": "web-1-cpu.png", "title": "web-1 at 14:00"}
    ] == (chat.uploads)


def test_a_signal_reopening_within_the_recovery_time_reuses_its_message_and_a_later_one_gets_a_new_one(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    store.upsert(anomaly())
    job(T0)
    ended = T0 + timedelta(minutes=10)
    store.upsert(anomaly(status=AnomalyStatus.RESOLVED, ended_at=ended))
    job(ended)

    store.upsert(anomaly(id="web-1-cpu-2", started_at=ended + timedelta(minutes=3)))
    job(ended + timedelta(minutes=3))

    assert [None, "1.1", "1.1"] == [p["thread_ts"] for p in chat.posts]
    assert chat.posts[-1]["text"].startswith("Re-opened: ")
    assert "1.1" == chat.updates[-1]["ts"]
    assert [ACKNOWLEDGE_ACTION] == actions(chat.updates[-1]["blocks"])[:1]

    later = ended + timedelta(hours=1)
    store.upsert(anomaly(id="web-1-cpu-2", status=AnomalyStatus.RESOLVED, ended_at=later))
    job(later)
    store.upsert(anomaly(id="web-1-cpu-3", started_at=later + timedelta(minutes=30)))
    job(later + timedelta(minutes=30))

    assert 2 == len([p for p in chat.posts if p["thread_ts"] is None])


SCALE = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})


def test_suggest_fix_is_offered_only_for_an_incident_with_a_fix(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    job.fix = lambda a, _now: SCALE if a.host.name == "web-1" else None
    store.upsert(anomaly())
    store.upsert(anomaly("db-1"))

    job(T0)

    offered = {p["text"].split(":")[0]: SUGGEST_FIX_ACTION in actions(p["blocks"]) for p in chat.posts}
    assert {"[high] web-1": True, "[high] db-1": False} == offered


def test_a_redraw_asks_again_and_a_click_redrawing_the_message_keeps_what_the_notifier_decided(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    job.fix = lambda _a, _now: SCALE
    store.upsert(anomaly())
    job(T0)
    job.fix = lambda _a, _now: None  # the rule was removed
    store.upsert(anomaly(severity=Severity.CRITICAL, value=97.0))

    job(T0 + timedelta(minutes=1))

    posted = job.posted.get("web-1-cpu")
    assert posted is not None
    redrawn = render(anomaly(), posted, IncidentLinks(), T0 + timedelta(minutes=2))
    assert (False, False) == (SUGGEST_FIX_ACTION in actions(chat.updates[-1]["blocks"]), posted.fix_offered)
    assert SUGGEST_FIX_ACTION not in actions(redrawn)


def test_each_filesystem_has_its_own_title_and_its_own_last_message() -> None:
    root = anomaly(id="db-1-disk", metric=MetricKind.DISK, mountpoint="/")
    data = anomaly(id="db-1-disk-data", metric=MetricKind.DISK, mountpoint="/data")
    posted = IncidentMessageMap(InMemoryConversationStore())
    posted.put(
        PostedIncident(
            anomaly_id=root.id, channel="C_ALERTS", ts="1.0", severity=Severity.HIGH,
            status=AnomalyStatus.OPEN, peak=root.value, announced_at=T0,
        )
    )  # fmt: skip

    posted.remember_signal(root)

    assert "disk used /data" in str(incident_blocks(data, peak=data.value, links=IncidentLinks(), now=T0))
    assert posted.last_on(data) is None
    last_root = posted.last_on(anomaly(id="db-1-disk-2", metric=MetricKind.DISK, mountpoint="/"))
    assert last_root is not None
    assert last_root.anomaly_id == root.id
