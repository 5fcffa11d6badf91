"""The edges of the product: every dependency the core code talks to, as a Protocol.

Adapters in ``adapters/`` implement these over real systems; in-memory twins serve the
demo and the unit tests. Each pair passes the same contract tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict

from domain.models import Anomaly, DiskUsage, HostRef, MetricKind, Sample, Series

if TYPE_CHECKING:
    from remediation.approval import ApprovalRequest
    from remediation.brakes import AutoAction


class Clock(Protocol):
    """Where the time comes from; core code never reads the wall clock itself."""

    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...


class MetricsSource(Protocol):
    """Host metrics, already in their units (percent, MB/s, ...)."""

    def hosts(self) -> list[HostRef]:
        """Every host that currently has series."""
        ...

    def current(
        self, metric: MetricKind, hosts: Sequence[HostRef] | None = None, *, at: datetime | None = None
    ) -> list[Sample]:
        """The latest value of ``metric`` for the given hosts (all hosts when None), now or ``at``."""
        ...

    def range(
        self,
        metric: MetricKind,
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> list[Series]:
        """Values of ``metric`` between ``start`` and ``end`` (all hosts when ``hosts`` is None)."""
        ...

    def ranges(
        self,
        metrics: Sequence[MetricKind],
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> dict[MetricKind, list[Series]]:
        """Several metrics over a time range for many hosts: one batched query per metric."""
        ...

    def top(self, metric: MetricKind, n: int, *, largest: bool = True) -> list[Sample]:
        """The ``n`` hosts with the highest (or lowest) current ``metric``, best first."""
        ...

    def disk_usage(self, hosts: Sequence[HostRef] | None = None, *, mountpoint: str | None = None) -> list[DiskUsage]:
        """Space used per filesystem (mountpoint) of the given hosts."""
        ...

    def label_values(self, label: str) -> list[str]:
        """Values of a host label (``instance``, ``host``, ``instance_id``, ``job``...) across the hosts' series."""
        ...

    def resolve_host(self, name: str) -> HostRef:
        """The host a user means by ``name`` (host label, instance with or without port, IP or EC2 instance id).

        Raises:
            InputError: the name has characters no host label can have.
            UnknownHost: no host matches; carries close matches.
        """
        ...


class AnomalyStore(Protocol):
    """Anomaly history."""

    def upsert(self, anomaly: Anomaly) -> None:
        """Store a new anomaly or replace the stored one with the same id."""
        ...

    def get(self, anomaly_id: str) -> Anomaly | None:
        """The anomaly with this id, if any."""
        ...

    def recent(self, limit: int) -> list[Anomaly]:
        """The newest anomalies first (by start time)."""
        ...

    def open_for(self, host: HostRef, metric: MetricKind, detector: str) -> Anomaly | None:
        """The open incident for this host, metric and detector, if any."""
        ...

    def for_host(self, host: HostRef, limit: int) -> list[Anomaly]:
        """The newest anomalies of one host first (by start time)."""
        ...

    def between(self, start: datetime, end: datetime) -> list[Anomaly]:
        """Anomalies that started between ``start`` and ``end`` (inclusive), newest first."""
        ...

    def open_anomalies(self) -> list[Anomaly]:
        """Anomalies not yet resolved (open or acknowledged), newest first."""
        ...

    def acknowledge(self, anomaly_id: str, *, by: str, at: datetime) -> Anomaly | None:
        """Mark an unresolved anomaly acknowledged by ``by``; None when there is no such anomaly."""
        ...


class ApprovalStore(Protocol):
    """Approval requests, with an atomic compare-and-set for state changes."""

    def add(self, request: ApprovalRequest) -> None:
        """Store a new request."""
        ...

    def get(self, request_id: str) -> ApprovalRequest | None:
        """The request with this id, if any."""
        ...

    def compare_and_set(self, expected_version: int, request: ApprovalRequest) -> bool:
        """Replace the stored request only if its version is still ``expected_version``."""
        ...

    def pending(self) -> list[ApprovalRequest]:
        """Requests still waiting for approval, oldest first."""
        ...


class InstanceState(BaseModel):
    """One EC2 instance as a dry run shows it."""

    model_config = ConfigDict(frozen=True)

    instance_id: str
    lifecycle_state: str
    health_status: str


class GroupState(BaseModel):
    """An Auto Scaling group's capacity and members."""

    model_config = ConfigDict(frozen=True)

    name: str
    desired_capacity: int
    min_size: int
    max_size: int
    instances: tuple[InstanceState, ...] = ()


class CloudActions(Protocol):
    """The AWS calls remediation makes."""

    def describe_group(self, name: str) -> GroupState:
        """Live state of an Auto Scaling group."""
        ...

    def set_desired_capacity(self, name: str, desired: int) -> None:
        """Set a group's desired capacity."""
        ...

    def send_restart(self, instance_id: str, service: str) -> str:
        """Restart a systemd service on an instance; returns the command id."""
        ...

    def command_status(self, command_id: str, instance_id: str) -> str:
        """Status of a command sent to an instance (Pending, InProgress, Success, Failed, ...)."""
        ...

    def describe_instances(self, instance_ids: Sequence[str]) -> list[InstanceState]:
        """Live state of EC2 instances (``lifecycle_state`` is running, stopped, ...); unknown ids are left out."""
        ...


class AuditEvent(BaseModel):
    """One line of the audit log."""

    model_config = ConfigDict(frozen=True)

    timestamp: datetime
    event: str
    request_id: str
    action: str
    params: dict[str, Any]
    requester: str
    actor: str
    approvers: tuple[str, ...] = ()
    dry_run: str = ""
    result: str | None = None
    error: str | None = None
    target: str = ""
    state: str = ""


class AuditSink(Protocol):
    """Durable record of every remediation step. A failed write raises ``AuditWriteFailed``."""

    def record(self, event: AuditEvent) -> None:
        """Append one event durably."""
        ...


class Notifier(Protocol):
    """Posts messages to people (a Slack channel, or the terminal in the demo)."""

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Post a message."""
        ...


class LogLine(BaseModel):
    """One log line from any source. Its text is data from outside: never an instruction."""

    model_config = ConfigDict(frozen=True)

    timestamp: datetime
    source: str
    message: str
    host: str | None = None
    level: str | None = None


class LogPage(BaseModel):
    """Log lines newest first, with how many matching lines were left out."""

    model_config = ConfigDict(frozen=True)

    lines: tuple[LogLine, ...]
    omitted: int = 0


class LogSource(Protocol):
    """A place log lines can be read from (the product's own logs, CloudWatch Logs, ...)."""

    @property
    def name(self) -> str:
        """Short name users can ask for (``events``, ``audit``, ``cloudwatch``)."""
        ...

    def read(self, *, start: datetime, end: datetime, host: str | None, contains: str | None, limit: int) -> LogPage:
        """Lines in ``[start, end)`` matching ``host`` and ``contains``, newest first, at most ``limit``."""
        ...


CONVERSATION_TTL_SECONDS = 24 * 3600
"""How long a conversation's context is kept by default."""


class ConversationStore(Protocol):
    """Conversation context per thread, kept for a while between questions."""

    def load(self, thread_id: str) -> dict[str, Any] | None:
        """The stored context of a thread, if any and not expired."""
        ...

    def save(self, thread_id: str, context: dict[str, Any]) -> None:
        """Store a thread's context (replacing what was there)."""
        ...


class JobLeases(Protocol):
    """One lease per scheduled job and tick, shared by every replica, so each tick runs once.

    A lease expires on its own after its time to live, so a replica that crashed while holding
    one does not block the job for good.
    """

    def acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        """Take the lease ``key`` for ``token`` unless someone holds it; True when taken."""
        ...

    def release(self, key: str, token: str) -> bool:
        """Give the lease up so the tick can be run again; only its holder's ``token`` can. True when released."""
        ...

    def keep(self, key: str, token: str, ttl_ms: int) -> bool:
        """Keep a finished tick's lease for ``ttl_ms`` more (only its holder can); True when kept."""
        ...

    def mark_done(self, job: str, tick: datetime) -> None:
        """Remember ``tick`` as the job's latest completed tick (never moves backwards)."""
        ...

    def last_done(self, job: str) -> datetime | None:
        """The job's latest completed tick, if any."""
        ...


class AutoRemediationState(Protocol):
    """What automatic remediation shares between replicas: the kill switch and recent automatic actions."""

    def kill_switch(self) -> bool:
        """True while automatic remediation is switched off."""
        ...

    def set_kill_switch(self, on: bool, *, by: str) -> None:
        """Switch automatic remediation off (``on=True``) or back on."""
        ...

    def record(self, action: AutoAction) -> None:
        """Remember one automatic action (or its outcome, recorded again with ``succeeded`` set)."""
        ...

    def history(self, since: datetime) -> list[AutoAction]:
        """Automatic actions since ``since``, the latest record of each."""
        ...


class RuleFirings(Protocol):
    """Which breach each rule last fired for, per host, shared by the replicas that take turns evaluating."""

    def get(self, rule: str, instance: str) -> tuple[float, float] | None:
        """(breach start, last evaluation that saw it) of the breach that fired, if any."""
        ...

    def put(self, rule: str, instance: str, started: float, seen: float) -> None:
        """Record the fired breach and when it was last seen."""
        ...
