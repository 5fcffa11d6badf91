"""``smartcloudops demo``: the whole story on a simulated fleet, with no Slack, LLM, AWS or Redis."""

from __future__ import annotations

import json
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from adapters.clock import ManualClock, SystemClock
from adapters.files.audit import audit_files, read_records
from adapters.simulated.cloud import SimulatedCloudActions
from adapters.simulated.metrics import SimulatedMetrics
from bot.config.settings import (
    AuditSettings,
    AwsSettings,
    LLMSettings,
    PrometheusSettings,
    RedisSettings,
    RemediationSettings,
    Settings,
    SlackSettings,
)
from bot.wiring import build_services
from domain.errors import InputError, NotAllowedToApprove
from remediation.cloud_state import GroupState, InstanceState
from simulator.fleet import FleetModel, Incident, IncidentKind

REQUESTER = "U_ONCALL"
APPROVER = "U_LEAD"
GROUP = "web-asg"
MAX_HOSTS = 1000
"""The largest simulated fleet the demo runs (it holds every host's history in memory)."""


def _say(out: TextIO, title: str, body: str = "") -> None:
    out.write(f"\n== {title}\n")
    if body:
        out.write(textwrap.indent(body, "   ") + "\n")
    out.flush()


def run_demo(*, out: TextIO, log_dir: Path, hosts: int = 5) -> int:
    """Run the demo story and print it to ``out``; returns the exit code.

    Raises:
        InputError: ``hosts`` is not between 1 and ``MAX_HOSTS``.
    """
    if not 1 <= hosts <= MAX_HOSTS:
        raise InputError(f"--hosts must be between 1 and {MAX_HOSTS} (got {hosts})")
    clock = ManualClock(SystemClock().now().replace(microsecond=0))
    now = clock.now().timestamp()
    incident = Incident(IncidentKind.CPU_SATURATION, "web-1", start=now - 6 * 60, duration=3600)
    fleet = FleetModel(hosts, (incident,))
    cloud = SimulatedCloudActions(
        {
            GROUP: GroupState(
                name=GROUP,
                desired_capacity=2,
                min_size=1,
                max_size=6,
                instances=(
                    InstanceState(
                        instance_id="i-0a1b2c3d4e5f60001", lifecycle_state="InService", health_status="Healthy"
                    ),
                    InstanceState(
                        instance_id="i-0a1b2c3d4e5f60002", lifecycle_state="InService", health_status="Healthy"
                    ),
                ),
            )
        }
    )
    settings = Settings(
        prometheus=PrometheusSettings(),
        redis=RedisSettings(),
        llm=LLMSettings(),
        slack=SlackSettings(),
        aws=AwsSettings(),
        audit=AuditSettings(dir=log_dir),
        remediation=RemediationSettings(approvers={"*": [APPROVER, REQUESTER]}),
    )
    services = build_services(
        settings, clock=clock, metrics=SimulatedMetrics(fleet, clock), cloud=cloud, in_memory=True
    )
    names = ", ".join(h.name for h in services.metrics.hosts()) if services.metrics else ""
    _say(out, f"Simulated fleet of {hosts} hosts: {names}; incident injected: CPU saturation on web-1")

    question = "what is the current CPU on web-1?"
    answer = services.runner.answer(question, user=REQUESTER)
    _say(out, f'1. Question: "{question}"', answer.answer)

    if services.detection is None or services.remediation is None:
        out.write("the demo needs metrics and remediation wired; check the build\n")
        return 1
    report = services.detection.run_once(clock.now())
    lines = [f"[{a.severity.value}] {a.status.value}: {a.summary}" for a in (*report.opened, *report.updated)] or [
        "no anomalies"
    ]
    _say(out, f"2. Detection pass over {report.series_checked} series", "\n".join(lines))

    request_text = f"scale {GROUP} up by 1"
    answer = services.runner.answer(request_text, user=REQUESTER)
    _say(out, f'3. Remediation request by {REQUESTER}: "{request_text}"', answer.answer)
    if answer.approval_id is None:
        out.write("the remediation request was not created\n")
        return 1

    clock.advance(timedelta(minutes=1))
    try:
        services.remediation.approve(answer.approval_id, REQUESTER)
        refusal = "approved (unexpected)"
    except NotAllowedToApprove as exc:
        refusal = f"refused: {exc.reason}"
    clock.advance(timedelta(minutes=1))
    done = services.remediation.approve(answer.approval_id, APPROVER)
    _say(
        out,
        "4. Approval step (both are on the approver list)",
        f"{REQUESTER} clicks Approve on their own request: {refusal}\n"
        f"{APPROVER} clicks Approve: approved, and the stored call runs",
    )
    _say(out, f"5. Execution (simulated AWS): {done.state.value}", done.result or done.error or "")

    entries = [e for e in read_records(log_dir) if e.get("request_id") == answer.approval_id]
    shown = "\n".join(
        f"{e['timestamp']} {e['event']:<10} actor={e['actor']} action={e['action']} params={json.dumps(e['params'])}"
        for e in entries
    )
    _say(out, "6. Audit log entries", shown)
    _say(
        out,
        "Logs",
        f"audit log: {', '.join(str(p) for p in audit_files(log_dir))}\nevent log: {log_dir / 'events.jsonl'}",
    )
    return 0 if done.state.value == "succeeded" else 1
