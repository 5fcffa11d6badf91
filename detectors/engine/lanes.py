"""Which lane is which: one per host × signal, and for disk one per host × mountpoint. Pure.

A lane is found by its key (instance, signal, mountpoint; the mountpoint is ``""`` for the
signals that are not per filesystem). A retired lane (a filesystem that stopped reporting)
keeps its slot in the engine's arrays but is no longer found: if the mountpoint comes back it
gets a new lane, started from the fleet prior.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from detectors.engine.baseline import BoolArray, FloatArray, IntArray, grown
from domain.models import HostRef, MetricKind

_CACHE_SIZE = 64


class LaneKey(NamedTuple):
    """What a lane watches."""

    host: HostRef
    signal: MetricKind
    mountpoint: str = ""


class LaneIndex:
    """Lane keys in creation order, with the last time each lane had a sample."""

    def __init__(self) -> None:
        self.keys: list[LaneKey] = []
        self._index: dict[tuple[str, MetricKind, str], int] = {}
        self._cache: dict[tuple[MetricKind, tuple[str, ...], tuple[str, ...]], IntArray] = {}
        self._hosts: dict[str, int] = {}
        self.host_id: IntArray = np.zeros(0, dtype=np.intp)
        self.seen_at: FloatArray = np.zeros(0)
        self.live: list[bool] = []
        self._mounts: IntArray | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def find(
        self, signal: MetricKind, hosts: Sequence[HostRef], mounts: Sequence[str] | None = None
    ) -> tuple[IntArray, IntArray]:
        """The lane of every (host, mountpoint) for ``signal``, and which of them were just created."""
        names = tuple(h.instance for h in hosts)
        where = tuple(mounts) if mounts is not None else ("",) * len(hosts)
        cached = self._cache.get((signal, names, where))
        if cached is not None:
            return cached, np.zeros(0, dtype=np.intp)
        out = np.empty(len(hosts), dtype=np.intp)
        new: list[int] = []
        for n, (host, mount) in enumerate(zip(hosts, where, strict=True)):
            lane = self._index.get((host.instance, signal, mount))
            if lane is None:
                lane = self.add(LaneKey(host, signal, mount))
                new.append(lane)
            out[n] = lane
        if len(self._cache) > _CACHE_SIZE:
            self._cache.clear()
        self._cache[(signal, names, where)] = out
        return out, np.asarray(new, dtype=np.intp)

    def add(self, key: LaneKey) -> int:
        """Create the lane of ``key`` (never seen yet) and return it."""
        lane = len(self.keys)
        self._index[(key.host.instance, key.signal, key.mountpoint)] = lane
        self.keys.append(key)
        self.live.append(True)
        if key.mountpoint:
            self._mounts = None
        if lane >= self.seen_at.shape[0]:
            capacity = max(lane + 1, 2 * self.seen_at.shape[0])
            self.seen_at = grown(self.seen_at, capacity, np.nan)
            self.host_id = grown(self.host_id, capacity, 0)
        self.host_id[lane] = self._hosts.setdefault(key.host.instance, len(self._hosts))
        return lane

    def lookup(self, key: LaneKey) -> int | None:
        """The live lane of ``key``, if there is one."""
        return self._index.get((key.host.instance, key.signal, key.mountpoint))

    def saw(self, lanes: IntArray, t: float, finite: BoolArray, new: IntArray) -> None:
        """Note that ``lanes`` had a sample at ``t`` where ``finite`` is set; a new lane counts as seen at ``t``."""
        self.seen_at[lanes[finite]] = t
        self.seen_at[new] = np.where(np.isfinite(self.seen_at[new]), self.seen_at[new], t)

    def mount_lanes(self) -> IntArray:
        """Every live lane of a named filesystem (kept between calls: it is asked every cycle)."""
        if self._mounts is None:
            self._mounts = np.asarray(
                [n for n, key in enumerate(self.keys) if key.mountpoint and self.live[n]], dtype=np.intp
            )
        return self._mounts

    def stale_mounts(self, stale_seconds: float) -> IntArray:
        """Filesystem lanes whose host still reports other filesystems, none newer than ``stale_seconds`` on them.

        A host that reports no filesystem at all (down, or not scraped) makes none of its lanes stale.
        """
        lanes = self.mount_lanes()
        if lanes.size == 0:
            return lanes
        seen = np.nan_to_num(self.seen_at[lanes], nan=-np.inf)
        hosts = self.host_id[lanes]
        latest = np.full(len(self._hosts), -np.inf)
        np.maximum.at(latest, hosts, seen)
        out: IntArray = lanes[latest[hosts] - seen >= stale_seconds]
        return out

    def retire(self, lanes: IntArray) -> None:
        """Stop finding ``lanes`` by their keys."""
        for lane in lanes.tolist():
            key = self.keys[lane]
            self._index.pop((key.host.instance, key.signal, key.mountpoint), None)
            self.live[lane] = False
        self._cache.clear()
        self._mounts = None

    def live_lanes(self) -> IntArray:
        """Every lane still in use, in creation order."""
        return np.flatnonzero(np.asarray(self.live, dtype=bool)).astype(np.intp)
