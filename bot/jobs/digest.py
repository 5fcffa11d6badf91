"""The anomaly digest: counts by severity, top hosts, open incidents with Grafana links, and the fleet now.

``render_digest`` is pure; ``DigestJob`` is the scheduled callable that reads the store and posts.
Every text from outside (host names, label values, the fleet's lines) goes through
``bot.slack.mrkdwn.escape``; a section longer than Slack takes is cut at a line, saying how many
lines were left out.
"""

from __future__ import annotations

import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from agent.phrasing import fleet_lines
from bot.slack import messages
from bot.slack.mrkdwn import cut_lines, escape, link
from domain.errors import OpsError
from domain.models import Anomaly, AnomalyStatus, Severity, ToolStatus
from domain.ports import AnomalyStore, Notifier
from tools.context import ToolContext
from tools.fleet import FleetStatus
from tools.registry import ToolRegistry

log = structlog.get_logger(__name__)

HOST_DASHBOARD_UID = "sco-host-detail"
_MAX_OPEN_LISTED = 10
_TOP_HOSTS = 5
_SCAN_LIMIT = 1000


@dataclass(frozen=True)
class Digest:
    """A rendered digest: fallback text and Block Kit blocks."""

    text: str
    blocks: list[dict[str, Any]]


def grafana_link(base_url: str, anomaly: Anomaly) -> str:
    """The host dashboard around the incident (from 30 min before it started until now or its end)."""
    start = anomaly.started_at - timedelta(minutes=30)
    query = {"var-instance": anomaly.host.instance, "from": str(int(start.timestamp() * 1000))}
    query["to"] = str(int(anomaly.ended_at.timestamp() * 1000)) if anomaly.ended_at else "now"
    return f"{base_url.rstrip('/')}/d/{HOST_DASHBOARD_UID}?{urllib.parse.urlencode(query)}"


def render_digest(
    anomalies: Sequence[Anomaly],
    *,
    now: datetime,
    window: timedelta,
    grafana_url: str | None = None,
    post_when_quiet: bool = False,
    fleet: FleetStatus | None = None,
) -> Digest | None:
    """The digest of anomalies active in the ``window`` before ``now``; None when there is nothing to say.

    An anomaly counts when it is still open or was updated inside the window. With ``fleet``
    (the fleet tool's status) the digest also says how many hosts are up and which are down;
    a down host is always worth a digest.
    """
    since = now - window
    in_window = [a for a in anomalies if a.status is AnomalyStatus.OPEN or a.updated_at >= since]
    hours = round(window.total_seconds() / 3600)
    title = f"Anomaly digest, last {hours} h"
    fleet_blocks = _fleet_blocks(fleet) if fleet is not None and fleet.total else []
    if not in_window:
        if not post_when_quiet and not (fleet is not None and fleet.down):
            return None
        quiet = Digest(text=f"{title}: {messages.NOTHING_TO_REPORT}", blocks=_header(title, messages.NOTHING_TO_REPORT))
        return _with_fleet(quiet, fleet, fleet_blocks)
    by_severity = Counter(a.severity for a in in_window)
    severity_line = ", ".join(
        f"{by_severity[s]} {s.value}" for s in sorted(Severity, key=lambda s: -s.rank) if by_severity[s]
    )
    top = Counter(a.host.name for a in in_window).most_common(_TOP_HOSTS)
    top_line = ", ".join(f"{escape(host)} ({n})" for host, n in top)
    open_items = sorted(
        (a for a in in_window if a.status is AnomalyStatus.OPEN),
        key=lambda a: (-a.severity.rank, a.started_at),
    )
    summary = f"*{len(in_window)} anomalies*: {severity_line}\n*Top hosts:* {top_line}"
    blocks = _header(title, summary)
    if open_items:
        lines = []
        for a in open_items[:_MAX_OPEN_LISTED]:
            label = f"{a.host.name} {a.metric.label}"
            linked = link(grafana_link(grafana_url, a), label) if grafana_url else escape(label)
            opened = a.started_at.strftime("%H:%M UTC %b %d")
            lines.append(f"• [{a.severity.value}] {linked} {escape(a.value_text)}, open since {opened}")
        if len(open_items) > _MAX_OPEN_LISTED:
            lines.append(f"… and {len(open_items) - _MAX_OPEN_LISTED} more open")
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": cut_lines(f"*Open incidents ({len(open_items)})*\n" + "\n".join(lines)),
                },
            }
        )
    else:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "*Open incidents:* none"}})
    text = f"{title}: {len(in_window)} anomalies ({severity_line}), {len(open_items)} open"
    return _with_fleet(Digest(text=text, blocks=blocks), fleet, fleet_blocks)


def _fleet_blocks(fleet: FleetStatus) -> list[dict[str, Any]]:
    lines = [escape(line) for line in fleet_lines(fleet)]
    body = "\n".join([f"*Fleet now:* {lines[0]}", *lines[1:]])
    return [{"type": "section", "text": {"type": "mrkdwn", "text": cut_lines(body)}}]


def _with_fleet(digest: Digest, fleet: FleetStatus | None, fleet_blocks: list[dict[str, Any]]) -> Digest:
    if fleet is None or not fleet_blocks:
        return digest
    text = f"{digest.text}; {len(fleet.up)} of {fleet.total} hosts up"
    return Digest(text=text, blocks=[*digest.blocks, *fleet_blocks])


def _header(title: str, body: str) -> list[dict[str, Any]]:
    return [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        {"type": "section", "text": {"type": "mrkdwn", "text": cut_lines(body)}},
    ]


@dataclass
class DigestJob:
    """Posts the digest to ``channel``; call it with the current time (the scheduler does)."""

    store: AnomalyStore
    notifier: Notifier
    channel: str
    window: timedelta = timedelta(hours=24)
    grafana_url: str | None = None
    post_when_quiet: bool = False
    #: The tool registry and its context: the digest reads the fleet through the ``fleet_status`` tool.
    registry: ToolRegistry | None = None
    tools: ToolContext | None = None

    def _fleet(self) -> FleetStatus | None:
        """The fleet's status, or None when no metrics are configured or they cannot be read now."""
        if self.registry is None or self.tools is None:
            return None
        result = self.registry.call("fleet_status", {}, self.tools)
        if result.status is ToolStatus.ERROR:
            log.warning("digest_fleet_unavailable", error=result.error)
            return None
        return result.data if isinstance(result.data, FleetStatus) else None

    def __call__(self, now: datetime) -> Digest | None:
        """Render and post the digest; returns what was posted (None when nothing was).

        Raises:
            StoreUnavailable: the anomalies could not be read.
            NotifierUnavailable: the message could not be posted.
        """
        digest = render_digest(
            self.store.recent(_SCAN_LIMIT),
            now=now,
            window=self.window,
            grafana_url=self.grafana_url,
            post_when_quiet=self.post_when_quiet,
            fleet=self._fleet(),
        )
        if digest is None:
            log.info("digest_skipped", channel=self.channel, reason="nothing to report")
            return None
        self.notifier.post(self.channel, digest.text, digest.blocks)
        log.info("digest_posted", channel=self.channel)
        return digest


def run_digest_job(job: DigestJob, now: datetime, *, on_failure: Any) -> None:
    """Scheduler entry point: a failed run is logged and counted, never raised into the scheduler."""
    try:
        job(now)
    except OpsError as exc:
        log.error("digest_failed", error=str(exc))
        on_failure()
