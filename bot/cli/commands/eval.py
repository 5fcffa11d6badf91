"""``smartcloudops eval smd|nab``: detection quality on the shared labelled data, beside the baselines.

Prints, per file and as a mean, point-wise P/R/F1, point-adjusted F1, event-wise P/R/F1, alarm
rate and false alarm runs per host-day for the product detector (and, for NAB, NAB's standard-profile
score with one detection per run of alarm rows), IsolationForest (raw features,
200 trees) and uniform random scores, all under the same threshold rule, and random alarms at
the product's own alarm rate.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from domain.errors import InputError

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
NAB_GROUPS = {
    "aws": "realAWSCloudwatch",
    "known": "realKnownCause",
    "adexchange": "realAdExchange",
    "traffic": "realTraffic",
    "tweets": "realTweets",
    "artificial_none": "artificialNoAnomaly",
    "artificial": "artificialWithAnomaly",
}
"""NAB's categories by the short name the tables use; a folder that is absent is skipped."""


def register(sub: Any) -> None:
    """Add the ``eval`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "eval", help="measure detection quality on SMD or NAB against IsolationForest and random"
    )
    p.add_argument("dataset", choices=("smd", "nab"), help="which labelled data set")
    p.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"datasets folder (default {DEFAULT_DATA}); for nab also a NAB checkout (DIR/data, DIR/labels)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--only", action="append", metavar="NAME", help="only files whose name contains NAME")
    p.add_argument(
        "--max-rows",
        type=int,
        metavar="N",
        help="truncate train and test to N rows, N at least 1 (NAB: at least 14; quick checks)",
    )
    p.add_argument(
        "--methods",
        default="product,isolation_forest,random,random_at_rate",
        help="comma-separated methods (default all four; add batch_scorer for the former batch scorer)",
    )
    p.set_defaults(run=run)


class _ProgressBar:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total, self.done, self.out = max(total, 1), 0, out

    def __call__(self, label: str) -> None:
        self.done += 1
        filled = int(30 * self.done / self.total)
        self.out.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} {label[:50]:<50}")
        if self.done >= self.total:
            self.out.write("\n")
        self.out.flush()


def run(args: argparse.Namespace) -> int:
    """Run the evaluation and print the tables."""
    from evaluation.batch import nab_prefix_rows
    from evaluation.dataset_files import (
        read_matrix,
        read_point_labels,
        read_series,
        read_window_labels,
        series_step_seconds,
    )
    from evaluation.quality import METHODS, Case, evaluate

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if not methods:
        raise InputError(f"--methods is empty; give one or more of {', '.join(METHODS)}")
    if args.max_rows is not None and args.max_rows < 1:
        raise InputError(f"--max-rows must be at least 1 (got {args.max_rows})")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise InputError(f"unknown method {unknown[0]!r}; choose from {', '.join(METHODS)}")
    groups: dict[str, list[Case]] = {}
    if args.dataset == "smd":
        root = args.data / "smd"
        names = sorted(p.stem for p in (root / "train").glob("*.txt"))
        cases = []
        for name in names:
            if args.only and not any(o in name for o in args.only):
                continue
            train, test = read_matrix(root / "train" / f"{name}.txt"), read_matrix(root / "test" / f"{name}.txt")
            labels = read_point_labels(root / "test_label" / f"{name}.txt")
            if args.max_rows is not None:
                train, test, labels = train[: args.max_rows], test[: args.max_rows], labels[: args.max_rows]
            cases.append(Case(name=name, train=train, test=test, labels=labels, step_seconds=60.0))
        groups["smd"] = cases
    else:
        root, data = nab_layout(args.data)
        for group, folder in NAB_GROUPS.items():
            cases = []
            for path in sorted((data / folder).glob("*.csv")):
                if args.only and not any(o in path.name for o in args.only):
                    continue
                stamps, values = read_series(path)
                if args.max_rows is not None:
                    stamps, values = stamps[: args.max_rows], values[: args.max_rows]
                labels = read_window_labels(root / "labels" / "combined_windows.json", f"{folder}/{path.name}", stamps)
                prefix = nab_prefix_rows(values.size)
                if prefix < 2:
                    cut = " after --max-rows" if args.max_rows is not None else ""
                    raise InputError(
                        f"{path}: {values.size} rows{cut}; a NAB series needs at least 14 to have a training prefix"
                    )
                x = values.reshape(-1, 1)
                step = series_step_seconds(stamps)
                cases.append(Case(path.stem, x[:prefix], x[prefix:], labels[prefix:], step_seconds=step))
            if cases:
                groups[group] = cases
    total = sum(len(c) for c in groups.values()) * len(methods)
    if total == 0:
        raise InputError(f"no data files found under {root}")
    bar = _ProgressBar(total, sys.stderr)
    tables = {g: evaluate(cases, methods=methods, progress=bar) for g, cases in groups.items()}
    if args.json:
        sys.stdout.write(json.dumps({g: t.as_dict() for g, t in tables.items()}, indent=2) + "\n")
        return 0
    for group, table in tables.items():
        sys.stdout.write(_render(group, table))
    if args.dataset == "nab":
        scored = [m for m in methods if m in ("product", "batch_scorer", "engine")]
        sys.stdout.write("".join(["\n"] + [_nab_line(groups, m) for m in scored]) if scored else "")
    return 0


def nab_layout(data: Path) -> tuple[Path, Path]:
    """Where NAB's labels and category folders are: a NAB checkout (``data/<category>``) or ``DIR/nab``.

    Returns:
        The folder holding ``labels/`` and the folder holding the category folders.
    """
    if (data / "data").is_dir() and (data / "labels").is_dir():
        return data, data / "data"
    return data / "nab", data / "nab"


def _nab_line(groups: dict[str, list[Any]], method: str) -> str:
    """NAB's standard-profile score of ``method``, one detection per run of alarm rows."""
    from evaluation.batch import PRODUCT_RULE
    from evaluation.nab_score import corpus_score, nab_parts
    from evaluation.quality import alarms_for

    parts = {
        group: [nab_parts(c.labels, alarms_for(method, c, rule=PRODUCT_RULE), probation=0) for c in cases]
        for group, cases in groups.items()
    }
    every = [p for group_parts in parts.values() for p in group_parts]
    by_group = ", ".join(f"{g} {corpus_score(p):.1f}" for g, p in parts.items())
    score = corpus_score(every)
    return f"NAB standard profile, {method}, first row of each alarm run counted: {score:.1f} ({by_group})\n"


_COLUMNS = (
    ("P", "precision"),
    ("R", "recall"),
    ("F1", "f1"),
    ("PA-F1", "pa_f1"),
    ("Ev-P", "event_precision"),
    ("Ev-R", "event_recall"),
    ("Ev-F1", "event_f1"),
    ("alarm%", "alarm_rate"),
    ("FA/day", "false_runs_per_day"),
)


def _render(group: str, table: Any) -> str:
    width = max([len(c) for c in table.cases] + [6]) + 2
    head = f"{'file':<{width}}{'method':<18}" + "".join(f"{h:>8}" for h, _ in _COLUMNS)
    lines = [f"\n{group}: {len(table.cases)} files", head, "-" * len(head)]

    def row(name: str, method: str, figures: dict[str, float]) -> str:
        cells = []
        for _, key in _COLUMNS:
            value = figures[key] * (100 if key == "alarm_rate" else 1)
            cells.append(f"{value:>8.2f}" if key in ("alarm_rate", "false_runs_per_day") else f"{value:>8.3f}")
        return f"{name:<{width}}{method:<18}" + "".join(cells)

    for i, name in enumerate(table.cases):
        for method, scores in table.per_case.items():
            lines.append(row(name, method, scores[i].as_dict()))
    lines.append("-" * len(head))
    for method, scores in table.means().items():
        lines.append(row("MEAN", method, scores.as_dict()))
    return "\n".join(lines) + "\n"
