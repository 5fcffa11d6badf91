"""RedisApprovalStore: approval requests in Redis with an atomic compare-and-set (a Lua script).

Keys are hash-tagged (``sco:{approvals}:…``) so the script's keys share one Redis Cluster slot.
"""

from __future__ import annotations

import redis

from adapters.redis.connection import location, translated
from remediation.approval import ApprovalRequest, ApprovalState

_CAS_SCRIPT = """
local version = redis.call('HGET', KEYS[1], 'version')
if not version or tonumber(version) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'json', ARGV[3])
if ARGV[4] == 'pending' then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
else
  redis.call('ZREM', KEYS[2], ARGV[6])
end
return 1
"""


_ADD_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'json', ARGV[2])
if ARGV[3] == 'pending' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5]) end
return 1
"""


class RedisApprovalStore:
    """Approval requests as hashes with a version field; state changes go through a Lua compare-and-set."""

    def __init__(self, client: redis.Redis, prefix: str = "sco") -> None:
        self._r = client
        self._p = f"{prefix}:{{approvals}}"
        self._pending = f"{self._p}:pending"
        self._where = location(client)
        self._cas = client.register_script(_CAS_SCRIPT)
        self._add = client.register_script(_ADD_SCRIPT)

    def _key(self, request_id: str) -> str:
        return f"{self._p}:r:{request_id}"

    def add(self, request: ApprovalRequest) -> None:
        """Store a new request; an existing id is refused and left untouched.

        Raises:
            ValueError: a request with this id already exists.
        """
        with translated(self._where):
            done = self._add(
                keys=[self._key(request.id), self._pending],
                args=[
                    request.version,
                    request.model_dump_json(),
                    request.state.value,
                    request.requested_at.timestamp(),
                    request.id,
                ],
            )
        if not done:
            raise ValueError(f"request {request.id} already exists")

    def get(self, request_id: str) -> ApprovalRequest | None:
        """The request with this id."""
        with translated(self._where):
            raw = self._r.hget(self._key(request_id), "json")
        return None if raw is None else ApprovalRequest.model_validate_json(raw)

    def compare_and_set(self, expected_version: int, request: ApprovalRequest) -> bool:
        """Atomically replace the request if the stored version is ``expected_version``."""
        with translated(self._where):
            done = self._cas(
                keys=[self._key(request.id), self._pending],
                args=[
                    expected_version,
                    request.version,
                    request.model_dump_json(),
                    request.state.value,
                    request.requested_at.timestamp(),
                    request.id,
                ],
            )
        return bool(done)

    def pending(self) -> list[ApprovalRequest]:
        """Pending requests, oldest first (one round trip for the index, one pipelined for the records)."""
        with translated(self._where):
            ids = self._r.zrange(self._pending, 0, -1)
            pipe = self._r.pipeline(transaction=False)
            for i in ids:
                pipe.hget(self._key(i.decode() if isinstance(i, bytes) else str(i)), "json")
            raws = pipe.execute() if ids else []
        out = []
        for raw in raws:
            if raw is None:
                continue
            request = ApprovalRequest.model_validate_json(raw)
            if request.state is ApprovalState.PENDING:
                out.append(request)
        return out
