"""``smartcloudops export --since 7d --output metrics.csv``: Prometheus history to a wide CSV."""

from __future__ import annotations

import argparse
import io
import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.errors import InputError

_DEFAULT_METRICS = "cpu,memory,disk,network_in,network_out,load"
MAX_STEP_SECONDS = 86400.0
MAX_POINTS = 200_000
"""At most this many samples per series: 31 days every 14 s."""


def register(sub: Any) -> None:
    """Add the ``export`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "export",
        help="write Prometheus history to CSV (one column per metric per host, UTC timestamps)",
        description="The CSV is what `smartcloudops train --file` reads; columns are <metric>@<instance>.",
    )
    p.add_argument("--since", default="7d", help="how far back, e.g. 6h, 7d (default 7d, at most 31d)")
    p.add_argument("--output", type=Path, required=True, help="CSV file to write")
    p.add_argument(
        "--step",
        type=float,
        default=60.0,
        help=f"seconds between samples (default 60; at least 1, at most {MAX_STEP_SECONDS:.0f}, "
        f"and at most {MAX_POINTS:,} samples per series)",
    )
    p.add_argument("--metrics", default=_DEFAULT_METRICS, help=f"comma-separated metrics (default {_DEFAULT_METRICS})")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read the history in chunks (so Prometheus never widens the step) and write the CSV atomically.

    Every argument, the output path included, is checked before any history is read.
    """
    from adapters.files.atomic import check_output_file, write_atomically
    from adapters.files.metrics_csv import write_wide_csv
    from bot.cli.commands.config import load_settings
    from bot.cli.history import read_history
    from bot.wiring import build_metrics
    from domain.durations import parse_duration
    from domain.models import MetricKind

    settings = load_settings()
    span = parse_duration(args.since)
    if span > timedelta(days=31) or not (math.isfinite(args.step) and args.step > 0):
        raise InputError("--since must be at most 31d and --step positive")
    if not 1 <= args.step <= MAX_STEP_SECONDS:
        raise InputError(f"--step must be between 1 and {MAX_STEP_SECONDS:.0f} seconds (got {args.step:g})")
    points = span.total_seconds() / args.step
    if points > MAX_POINTS:
        raise InputError(
            f"--since {args.since} at --step {args.step:g} is {points:,.0f} samples per series, more than "
            f"{MAX_POINTS:,}: use a larger --step (at least {math.ceil(span.total_seconds() / MAX_POINTS)})"
        )
    known = {m.value: m for m in MetricKind}
    names = [m.strip() for m in args.metrics.split(",") if m.strip()]
    unknown = [m for m in names if m not in known]
    if unknown or not names:
        raise InputError(
            f"--metrics: unknown metric {', '.join(map(repr, unknown)) or '(none given)'}; use {', '.join(known)}"
        )
    check_output_file(args.output)
    kinds = [known[m] for m in names]
    metrics = build_metrics(settings)
    until = datetime.now(UTC).replace(second=0, microsecond=0)
    since = until - span
    series = read_history(metrics, kinds, since=since, until=until, step_seconds=args.step)
    text = io.StringIO(newline="")
    rows = write_wide_csv(series, text)
    write_atomically(args.output, (text.getvalue().encode("utf-8"),))
    columns = len({(s.metric, s.host.instance) for s in series})
    sys.stdout.write(
        f"wrote {args.output}: {rows} rows × {columns} columns ({since:%Y-%m-%d %H:%M} – {until:%H:%M} UTC)\n"
    )
    return 0
