"""The pure parts of bench/engine_live.py: its history covers the product's PromQL, and its CPU and memory figures."""

from __future__ import annotations

import io
import re

import pytest

from adapters.prometheus import promql
from bench.engine_live import fleet, proc_cpu_seconds, proc_peak_rss_mb, share_of_cores
from detectors.engine.history import SIGNALS
from simulator.exposition import write_history

START = 1_764_700_000.0 // 60 * 60


def _written_series() -> list[str]:
    out = io.StringIO()
    write_history(fleet(3, incidents_from=START), start=START, end=START + 120, step=60, out=out)
    return [line.split(" ")[0] for line in out.getvalue().splitlines() if line and not line.startswith("#")]


def test_the_history_holds_every_metric_the_detection_queries_read() -> None:
    written = {series.split("{")[0] for series in _written_series()}
    read = {name for s in SIGNALS for name in re.findall(r"([A-Za-z_:]+)\{", promql.metric_query(s))}

    assert set() == read - written


@pytest.mark.parametrize(
    ("metric", "label"),
    [("node_cpu_seconds_total", 'mode="idle"'), ("node_filesystem_avail_bytes", 'mountpoint="/"')],
)
def test_the_history_has_the_series_the_queries_select(metric: str, label: str) -> None:
    """The queries select idle CPU time and the root filesystem; the history must carry those labels."""
    selected = [s for s in _written_series() if s.startswith(metric + "{") and label in s]

    assert 3 == len({re.search(r'instance="([^"]+)"', s).group(1) for s in selected})  # type: ignore[union-attr]


def test_cpu_seconds_are_read_after_a_command_name_with_spaces_and_parentheses() -> None:
    stat = "4242 (prom (x) 1) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 12 0 100 2000000 3000"

    assert 3.0 == proc_cpu_seconds(stat, 100)


def test_peak_rss_is_the_high_water_mark_in_mb() -> None:
    status = "Name:\tprometheus\nVmPeak:\t 4000000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\n"

    assert 512.0 == proc_peak_rss_mb(status)


def test_a_status_without_a_high_water_mark_is_an_error() -> None:
    with pytest.raises(ValueError, match="VmHWM"):
        proc_peak_rss_mb("Name:\tprometheus\n")


def test_six_cpu_seconds_a_minute_are_five_percent_of_two_cores() -> None:
    assert 5.0 == share_of_cores(6.0)
