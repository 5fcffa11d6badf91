"""Prometheus query answers decoded straight onto a time grid: rows × times arrays, no object per sample.

An instant answer (``vector``) fills the grid's one column; a range answer (``matrix``) is placed
column by column from its timestamps. A row is a series' ``instance`` (and, when ``row_label`` is
set, that label's value too, e.g. each filesystem's ``mountpoint``). ``instant_of`` lays out an
instant answer that names hosts by ``instance`` alone, one row per series, from hosts known
before. Pure: bytes in, arrays out.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

import numpy as np
import orjson

from detectors.engine.baseline import FloatArray
from detectors.engine.blocks import Block
from domain.models import HostRef, MetricKind


class AnswerError(ValueError):
    """A body that is not a successful Prometheus API answer of the expected shape."""


class ServerError(AnswerError):
    """The server answered with ``"status": "error"``; ``message`` is its ``error`` field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@contextmanager
def collector_paused() -> Iterator[None]:
    """Decoding allocates millions of small lists; the cyclic collector would rescan them over and over.

    Held over both the decoding and the laying out, the collector never sees the answer: it is freed
    before the collector runs again. Nested uses leave it to the outermost to resume the collector.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_result(body: bytes) -> list[dict[str, Any]]:
    """The ``data.result`` list of an answer.

    Raises:
        ServerError: the answer reports an error.
        AnswerError: the body is not a Prometheus answer.
    """
    try:
        with collector_paused():
            envelope = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise AnswerError("the response is not JSON") from exc
    if not isinstance(envelope, dict):
        raise AnswerError("the response is not a Prometheus API answer")
    if envelope.get("status") == "error":
        raise ServerError(str(envelope.get("error") or "unknown error"))
    data = envelope.get("data")
    result = data.get("result") if isinstance(data, dict) else None
    if envelope.get("status") != "success" or not isinstance(result, list):
        raise AnswerError("the response is not a Prometheus API answer")
    return result


def _host(labels: dict[str, Any], refs: dict[tuple[str, str, str], HostRef] | None) -> HostRef:
    key = (str(labels.get("instance", "")), str(labels.get("host") or ""), str(labels.get("instance_id") or ""))
    ref = refs.get(key) if refs is not None else None
    if ref is None:
        ref = HostRef(instance=key[0], host=key[1] or None, instance_id=key[2] or None)
        if refs is not None:
            refs[key] = ref
    return ref


def grid_of(
    result: list[dict[str, Any]],
    signal: MetricKind,
    times: FloatArray,
    *,
    row_label: str | None = None,
    refs: dict[tuple[str, str, str], HostRef] | None = None,
) -> Block:
    """``result`` laid on ``times`` (evenly spaced): one row per instance (× ``row_label``), NaN where missing.

    Samples off the grid are dropped; a value Prometheus writes as ``NaN`` or ``+Inf`` stays so.
    ``refs`` keeps the host of each label set from one answer to the next.

    Raises:
        AnswerError: a series is not shaped as Prometheus writes them.
    """
    start = float(times[0]) if times.size else 0.0
    step = float(times[1] - times[0]) if times.size > 1 else 1.0
    rows: dict[tuple[str, str], int] = {}
    hosts: list[HostRef] = []
    mounts: list[str] = []
    series_rows: list[int] = []
    counts: list[int] = []
    pairs: list[Any] = []
    try:
        for series in result:
            labels = series["metric"]
            key = (str(labels.get("instance", "")), str(labels.get(row_label, "")) if row_label else "")
            row = rows.get(key)
            if row is None:
                row = rows[key] = len(hosts)
                hosts.append(_host(labels, refs))
                mounts.append(key[1])
            own = series["values"] if "values" in series else [series["value"]]
            series_rows.append(row)
            counts.append(len(own))
            pairs += own
        # All samples at once: two C-level passes instead of a few array operations per series.
        stamps = np.fromiter(map(itemgetter(0), pairs), dtype=np.float64, count=len(pairs))
        found = np.fromiter(map(float, map(itemgetter(1), pairs)), dtype=np.float64, count=len(pairs))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise AnswerError(f"a series of the answer is malformed ({type(exc).__name__})") from exc
    values = np.full((len(hosts), times.size), np.nan)
    if pairs:
        row_of = np.repeat(np.asarray(series_rows, dtype=np.intp), counts)
        slots = np.rint((stamps - start) / step).astype(np.int64)
        keep = (slots >= 0) & (slots < times.size)
        values[row_of[keep], slots[keep]] = found[keep]
    return Block(signal=signal, hosts=tuple(hosts), times=times, values=values, mounts=tuple(mounts))


def instant_of(
    result: list[dict[str, Any]],
    signal: MetricKind,
    at: float,
    *,
    known: dict[str, HostRef],
    row_label: str | None = None,
) -> Block | None:
    """An instant answer grouped by ``instance`` (× ``row_label``) as a one-column grid at ``at``.

    Each series is one row, and its host is ``known[instance]``: the answer names hosts by their
    instance alone. None when an instance is not in ``known``. A sample at another time than
    ``at`` is NaN.

    Raises:
        AnswerError: a series is not shaped as Prometheus writes them.
    """
    try:
        labels = [series["metric"] for series in result]
        instances = [each.get("instance", "") for each in labels]
        try:
            hosts = tuple(map(known.__getitem__, instances))
        except KeyError:
            return None
        mounts = tuple(str(each.get(row_label, "")) for each in labels) if row_label else ("",) * len(labels)
        pairs = [series["value"] for series in result]
        stamps = np.fromiter(map(itemgetter(0), pairs), dtype=np.float64, count=len(pairs))
        found = np.fromiter(map(float, map(itemgetter(1), pairs)), dtype=np.float64, count=len(pairs))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise AnswerError(f"a series of the answer is malformed ({type(exc).__name__})") from exc
    values = np.where(np.rint(stamps - at) == 0, found, np.nan)[:, None]
    return Block(signal=signal, hosts=hosts, times=np.array([at]), values=values, mounts=mounts)
