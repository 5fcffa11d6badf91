"""Prometheus query answers decoded straight onto a time grid: rows × times arrays, no object per sample.

An instant answer (``vector``) fills the grid's one column; a range answer (``matrix``) is placed
column by column from its timestamps. A row is a series' ``instance`` (and, when ``row_label`` is
set, that label's value too, e.g. each filesystem's ``mountpoint``). Pure: bytes in, arrays out.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
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
def _collector_paused() -> Iterator[None]:
    """Decoding allocates millions of small lists; the cyclic collector would rescan them over and over."""
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
        with _collector_paused():
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


def _host(labels: dict[str, Any]) -> HostRef:
    return HostRef(
        instance=str(labels.get("instance", "")),
        host=str(labels["host"]) if labels.get("host") else None,
        instance_id=str(labels["instance_id"]) if labels.get("instance_id") else None,
    )


def grid_of(
    result: list[dict[str, Any]], signal: MetricKind, times: FloatArray, *, row_label: str | None = None
) -> Block:
    """``result`` laid on ``times`` (evenly spaced): one row per instance (× ``row_label``), NaN where missing.

    Samples off the grid are dropped; a value Prometheus writes as ``NaN`` or ``+Inf`` stays so.

    Raises:
        AnswerError: a series is not shaped as Prometheus writes them.
    """
    start = float(times[0]) if times.size else 0.0
    step = float(times[1] - times[0]) if times.size > 1 else 1.0
    rows: dict[tuple[str, str], int] = {}
    hosts: list[HostRef] = []
    mounts: list[str] = []
    values = np.full((len(result), times.size), np.nan)
    try:
        for series in result:
            labels = series["metric"]
            key = (str(labels.get("instance", "")), str(labels.get(row_label, "")) if row_label else "")
            row = rows.get(key)
            if row is None:
                row = rows[key] = len(hosts)
                hosts.append(_host(labels))
                mounts.append(key[1])
            pairs = series["values"] if "values" in series else [series["value"]]
            if not pairs:
                continue
            stamps = np.fromiter((p[0] for p in pairs), dtype=np.float64, count=len(pairs))
            found = np.fromiter((float(p[1]) for p in pairs), dtype=np.float64, count=len(pairs))
            slots = np.rint((stamps - start) / step).astype(np.int64)
            keep = (slots >= 0) & (slots < times.size)
            values[row, slots[keep]] = found[keep]
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise AnswerError(f"a series of the answer is malformed ({type(exc).__name__})") from exc
    return Block(
        signal=signal,
        hosts=tuple(hosts),
        times=times,
        values=values[: len(hosts)],
        mounts=tuple(mounts),
    )
