"""Prometheus answers decoded onto a time grid, without a server: vectors, matrices, mountpoints, bad bodies."""

from __future__ import annotations

import math

import numpy as np
import orjson
import pytest

from adapters.prometheus.grid import AnswerError, ServerError, decode_result, grid_of, instant_of
from domain.models import HostRef, MetricKind

T0 = 1_700_000_040.0


def answer(result: list[dict[str, object]], kind: str = "matrix") -> bytes:
    return orjson.dumps({"status": "success", "data": {"resultType": kind, "result": result}})


def test_a_matrix_is_placed_by_timestamp_with_nan_where_a_sample_is_missing() -> None:
    body = answer(
        [
            {"metric": {"instance": "a:9100", "host": "web-1"}, "values": [[T0, "1.5"], [T0 + 120, "3"]]},
            {"metric": {"instance": "b:9100"}, "values": [[T0 + 60, "NaN"], [T0 + 120, "+Inf"]]},
        ]
    )
    times = T0 + 60.0 * np.arange(3)

    block = grid_of(decode_result(body), MetricKind.CPU, times)

    assert (HostRef(instance="a:9100", host="web-1"), HostRef(instance="b:9100")) == block.hosts
    assert [1.5, 3.0] == [block.values[0, 0], block.values[0, 2]]
    assert math.isnan(block.values[0, 1])
    assert math.isnan(block.values[1, 0])
    assert math.isnan(block.values[1, 1])
    assert math.isinf(block.values[1, 2])
    assert ("", "") == block.mounts


def test_an_instant_vector_fills_the_one_column() -> None:
    body = answer([{"metric": {"instance": "a:9100"}, "value": [T0, "42"]}], kind="vector")

    block = grid_of(decode_result(body), MetricKind.LOAD, np.array([T0]))

    assert [[42.0]] == block.values.tolist()


def test_rows_are_split_by_the_row_label_and_samples_off_the_grid_are_dropped() -> None:
    body = answer(
        [
            {"metric": {"instance": "a:9100", "mountpoint": "/"}, "values": [[T0 - 60, "9"], [T0, "10"]]},
            {"metric": {"instance": "a:9100", "mountpoint": "/data"}, "values": [[T0, "70"], [T0 + 600, "99"]]},
        ]
    )

    block = grid_of(decode_result(body), MetricKind.DISK, T0 + 60.0 * np.arange(2), row_label="mountpoint")

    assert ("/", "/data") == block.mounts
    assert 10.0 == block.values[0, 0]
    assert 70.0 == block.values[1, 0]
    assert np.isnan(block.values[:, 1]).all()


def test_an_empty_answer_is_an_empty_block() -> None:
    block = grid_of(decode_result(answer([])), MetricKind.CPU, T0 + 60.0 * np.arange(5))

    assert (0, 5) == block.values.shape


def test_an_error_answer_carries_the_servers_message() -> None:
    body = orjson.dumps({"status": "error", "errorType": "bad_data", "error": "parse error at char 5"})

    with pytest.raises(ServerError) as caught:
        decode_result(body)

    assert "parse error at char 5" == caught.value.message


@pytest.mark.parametrize(
    "body",
    [b"<html>not found</html>", b"[]", b'{"status": "success"}', b'{"status": "success", "data": {"result": 3}}'],
)
def test_a_body_that_is_not_a_prometheus_answer_is_refused(body: bytes) -> None:
    with pytest.raises(AnswerError):
        decode_result(body)


@pytest.mark.parametrize(
    "series",
    [
        {"values": [[T0, "1"]]},
        {"metric": {"instance": "a"}, "values": [[T0]]},
        {"metric": {"instance": "a"}, "values": [[T0, "one"]]},
        {"metric": {"instance": "a"}, "value": "1"},
    ],
)
def test_a_malformed_series_is_an_answer_error(series: dict[str, object]) -> None:
    with pytest.raises(AnswerError):
        grid_of(decode_result(answer([series])), MetricKind.CPU, np.array([T0]))


def test_hosts_seen_before_are_reused_from_one_answer_to_the_next() -> None:
    body = answer([{"metric": {"instance": "a:9100", "host": "web-1"}, "value": [T0, "1"]}], kind="vector")
    refs: dict[tuple[str, str, str], HostRef] = {}

    first = grid_of(decode_result(body), MetricKind.CPU, np.array([T0]), refs=refs)
    second = grid_of(decode_result(body), MetricKind.LOAD, np.array([T0]), refs=refs)

    assert first.hosts[0] is second.hosts[0]
    assert HostRef(instance="a:9100", host="web-1") == first.hosts[0]


WEB = HostRef(instance="a:9100", host="web-1", instance_id="i-0a")
DB = HostRef(instance="b:9100", host="db-1")
KNOWN = {WEB.instance: WEB, DB.instance: DB}


def test_an_answer_by_instance_alone_names_the_known_hosts_in_full() -> None:
    body = answer(
        [
            {"metric": {"instance": "b:9100"}, "value": [T0, "2.5"]},
            {"metric": {"instance": "a:9100"}, "value": [T0, "NaN"]},
        ],
        kind="vector",
    )

    block = instant_of(decode_result(body), MetricKind.LOAD, T0, known=KNOWN)

    assert block is not None
    assert (DB, WEB) == block.hosts
    assert ("", "") == block.mounts
    assert [T0] == block.times.tolist()
    assert 2.5 == block.values[0, 0]
    assert math.isnan(block.values[1, 0])


def test_an_answer_by_instance_and_mountpoint_has_a_row_per_filesystem_and_drops_other_times() -> None:
    body = answer(
        [
            {"metric": {"instance": "a:9100", "mountpoint": "/"}, "value": [T0, "40"]},
            {"metric": {"instance": "a:9100", "mountpoint": "/data"}, "value": [T0 - 60, "90"]},
        ],
        kind="vector",
    )

    block = instant_of(decode_result(body), MetricKind.DISK, T0, known=KNOWN, row_label="mountpoint")

    assert block is not None
    assert (WEB, WEB) == block.hosts
    assert ("/", "/data") == block.mounts
    assert 40.0 == block.values[0, 0]
    assert math.isnan(block.values[1, 0])


def test_an_instance_not_known_means_the_answer_cannot_name_its_hosts() -> None:
    body = answer(
        [
            {"metric": {"instance": "a:9100"}, "value": [T0, "1"]},
            {"metric": {"instance": "c:9100"}, "value": [T0, "1"]},
        ],
        kind="vector",
    )

    assert instant_of(decode_result(body), MetricKind.LOAD, T0, known=KNOWN) is None


def test_an_empty_instant_answer_is_an_empty_block() -> None:
    block = instant_of([], MetricKind.LOAD, T0, known=KNOWN)

    assert block is not None
    assert (0, 1) == block.values.shape


@pytest.mark.parametrize(
    "series",
    [
        {"metric": {"instance": "a:9100"}},
        {"metric": {"instance": "a:9100"}, "value": [T0]},
        {"metric": {"instance": "a:9100"}, "value": [T0, "not a number"]},
        {"metric": "a:9100", "value": [T0, "1"]},
        {"metric": {"instance": ["a:9100"]}, "value": [T0, "1"]},
        {"value": [T0, "1"]},
    ],
)
def test_a_malformed_instant_series_is_an_answer_error(series: dict[str, object]) -> None:
    with pytest.raises(AnswerError):
        instant_of([series], MetricKind.CPU, T0, known=KNOWN)
