"""The engine's knobs, one configuration for every host, signal and file."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class EngineConfig:
    """How the engine adapts, when it alarms and how incidents end.

    Args:
        adaptation_hours: time constant of the baseline's slow causal adaptation (frozen during incidents);
            the recent raise of the alarm level, not the baseline, follows day-to-day drift.
        huber: deviations are clipped at this many spreads before they move the baseline.
        peak_quantile: quantile of the score history above which scores count as peaks (u, where holds start).
        risk: with ``level_share`` 0, the per-sample probability on normal data of a score above the alarm
            level (the GPD quantile of the extreme-value tail).
        min_peaks: fewest peaks needed for the extreme-value fit (below that the level is u + 3).
        max_peaks: the most recent peaks kept per stream.
        refit_samples: samples between refits of the extreme-value tail.
        smoothing: rows in the trailing mean of scores.
        slow_smoothing: rows in the trailing mean of a second, slower score stream per lane, with its own
            levels, hold and raise fitted the same way: a moderate deviation that lasts, under a level set
            high by the lane's spikes, opens the lane's incident too (0 = no slow stream).
        recovery_seconds: an incident resolves once its score has stayed under u this long.
        horizon_seconds: an incident still open after this long is accepted as the new normal, with a note.
        warmup_samples: a stream with fewer samples never alarms (new hosts start from the fleet prior).
        recent_hours: time constant of the recent level a baseline takes when a level shift is accepted.
        min_level: the lowest alarm level, in spreads: a deviation within this many spreads of the baseline
            is never an incident, however narrow the fitted tail of a smooth, bounded signal is.
        level_share: with m the median and q the ``level_quantile`` of a stream's fitted score history,
            the alarm level is at least m + level_share·(q − m) (0: the extreme-value tail alone).
        level_quantile: that quantile, q.
        raise_share: the alarm level is raised to m + raise_share·(r − m), r the recent quantile (0 = no raise).
        raise_quantile: quantile of the recent smoothed scores, r.
        raise_hours: how far back "recent" reaches.
        raise_min_samples: "recent" reaches back at least this many samples (slowly sampled streams).
        raise_refresh_hours: how often the raise is recomputed, from the samples before.
        raise_exclude_hours: samples of an incident this young are not counted as recent normal.
        raise_keep: the largest scores kept per refresh block (memory per stream).
        raise_forget_hours: once an incident has resolved and its stream has stayed normal this long, the
            samples it had counted as recent normal are dropped (it was not the new normal), so the next
            incident of its size alarms; another incident before then keeps them (incidents that recur).
        recur_hours: a short incident (``raise_exclude_hours`` or less) that resolves within this long of the
            end of its stream's previous incident counts as recent normal after all: bursts that recur are
            part of the stream's recent past, and stop alarming once they are a share of it (0 = never).
        young_hours: a stream with less history than this (samples seen × step) alarms no lower than the
            extreme-value tail of its history either: a few hours have not seen a whole day's cycle,
            and the tail extrapolates past the highest scores they hold.
        light_tail_shape: a stream whose history's extreme-value tail has a shape γ at most this (0: no
            heavier than exponential) alarms no lower than that tail's level either (``risk``).
        hold_share: an open incident holds while its score is above u + hold_share·(level at opening − u).
    """

    adaptation_hours: float = 720.0
    huber: float = 3.0
    peak_quantile: float = 0.98
    risk: float = 1e-5
    min_peaks: int = 10
    max_peaks: int = 256
    refit_samples: int = 60
    smoothing: int = 3
    slow_smoothing: int = 24
    recovery_seconds: float = 300.0
    horizon_seconds: float = 6 * 3600.0
    warmup_samples: int = 30
    recent_hours: float = 0.25
    min_level: float = 2.0
    level_share: float = 1.25
    level_quantile: float = 0.995
    raise_share: float = 1.5
    raise_quantile: float = 0.99
    raise_hours: float = 24.0
    raise_min_samples: int = 1000
    young_hours: float = 24.0
    raise_refresh_hours: float = 1.0
    raise_exclude_hours: float = 0.5
    raise_keep: int = 16
    raise_forget_hours: float = 2.0
    recur_hours: float = 12.0
    hold_share: float = 0.6
    light_tail_shape: float = 0.0

    @property
    def slow(self) -> EngineConfig | None:
        """The configuration of the slow score stream, or None without one."""
        return replace(self, smoothing=self.slow_smoothing, slow_smoothing=0) if self.slow_smoothing > 0 else None

    def alpha(self, step_seconds: float) -> float:
        """Per-sample weight of the baseline's adaptation at this sampling interval."""
        return min(1.0, step_seconds / (self.adaptation_hours * 3600.0))

    def recent_alpha(self, step_seconds: float) -> float:
        """Per-sample weight of the recent level."""
        return min(1.0, step_seconds / (self.recent_hours * 3600.0))


DEFAULT_CONFIG = EngineConfig()
