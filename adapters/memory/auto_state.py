"""InMemoryAutoRemediationState: the kill switch and recent automatic actions inside one process."""

from __future__ import annotations

import threading
from datetime import datetime

from remediation.brakes import AutoAction, latest_per_action


class InMemoryAutoRemediationState:
    """The state in one process (the demo and unit tests)."""

    def __init__(self, *, kill_switch: bool = False) -> None:
        self._kill = kill_switch
        self._actions: list[AutoAction] = []
        self._lock = threading.Lock()

    def kill_switch(self) -> bool:
        """True while switched off."""
        return self._kill

    def set_kill_switch(self, on: bool, *, by: str) -> None:  # noqa: ARG002 - the Redis twin records who
        """Switch off or on."""
        self._kill = on

    def record(self, action: AutoAction) -> None:
        """Remember an action."""
        with self._lock:
            self._actions.append(action)

    def history(self, since: datetime) -> list[AutoAction]:
        """Actions since ``since``."""
        with self._lock:
            return [a for a in latest_per_action(self._actions) if a.at >= since]
