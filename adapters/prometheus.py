"""PrometheusMetrics: the MetricsSource port over the Prometheus HTTP API (also VictoriaMetrics)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import requests
from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException
from urllib3.util.retry import Retry

from domain.errors import MetricsUnavailable, QueryError
from domain.models import HostRef, MetricKind, Sample, Series
from tools import promql

_ERROR_RE = re.compile(r'"error"\s*:\s*"((?:[^"\\]|\\.)*)"')
_STATUS_RE = re.compile(r"HTTP Status Code (\d+)")


def _host(labels: dict[str, str]) -> HostRef:
    return HostRef(
        instance=labels.get("instance", ""),
        host=labels.get("host") or None,
        instance_id=labels.get("instance_id") or None,
    )


class PrometheusMetrics:
    """Host metrics read from a Prometheus-compatible server.

    Args:
        url: base URL of the server (``http://127.0.0.1:9090``).
        timeout_seconds: timeout of every HTTP request.
    """

    def __init__(self, url: str, *, timeout_seconds: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._timeout = timeout_seconds
        # POST keeps long host selectors out of the URL; retries are few and quick so an
        # outage is reported in about a second instead of hanging the answer.
        retry = Retry(total=2, connect=1, backoff_factor=0.2, status_forcelist=(502, 503, 504), allowed_methods=None)
        self._client = PrometheusConnect(
            url=self.url,
            disable_ssl=False,
            retry=retry,
            timeout=timeout_seconds,
            method="POST",
        )

    def _call(self, promql_text: str, fn: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        try:
            result = fn(*args, **kwargs)
        except requests.exceptions.Timeout as exc:
            raise MetricsUnavailable(self.url, f"timed out after {self._timeout:g}s") from exc
        except requests.exceptions.ConnectionError as exc:
            raise MetricsUnavailable(self.url, "connection refused") from exc
        except requests.exceptions.RequestException as exc:
            raise MetricsUnavailable(self.url, type(exc).__name__) from exc
        except PrometheusApiClientException as exc:
            text = str(exc)
            status = _STATUS_RE.search(text)
            code = int(status.group(1)) if status else 0
            message = _ERROR_RE.search(text)
            if code in (400, 422) and message:
                raise QueryError(promql_text, message.group(1).encode().decode("unicode_escape")) from exc
            raise MetricsUnavailable(self.url, f"HTTP {code or 'error'}") from exc
        except ValueError as exc:  # a body that is not the Prometheus JSON envelope
            raise MetricsUnavailable(self.url, "response is not a Prometheus API answer") from exc
        if not isinstance(result, list):
            raise MetricsUnavailable(self.url, "response is not a Prometheus API answer")
        return result

    def query(self, query: str) -> list[dict[str, Any]]:
        """Run an instant PromQL query; returns Prometheus' ``result`` list."""
        return self._call(query, self._client.custom_query, query=query)

    def query_range(self, query: str, *, start: datetime, end: datetime, step_seconds: float) -> list[dict[str, Any]]:
        """Run a range PromQL query with a step raised so no series exceeds ~1,100 points."""
        step = promql.range_step(start.timestamp(), end.timestamp(), step_seconds)
        return self._call(
            query,
            self._client.custom_query_range,
            query=query,
            start_time=start,
            end_time=end,
            step=f"{step:g}",
        )

    def hosts(self) -> list[HostRef]:
        """Every host that exposes ``node_uname_info``, sorted by name."""
        rows = self.query(promql.hosts_query())
        return sorted({_host(r["metric"]) for r in rows}, key=lambda h: h.name)

    def current(self, metric: MetricKind, hosts: Sequence[HostRef] | None = None) -> list[Sample]:
        """Latest value of ``metric`` per host."""
        q = promql.metric_query(metric, _instances(hosts))
        out = []
        for row in self.query(q):
            ts, value = row["value"]
            out.append(
                Sample(
                    host=_host(row["metric"]),
                    metric=metric,
                    value=float(value),
                    timestamp=datetime.fromtimestamp(float(ts), UTC),
                    window=f"{promql.RATE_WINDOW} average" if _is_rate(metric) else "latest",
                )
            )
        return out

    def range(
        self,
        metric: MetricKind,
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> list[Series]:
        """Values of ``metric`` per host between ``start`` and ``end``."""
        q = promql.metric_query(metric, _instances(hosts))
        out = []
        for row in self.query_range(q, start=start, end=end, step_seconds=step_seconds):
            points = row["values"]
            out.append(
                Series(
                    host=_host(row["metric"]),
                    metric=metric,
                    timestamps=tuple(float(p[0]) for p in points),
                    values=tuple(float(p[1]) for p in points),
                )
            )
        return out


def _instances(hosts: Sequence[HostRef] | None) -> list[str] | None:
    return None if hosts is None else [h.instance for h in hosts]


def _is_rate(metric: MetricKind) -> bool:
    return metric in (MetricKind.CPU, MetricKind.DISK_IO, MetricKind.NETWORK_IN, MetricKind.NETWORK_OUT)
