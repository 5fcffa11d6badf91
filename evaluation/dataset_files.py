"""Readers for recorded metric files (SMD matrices, NAB series and labels) and the atomic alarm-file writer.

Files are read as UTF-8, with or without a byte-order mark.

Every reader validates what it reads and raises ``InputError`` with the file and line at fault.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from domain.errors import InputError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from exc
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError(f"{path}: file is empty")
    return lines


def _number(cell: str, *, path: Path, line_no: int) -> float:
    try:
        value = float(cell)
    except ValueError as exc:
        raise InputError(f"{path}:{line_no}: {cell.strip()!r} is not a number") from exc
    if not math.isfinite(value):
        raise InputError(f"{path}:{line_no}: value {cell.strip()!r} is not finite")
    return value


def read_matrix(path: Path) -> FloatArray:
    """A headerless comma-separated matrix of finite numbers (one row per time step), as in SMD.

    Raises:
        InputError: the file is missing or empty, a row is ragged, or a value is not a finite number.
    """
    lines = _lines(path)
    width = len(lines[0].split(","))
    rows: list[list[float]] = []
    for n, line in enumerate(lines, start=1):
        cells = line.split(",")
        if len(cells) != width:
            raise InputError(f"{path}:{n}: {len(cells)} columns where the first row has {width}")
        rows.append([_number(c, path=path, line_no=n) for c in cells])
    return np.asarray(rows, dtype=np.float64)


def _timestamp(text: str, *, path: Path, line_no: int) -> float:
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"{path}:{line_no}: {text.strip()!r} is not a timestamp (YYYY-MM-DD HH:MM:SS)") from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()


def read_series(path: Path) -> tuple[FloatArray, FloatArray]:
    """A ``timestamp,value`` CSV with a header, as in NAB.

    Rows are taken in file order (a few published series repeat or reorder a timestamp).

    Returns:
        Epoch-second timestamps and values.

    Raises:
        InputError: missing or empty file, wrong header, ragged row, bad timestamp, non-finite value.
    """
    lines = _lines(path)
    header = [c.strip().lower() for c in lines[0].split(",")]
    if header != ["timestamp", "value"]:
        raise InputError(f"{path}:1: expected the header 'timestamp,value', found {lines[0].strip()!r}")
    if len(lines) < 2:
        raise InputError(f"{path}: no rows after the header")
    stamps: list[float] = []
    values: list[float] = []
    for n, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if len(cells) != 2:
            raise InputError(f"{path}:{n}: {len(cells)} columns where 2 (timestamp,value) are expected")
        stamps.append(_timestamp(cells[0], path=path, line_no=n))
        values.append(_number(cells[1], path=path, line_no=n))
    return np.asarray(stamps), np.asarray(values)


def read_point_labels(path: Path) -> BoolArray:
    """One 0/1 label per line (SMD ``test_label``)."""
    return read_matrix(path)[:, 0].astype(bool)


def read_window_labels(path: Path, key: str, timestamps: FloatArray) -> BoolArray:
    """Rows inside any NAB anomaly window of ``key`` (both ends inclusive)."""
    try:
        windows = json.loads(path.read_text(encoding="utf-8"))[key]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: no windows for {key} ({exc})") from exc
    labels = np.zeros(timestamps.size, dtype=bool)
    for start, end in windows:
        lo = _timestamp(start, path=path, line_no=0)
        hi = _timestamp(end, path=path, line_no=0)
        labels |= (timestamps >= lo) & (timestamps <= hi)
    return labels


def series_step_seconds(timestamps: FloatArray, default: float = 300.0) -> float:
    """The typical interval between rows (the median positive gap)."""
    gaps = np.diff(timestamps)
    gaps = gaps[gaps > 0]
    return float(np.median(gaps)) if gaps.size else default
