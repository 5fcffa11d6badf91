"""Reads of one signal for the whole fleet straight onto a time grid, over the Prometheus HTTP API.

The answers bypass the API client's decoding (a list per sample): ``grid.decode_result`` and
``grid.grid_of`` lay them on arrays, which is what a large fleet's detection cycle needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from adapters.prometheus import capacity, grid, promql
from adapters.prometheus.transport import transport_errors
from detectors.engine.baseline import FloatArray
from detectors.engine.blocks import Block
from domain.errors import MetricsUnavailable, QueryError
from domain.models import HostRef, MetricKind

_MAX_REFS = 200_000
_Laid = TypeVar("_Laid")


class PrometheusGridReader:
    """One batched query per read: every host's ``signal`` (disk: each real filesystem) at given times.

    Args:
        url: base URL of the server.
        timeout_seconds: timeout of every HTTP request.
        retry: how failed requests are retried.
        compress: ask for gzip answers. Unset, answers come as they are: a fleet's answer is megabytes
            of JSON that the server would spend about an eighth of its evaluation compressing and this
            side decompressing, which only pays over a slow link.
    """

    def __init__(self, url: str, *, timeout_seconds: float, retry: Retry, compress: bool = False) -> None:
        self.url = url.rstrip("/")
        self._timeout = timeout_seconds
        self._session = requests.Session()
        self._session.headers["Accept-Encoding"] = "gzip" if compress else "identity"
        # The host of each label set seen, shared by the reads (hosts change far less often than samples).
        self._refs: dict[tuple[str, str, str], HostRef] = {}
        # The same hosts by instance, for the answers that name them by instance alone.
        self._known: dict[str, HostRef] = {}
        self._decoding = threading.Lock()
        self._capacities = {MetricKind.MEMORY: capacity.CapacityCache(), MetricKind.DISK: capacity.CapacityCache()}
        self._session.mount("http://", HTTPAdapter(max_retries=retry))
        self._session.mount("https://", HTTPAdapter(max_retries=retry))

    def signal_grid(self, signal: MetricKind, times: FloatArray) -> Block:
        """``signal`` at each of ``times`` (evenly spaced): one time is an instant query, more a range query.

        An instant read asks for the ``instance`` label alone when every instance of the answer was
        seen before with all its labels (by a range read, or by ``up``, which is always read with
        them), and reads again with them otherwise. An instant read of memory or disk reads the
        available bytes and reuses the capacities read within the last ten minutes
        (``capacity.CapacityCache``).

        Raises:
            MetricsUnavailable: the server cannot be reached or does not answer as Prometheus does.
            QueryError: the server refused the query.
        """
        row_label = "mountpoint" if signal is MetricKind.DISK else None
        trim = times.size == 1 and signal is not MetricKind.UP
        if times.size == 1 and signal in self._capacities:
            return self._usage_at(signal, times, row_label)

        def query(by: str) -> str:
            if signal is MetricKind.DISK:
                return promql.filesystem_query(None, by=by)
            return promql.metric_query(signal, None, by=by)

        return self._grid(query, signal, times, row_label, trim=trim)

    def _usage_at(self, signal: MetricKind, times: FloatArray, row_label: str | None) -> Block:
        """Used % of memory or disk at one time, from the available bytes and the kept capacities."""
        at = float(times[0])
        available = self._grid(
            lambda by: promql.usage_bytes_queries(signal, by=by)[0], signal, times, row_label, trim=True
        )
        cache = self._capacities[signal]
        totals = cache.totals(available.hosts, available.mounts, available.values[:, 0], at)
        if totals is None:
            read = self._grid(
                lambda by: promql.usage_bytes_queries(signal, by=by)[1], signal, times, row_label, trim=True
            )
            cache.store(read.hosts, read.mounts, read.values[:, 0], at)
            totals = cache.lookup(available.hosts, available.mounts)
        used = replace(available, values=capacity.used_percent(available.values, totals[:, None]))
        # A row without a capacity has no used %: the server's division would leave it out too.
        known = ~np.isnan(totals)
        return used if known.all() else used.only(known)

    def _grid(
        self,
        query_for: Callable[[str], str],
        signal: MetricKind,
        times: FloatArray,
        row_label: str | None,
        *,
        trim: bool,
    ) -> Block:
        """The answer to ``query_for(labels)`` at ``times`` laid on the grid, by instance alone when ``trim``."""
        at = float(times[0])
        if trim:
            query = query_for(promql.INSTANCE_LABEL)
            answer = self._result(query, times)
            with self._decoding:
                block = self._decoded(
                    query,
                    answer,
                    lambda result: grid.instant_of(result, signal, at, known=self._known, row_label=row_label),
                )
            if block is not None:
                return block
            # An instance not seen with all its labels yet: read again with them.
        query = query_for(promql.HOST_LABELS)
        answer = self._result(query, times)
        with self._decoding:
            if len(self._refs) > _MAX_REFS:
                self._refs.clear()
                self._known.clear()
            block = self._decoded(
                query, answer, lambda result: grid.grid_of(result, signal, times, row_label=row_label, refs=self._refs)
            )
            self._known.update((host.instance, host) for host in block.hosts)
        return block

    def _result(self, query: str, times: FloatArray) -> tuple[int, bytes]:
        """The server's status and answer to ``query`` at ``times``."""
        if times.size == 1:
            return self._post("query", {"query": query, "time": f"{float(times[0]):.3f}"})
        step = float(times[1] - times[0])
        form = {"query": query, "start": f"{float(times[0]):.3f}", "end": f"{float(times[-1]):.3f}"}
        return self._post("query_range", form | {"step": f"{step:g}"})

    def _decoded(self, query: str, answer: tuple[int, bytes], lay: Callable[[list[dict[str, Any]]], _Laid]) -> _Laid:
        """``lay`` applied to the result of ``answer``, the server's errors raised as the port's."""
        status, body = answer
        try:
            # Paused over both steps, the collector never scans the answer: it is freed before it runs.
            with grid.collector_paused():
                return lay(grid.decode_result(body))
        except grid.ServerError as exc:
            if status in (400, 422):
                raise QueryError(query, exc.message) from exc
            raise MetricsUnavailable(self.url, f"HTTP {status}: {exc.message}") from exc
        except grid.AnswerError as exc:
            detail = f"HTTP {status}" if status != 200 else "response is not a Prometheus API answer"
            raise MetricsUnavailable(self.url, detail) from exc

    def _post(self, endpoint: str, form: dict[str, str]) -> tuple[int, bytes]:
        """POST a form to ``/api/v1/<endpoint>``; the status code and the body."""
        with transport_errors(self.url, self._timeout):
            response = self._session.post(f"{self.url}/api/v1/{endpoint}", data=form, timeout=self._timeout)
        return response.status_code, response.content
