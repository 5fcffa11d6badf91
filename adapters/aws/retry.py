"""Retries of AWS calls: only when AWS throttled the call, with exponential backoff and jitter.

botocore's own retry modes also retry server errors and dropped connections, which would send a
non-idempotent call (an SSM ``SendCommand`` restart) twice when the first one did reach AWS. So the
clients are built with botocore's retries off and this handler on botocore's documented
``needs-retry`` event: it asks for another attempt only for throttling error codes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import structlog

log = structlog.get_logger(__name__)

#: Error codes AWS services use for "slow down" (botocore's list for its standard retry mode).
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)


class ThrottlingRetry:
    """A ``needs-retry`` handler: a delay in seconds for a throttled attempt, None for anything else.

    Args:
        max_attempts: attempts in all, the first included.
        base_seconds: the first delay before jitter; it doubles each attempt.
        cap_seconds: the longest delay.
        jitter: a number in [0, 1) per delay (full jitter over the upper half).
    """

    def __init__(
        self,
        *,
        max_attempts: int = 4,
        base_seconds: float = 0.5,
        cap_seconds: float = 20.0,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.max_attempts = max_attempts
        self.base_seconds = base_seconds
        self.cap_seconds = cap_seconds
        self.jitter = jitter

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th attempt."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1))
        return float(ceiling * (0.5 + self.jitter() / 2))

    def __call__(self, *, response: Any = None, attempts: int = 1, operation: Any = None, **_: Any) -> float | None:
        """botocore calls this after each attempt (``needs-retry.<service>.<operation>``)."""
        if response is None:
            return None
        http, parsed = response
        code = str((parsed or {}).get("Error", {}).get("Code", ""))
        if code not in THROTTLING_CODES and getattr(http, "status_code", 0) != 429:
            return None
        name = getattr(operation, "name", "?")
        if attempts >= self.max_attempts:
            log.warning("aws_throttled_giving_up", operation=name, attempts=attempts, code=code)
            return None
        wait = self.delay(attempts)
        log.info("aws_throttled_retrying", operation=name, attempt=attempts, code=code, in_seconds=round(wait, 2))
        return wait


def retry_throttling_only(client: Any, retry: ThrottlingRetry | None = None) -> Any:
    """Register ``retry`` on a boto3 client (built with ``retries={"total_max_attempts": 1}``); returns the client."""
    client.meta.events.register("needs-retry", retry or ThrottlingRetry())
    return client
