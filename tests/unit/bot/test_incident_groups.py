"""Fleet-wide events: incidents of one signal on many hosts share one message, which follows all of them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.memory.anomalies import InMemoryAnomalyStore
from bot.config.slack_settings import SlackSettings
from bot.jobs.incident_grouping import Candidate, plan_groups
from bot.jobs.incident_notifier import IncidentNotifierJob
from bot.slack.charts import Chart
from bot.slack.incident_blocks import IncidentLinks
from bot.slack.incident_group_blocks import GroupMember, group_blocks
from domain.models import Anomaly, AnomalyStatus, MetricKind, Severity
from remediation.actions import ActionCall, ActionName
from tests.unit.bot.slack.fakes import RecordingChat
from tests.unit.bot.test_incident_notifier import T0, actions, anomaly, mrkdwn_texts, notifier_job

M = timedelta(minutes=1)


def web(n: int, value: float = 90.0, **extra: Any) -> Anomaly:
    return anomaly(f"web-{n}", value=value, **extra)


@pytest.fixture
def store() -> InMemoryAnomalyStore:
    return InMemoryAnomalyStore()


@pytest.fixture
def chat() -> RecordingChat:
    return RecordingChat()


@pytest.fixture
def job(store: InMemoryAnomalyStore, chat: RecordingChat) -> IncidentNotifierJob:
    return notifier_job(
        store,
        chat,
        links=lambda _a: IncidentLinks(runbook="https://wiki.example/cpu"),
        group_min_hosts=3,
        group_window=timedelta(minutes=2),
    )


def announce_three(job: IncidentNotifierJob, store: InMemoryAnomalyStore) -> None:
    """CPU opens on web-1, web-2 and web-3 at T0, and the notifier runs: one fleet-wide message, ts ``1.1``."""
    for n in range(1, 4):
        store.upsert(web(n))
    job(T0)


def top_level(chat: RecordingChat) -> list[dict[str, Any]]:
    return [p for p in chat.posts if p["thread_ts"] is None]


def in_thread(chat: RecordingChat, ts: str) -> list[str]:
    return [p["text"] for p in chat.posts if p["thread_ts"] == ts]


@pytest.mark.parametrize(
    ("hosts", "other_channel", "open_group", "min_hosts", "expected"),
    [
        (2, 0, False, 3, "singles"),
        (3, 0, False, 3, "group"),
        (1, 0, True, 3, "join"),
        (5, 0, False, 0, "singles"),
        (2, 1, False, 3, "singles"),
    ],
)
def test_the_grouping_decision(hosts: int, other_channel: int, open_group: bool, min_hosts: int, expected: str) -> None:
    fresh = [Candidate(web(n), "C_ALERTS") for n in range(hosts)]
    fresh += [Candidate(web(100 + n), "C_OTHER") for n in range(other_channel)]
    groups = {("C_ALERTS", MetricKind.CPU): "g1"} if open_group else {}

    plan = plan_groups(fresh, open_groups=groups, min_hosts=min_hosts)

    shape = {
        "singles": (0, 0, hosts + other_channel),
        "group": (1, 0, other_channel),
        "join": (0, hosts, other_channel),
    }[expected]
    assert shape == (len(plan.new_groups), len(plan.joins), len(plan.singles))


def test_incidents_announced_alone_within_the_window_count_towards_a_group_and_are_moved_into_it() -> None:
    plan = plan_groups(
        [Candidate(web(3), "C_ALERTS")],
        recent=[Candidate(web(1), "C_ALERTS"), Candidate(web(2), "C_ALERTS")],
        open_groups={},
        min_hosts=3,
    )

    [group] = plan.new_groups
    assert (["web-3-cpu"], ["web-1-cpu", "web-2-cpu"]) == ([a.id for a in group.fresh], [a.id for a in group.absorbed])
    assert () == plan.singles


def test_incidents_opening_together_on_many_hosts_get_one_message_listing_them(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    for n, value in enumerate((97.0, 95.0, 93.0, 92.0, 91.5, 91.2, 91.0), start=1):
        store.upsert(web(n, value, severity=Severity.CRITICAL if n == 1 else Severity.HIGH))

    assert 1 == job(T0)

    [post] = chat.posts
    assert post["text"] == (
        "[critical] CPU high on 7 hosts: web-1 97.0%, web-2 95.0%, web-3 93.0%, web-4 92.0%, web-5 91.5%, … (+2 more)"
    )
    shown = "\n".join(mrkdwn_texts(post["blocks"]))
    assert "CRITICAL: CPU high on 7 hosts" == post["blocks"][0]["text"]["text"]
    assert "*Since*\n2026-03-10 14:00 UTC" in shown
    assert "• `web-7` 91.0% (peak 91.0%)" in shown
    assert "<https://wiki.example/cpu|Runbook>" in shown
    assert [
        "incident_group_acknowledge",
        "incident_investigate",
        *(f"incident_group_silence_{k}" for k in ("1h", "4h", "resolved")),
    ] == actions(post["blocks"])
    [investigate] = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]][1:2]
    assert ("Investigate web-1", "web-1-cpu") == (investigate["text"]["text"], investigate["value"])
    members = [job.posted.get(f"web-{n}-cpu") for n in range(1, 8)]
    assert {("C_ALERTS", "1.1")} == {(m.channel, m.ts) for m in members if m is not None}
    [group_id] = {m.group for m in members if m is not None}
    assert group_id is not None
    group = job.posted.get_group(group_id)
    assert group is not None
    assert {f"web-{n}-cpu" for n in range(1, 8)} == set(group.members)


def test_below_the_minimum_or_with_grouping_off_each_incident_gets_its_own_message(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    job.group_min_hosts = 0
    for n in range(1, 5):
        store.upsert(web(n))

    job(T0)

    assert 4 == len(top_level(chat))
    assert all(p["text"].startswith("[high] web-") for p in chat.posts)


def test_a_host_joining_later_is_added_to_the_open_group_and_said_in_its_thread(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    announce_three(job, store)

    store.upsert(web(4, 96.0, started_at=T0 + 10 * M))
    job(T0 + 10 * M)

    assert 1 == len(top_level(chat))
    assert "1.1" == chat.updates[-1]["ts"]
    assert chat.updates[-1]["text"].startswith("[high] CPU high on 4 hosts: web-4 96.0%")
    assert ["Joined: [high] web-4: CPU 96.0%"] == in_thread(chat, "1.1")


def test_members_escalating_and_resolving_update_the_one_message_until_all_are_resolved(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    announce_three(job, store)

    store.upsert(web(2, 98.0, severity=Severity.CRITICAL))
    store.upsert(web(3, 40.0, status=AnomalyStatus.RESOLVED, ended_at=T0 + 5 * M))
    job(T0 + 5 * M)

    assert 1 == len(chat.updates)
    shown = "\n".join(mrkdwn_texts(chat.updates[-1]["blocks"]))
    assert "CRITICAL: CPU high on 3 hosts" == chat.updates[-1]["blocks"][0]["text"]["text"]
    assert "1 of 3 resolved" in shown
    assert "[critical] CPU high on 3 hosts: web-2 98.0%, web-1 90.0%, web-3 resolved" == chat.updates[-1]["text"]
    assert "`web-3` 40.0% (peak 90.0%)" in shown
    assert ["Escalated from high to critical: [critical] web-2: CPU 98.0%"] == in_thread(chat, "1.1")

    for n in (1, 2):
        store.upsert(web(n, 30.0, status=AnomalyStatus.RESOLVED, ended_at=T0 + 20 * M))
    job(T0 + 20 * M)
    job(T0 + 21 * M)

    assert 2 == len(chat.updates)
    final = chat.updates[-1]["blocks"]
    assert "Resolved: CPU high on 3 hosts" == final[0]["text"]["text"]
    assert [] == actions(final)
    assert ":white_check_mark: Resolved on all 3 hosts at 14:20 UTC after 20m" in mrkdwn_texts(final)
    assert in_thread(chat, "1.1")[-1].startswith("Resolved on every host: [resolved] CPU high on 3 hosts")
    web4 = web(4, started_at=T0 + 30 * M)
    store.upsert(web4)
    job(T0 + 30 * M)
    assert top_level(chat)[-1]["text"] == "[high] web-4: CPU 90.0%"


def test_hosts_announced_alone_just_before_are_moved_into_the_group(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    store.upsert(web(1))
    store.upsert(web(2))
    job(T0)
    store.upsert(web(3, started_at=T0 + M))
    job(T0 + M)

    assert ["1.1", "1.2", "1.3"] == [f"1.{n}" for n, p in enumerate(chat.posts, start=1) if p["thread_ts"] is None]
    assert chat.posts[2]["text"].startswith("[high] CPU high on 3 hosts")
    moved = {u["ts"]: u["blocks"][0]["text"]["text"] for u in chat.updates}
    assert {"1.1", "1.2"} == set(moved)
    assert {"Grouped: web-1: CPU", "Grouped: web-2: CPU"} == set(moved.values())
    assert {"1.3"} == {p.ts for p in (job.posted.get(f"web-{n}-cpu") for n in (1, 2, 3)) if p is not None}


def test_an_unacknowledged_critical_group_is_announced_again_once_not_once_per_host(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    for n in range(1, 5):
        store.upsert(web(n, severity=Severity.CRITICAL))
    job(T0)

    job(T0 + 31 * M)

    again = [t for t in in_thread(chat, "1.1") if t.startswith("<!here>")]
    assert ["<!here> Still open and not acknowledged: [critical] CPU high on 4 hosts"] == [t[:71] for t in again]


def test_host_labels_in_a_group_reach_slack_as_text_and_a_long_list_is_cut_at_a_line() -> None:
    members = [GroupMember(anomaly("<!channel>", summary=""), peak=91.0)]
    members += [GroupMember(web(n, 90.0 - n / 1000), peak=90.0) for n in range(300)]

    blocks = group_blocks("g1", MetricKind.CPU, members, now=T0)

    shown = "\n".join(mrkdwn_texts(blocks))
    assert "<!channel>" not in shown
    assert "`&lt;!channel&gt;`" in shown
    hosts = blocks[2]["text"]["text"]
    assert len(hosts) <= 2900
    assert hosts.split("\n")[-1].endswith("more lines")
    assert hosts.split("\n")[-2].startswith("• `web-")


def test_a_silence_of_the_whole_group_ending_is_said_once_and_the_message_loses_its_silence_line(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    announce_three(job, store)
    for n in range(1, 4):
        member = job.posted.get(f"web-{n}-cpu")
        assert member is not None
        job.posted.put(member.model_copy(update={"silenced_by": "U_ANN", "silenced_until": T0 + 60 * M}))

    job(T0 + 30 * M)
    assert ([], []) == (chat.updates, in_thread(chat, "1.1"))
    job(T0 + 60 * M)
    job(T0 + 61 * M)

    assert ["Silence by <@U_ANN> ended"] == in_thread(chat, "1.1")
    [update] = chat.updates
    assert "Silenced by" not in str(update["blocks"])
    assert "incident_group_silence_1h" in actions(update["blocks"])


def test_a_group_whose_hosts_all_ended_takes_no_new_host_even_before_it_says_so(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    announce_three(job, store)
    for n in range(1, 4):
        store.upsert(web(n, 30.0, status=AnomalyStatus.RESOLVED, ended_at=T0 + 5 * M))

    store.upsert(web(4, started_at=T0 + 6 * M))
    job(T0 + 6 * M)

    assert ["[high] CPU high on 3 hosts", "[high] web-4: CPU 90.0%"] == [p["text"][:26] for p in top_level(chat)]


@pytest.mark.parametrize(("hosts", "valid"), [(0, True), (1, False), (2, True), (3, True)])
def test_a_group_needs_two_hosts_or_grouping_is_off(hosts: int, valid: bool) -> None:
    if valid:
        assert hosts == SlackSettings(group_min_hosts=hosts).group_min_hosts
        return
    with pytest.raises(ValidationError, match="at least 2 hosts"):
        SlackSettings(group_min_hosts=hosts)


SCALE_WEB = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})
SCALE_API = ActionCall(action=ActionName.SCALE_UP, params={"group": "api-asg", "by": 1})


@pytest.mark.parametrize(
    ("fixes", "expected"),
    [
        ((SCALE_WEB, SCALE_WEB, SCALE_WEB), True),
        ((SCALE_WEB, SCALE_API, SCALE_WEB), False),  # hosts in two groups: one click cannot fix them all
        ((SCALE_WEB, None, SCALE_WEB), False),  # a host with no fix
    ],
)
def test_a_group_offers_suggest_fix_on_its_worst_host_only_when_every_open_host_has_the_same_fix(
    job: IncidentNotifierJob,
    store: InMemoryAnomalyStore,
    chat: RecordingChat,
    fixes: tuple[ActionCall | None, ...],
    expected: bool,
) -> None:
    by_host = {f"web-{n}": fix for n, fix in enumerate(fixes, start=1)}
    job.fix = lambda a, _now: by_host[a.host.name]
    for n in range(1, 4):
        store.upsert(web(n, 90.0 + n))

    job(T0)

    [post] = top_level(chat)
    buttons = {e["action_id"]: e["value"] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert ({"incident_suggest_fix": "web-3-cpu"} if expected else {}) == {
        k: v for k, v in buttons.items() if k == "incident_suggest_fix"
    }


def test_a_group_whose_odd_host_resolves_offers_the_fix_the_others_share(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    job.fix = lambda a, _now: SCALE_API if a.host.name == "web-1" else SCALE_WEB
    for n in range(1, 4):
        store.upsert(web(n))
    job(T0)
    store.upsert(web(1, 40.0, status=AnomalyStatus.RESOLVED, ended_at=T0 + M))

    job(T0 + M)

    assert "incident_suggest_fix" not in actions(top_level(chat)[0]["blocks"])
    assert "incident_suggest_fix" in actions(chat.updates[-1]["blocks"])
    member = job.posted.get("web-2-cpu")
    group = job.posted.get_group(member.group) if member is not None and member.group else None
    assert group is not None
    assert group.fix_offered


def test_the_chart_of_the_groups_hosts_goes_in_its_thread_once(
    job: IncidentNotifierJob, store: InMemoryAnomalyStore, chat: RecordingChat
) -> None:
    job.chart = lambda anomalies, _now: Chart(
        png=b"PNG", title=", ".join(a.host.name for a in anomalies), filename="cpu.png"
    )
    for n in range(1, 4):
        store.upsert(web(n))

    job(T0)
    store.upsert(web(4))
    job(T0 + M)

    assert [("1.1", "web-1, web-2, web-3")] == [(u["thread_ts"], u["title"]) for u in chat.uploads]
