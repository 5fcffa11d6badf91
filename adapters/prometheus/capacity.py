"""Capacities (a host's memory, a filesystem's size) kept between a live cycle's instant reads.

A capacity changes far less often than what is used of it. So an instant read of memory or disk
asks the server for the available bytes alone and divides by the capacity it read before: the
server evaluates and encodes half the series, and no division. The capacities are read again
when they are older than ``CAPACITY_TTL_SECONDS``, when a row has none, and when a row has more
available than its known capacity (a disk that grew). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detectors.engine.baseline import FloatArray
from domain.models import HostRef

# How long a capacity read serves the instant reads after it.
CAPACITY_TTL_SECONDS = 600.0


class CapacityCache:
    """The capacity in bytes of each row (a host, or a host's mountpoint), as read at one time.

    Rows are named as a ``Block`` names them: hosts, and each row's mountpoint (``""`` for memory).

    Args:
        ttl_seconds: how long a read serves, in seconds of the reads' own times.
    """

    def __init__(self, ttl_seconds: float = CAPACITY_TTL_SECONDS) -> None:
        if not ttl_seconds > 0:
            raise ValueError("the capacity time-to-live must be positive")
        self.ttl_seconds = ttl_seconds
        self._bytes: dict[tuple[str, str], float] = {}
        self._read_at: float | None = None
        # The rows of the last lookup and their capacities, replaced as one (a cycle's answer usually
        # has the same rows as the last).
        self._last: tuple[Sequence[HostRef], Sequence[str], FloatArray] = ((), (), np.empty(0))

    def totals(
        self, hosts: Sequence[HostRef], mounts: Sequence[str], available: FloatArray, at: float
    ) -> FloatArray | None:
        """The capacities of the rows at ``at``, or None when they must be read again first.

        ``available`` holds each row's available bytes at ``at`` (NaN where the row had no sample).
        """
        if self._read_at is None or abs(at - self._read_at) >= self.ttl_seconds:
            return None
        totals = self.lookup(hosts, mounts)
        with np.errstate(invalid="ignore"):
            if np.isnan(totals).any() or (available > totals).any():
                return None
        return totals

    def lookup(self, hosts: Sequence[HostRef], mounts: Sequence[str]) -> FloatArray:
        """The capacities of the rows as last read (NaN where a row has none), however old."""
        last_hosts, last_mounts, totals = self._last
        if (hosts, mounts) != (last_hosts, last_mounts):
            known = self._bytes
            keys = zip((host.instance for host in hosts), mounts, strict=True)
            totals = np.fromiter((known.get(key, np.nan) for key in keys), dtype=np.float64, count=len(hosts))
            self._last = (hosts, mounts, totals)
        return totals

    def store(self, hosts: Sequence[HostRef], mounts: Sequence[str], totals: FloatArray, at: float) -> None:
        """Keep the capacities read at ``at`` (rows without a finite one are left out)."""
        rows = zip((host.instance for host in hosts), mounts, strict=True)
        self._bytes = {key: float(total) for key, total in zip(rows, totals, strict=True) if np.isfinite(total)}
        self._read_at = at
        self._last = ((), (), np.empty(0))


def used_percent(available: FloatArray, totals: FloatArray) -> FloatArray:
    """100 × (1 − available / capacity), as the server computes it (a zero capacity gives ±Inf or NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100.0 * (1.0 - available / totals)
