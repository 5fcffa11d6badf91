"""Which instant reads of memory and disk may reuse the capacities read before."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.prometheus.capacity import CapacityCache, used_percent
from domain.models import HostRef

WEB, DB, NEW = (HostRef(instance=f"{name}:9100", host=name) for name in ("web-1", "db-1", "new-1"))
HOSTS = (WEB, WEB, DB)
MOUNTS = ("/", "/data", "/")
SIZES = np.array([100.0, 200.0, 50.0])


def _cache() -> CapacityCache:
    cache = CapacityCache(ttl_seconds=600)
    cache.store(HOSTS, MOUNTS, SIZES, at=1_000.0)
    return cache


def test_nothing_read_yet_means_read_the_capacities() -> None:
    assert CapacityCache().totals(HOSTS, MOUNTS, np.array([1.0, 1.0, 1.0]), 1_000.0) is None


def test_capacities_serve_the_reads_until_they_are_ten_minutes_old() -> None:
    cache = _cache()
    available = np.array([10.0, 20.0, np.nan])

    np.testing.assert_array_equal(SIZES, cache.totals(HOSTS, MOUNTS, available, 1_000.0 + 599))
    assert cache.totals(HOSTS, MOUNTS, available, 1_000.0 + 600) is None
    # A read at an earlier time (a replay going back) is judged by the same distance.
    assert cache.totals(HOSTS, MOUNTS, available, 1_000.0 - 600) is None


def test_rows_come_back_in_the_order_asked_and_the_same_rows_again() -> None:
    cache = _cache()

    np.testing.assert_array_equal(SIZES[::-1], cache.totals(HOSTS[::-1], MOUNTS[::-1], np.zeros(3), 1_060.0))
    np.testing.assert_array_equal(SIZES, cache.totals(HOSTS, MOUNTS, np.zeros(3), 1_120.0))
    np.testing.assert_array_equal(SIZES, cache.totals(HOSTS, MOUNTS, np.zeros(3), 1_180.0))


def test_rows_are_matched_by_instance_and_mountpoint() -> None:
    renamed = HostRef(instance=WEB.instance, host="web-one")

    totals = _cache().lookup((renamed,), ("/data",))

    np.testing.assert_array_equal([200.0], totals)


def test_a_new_row_means_read_the_capacities_again() -> None:
    assert _cache().totals((*HOSTS, NEW), (*MOUNTS, "/"), np.zeros(4), 1_060.0) is None


def test_more_available_than_the_known_capacity_means_the_capacity_changed() -> None:
    assert _cache().totals(HOSTS, MOUNTS, np.array([10.0, 250.0, 1.0]), 1_060.0) is None


def test_a_new_read_replaces_what_the_rows_were_given_before() -> None:
    cache = _cache()
    cache.totals(HOSTS, MOUNTS, np.zeros(3), 1_060.0)

    cache.store(HOSTS, MOUNTS, SIZES * 2, at=1_120.0)

    np.testing.assert_array_equal(SIZES * 2, cache.totals(HOSTS, MOUNTS, np.zeros(3), 1_180.0))


def test_a_row_without_a_finite_capacity_is_not_kept() -> None:
    cache = CapacityCache()
    cache.store(HOSTS, MOUNTS, np.array([100.0, np.nan, np.inf]), at=0.0)

    assert cache.totals(HOSTS[:1], MOUNTS[:1], np.zeros(1), 60.0) is not None
    assert cache.totals(HOSTS[:2], MOUNTS[:2], np.zeros(2), 60.0) is None


def test_lookup_gives_what_was_read_however_old_and_nan_for_unknown_rows() -> None:
    totals = _cache().lookup((WEB, NEW), ("/data", "/"))

    np.testing.assert_array_equal([200.0, np.nan], totals)


def test_used_percent_is_the_servers_formula() -> None:
    used = used_percent(np.array([25.0, 0.0, np.nan, 5.0]), np.array([100.0, 100.0, 100.0, 0.0]))

    np.testing.assert_array_equal([75.0, 100.0, np.nan, -np.inf], used)


def test_a_time_to_live_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        CapacityCache(ttl_seconds=0)
