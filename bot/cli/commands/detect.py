"""``smartcloudops detect batch|replay``: the streaming engine over recorded data or a past period of Prometheus.

``batch`` writes ``index,score,alarm,severity``, one row per input row, through a temporary
file and a rename, so a failed run leaves nothing half-written; labels are never read.
``replay`` bootstraps the engine from the history before ``--start``, then feeds it minute by
minute up to ``--end`` exactly as the live job would, and writes one JSON line per incident (a
disk incident's line also names its ``mountpoint``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.durations import format_duration
from domain.errors import InputError
from domain.time_expressions import MAX_WINDOW

_REPLAY_CHUNK_SECONDS = 6 * 3600.0
MAX_MAGNITUDE = 1e100
"""Input values further from zero are refused: the engine's squares and sums of them would overflow."""


def register(sub: Any) -> None:
    """Add the ``detect`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("detect", help="detect anomalies in recorded data")
    modes = p.add_subparsers(dest="detect_mode", required=True, metavar="MODE")
    b: argparse.ArgumentParser = modes.add_parser(
        "batch",
        help="write an alarm file for an SMD train/test pair or a NAB series",
        description=(
            "SMD: --format smd --train TRAIN.txt --test TEST.txt (headerless, comma-separated, same columns). "
            "NAB: --format nab --input SERIES.csv (timestamp,value; the first min(15%, 750) rows train). "
            "Writes index,score,alarm,severity, one row per test row."
        ),
    )
    b.add_argument("--format", required=True, choices=("smd", "nab"), help="input format")
    b.add_argument("--train", type=Path, help="SMD training rows")
    b.add_argument("--test", type=Path, help="SMD test rows (one alarm row each)")
    b.add_argument("--input", type=Path, help="NAB series CSV")
    b.add_argument("--output", type=Path, required=True, help="alarm CSV to write")
    b.add_argument("--step-seconds", type=float, default=60.0, help="SMD row interval (default 60)")
    b.set_defaults(run=run)
    r: argparse.ArgumentParser = modes.add_parser(
        "replay",
        help="run the live engine over a past period of the configured Prometheus",
        description=(
            "Bootstraps from the history before --start (SCO_DETECTION__BOOTSTRAP_HOURS), then runs minute by "
            "minute to --end, causally, and writes one JSON line per incident."
        ),
    )
    r.add_argument("--start", required=True, help="ISO 8601 start, e.g. 2026-12-01T00:00:00Z")
    r.add_argument("--end", required=True, help="ISO 8601 end, at most 31 days after --start")
    r.add_argument("--step", type=float, default=60.0, help="seconds between samples (default 60)")
    r.add_argument("--output", type=Path, help="JSON lines file to write (default stdout)")
    r.set_defaults(run=run_replay)


def run(args: argparse.Namespace) -> int:
    """Detect and write the alarm file."""
    from adapters.files.atomic import check_output_file, write_lines_atomically
    from evaluation.batch import detect_series, detect_train_test
    from evaluation.dataset_files import read_matrix, read_series, series_step_seconds

    check_output_file(args.output)
    if args.format == "smd":
        if not (math.isfinite(args.step_seconds) and args.step_seconds > 0):
            raise InputError(f"--step-seconds must be a positive number of seconds (got {args.step_seconds})")
        if args.train is None or args.test is None:
            raise InputError("--format smd needs --train and --test")
        train, test = read_matrix(args.train), read_matrix(args.test)
        _check_magnitude(args.train, train)
        _check_magnitude(args.test, test)
        if train.shape[1] != test.shape[1]:
            raise InputError(f"{args.train} has {train.shape[1]} columns but {args.test} has {test.shape[1]}")
        rows = detect_train_test(train, test, step_seconds=args.step_seconds)
    else:
        if args.input is None:
            raise InputError("--format nab needs --input")
        stamps, values = read_series(args.input)
        _check_magnitude(args.input, values)
        step = series_step_seconds(stamps)
        try:
            rows = detect_series(values, step_seconds=step)
        except ValueError as exc:
            raise InputError(f"{args.input}: {exc}") from exc
    write_lines_atomically(args.output, rows.csv_lines())
    return 0


def _check_magnitude(path: Path, values: Any) -> None:
    """Refuse values so large that the engine's float arithmetic (squares, sums) would overflow.

    Raises:
        InputError: naming the first such row (as the output's ``index`` column counts them).
    """
    import numpy as np

    data = np.asarray(values, dtype=np.float64)
    data = data.reshape(data.shape[0], -1)
    with np.errstate(invalid="ignore"):
        beyond = np.abs(np.where(np.isfinite(data), data, 0.0)) > MAX_MAGNITUDE
    rows = np.flatnonzero(beyond.any(axis=1))
    if rows.size:
        row = int(rows[0])
        value = float(data[row][beyond[row]][0])
        raise InputError(
            f"{path}: row {row} has the value {value:.3g}, beyond ±{MAX_MAGNITUDE:.0e}, too large to score "
            f"({rows.size} such rows); rescale the data"
        )


def parse_instant(text: str, *, what: str) -> datetime:
    """An ISO 8601 time (``Z`` or an offset; naive means UTC).

    Raises:
        InputError: the text is not such a time.
    """
    try:
        stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"{what} {text!r} is not an ISO 8601 time such as 2026-12-01T00:00:00Z") from exc
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def run_replay(args: argparse.Namespace) -> int:
    """Replay a past period through the engine and write the incidents."""
    start = parse_instant(args.start, what="--start")
    end = parse_instant(args.end, what="--end")
    if end <= start:
        raise InputError("--end must be after --start")
    if start.timestamp() < 0:
        raise InputError(f"--start {args.start!r} is before 1970: there is no metrics history that old")
    if end - start > MAX_WINDOW:
        raise InputError(
            f"--start to --end is {format_duration(end - start)}, more than {format_duration(MAX_WINDOW)}: "
            "replay a shorter period (or several)"
        )
    if not (math.isfinite(args.step) and 1 <= args.step <= 3600):
        raise InputError(f"--step must be between 1 and 3600 seconds (got {args.step})")
    if args.output is not None:
        from adapters.files.atomic import check_output_file

        check_output_file(args.output)
    from bot.cli.commands.config import load_settings
    from bot.jobs.detection_engine import engine_config, trend_config
    from bot.wiring import build_metrics
    from detectors.engine.feed import advance
    from detectors.engine.fleet import FleetEngine
    from detectors.engine.history import bootstrap

    settings = load_settings()
    metrics = build_metrics(settings)
    step = float(args.step)
    engine = FleetEngine(engine_config(settings.detection), trend_config(settings.detection), step_seconds=step)
    t0, t1 = start.timestamp(), end.timestamp()
    sys.stderr.write("bootstrapping from history before --start...\n")
    hosts = bootstrap(
        engine,
        metrics,
        start=t0 - settings.detection.bootstrap_hours * 3600,
        end=t0 - step,
        budget=settings.detection.bootstrap_points,
        progress=_bootstrap_line,
    )
    if hosts == 0:
        sys.stderr.write(
            f"no host has history in the {settings.detection.bootstrap_hours:g} h before --start: "
            "hosts are judged against the fleet prior until they have some\n"
        )
    sys.stderr.write(f"bootstrapped {hosts} hosts; replaying...\n")
    incidents: dict[tuple[str, str, str, float, str], dict[str, object]] = {}
    chunk = max(step, math.floor(_REPLAY_CHUNK_SECONDS / step) * step)
    position = t0
    while position <= t1:
        last = min(t1, position + chunk - step)
        for event in advance(engine, metrics, start=position, end=last, step=step):
            i = event.incident
            incidents[(i.host.instance, i.signal.value, i.kind.value, i.opened_at, i.mountpoint or "")] = i.record()
        _progress(position=last, start=t0, end=t1)
        position = last + step
    sys.stderr.write("\n")
    if not engine.keys:
        raise InputError(
            f"no host reported between --start {start:%Y-%m-%dT%H:%M:%SZ} and --end {end:%Y-%m-%dT%H:%M:%SZ} "
            "or in the history before it: nothing was replayed, nothing is written"
        )
    for i in engine.open_incidents():
        incidents[(i.host.instance, i.signal.value, i.kind.value, i.opened_at, i.mountpoint or "")] = i.record()
    lines = [json.dumps(r) for _, r in sorted(incidents.items(), key=lambda kv: (kv[0][3], kv[0][0], kv[0][1]))]
    if args.output is None:
        sys.stdout.write("".join(line + "\n" for line in lines))
    else:
        from adapters.files.atomic import write_lines_atomically

        write_lines_atomically(args.output, lines)
    return 0


def _bootstrap_line(line: str) -> None:
    sys.stderr.write(f"  {line}\n")


def _progress(*, position: float, start: float, end: float) -> None:
    share = 1.0 if end <= start else min(1.0, (position - start) / (end - start))
    filled = int(30 * share)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {100 * share:5.1f}% replayed")
    sys.stderr.flush()
