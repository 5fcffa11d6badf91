"""The engine's knobs, one configuration for every host, signal and file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineConfig:
    """How the engine adapts, when it alarms and how incidents end.

    Args:
        adaptation_hours: time constant of the baseline's slow causal adaptation (frozen during incidents).
        huber: deviations are clipped at this many spreads before they move the baseline.
        peak_quantile: quantile of the score history above which scores count as peaks (POT level u).
        risk: per-sample probability, on normal data, of a score above the alarm level (the GPD quantile).
        min_peaks: fewest peaks needed for the extreme-value fit (below that the level is u + 3).
        max_peaks: the most recent peaks kept per stream.
        refit_samples: samples between refits of the extreme-value tail.
        smoothing: rows in the trailing mean of scores.
        recovery_seconds: an incident resolves once its score has stayed under u this long.
        horizon_seconds: an incident still open after this long is accepted as the new normal, with a note.
        warmup_samples: a stream with fewer samples never alarms (new hosts start from the fleet prior).
        recent_hours: time constant of the recent level a baseline takes when a level shift is accepted.
        min_level: the lowest alarm level, in spreads: a deviation within this many spreads of the baseline
            is never an incident, however narrow the fitted tail of a smooth, bounded signal is.
    """

    adaptation_hours: float = 24.0
    huber: float = 3.0
    peak_quantile: float = 0.98
    risk: float = 1e-4
    min_peaks: int = 10
    max_peaks: int = 256
    refit_samples: int = 60
    smoothing: int = 3
    recovery_seconds: float = 300.0
    horizon_seconds: float = 6 * 3600.0
    warmup_samples: int = 30
    recent_hours: float = 0.25
    min_level: float = 3.0

    def alpha(self, step_seconds: float) -> float:
        """Per-sample weight of the baseline's adaptation at this sampling interval."""
        return min(1.0, step_seconds / (self.adaptation_hours * 3600.0))

    def recent_alpha(self, step_seconds: float) -> float:
        """Per-sample weight of the recent level."""
        return min(1.0, step_seconds / (self.recent_hours * 3600.0))


DEFAULT_CONFIG = EngineConfig()
