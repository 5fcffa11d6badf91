"""The wide metrics CSV: round trip, and clear errors for bad files."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest

from adapters.files.metrics_csv import read_wide_csv, write_wide_csv
from domain.errors import InputError
from domain.models import HostRef, MetricKind, Series

WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1")
DB1 = HostRef(instance="10.0.1.13:9100", host="db-1")


def test_round_trip_aligns_on_timestamps_and_keeps_gaps(tmp_path: Path) -> None:
    series = [
        Series(WEB1, MetricKind.CPU, (0.0, 60.0, 120.0), (10.0, 20.5, 30.25)),
        Series(DB1, MetricKind.MEMORY, (60.0, 120.0), (55.0, math.nan)),
    ]
    buf = io.StringIO(newline="")
    assert 3 == write_wide_csv(series, buf)
    text = buf.getvalue()
    assert text.splitlines()[0] == "timestamp,cpu@10.0.1.11:9100,memory@10.0.1.13:9100"
    assert text.splitlines()[1] == "1970-01-01T00:00:00Z,10,"
    path = tmp_path / "m.csv"
    path.write_text(text)
    back = {(s.metric, s.host.instance): s for s in read_wide_csv(path)}
    assert (10.0, 20.5, 30.25) == back[(MetricKind.CPU, WEB1.instance)].values
    memory = back[(MetricKind.MEMORY, DB1.instance)].values
    assert math.isnan(memory[0])
    assert 55.0 == memory[1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "expected the header"),
        ("time,cpu@a:1\n", "expected the header"),
        ("timestamp,cpu\n", "is not <metric>@<instance>"),
        ("timestamp,temperature@a:1\n", "is not <metric>@<instance>"),
        ("timestamp,cpu@a:1\n2026-01-01T00:00:00Z,1,2\n", ":2: 3 cells"),
        ("timestamp,cpu@a:1\nyesterday,1\n", ":2: bad timestamp"),
        ("timestamp,cpu@a:1\n2026-01-01T00:00:00Z,lots\n", ":2: bad timestamp or value"),
        ("timestamp,cpu@a:1\n", "no rows"),
    ],
)
def test_bad_files_get_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_wide_csv(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_wide_csv(tmp_path / "nope.csv")
