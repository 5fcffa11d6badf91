"""``smartcloudops train``: snapshot the detection engine's state, fitted on history, with its sha256 manifest.

The engine needs no training to detect sensibly (it bootstraps from Prometheus at start-up); a
snapshot lets ``serve`` start from a state fitted on a chosen period (a quiet week, say) and
read only the hours since. History comes from Prometheus (``SCO_PROMETHEUS__URL``) over the last
``--hours``, or from a CSV file (``timestamp,instance,metric,value[,mountpoint]``; timestamps in
epoch seconds or ISO 8601).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.errors import ConfigError, InputError


def register(sub: Any) -> None:
    """Add the ``train`` subcommand."""
    from bot.config.settings import DetectionSettings

    default_path = DetectionSettings().snapshot_path

    p: argparse.ArgumentParser = sub.add_parser(
        "train",
        help="snapshot the detection engine's state fitted on history (with a sha256 manifest) for `serve` to resume",
        description="Bootstraps the detection engine on history, as `serve` does at start-up, and saves its "
        "state: baselines, spreads and alarm levels of every host × signal (and filesystem), with a manifest "
        "holding its format version and sha256. `serve` resumes it when present (SCO_DETECTION__SNAPSHOT_PATH), "
        "bootstrapping only the hosts it lacks and reading only the hours since its end; a changed, foreign or "
        "outdated file is refused and the engine bootstraps from Prometheus instead. Hosts without history "
        "start from the fleet's median.",
    )
    p.add_argument(
        "--file",
        "--input",
        dest="file",
        type=Path,
        help="history CSV instead of Prometheus: `smartcloudops export` output, or "
        "timestamp,instance,metric,value[,mountpoint]",
    )
    p.add_argument("--hours", type=float, default=24.0, help="Prometheus history to fit on (default 24)")
    p.add_argument(
        "--end",
        type=datetime.fromisoformat,
        help="end of the Prometheus history, ISO 8601 (default now); pick a quiet period before incidents",
    )
    p.add_argument("--step", type=float, default=60.0, help="seconds between history samples (default 60)")
    p.add_argument("--output", type=Path, default=default_path, help=f"snapshot file (default {default_path})")
    p.set_defaults(run=run)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")


def run(args: argparse.Namespace) -> int:
    """Fit the engine on history and save its snapshot; prints the manifest."""
    from adapters.files.engine_snapshot import save_snapshot
    from bot.cli.commands.config import load_settings
    from bot.jobs.detection_engine import live_engine
    from detectors.engine.history import SIGNALS, bootstrap, bootstrap_series
    from detectors.engine.snapshot import encode

    if not (math.isfinite(args.step) and args.step > 0 and math.isfinite(args.hours) and args.hours > 0):
        raise InputError("--hours and --step must be positive numbers")
    settings = load_settings()
    engine = live_engine(settings.detection)
    if args.file is not None:
        from adapters.files.metrics_csv import read_history_csv

        series = [s for s in read_history_csv(args.file) if s.metric in SIGNALS]
        stamps = [t for s in series for t in s.timestamps]
        if not stamps:
            raise InputError(f"{args.file}: no rows for the signals {', '.join(s.value for s in SIGNALS)}")
        start, end = min(stamps), max(stamps)
        # The file's own sampling interval wins over --step.
        gaps = sorted(b - a for s in series for a, b in itertools.pairwise(s.timestamps) if b > a)
        step = gaps[len(gaps) // 2] if gaps else args.step
        hosts = bootstrap_series(engine, series, start=start, end=end, step=step)
    else:
        from bot.wiring import build_metrics

        if settings.prometheus.url is None:
            raise ConfigError("set SCO_PROMETHEUS__URL or pass --file to train on recorded history")
        until = args.end or datetime.now(UTC).replace(microsecond=0)
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        start, end = (until - timedelta(hours=args.hours)).timestamp(), until.timestamp()
        hosts = bootstrap(engine, build_metrics(settings), start=start, end=end, step=args.step, progress=_say)
    if hosts == 0:
        raise InputError("no host has history in that period: nothing to snapshot")
    manifest = save_snapshot(
        args.output, encode(engine, covered_from=start, covered_until=end), created_at=datetime.now(UTC)
    )
    sys.stdout.write(json.dumps(manifest, indent=2) + "\n")
    sys.stdout.write(
        f"saved {args.output}: {manifest['lanes']} lanes on {hosts} hosts; `serve` resumes it at start-up\n"
    )
    return 0
