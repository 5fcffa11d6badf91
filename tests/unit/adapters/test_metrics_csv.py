"""The wide metrics CSV: round trip, and clear errors for bad files."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest

from adapters.files.metrics_csv import read_history_csv, read_wide_csv, write_wide_csv
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


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
        (b"timestamp,cpu@a:1\n2026-01-01T00:00:00Z,1\n2026-01-01T00:01:00Z,\xff\n", "is not UTF-8 text"),
        (b'timestamp,cpu@a:1\n2026-01-01T00:00:00Z,"' + b"9" * 200_000 + b'"\n', ":2: not a CSV row"),
    ],
)
def test_files_that_are_not_text_get_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_wide_csv(path)
    with pytest.raises(InputError, match=message):
        read_history_csv(path)


def test_long_rows_become_one_series_per_host_metric_and_mountpoint(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "timestamp,instance,metric,value,mountpoint\n"
        "120,a:9100,cpu,30,\n"
        "60,a:9100,cpu,20,\n"
        "60,a:9100,disk,70,/\n"
        "60,a:9100,disk,40,/data\n"
        "2026-01-01T00:00:00+00:00,b:9100,memory,55,\n"
        "60,a:9100,temperature,99,\n"
    )
    got = {(s.host.instance, s.metric, s.labels.get("mountpoint", "")): s for s in read_history_csv(path)}
    assert set(got) == {
        ("a:9100", MetricKind.CPU, ""),
        ("a:9100", MetricKind.DISK, "/"),
        ("a:9100", MetricKind.DISK, "/data"),
        ("b:9100", MetricKind.MEMORY, ""),
    }
    assert (60.0, 120.0) == got[("a:9100", MetricKind.CPU, "")].timestamps
    assert (20.0, 30.0) == got[("a:9100", MetricKind.CPU, "")].values


def test_history_reads_the_wide_format_too(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("timestamp,cpu@a:1\n2026-01-01T00:00:00Z,5\n")
    (series,) = read_history_csv(path)
    assert (MetricKind.CPU, "a:1", (5.0,)) == (series.metric, series.host.instance, series.values)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("when,what\n1,2\n", ":1: expected the header timestamp,instance,metric,value"),
        ("timestamp,instance,metric,value\n60,a:1,cpu\n", ":2: a row needs timestamp, instance, metric and value"),
        ("timestamp,instance,metric,value\nsoon,a:1,cpu,5\n", ":2: bad timestamp or value"),
        ("timestamp,instance,metric,value\n60,a:1,cpu,lots\n", ":2: bad timestamp or value"),
        ("timestamp,instance,metric,value\n60,,cpu,5\n", ":2: a row needs timestamp, instance, metric and value"),
        ("timestamp,instance,metric,value\n60,a:1,temperature,5\n", "no rows of cpu, memory"),
        ("", "file is empty"),
    ],
)
def test_bad_long_files_get_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_history_csv(path)


def test_missing_history_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot read \(No such file"):
        read_history_csv(tmp_path / "nope.csv")
