"""``smartcloudops detect batch``: alarms for recorded data, one row per input row.

The output file (``index,score,alarm,severity``) is written through a temporary file and a
rename, so a failed run leaves nothing half-written. Labels are never read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from domain.errors import InputError


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


def run(args: argparse.Namespace) -> int:
    """Detect and write the alarm file."""
    from evaluation.batch import detect_series, detect_train_test
    from evaluation.dataset_files import read_matrix, read_series, series_step_seconds, write_atomically

    if args.format == "smd":
        if args.train is None or args.test is None:
            raise InputError("--format smd needs --train and --test")
        train, test = read_matrix(args.train), read_matrix(args.test)
        if train.shape[1] != test.shape[1]:
            raise InputError(f"{args.train} has {train.shape[1]} columns but {args.test} has {test.shape[1]}")
        rows = detect_train_test(train, test, step_seconds=args.step_seconds)
    else:
        if args.input is None:
            raise InputError("--format nab needs --input")
        stamps, values = read_series(args.input)
        step = series_step_seconds(stamps)
        try:
            rows = detect_series(values, step_seconds=step)
        except ValueError as exc:
            raise InputError(f"{args.input}: {exc}") from exc
    write_atomically(args.output, rows.csv_lines())
    return 0
