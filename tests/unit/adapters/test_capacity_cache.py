"""Which instant reads of memory and disk may reuse the capacities read before."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.prometheus.capacity import CapacityCache, used_percent

KEYS = [("web-1:9100", "/"), ("web-1:9100", "/data"), ("db-1:9100", "/")]
SIZES = np.array([100.0, 200.0, 50.0])


def _cache() -> CapacityCache:
    cache = CapacityCache(ttl_seconds=600)
    cache.store(KEYS, SIZES, at=1_000.0)
    return cache


def test_nothing_read_yet_means_read_the_capacities() -> None:
    assert CapacityCache().totals(KEYS, np.array([1.0, 1.0, 1.0]), 1_000.0) is None


def test_capacities_serve_the_reads_until_they_are_ten_minutes_old() -> None:
    cache = _cache()
    available = np.array([10.0, 20.0, np.nan])

    np.testing.assert_array_equal(SIZES, cache.totals(KEYS, available, 1_000.0 + 599))
    assert cache.totals(KEYS, available, 1_000.0 + 600) is None
    # A read at an earlier time (a replay going back) is judged by the same distance.
    assert cache.totals(KEYS, available, 1_000.0 - 600) is None


def test_rows_come_back_in_the_order_asked() -> None:
    totals = _cache().totals(list(reversed(KEYS)), np.zeros(3), 1_060.0)

    np.testing.assert_array_equal(SIZES[::-1], totals)


def test_a_new_row_means_read_the_capacities_again() -> None:
    keys = [*KEYS, ("new-1:9100", "/")]

    assert _cache().totals(keys, np.zeros(4), 1_060.0) is None


def test_more_available_than_the_known_capacity_means_the_capacity_changed() -> None:
    assert _cache().totals(KEYS, np.array([10.0, 250.0, 1.0]), 1_060.0) is None


def test_a_row_without_a_finite_capacity_is_not_kept() -> None:
    cache = CapacityCache()
    cache.store(KEYS, np.array([100.0, np.nan, np.inf]), at=0.0)

    assert cache.totals(KEYS[:1], np.zeros(1), 60.0) is not None
    assert cache.totals(KEYS[:2], np.zeros(2), 60.0) is None


def test_used_percent_is_the_servers_formula() -> None:
    used = used_percent(np.array([25.0, 0.0, np.nan, 5.0]), np.array([100.0, 100.0, 100.0, 0.0]))

    np.testing.assert_array_equal([75.0, 100.0, np.nan, -np.inf], used)


def test_a_time_to_live_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        CapacityCache(ttl_seconds=0)


def test_lookup_gives_what_was_read_however_old_and_nan_for_unknown_rows() -> None:
    totals = _cache().lookup([KEYS[1], ("new-1:9100", "/")])

    np.testing.assert_array_equal([200.0, np.nan], totals)
