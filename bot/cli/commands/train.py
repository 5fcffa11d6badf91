"""``smartcloudops train``: fit the live detection model on history and save it with its manifest.

History comes from Prometheus (``SCO_PROMETHEUS__URL``) over the last ``--hours``, or from a CSV
file (``timestamp,instance,metric,value``; timestamps in epoch seconds or ISO 8601).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.errors import ConfigError, InputError


def register(sub: Any) -> None:
    """Add the ``train`` subcommand."""
    # Only light modules here: every CLI call registers every subcommand, and the model
    # file's module pulls in scikit-learn.
    from bot.config.settings import DetectionSettings
    from detectors.model.fleet_model import FEATURES

    default_path = DetectionSettings().model_path

    p: argparse.ArgumentParser = sub.add_parser(
        "train",
        help="fit the anomaly model on metric history and save it (with a sha256 manifest)",
        description=f"Features: {', '.join(FEATURES)}. Each host with enough history gets its own baseline; "
        "new hosts are judged against the fleet's.",
    )
    p.add_argument(
        "--file",
        "--input",
        dest="file",
        type=Path,
        help="history CSV instead of Prometheus: `smartcloudops export` output, or timestamp,instance,metric,value",
    )
    p.add_argument("--hours", type=float, default=24.0, help="Prometheus history to learn from (default 24)")
    p.add_argument(
        "--end",
        type=datetime.fromisoformat,
        help="end of the Prometheus history, ISO 8601 (default now); pick a quiet period before incidents",
    )
    p.add_argument("--step", type=float, default=60.0, help="seconds between samples (default 60)")
    p.add_argument("--output", type=Path, default=default_path, help=f"model file (default {default_path})")
    p.set_defaults(run=run)


def _read_history(path: Path, features: tuple[str, ...]) -> list[Any]:
    from adapters.files.metrics_csv import TIME_COLUMN, read_wide_csv
    from domain.models import HostRef, MetricKind, Series

    try:
        with path.open(encoding="utf-8") as probe:
            first = probe.readline()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if first.startswith(f"{TIME_COLUMN},") and "@" in first:
        return [s for s in read_wide_csv(path) if s.metric.value in features]

    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"timestamp", "instance", "metric", "value"} <= set(reader.fieldnames):
                raise InputError(f"{path}:1: expected the header timestamp,instance,metric,value")
            for n, row in enumerate(reader, start=2):
                if row["metric"] not in features:
                    continue
                try:
                    stamp = row["timestamp"]
                    t = (
                        float(stamp)
                        if stamp.replace(".", "", 1).isdigit()
                        else datetime.fromisoformat(stamp).timestamp()
                    )
                    points[(row["instance"], row["metric"])].append((t, float(row["value"])))
                except (TypeError, ValueError) as exc:
                    raise InputError(f"{path}:{n}: bad timestamp or value ({exc})") from exc
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    out = []
    for (instance, metric), pts in points.items():
        pts.sort()
        out.append(
            Series(HostRef(instance=instance), MetricKind(metric), tuple(t for t, _ in pts), tuple(v for _, v in pts))
        )
    return out


def run(args: argparse.Namespace) -> int:
    """Fit and save the model; prints the manifest."""
    from adapters.files.model_file import save_model
    from detectors.model.fleet_model import FEATURES
    from detectors.model.training import fit_from_series
    from domain.models import MetricKind

    if args.step <= 0 or args.hours <= 0:
        raise InputError("--hours and --step must be positive")
    if args.file is not None:
        series = _read_history(args.file, FEATURES)
        stamps = [t for s in series for t in s.timestamps]
        if not stamps:
            raise InputError(f"{args.file}: no rows for the features {', '.join(FEATURES)}")
        start, end = min(stamps), max(stamps)
    else:
        from bot.cli.commands.config import load_settings
        from bot.cli.history import read_history
        from bot.wiring import build_metrics

        settings = load_settings()
        if settings.prometheus.url is None:
            raise ConfigError("set SCO_PROMETHEUS__URL or pass --file to train on recorded history")
        until = args.end or datetime.now(UTC).replace(microsecond=0)
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        since = until - timedelta(hours=args.hours)
        kinds = [MetricKind(feature) for feature in FEATURES]
        series = read_history(build_metrics(settings), kinds, since=since, until=until, step_seconds=args.step)
        start, end = since.timestamp(), until.timestamp()
    try:
        model = fit_from_series(series, FEATURES, start=start, end=end, step=args.step)
    except ValueError as exc:
        raise InputError(f"cannot train: {exc}") from exc
    manifest = save_model(model, args.output)
    sys.stdout.write(json.dumps(manifest, indent=2) + "\n")
    sys.stdout.write(f"saved {args.output} ({len(model.hosts)} hosts with their own baseline)\n")
    return 0
