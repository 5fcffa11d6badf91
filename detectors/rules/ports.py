"""The edge rule evaluation talks to: where fired breaches are remembered between evaluations."""

from __future__ import annotations

from typing import Protocol


class RuleFirings(Protocol):
    """Which breach each rule last fired for, per host, shared by the replicas that take turns evaluating."""

    def get(self, rule: str, instance: str) -> tuple[float, float] | None:
        """(breach start, last evaluation that saw it) of the breach that fired, if any."""
        ...

    def put(self, rule: str, instance: str, started: float, seen: float) -> None:
        """Record the fired breach and when it was last seen."""
        ...
