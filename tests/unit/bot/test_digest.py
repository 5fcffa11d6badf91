"""Rendering the anomaly digest (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.jobs.digest import grafana_link, render_digest
from domain.models import Anomaly, AnomalyStatus, HostRef, HostState, MetricKind, Severity
from tools.fleet import FleetMetric, FleetStatus, HostReading

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def anomaly(
    n: int,
    host: str,
    severity: Severity,
    *,
    status: AnomalyStatus = AnomalyStatus.OPEN,
    age: timedelta = timedelta(hours=1),
) -> Anomaly:
    started = NOW - age
    return Anomaly(
        id=f"a{n}",
        host=HostRef(instance=f"10.0.0.{n}:9100", host=host),
        metric=MetricKind.CPU,
        detector="zscore",
        status=status,
        severity=severity,
        score=5.0,
        value=97.25,
        started_at=started,
        updated_at=started + timedelta(minutes=5),
        ended_at=None if status is AnomalyStatus.OPEN else started + timedelta(minutes=5),
    )


def test_nothing_to_say_posts_nothing() -> None:
    old = anomaly(1, "web-1", Severity.HIGH, status=AnomalyStatus.RESOLVED, age=timedelta(days=3))

    assert render_digest([], now=NOW, window=DAY) is None
    assert render_digest([old], now=NOW, window=DAY) is None


def test_quiet_digest_when_configured() -> None:
    digest = render_digest([], now=NOW, window=DAY, post_when_quiet=True)

    assert digest is not None
    assert digest.text == "Anomaly digest, last 24 h: :white_check_mark: All quiet: no anomalies in the digest window."


def test_counts_by_severity_top_hosts_and_open_incidents_with_links() -> None:
    items = [
        anomaly(1, "db-1", Severity.CRITICAL),
        anomaly(2, "db-1", Severity.HIGH, status=AnomalyStatus.RESOLVED),
        anomaly(3, "web-1", Severity.LOW, status=AnomalyStatus.RESOLVED),
        anomaly(4, "web-2", Severity.HIGH, status=AnomalyStatus.RESOLVED, age=timedelta(days=2)),
    ]

    digest = render_digest(items, now=NOW, window=DAY, grafana_url="https://grafana.example.com/")

    assert digest is not None
    assert digest.text == "Anomaly digest, last 24 h: 3 anomalies (1 critical, 1 high, 1 low), 1 open"
    summary = digest.blocks[1]["text"]["text"]
    assert summary == "*3 anomalies*: 1 critical, 1 high, 1 low\n*Top hosts:* db-1 (2), web-1 (1)"
    incidents = digest.blocks[2]["text"]["text"]
    assert incidents.startswith("*Open incidents (1)*\n• [critical] <https://grafana.example.com/d/sco-host-detail?")
    assert incidents.endswith("|db-1 CPU> 97.2%, open since 08:00 UTC Mar 02")


def test_open_incidents_without_grafana_are_plain_text() -> None:
    digest = render_digest([anomaly(1, "db-1", Severity.MEDIUM)], now=NOW, window=DAY)

    assert digest is not None
    assert "<http" not in digest.blocks[2]["text"]["text"]


def test_grafana_link_covers_the_incident() -> None:
    item = anomaly(7, "db-1", Severity.HIGH)
    start_ms = int((item.started_at - timedelta(minutes=30)).timestamp() * 1000)

    assert grafana_link("https://g.example.com", item) == (
        f"https://g.example.com/d/sco-host-detail?var-instance=10.0.0.7%3A9100&from={start_ms}&to=now"
    )


def test_long_lists_are_cut_with_a_count() -> None:
    items = [anomaly(n, f"web-{n}", Severity.LOW) for n in range(1, 15)]

    digest = render_digest(items, now=NOW, window=DAY)

    assert digest is not None
    assert digest.blocks[2]["text"]["text"].endswith("… and 4 more open")


def fleet_with_one_down() -> FleetStatus:
    web, db = HostRef(instance="10.0.0.1:9100", host="web-1"), HostRef(instance="10.0.0.2:9100", host="db-1")
    cpu = FleetMetric(
        metric=MetricKind.CPU, average=40.0, hosts=1, window="1m average",
        highest=[HostReading(host=web, metric=MetricKind.CPU, value=40.0, window="1m average")],
    )  # fmt: skip
    return FleetStatus(
        at=NOW,
        up=[HostState(ref=web, up=True)],
        down=[HostState(ref=db, up=False, last_seen=NOW - timedelta(minutes=20))],
        metrics=[cpu],
        open_incidents=[],
    )


def test_a_down_host_is_worth_a_digest_even_when_quiet() -> None:
    digest = render_digest([], now=NOW, window=DAY, fleet=fleet_with_one_down())

    assert digest is not None
    assert digest.text.endswith("; 1 of 2 hosts up")
    fleet_block = digest.blocks[-1]["text"]["text"]
    assert fleet_block.startswith("*Fleet now:* 1 of 2 hosts up\n• down: db-1, down since 08:40 UTC")


def test_without_a_fleet_the_digest_is_the_anomalies_only() -> None:
    assert None is render_digest([], now=NOW, window=DAY, fleet=None)


def mrkdwn_texts(blocks: list[dict[str, object]]) -> str:
    return "\n".join(
        str(b["text"]["text"])  # type: ignore[index]
        for b in blocks
        if isinstance(b.get("text"), dict) and b["text"]["type"] == "mrkdwn"  # type: ignore[index]
    )


def test_host_labels_reach_the_digest_as_text_even_inside_grafana_links() -> None:
    hostile = [
        anomaly(1, "<!channel>", Severity.CRITICAL),
        anomaly(2, "<https://evil.example|click>", Severity.HIGH),
    ]
    fleet = fleet_with_one_down()
    fleet.down[0] = fleet.down[0].model_copy(
        update={"ref": HostRef(instance="10.0.0.9:9100", host="<!here> & <@U0BOSS>")}
    )

    for grafana, label in ((None, "|click"), ("https://grafana.example.com", "¦click")):
        digest = render_digest(hostile, now=NOW, window=DAY, grafana_url=grafana, fleet=fleet)
        assert digest is not None
        shown = mrkdwn_texts(digest.blocks)

        for raw in ("<!channel>", "<https://evil.example|click>", "<!here>", "<@U0BOSS>"):
            assert raw not in shown
        assert "&lt;!channel&gt; CPU" in shown
        assert f"&lt;https://evil.example{label}&gt; CPU" in shown
        assert "&lt;!here&gt; &amp; &lt;@U0BOSS&gt;" in shown
        assert "*Top hosts:* &lt;!channel&gt; (1), &lt;https://evil.example|click&gt; (1)" in shown


def test_a_section_too_long_for_slack_is_cut_at_a_line_with_the_count_left_out() -> None:
    items = [anomaly(n, f"web-{n}-" + "x" * 400, Severity.HIGH) for n in range(1, 11)]

    digest = render_digest(items, now=NOW, window=DAY)

    assert digest is not None
    incidents = digest.blocks[2]["text"]["text"]
    assert len(incidents) <= 2900
    *kept, marker = incidents.split("\n")
    assert marker.startswith("… ")
    assert marker.endswith(" more lines")
    assert all(line.endswith("open since 08:00 UTC Mar 02") for line in kept[1:])
    assert int(marker.split()[1]) + len(kept) == 11
