"""The slow score stream of the level lanes: the same scores under a longer trailing mean. Pure, vectorised.

A lane's fast stream (``smoothing``) alarms on what stands out within minutes. Where spikes set
its level high, a moderate deviation that lasts stays under it: the trailing mean of
``slow_smoothing`` scores, with levels of its own fitted the same way (history quantile, recent
raise, hold), sees it. The slow stream opens the lane's incident only while the fast one holds
none, and only on a full window: once a fast incident ends its window is emptied, so the
incident's scores in its longer mean open nothing after it. An incident the slow stream opened
holds and resolves on the slow stream's own hold; the lane's incident is open while either is.
"""

from __future__ import annotations

import numpy as np

from detectors.engine.baseline import BoolArray, FloatArray, IntArray
from detectors.engine.config import EngineConfig
from detectors.engine.incidents import StreamIncidents, Transitions, trailing_means
from detectors.engine.peaks import PeakLevels


class SlowStream:
    """Levels and incidents of the slow stream of every level lane (inert with ``slow_smoothing`` 0)."""

    def __init__(self, config: EngineConfig, *, step_seconds: float) -> None:
        slow = config.slow
        self.enabled = slow is not None
        self.peaks = PeakLevels(slow or config, step_seconds=step_seconds)
        self.levels = StreamIncidents(slow or config, highest_value=True)

    def reserve(self, size: int) -> None:
        """Make room for ``size`` lanes."""
        self.peaks.reserve(size)
        self.levels.reserve(size)

    def start(self, lanes: IntArray, u: float) -> None:
        """New lanes start from the fleet's median u."""
        self.peaks.start(lanes, np.full(lanes.size, u))

    def fit(self, lanes: IntArray, scores: FloatArray, *, stride: int) -> None:
        """Fit the levels of ``lanes`` on their raw score history (lanes × time) and fill their windows."""
        width = self.levels.config.smoothing
        self.peaks.fit(lanes, trailing_means(scores, width), stride=stride)
        self.levels.prime(lanes, scores[:, -width:])

    def step(
        self, t: float, lanes: IntArray, scores: FloatArray, values: FloatArray, *, watch: BoolArray
    ) -> Transitions | None:
        """Advance ``lanes``; an incident may open only where ``watch`` holds (None when the stream is off)."""
        if not self.enabled:
            return None
        peaks, levels = self.peaks, self.levels
        warm = watch & levels.full(lanes)
        return levels.step(lanes, t, scores, values, level=peaks.level[lanes], normal_level=peaks.u[lanes], warm=warm)

    def merge(
        self, fast: Transitions, slow: Transitions | None, levels: StreamIncidents
    ) -> tuple[IntArray, IntArray, IntArray]:
        """The lanes whose incident opened, resolved and was accepted at this step, from both streams.

        The lane's incident is open while either stream holds one (``levels`` is the fast stream's).
        """
        if slow is None:
            return fast.opened, fast.resolved, fast.accepted
        resolved = np.union1d(fast.resolved, slow.resolved)
        resolved = resolved[~levels.open[resolved] & ~self.levels.open[resolved]]
        return np.union1d(fast.opened, slow.opened), resolved, np.union1d(fast.accepted, slow.accepted)

    def learn(
        self, lanes: IntArray, smoothed: FloatArray, normal: BoolArray, *, resolved: IntArray, emptied: IntArray
    ) -> None:
        """Count the step's scores, the lanes' incidents that ``resolved``, and empty the windows of ``emptied``."""
        self.peaks.forget_incident(resolved)
        self.peaks.observe(lanes, smoothed, normal)
        self.levels.forget(emptied)

    def holds(self, lane: int, fast: StreamIncidents) -> bool:
        """Whether the lane's incident is this stream's: open here only, or opened after the fast one's last."""
        if not self.enabled or fast.open[lane]:
            return False
        return bool(self.levels.open[lane]) or bool(self.levels.opened_at[lane] > fast.opened_at[lane])

    def is_open(self, lanes: IntArray) -> BoolArray:
        """Whether each lane holds a slow incident."""
        out: BoolArray = self.levels.open[lanes]
        return out
