"""InMemoryRuleFirings: which breach each rule last fired for, inside one process."""

from __future__ import annotations


class InMemoryRuleFirings:
    """Fired breaches kept in this process (one replica, the demo, tests)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[float, float]] = {}

    def get(self, rule: str, instance: str) -> tuple[float, float] | None:
        """The fired breach of this rule on this host."""
        return self._items.get((rule, instance))

    def put(self, rule: str, instance: str, started: float, seen: float) -> None:
        """Record it."""
        self._items[(rule, instance)] = (started, seen)
