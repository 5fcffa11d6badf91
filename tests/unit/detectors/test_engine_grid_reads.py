"""Reads from a grid source: cut to a sample budget, merged back onto one grid, short reads sent concurrently."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from detectors.engine import blocks
from detectors.engine.baseline import FloatArray
from detectors.engine.blocks import Block, fetch_block, fetch_blocks
from domain.models import HostRef, MetricKind

T0 = 1_700_000_040.0


class GridFleet:
    """A grid source whose row n holds 1000·n + the minute since T0; it records each read's length and thread.

    With ``gather`` set, the first reads wait until that many are in flight together (then none waits).
    """

    def __init__(self, hosts: int, *, rotate: bool = False, gather: int = 0) -> None:
        self.rows = hosts
        self.rotate = rotate
        self.gather = gather
        self.reads: list[int] = []
        self.threads: set[int] = set()
        self.active = 0
        self.most_active = 0
        self._changed = threading.Condition()

    def signal_grid(self, signal: MetricKind, times: FloatArray) -> Block:
        with self._changed:
            self.reads.append(times.size)
            self.threads.add(threading.get_ident())
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self._changed.notify_all()
            self._changed.wait_for(lambda: self.most_active >= self.gather, timeout=5.0)
        order = list(range(self.rows))
        if self.rotate:  # another row order on every read, as a server may answer
            shift = len(self.reads) % self.rows
            order = order[shift:] + order[:shift]
        hosts = tuple(HostRef(instance=f"h{n}:9100") for n in order)
        minutes = (times - T0) / 60.0
        values = np.asarray(order, dtype=np.float64)[:, None] * 1000.0 + minutes[None, :]
        with self._changed:
            self.active -= 1
        return Block(signal=signal, hosts=hosts, times=times, values=values, mounts=("",) * self.rows)


def test_a_long_read_is_cut_to_the_sample_budget_and_merged_back_in_row_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(blocks, "SAMPLE_BUDGET", 500)
    fleet = GridFleet(20, rotate=True)

    block = fetch_block(fleet, MetricKind.CPU, T0, T0 + 199 * 60.0, 60.0)

    assert [60, 25, 25, 25, 25, 25, 15] == fleet.reads
    assert (20, 200) == block.values.shape
    rows = [int(h.instance[1:].split(":")[0]) for h in block.hosts]
    expected = np.asarray(rows, dtype=np.float64)[:, None] * 1000.0 + np.arange(200)[None, :]
    np.testing.assert_array_equal(expected, block.values)


def test_one_minute_is_one_read() -> None:
    fleet = GridFleet(3)

    block = fetch_block(fleet, MetricKind.LOAD, T0, T0, 60.0)

    assert [1] == fleet.reads
    assert [[0.0], [1000.0], [2000.0]] == block.values.tolist()


def test_a_cycles_reads_go_a_few_at_a_time_and_come_back_in_signal_order() -> None:
    fleet = GridFleet(2, gather=blocks.CONCURRENT_READS)
    signals = [MetricKind.CPU, MetricKind.MEMORY, MetricKind.LOAD, MetricKind.UP, MetricKind.NETWORK_IN]

    got = fetch_blocks(fleet, signals, T0, T0 + 60.0, 60.0)

    assert signals == [b.signal for b in got]
    assert blocks.CONCURRENT_READS == fleet.most_active


def test_a_catch_up_reads_one_signal_at_a_time() -> None:
    fleet = GridFleet(2)

    fetch_blocks(fleet, [MetricKind.CPU, MetricKind.MEMORY, MetricKind.LOAD], T0, T0 + 120 * 60.0, 60.0)

    assert {threading.get_ident()} == fleet.threads
    assert 1 == fleet.most_active
