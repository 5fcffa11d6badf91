"""Shared state of automatic remediation: the kill switch and recent automatic actions (Redis and memory)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import redis

from adapters.redis.connection import location, translated
from remediation.brakes import AutoAction, latest_per_action

HISTORY_KEEP = timedelta(days=2)


class RedisAutoRemediationState:
    """The state shared by every replica: ``sco:{auto}:kill`` and a sorted set of actions by time."""

    def __init__(self, client: redis.Redis, prefix: str = "sco") -> None:
        self._r = client
        self._p = f"{prefix}:{{auto}}"
        self._where = location(client)

    def kill_switch(self) -> bool:
        """True while switched off."""
        with translated(self._where):
            return bool(self._r.exists(f"{self._p}:kill"))

    def set_kill_switch(self, on: bool, *, by: str) -> None:
        """Switch off (recording who and when) or back on."""
        with translated(self._where):
            if on:
                self._r.set(f"{self._p}:kill", json.dumps({"by": by, "at": datetime.now(UTC).isoformat()}))
            else:
                self._r.delete(f"{self._p}:kill")

    def record(self, action: AutoAction) -> None:
        """Add a record and drop records older than two days."""
        member = json.dumps(
            {"action": action.action, "target": action.target, "at": action.at.isoformat(), "ok": action.succeeded}
        )
        with translated(self._where):
            pipe = self._r.pipeline(transaction=True)
            pipe.zadd(f"{self._p}:actions", {member: action.at.timestamp()})
            pipe.zremrangebyscore(f"{self._p}:actions", "-inf", (action.at - HISTORY_KEEP).timestamp())
            pipe.execute()

    def history(self, since: datetime) -> list[AutoAction]:
        """Actions since ``since``."""
        with translated(self._where):
            raw = self._r.zrangebyscore(f"{self._p}:actions", since.timestamp(), "+inf")
        actions = []
        for item in raw:
            data = json.loads(str(item))
            actions.append(
                AutoAction(
                    action=data["action"],
                    target=data["target"],
                    at=datetime.fromisoformat(data["at"]),
                    succeeded=data["ok"],
                )
            )
        return latest_per_action(actions)
