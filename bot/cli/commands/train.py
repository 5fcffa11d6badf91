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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.errors import ConfigError, InputError

MAX_HOURS = 2160.0
"""The longest history ``train`` fits on: 90 days, as ``SCO_DETECTION__BOOTSTRAP_HOURS`` allows."""
MIN_SECONDS = 600.0
"""The shortest history ``train`` fits on: 10 minutes (a day or more is what it is for)."""
MAX_STEP = 3600.0
MAX_POINTS = 129_600
"""At most this many samples per series: 90 days every minute."""


def register(sub: Any) -> None:
    """Add the ``train`` subcommand."""
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
    p.add_argument(
        "--hours",
        type=float,
        default=24.0,
        help=f"Prometheus history to fit on (default 24; at least {MIN_SECONDS / 60:g} minutes, at most "
        f"{MAX_HOURS:g} = {MAX_HOURS / 24:g} days; a --file may span no more)",
    )
    p.add_argument(
        "--end",
        type=datetime.fromisoformat,
        help="end of the Prometheus history, ISO 8601 (default now); pick a quiet period before incidents",
    )
    p.add_argument(
        "--step",
        type=float,
        default=60.0,
        help=f"seconds between Prometheus history samples (default 60; 1 to {MAX_STEP:g}, and at most "
        f"{MAX_POINTS:,} samples per series); a --file's own interval is used instead",
    )
    p.add_argument(
        "--output",
        type=Path,
        help="snapshot file (default SCO_DETECTION__SNAPSHOT_PATH, where `serve` looks; its folder is created "
        "if missing)",
    )
    p.set_defaults(run=run)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")


def run(args: argparse.Namespace) -> int:
    """Fit the engine on history and save its snapshot; prints the manifest."""
    from adapters.files.atomic import check_output_file
    from adapters.files.engine_snapshot import save_snapshot
    from bot.cli.commands.config import load_settings
    from bot.jobs.detection_engine import live_engine
    from detectors.engine.history import SIGNALS, bootstrap, bootstrap_series
    from detectors.engine.snapshot import encode

    _check_arguments(args)
    settings = load_settings()
    output: Path = args.output if args.output is not None else settings.detection.snapshot_path
    check_output_file(output, create_folder=True)
    engine = live_engine(settings.detection)
    if args.file is not None:
        from adapters.files.metrics_csv import read_history_csv

        read = read_history_csv(args.file, max_span_seconds=MAX_HOURS * 3600)
        series = [s for s in read if s.metric in SIGNALS]
        stamps = [t for s in series for t in s.timestamps]
        if not stamps:
            raise InputError(f"{args.file}: no rows for the signals {', '.join(s.value for s in SIGNALS)}")
        start, end = min(stamps), max(stamps)
        if end - start < MIN_SECONDS:
            raise InputError(
                f"{args.file}: too little history ({end - start:g} s from the first row to the last); "
                f"train needs at least {MIN_SECONDS / 60:g} minutes, a day or more is best"
            )
        # The file's own sampling interval wins over --step.
        gaps = sorted(b - a for s in series for a, b in itertools.pairwise(s.timestamps) if b > a)
        step = gaps[len(gaps) // 2] if gaps else args.step
        if (end - start) / step > MAX_POINTS:
            raise InputError(
                f"{args.file}: samples every {step:g} s over {(end - start) / 3600:g} h are more than "
                f"{MAX_POINTS:,} per series: resample the file more coarsely or shorten it"
            )
        hosts = bootstrap_series(engine, series, start=start, end=end, step=step)
    else:
        from bot.wiring import build_metrics

        if settings.prometheus.url is None:
            raise ConfigError("set SCO_PROMETHEUS__URL or pass --file to train on recorded history")
        until = args.end or datetime.now(UTC).replace(microsecond=0)
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        end = until.timestamp()
        start = end - args.hours * 3600
        if start < 0:
            raise InputError(f"--end {until.isoformat()} minus --hours {args.hours:g} is before 1970")
        hosts = bootstrap(engine, build_metrics(settings), start=start, end=end, step=args.step, progress=_say)
    if hosts == 0:
        raise InputError("no host has history in that period: nothing to snapshot")
    manifest = save_snapshot(
        output, encode(engine, covered_from=start, covered_until=end), created_at=datetime.now(UTC)
    )
    sys.stdout.write(json.dumps(manifest, indent=2) + "\n")
    sys.stdout.write(f"saved {output}: {manifest['lanes']} lanes on {hosts} hosts; `serve` resumes it at start-up\n")
    return 0


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse --hours and --step that no history could satisfy, before anything is read.

    Raises:
        InputError: naming the option and its bounds.
    """
    if not (math.isfinite(args.step) and args.step > 0 and math.isfinite(args.hours) and args.hours > 0):
        raise InputError("--hours and --step must be positive numbers")
    if not MIN_SECONDS / 3600 <= args.hours <= MAX_HOURS:
        raise InputError(
            f"--hours must be between {MIN_SECONDS / 3600:.2f} ({MIN_SECONDS / 60:g} minutes) and "
            f"{MAX_HOURS:g} ({MAX_HOURS / 24:g} days) (got {args.hours:g})"
        )
    if not 1 <= args.step <= MAX_STEP:
        raise InputError(f"--step must be between 1 and {MAX_STEP:g} seconds (got {args.step:g})")
    if args.file is None and args.hours * 3600 / args.step > MAX_POINTS:
        raise InputError(
            f"--hours {args.hours:g} at --step {args.step:g} is more than {MAX_POINTS:,} samples per series: "
            f"use --step {math.ceil(args.hours * 3600 / MAX_POINTS)} or more"
        )
    if args.end is not None:
        end = args.end if args.end.tzinfo is not None else args.end.replace(tzinfo=UTC)
        if end.timestamp() - args.hours * 3600 < 0:
            raise InputError(f"--end {args.end.isoformat()} minus --hours {args.hours:g} is before 1970")
