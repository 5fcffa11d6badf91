"""A duration rule as data (``cpu > 90% for 3m on web-* then restart_service nginx``): its comparison,
host selector and action, and the checks one value or host needs. Pure.

The text form is parsed by ``detectors.rules.grammar``; evaluation over series lives in
``detectors.rules.evaluation``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from domain.durations import format_duration
from domain.models import HostRef, MetricKind


class Comparison(StrEnum):
    """How a value is compared with the threshold."""

    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    EQ = "=="
    NE = "!="

    def holds(self, value: float, threshold: float) -> bool:
        """True when ``value <op> threshold``."""
        if self is Comparison.GT:
            return value > threshold
        if self is Comparison.GE:
            return value >= threshold
        if self is Comparison.LT:
            return value < threshold
        if self is Comparison.LE:
            return value <= threshold
        if self is Comparison.EQ:
            return value == threshold
        return value != threshold


@dataclass(frozen=True)
class HostSelector:
    """Which hosts a rule applies to: patterns over ``instance``, ``host`` and ``instance_id``."""

    patterns: tuple[str, ...]

    def regex(self) -> str:
        """An anchored-by-caller regular expression equivalent to the patterns (RE2 and Python alike)."""
        return "|".join(".*".join(re.escape(part) for part in p.split("*")) for p in self.patterns)

    def matches(self, host: HostRef) -> bool:
        """True when any pattern matches one of the host's names."""
        compiled = re.compile(self.regex())
        names = (host.instance, host.host, host.instance_id)
        return any(n is not None and compiled.fullmatch(n) for n in names)

    def __str__(self) -> str:
        return ",".join(self.patterns)


@dataclass(frozen=True)
class RuleAction:
    """The remediation a rule asks for when it fires (a person still approves it)."""

    name: str
    service: str | None = None
    group: str | None = None
    amount: int | None = None

    def __str__(self) -> str:
        if self.name == "restart_service":
            return f"restart_service {self.service}"
        if self.name == "scale_up":
            return f"scale_up {self.group} by {self.amount}"
        return f"scale_to {self.group} {self.amount}"


@dataclass(frozen=True)
class DurationRule:
    """A parsed rule. ``threshold`` is in the metric's unit (percent for cpu, memory and disk)."""

    metric: MetricKind
    op: Comparison
    threshold: float
    duration_seconds: int
    selector: HostSelector | None = None
    action: RuleAction | None = None

    def breached_by(self, value: float) -> bool:
        """True when ``value`` meets the rule's condition (NaN never does)."""
        return not math.isnan(value) and self.op.holds(value, self.threshold)

    def applies_to(self, host: HostRef) -> bool:
        """True when the rule covers ``host``."""
        return self.selector is None or self.selector.matches(host)

    @property
    def condition(self) -> str:
        """The condition in the rule's own words, e.g. ``cpu > 90%``."""
        unit = "%" if self.metric.is_percent else ""
        return f"{self.metric.value} {self.op.value} {self.threshold:g}{unit}"

    def __str__(self) -> str:
        text = f"{self.condition} for {format_duration(self.duration_seconds)}"
        if self.selector is not None:
            text += f" on {self.selector}"
        if self.action is not None:
            text += f" then {self.action}"
        return text
