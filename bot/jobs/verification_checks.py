"""Building the check of an executed request: which incident it was for, what to watch, on which hosts, against what.

The incident is the one recorded when the request was made (Suggest fix, a next step), else the
open incident of the rule that requested it, else an open incident on the action's targets. With
one, its signal is watched on its host; without, ``up`` on the restarted hosts or CPU averaged over
the scaled group's members. Normal is the threshold of the rule behind it (the one that requested
it, detected the incident, or watches the incident's signal on its host), the host answering for
``up``, else the signal's baseline from the day before the incident (or the action).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from detectors.rules.file import NamedRule
from detectors.rules.rule import Comparison, DurationRule
from domain.models import Anomaly, HostRef, MetricKind
from domain.ports import AnomalyStore, MetricsSource
from remediation.actions import ActionName, restart_targets
from remediation.approval import ApprovalRequest
from remediation.ports import CloudActions
from remediation.verification import (
    HOST_UP,
    NormalRange,
    Point,
    RemediationCheck,
    average_points,
    baseline_range,
    value_at,
    watched_signal,
)

_RULE_PREFIX = "rule:"
_BEFORE_LOOKBACK = timedelta(minutes=5)
_BASELINE = timedelta(hours=24)
_BASELINE_STEP_SECONDS = 300.0
_NEAR_FULL = 90.0


def rule_range(named: NamedRule) -> NormalRange | None:
    """Normal for a rule's signal: not breaching its condition (None for ``==``, which no one range expresses)."""
    rule: DurationRule = named.rule
    basis = f"rule {named.name} ({rule.condition})"
    t = rule.threshold
    bounds = {
        Comparison.GT: (None, t),
        Comparison.GE: (None, math.nextafter(t, -math.inf)),
        Comparison.LT: (t, None),
        Comparison.LE: (math.nextafter(t, math.inf), None),
        Comparison.NE: (t, t),
    }
    if rule.op not in bounds:
        return None
    low, high = bounds[rule.op]
    return NormalRange(low=low, high=high, basis=basis)


@dataclass
class CheckBuilder:
    """Reads what a request's check needs from the anomaly store, the metrics and AWS.

    Args:
        metrics: where the watched values come from.
        anomalies: the incidents.
        cloud: group members, for a scaling call without an incident.
        rules: the duration rules (a rule's threshold is its signal's normal).
        verify_for: how long the signal is watched.
        settle: how long it must stay normal to count as recovered.
        step_seconds: the resolution values are read at.
    """

    metrics: MetricsSource
    anomalies: AnomalyStore
    cloud: CloudActions
    rules: Sequence[NamedRule]
    verify_for: timedelta
    settle: timedelta = timedelta(minutes=1)
    step_seconds: float = 15.0

    def build(self, request: ApprovalRequest, executed_at: datetime, *, origin: str | None) -> RemediationCheck:
        """The check of ``request``, which ran at ``executed_at`` (``origin``: the incident it was made for).

        Raises:
            MetricsUnavailable: the metrics could not be read.
            CloudActionFailed: the scaled group could not be read.
        """
        targets = self._target_instances(request)
        incident = self._incident(request, targets, origin)
        metric = watched_signal(request.call.action, incident.metric if incident else None)
        hosts, subject = self._hosts(request, incident, targets)
        points = self._points(metric, hosts, start=executed_at - _BEFORE_LOOKBACK, end=executed_at)
        before = value_at(points, executed_at)
        if before is None and incident is not None:
            before = incident.value
        return RemediationCheck(
            request_id=request.id,
            action=request.call.action,
            subject=subject,
            hosts=hosts,
            metric=metric,
            normal=self._normal(request, incident, metric, hosts, executed_at),
            incident_id=incident.id if incident else None,
            before=before,
            started_at=executed_at,
            deadline=executed_at + self.verify_for,
            settle_seconds=self.settle.total_seconds(),
            step_seconds=self.step_seconds,
        )

    def _points(
        self, metric: MetricKind, hosts: Sequence[HostRef], *, start: datetime, end: datetime, step: float | None = None
    ) -> list[Point]:
        if not hosts or end <= start:
            return []
        series = self.metrics.range(metric, list(hosts), start=start, end=end, step_seconds=step or self.step_seconds)
        return average_points(series)

    def _target_instances(self, request: ApprovalRequest) -> tuple[str, ...]:
        if request.call.action is ActionName.RESTART_SERVICE:
            return restart_targets(request.call)
        group = self.cloud.describe_group(str(request.call.params["group"]))
        return tuple(i.instance_id for i in group.instances)

    def _rule(self, request: ApprovalRequest, incident: Anomaly | None) -> NamedRule | None:
        """The rule behind it: the one that requested it, detected its incident, or watches the incident's signal."""
        requester = request.requested_by
        names = {requester.removeprefix(_RULE_PREFIX)} if requester.startswith(_RULE_PREFIX) else set()
        if incident is not None:
            names.add(incident.detector)
        named = next((r for r in self.rules if r.name in names), None)
        if named is not None or incident is None:
            return named
        on_signal = (r for r in self.rules if r.rule.metric is incident.metric and r.rule.applies_to(incident.host))
        return next(on_signal, None)

    def _incident(self, request: ApprovalRequest, targets: Sequence[str], origin: str | None) -> Anomaly | None:
        recorded = self.anomalies.get(origin) if origin else None
        if recorded is not None:
            return recorded
        open_now = self.anomalies.open_anomalies()  # newest first
        rule = self._rule(request, None)
        by_rule = [a for a in open_now if rule is not None and a.detector == rule.name]
        on_targets = [a for a in open_now if a.host.instance_id and a.host.instance_id in targets]
        return next((a for a in by_rule if a in on_targets), None) or next(iter(by_rule or on_targets), None)

    def _hosts(
        self, request: ApprovalRequest, incident: Anomaly | None, targets: Sequence[str]
    ) -> tuple[tuple[HostRef, ...], str]:
        if incident is not None:
            return (incident.host,), incident.host.name
        hosts = tuple(h for h in self.metrics.hosts() if h.instance_id and h.instance_id in targets)
        if request.call.action is ActionName.RESTART_SERVICE:
            return hosts, ", ".join(h.name for h in hosts) or ", ".join(targets)
        return hosts, str(request.call.params["group"])

    def _normal(
        self,
        request: ApprovalRequest,
        incident: Anomaly | None,
        metric: MetricKind,
        hosts: Sequence[HostRef],
        executed_at: datetime,
    ) -> NormalRange:
        rule = self._rule(request, incident)
        from_rule = rule_range(rule) if rule is not None and rule.rule.metric is metric else None
        if from_rule is not None:
            return from_rule
        if metric is MetricKind.UP:
            return HOST_UP
        end = incident.started_at if incident is not None else executed_at
        history = self._points(metric, hosts, start=end - _BASELINE, end=end, step=_BASELINE_STEP_SECONDS)
        band = baseline_range(metric, [p.value for p in history])
        if band is not None:
            return band
        if metric.is_percent:
            return NormalRange(high=math.nextafter(_NEAR_FULL, -math.inf), basis=f"below {_NEAR_FULL:g}%")
        return NormalRange(basis="no baseline")
