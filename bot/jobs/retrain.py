"""Keeping the detection model fresh: the daily retrain job, and the reload every replica does when the file changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import structlog

from detectors.service import DetectionService
from domain.models import MetricKind
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
    """Fits the detection model on the last ``hours`` of history, saves it and swaps it in.

    Args:
        metrics: where history comes from.
        detection: the service whose model is replaced.
        path: the model file.
        hours: history to learn from.
        step_seconds: seconds between samples.
    """

    metrics: MetricsSource
    detection: DetectionService
    path: Path
    hours: float = 24.0
    step_seconds: float = 60.0
    chunk_points: int = 600

    def __call__(self, now: datetime) -> None:
        """Train and install the new model.

        Raises:
            MetricsUnavailable: history could not be read.
            InputError: there was nothing to learn from.
        """
        from adapters.files.model_file import save_model
        from detectors.model.fleet_model import FEATURES
        from detectors.model.training import fit_from_series
        from domain.errors import InputError

        start = now - timedelta(hours=self.hours)
        chunk = timedelta(seconds=self.step_seconds * self.chunk_points)
        series = []
        for feature in FEATURES:
            lo = start
            while lo < now:
                hi = min(lo + chunk, now)
                first = lo if lo == start else lo + timedelta(seconds=self.step_seconds)
                series += self.metrics.range(
                    MetricKind(feature), None, start=first, end=hi, step_seconds=self.step_seconds
                )
                lo = hi
        try:
            model = fit_from_series(
                series, FEATURES, start=start.timestamp(), end=now.timestamp(), step=self.step_seconds
            )
        except ValueError as exc:
            raise InputError(f"cannot retrain: {exc}") from exc
        save_model(model, self.path)
        self.detection.model = model
        log.info("model_retrained", path=str(self.path), hosts=len(model.hosts), hours=self.hours)
