"""Keeping the saved detection state fresh: the scheduled retrain, and the reload of an earlier baseline model.

``RetrainJob`` writes the same snapshot ``smartcloudops train`` does: the live engine's state when
it has run (it has seen the most history), else an engine bootstrapped on the last ``hours``.
``ModelReload`` swaps in the earlier per-host baseline model when its file changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import structlog

from detectors.service import DetectionService
from domain.ports import MetricsSource

log = structlog.get_logger(__name__)


@dataclass
class ModelReload:
    """Swaps in the detection model when its file changes (another replica's retrain, or a deploy).

    The manifest is written after the model, so its modification time marks a complete pair; a
    pair that does not verify (caught between the two writes) is tried again next cycle.

    Args:
        detection: the service whose model is replaced.
        path: the model file.
    """

    detection: DetectionService
    path: Path
    seen: float | None = None

    def __post_init__(self) -> None:
        self.seen = self._mtime()

    def _mtime(self) -> float | None:
        manifest = self.path.with_name(self.path.stem + ".manifest.json")
        try:
            return manifest.stat().st_mtime
        except OSError:
            return None

    def __call__(self) -> bool:
        """Reload if the file changed; True when a new model was installed."""
        mtime = self._mtime()
        if mtime is None or mtime == self.seen:
            return False
        from adapters.files.model_file import ModelFileError, load_model

        try:
            model = load_model(self.path)
        except ModelFileError as exc:
            log.warning("model_reload_refused", path=str(self.path), error=str(exc))
            return False
        self.detection.model = model
        self.seen = mtime
        log.info("model_reloaded", path=str(self.path), hosts=len(model.hosts))
        return True


@dataclass
class RetrainJob:
    """Saves a snapshot of the detection engine's state, for the next start-up to resume.

    Args:
        metrics: where history comes from when the live engine has not run yet.
        detection: the service whose live engine is snapshotted.
        path: the snapshot file.
        hours: history to bootstrap on when there is no live state.
    """

    metrics: MetricsSource
    detection: DetectionService
    path: Path
    hours: float = 24.0

    def __call__(self, now: datetime) -> None:
        """Snapshot the engine and write the file with its manifest.

        Raises:
            MetricsUnavailable: there was no live state and history could not be read.
            InputError: there was nothing to snapshot, or the file could not be written.
        """
        from adapters.files.engine_snapshot import save_snapshot
        from detectors.engine.fleet import FleetEngine
        from detectors.engine.history import bootstrap
        from detectors.engine.snapshot import encode
        from domain.errors import InputError

        feed = self.detection.feed
        if feed is None:
            raise InputError("cannot snapshot the detection engine: detection runs without it")
        payload, source = feed.snapshot(), "live"
        if payload is None:
            engine = FleetEngine(feed.engine.config, feed.engine.trend_config, step_seconds=feed.step_seconds)
            start, end = (now - timedelta(hours=self.hours)).timestamp(), now.timestamp()
            fitted = bootstrap(
                engine,
                self.metrics,
                start=start,
                end=end,
                signals=feed.signals,
                budget=feed.bootstrap_budget,
            )
            if not fitted:
                raise InputError("cannot snapshot the detection engine: no host has history yet")
            payload, source = encode(engine, covered_from=start, covered_until=end), "history"
        manifest = save_snapshot(self.path, payload, created_at=now)
        log.info(
            "engine_snapshot_saved",
            path=str(self.path),
            source=source,
            lanes=manifest["lanes"],
            hosts=manifest["hosts"],
        )
