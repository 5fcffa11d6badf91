"""The Block Kit of docs/walkthrough.md, part 3, rendered by the bot's own renderers for the story's example.

Each ``json`` block of that part (but the audit line, which the integration tests produce) is one
example here, in the order the page shows them. ``test_walkthrough_blocks`` checks the page against
them; after a change to a renderer, rewrite the page's blocks with
``.venv/bin/python -m tests.unit.docs.walkthrough_examples`` and read the diff.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.memory.conversations import InMemoryConversationStore
from bot.config.slack_settings import SlackSettings
from bot.jobs.incident_messages import PostedIncident
from bot.jobs.incident_notifier import IncidentMessageMap, IncidentNotifierJob, render
from bot.slack import messages
from bot.slack.blocks import approval_blocks, decided_blocks
from bot.slack.incident_blocks import incident_links
from bot.slack.incident_group_blocks import GroupMember, group_blocks
from bot.slack.mrkdwn import escape
from bot.slack.verification_blocks import verification_blocks, verification_text
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind, Severity
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.verification import CheckOutcome, CheckResult, NormalRange, RemediationCheck
from tests.unit.bot.slack.fakes import RecordingChat

PAGE = Path(__file__).resolve().parents[3] / "docs" / "walkthrough.md"
_PART = re.compile(r"^## 3\. .*?(?=^## )", re.MULTILINE | re.DOTALL)
_JSON = re.compile(r"```json\n(.*?)\n```", re.DOTALL)

CHANNEL = "C0ALERTS"
STARTED = datetime(2026, 12, 3, 14, 2, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
INCIDENT = "web-1-cpu-engine-1764770520"
WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0a1b2c3d4e5f60001")
SCALE_WEB = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})
RESTART = ActionCall(action=ActionName.RESTART_SERVICE, params={"instance_id": WEB1.instance_id, "service": "nginx"})
SLACK = SlackSettings.model_validate(
    {"grafana_url": "https://grafana.example.com", "runbooks": {"cpu": "https://wiki.example.com/runbooks/cpu"}}
)

Payload = dict[str, Any] | list[dict[str, Any]]


def web_cpu(n: int, value: float, severity: Severity = Severity.HIGH, **extra: Any) -> Anomaly:
    """CPU on web-<n> since 14:02, as the detection engine opens it."""
    fields: dict[str, Any] = {
        "id": f"web-{n}-cpu-engine-1764770520",
        "host": WEB1 if n == 1 else HostRef(instance=f"10.0.1.{10 + n}:9100", host=f"web-{n}"),
        "metric": MetricKind.CPU,
        "detector": "engine",
        "severity": severity,
        "score": 6.0,
        "value": value,
        "started_at": STARTED,
        "updated_at": STARTED,
    }
    return Anomaly.model_validate(fields | extra)


def _posted_by_notifier(anomalies: list[Anomaly], now: datetime) -> dict[str, Any]:
    """The one top-level ``chat.postMessage`` of a notifier pass over ``anomalies`` (each with web-asg's fix)."""
    store, chat = InMemoryAnomalyStore(), RecordingChat()
    for anomaly in anomalies:
        store.upsert(anomaly)
    IncidentNotifierJob(
        anomalies=store,
        chat=chat,
        posted=IncidentMessageMap(InMemoryConversationStore()),
        channel_for=lambda _a: CHANNEL,
        links=lambda a: incident_links(SLACK, a),
        fix=lambda _a, _now: SCALE_WEB,
    )(now)
    [post] = [p for p in chat.posts if p["thread_ts"] is None]
    return {"channel": post["channel"], "text": post["text"], "blocks": post["blocks"]}


def _web1_posted(**extra: Any) -> PostedIncident:
    fields: dict[str, Any] = {
        "anomaly_id": INCIDENT,
        "channel": CHANNEL,
        "ts": "1764770523.000100",
        "severity": Severity.CRITICAL,
        "status": AnomalyStatus.OPEN,
        "peak": 98.4,
        "announced_at": STARTED + MINUTE,
        "fix_offered": True,
    }
    return PostedIncident.model_validate(fields | extra)


def posted_incident() -> Payload:
    summary = "CPU 96.8% against a baseline of 31.0% (median of the last 24 h)"
    return _posted_by_notifier([web_cpu(1, 96.8, summary=summary)], STARTED + MINUTE)


def acknowledged_and_silenced() -> Payload:
    anomaly = web_cpu(1, 98.4, Severity.CRITICAL, status=AnomalyStatus.ACKNOWLEDGED, acknowledged_by="U0ANN")
    posted = _web1_posted(silenced_by="U0ANN", silenced_until=STARTED + 6 * MINUTE + timedelta(hours=4))
    return render(anomaly, posted, incident_links(SLACK, anomaly), STARTED + 6 * MINUTE)[-3:]


def _check() -> RemediationCheck:
    return RemediationCheck(
        request_id="7c2e9b41d0a5",
        action=ActionName.SCALE_UP,
        subject="web-1",
        hosts=(WEB1,),
        metric=MetricKind.CPU,
        normal=NormalRange(high=90.0, basis="rule web-hot (cpu > 90%)"),
        incident_id=INCIDENT,
        before=97.0,
        started_at=STARTED + 8 * MINUTE,
        deadline=STARTED + 18 * MINUTE,
    )


def recovered() -> Payload:
    check = _check()
    result = CheckResult(CheckOutcome.RECOVERED, recovered_at=check.started_at + 4 * MINUTE, latest=41.2)
    return {
        "channel": CHANNEL,
        "thread_ts": "1764770523.000100",
        "text": escape(verification_text(check, result)),
        "blocks": verification_blocks(check, result, call=SCALE_WEB, next_step=None),
    }


def not_recovered() -> Payload:
    result = CheckResult(CheckOutcome.NOT_RECOVERED, latest=95.3)
    return verification_blocks(_check(), result, call=SCALE_WEB, next_step=RESTART)


def resolved() -> Payload:
    ended = STARTED + 23 * MINUTE
    anomaly = web_cpu(1, 41.0, status=AnomalyStatus.RESOLVED, ended_at=ended, updated_at=ended)
    blocks = render(anomaly, _web1_posted(status=AnomalyStatus.RESOLVED), incident_links(SLACK, anomaly), ended)
    return [blocks[0], blocks[-1]]


_FLEET = (97.0, 95.2, 94.1, 93.0, 92.4, 91.8, 91.1)


def fleet_wide() -> Payload:
    hosts = [web_cpu(n, v, Severity.CRITICAL if n == 1 else Severity.HIGH) for n, v in enumerate(_FLEET, start=1)]
    return _posted_by_notifier(hosts, STARTED + MINUTE)


def fleet_wide_later() -> Payload:
    now = STARTED + 12 * MINUTE
    web1 = web_cpu(1, 97.0, Severity.CRITICAL, status=AnomalyStatus.ACKNOWLEDGED, acknowledged_by="U0ANN")
    members = [GroupMember(web1, 97.0), GroupMember(web_cpu(2, 95.2), 95.2)]
    members.append(GroupMember(web_cpu(8, 93.4, started_at=STARTED + 3 * MINUTE), 93.4))
    for n, peak in list(enumerate(_FLEET, start=1))[2:]:
        members.append(GroupMember(web_cpu(n, 41.0, status=AnomalyStatus.RESOLVED, ended_at=now), peak))
    runbook = incident_links(SLACK, web1).runbook
    blocks = group_blocks("group-C0ALERTS-cpu-1796306580", MetricKind.CPU, members, now=now, runbook=runbook)
    state = next(b for b in blocks if b["type"] == "context" and ":rotating_light:" in str(b))
    return [blocks[2], state]


def _scale_to(**extra: Any) -> ApprovalRequest:
    fields: dict[str, Any] = {
        "id": "3f9a0c1d2e4b",
        "call": ActionCall(action=ActionName.SCALE_TO, params={"group": "web-asg", "desired": 4}),
        "fingerprint": "scale_to web-asg",
        "requested_by": "U0ONCALL",
        "requested_at": STARTED,
        "expires_at": STARTED + 15 * MINUTE,
        "dry_run": "web-asg desired capacity 2 → 4 (MaxSize 6)",
        "updated_at": STARTED,
    }
    return ApprovalRequest.model_validate(fields | extra)


def approval_buttons() -> Payload:
    return next(b for b in approval_blocks(_scale_to()) if b["type"] == "actions")


def expired() -> Payload:
    request = _scale_to(state=ApprovalState.EXPIRED)
    return decided_blocks(request, messages.approval_expired(request.expires_at))[-1]


#: The page's blocks in order; None: a block shown as it is (the audit line).
EXAMPLES: list[Callable[[], Payload] | None] = [
    posted_incident,
    acknowledged_and_silenced,
    recovered,
    not_recovered,
    None,
    resolved,
    fleet_wide,
    fleet_wide_later,
    approval_buttons,
    expired,
]


def shown_blocks(page: str) -> list[str]:
    """The ``json`` blocks of the page's part 3, as written."""
    part = _PART.search(page)
    return _JSON.findall(part.group(0)) if part else []


def rendered(example: Callable[[], Payload]) -> str:
    """An example as the page writes it."""
    return json.dumps(example(), indent=2, ensure_ascii=False)


def rewritten(page: str) -> str:
    """The page with part 3's blocks replaced by what the renderers produce now."""
    part = _PART.search(page)
    if part is None:
        raise ValueError("docs/walkthrough.md has no part 3")
    examples = iter(EXAMPLES)

    def block(match: re.Match[str]) -> str:
        example = next(examples)
        return match.group(0) if example is None else f"```json\n{rendered(example)}\n```"

    return page[: part.start()] + _JSON.sub(block, part.group(0)) + page[part.end() :]


def main() -> None:
    """Rewrite docs/walkthrough.md's part 3 blocks."""
    PAGE.write_text(rewritten(PAGE.read_text()))


if __name__ == "__main__":
    main()
