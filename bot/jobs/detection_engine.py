"""The live detection engine built from settings: its knobs, its trend projection, and the feed the job runs."""

from __future__ import annotations

from functools import partial

from adapters.files.engine_snapshot import read_snapshot
from bot.config.settings import DetectionSettings
from detectors.engine.config import EngineConfig
from detectors.engine.feed import LiveFeed
from detectors.engine.fleet import FleetEngine
from detectors.engine.trend import TrendConfig
from domain.ports import MetricsSource


def engine_config(settings: DetectionSettings) -> EngineConfig:
    """The detection engine's knobs, from settings."""
    return EngineConfig(
        recovery_seconds=60 * settings.recovery_minutes, horizon_seconds=3600 * settings.level_shift_hours
    )


def trend_config(settings: DetectionSettings) -> TrendConfig:
    """The memory-leak and disk-fill projection, from settings."""
    return TrendConfig(horizon_hours=settings.trend_horizon_hours)


def build_live_feed(settings: DetectionSettings, metrics: MetricsSource) -> LiveFeed:
    """The engine the detection job feeds: resumed from ``snapshot_path`` when it is sound, else bootstrapped.

    The snapshot is read at the first cycle, so commands that never detect never read it.
    """
    return LiveFeed(
        metrics,
        engine=live_engine(settings),
        bootstrap_hours=settings.bootstrap_hours,
        bootstrap_budget=settings.bootstrap_points,
        restore=partial(read_snapshot, settings.snapshot_path),
    )


def live_engine(settings: DetectionSettings) -> FleetEngine:
    """An empty engine with the knobs of the live one (what the feed, ``train`` and ``detect replay`` fit)."""
    return FleetEngine(engine_config(settings), trend_config(settings))
