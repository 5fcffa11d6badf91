"""PrometheusMetrics: the MetricsSource port over the Prometheus HTTP API (also VictoriaMetrics)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException
from urllib3.util.retry import Retry

from adapters.prometheus import promql
from adapters.prometheus.grid_reader import PrometheusGridReader
from adapters.prometheus.transport import decoded, server_message, status_code, transport_errors
from detectors.engine.baseline import FloatArray
from detectors.engine.blocks import Block
from domain.errors import MetricsUnavailable, QueryError
from domain.models import Filesystem, HostCapacity, HostRef, HostState, MetricKind, Sample, Series

# Enough to keep a server's cores busy while answers are decoded here, few enough not to swamp it.
_MAX_CONCURRENT_QUERIES = 3


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
        node_selector: label matchers (``job="node"``) that a host's series carry; None: every
            target exposing node_exporter's series is a host.
        compress: ask for gzip answers on the fleet-wide grid reads (``signal_grid``).
    """

    def __init__(
        self, url: str, *, timeout_seconds: float = 10.0, node_selector: str | None = None, compress: bool = False
    ) -> None:
        self.url = url.rstrip("/")
        self._timeout = timeout_seconds
        self._selector = node_selector
        # Retries are few and quick so an outage is reported in about a second instead of
        # hanging the answer; a server that took the whole timeout to say nothing is not asked again.
        retry = Retry(
            total=2, connect=1, read=0, backoff_factor=0.2, status_forcelist=(502, 503, 504), allowed_methods=None
        )
        self._client = PrometheusConnect(
            url=self.url,
            disable_ssl=False,
            retry=retry,
            timeout=timeout_seconds,
            method="POST",
        )
        self._grids = PrometheusGridReader(self.url, timeout_seconds=timeout_seconds, retry=retry, compress=compress)

    def _call(self, promql_text: str, fn: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        try:
            with transport_errors(self.url, self._timeout):
                result = fn(*args, **kwargs)
        except PrometheusApiClientException as exc:
            text = str(exc)
            code = status_code(text)
            message = server_message(text)
            if code in (400, 422) and message:
                raise QueryError(promql_text, message) from exc
            raise MetricsUnavailable(self.url, f"HTTP {code or 'error'}") from exc
        except ValueError as exc:  # a body that is not the Prometheus JSON envelope
            raise MetricsUnavailable(self.url, "response is not a Prometheus API answer") from exc
        if not isinstance(result, list):
            raise MetricsUnavailable(self.url, "response is not a Prometheus API answer")
        return result

    def query(self, query: str, *, at: datetime | None = None) -> list[dict[str, Any]]:
        """Run an instant PromQL query (now, or at ``at``); returns Prometheus' ``result`` list."""
        params = {"time": f"{at.timestamp():.3f}"} if at is not None else None
        return self._call(query, self._client.custom_query, query=query, params=params)

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

    def signal_grid(self, signal: MetricKind, times: FloatArray) -> Block:
        """``signal`` for every host at each of ``times`` (evenly spaced), in one query, decoded onto arrays."""
        return self._grids.signal_grid(signal, times)

    def hosts(self) -> list[HostRef]:
        """Every known host, up or down, sorted by name."""
        return [state.ref for state in self.host_states()]

    @decoded
    def host_states(self) -> list[HostState]:
        """Every node_exporter target, up or down, sorted by name.

        Hosts reporting now come from their node series; a target whose ``up`` is 0 is a host
        when it exposed node series within the look-back (or matches the node selector), and
        its last successful scrape is when it was last seen.
        """
        sel = self._selector
        reporting = {ref.instance: ref for ref in (_host(r["metric"]) for r in self.query(promql.hosts_query(sel)))}
        targets = [(_host(r["metric"]), float(r["value"][1])) for r in self.query(promql.targets_query(sel))]
        states = {inst: HostState(ref=ref, up=True) for inst, ref in reporting.items()}
        down = {ref.instance: ref for ref, value in targets if value < 1 and ref.instance not in reporting}
        if down:
            wanted = sorted(down)
            look_back = promql.HOST_LOOK_BACK
            seen = [
                _host(r["metric"])
                for r in self.query(promql.seen_hosts_query(wanted, look_back=look_back, selector=sel))
            ]
            last_up = {
                str(r["metric"].get("instance")): datetime.fromtimestamp(float(r["value"][1]), UTC)
                for r in self.query(promql.last_up_query(wanted, look_back=look_back, selector=sel))
            }
            for ref in seen:
                states[ref.instance] = HostState(ref=ref, up=False, last_seen=last_up.get(ref.instance))
        if sel:  # a selected target is a host even when nothing of it is left in the look-back
            for inst, ref in down.items():
                states.setdefault(inst, HostState(ref=ref, up=False))
        return sorted(states.values(), key=lambda s: s.ref.name)

    @decoded
    def capacity(self, host: HostRef) -> HostCapacity:
        """What ``host`` has now, from its node_exporter series (None for what it does not expose)."""
        queries = promql.capacity_queries(host.instance)
        with ThreadPoolExecutor(max_workers=_MAX_CONCURRENT_QUERIES) as pool:
            futures = {name: pool.submit(self.query, q) for name, q in queries.items()}
            rows = {name: f.result() for name, f in futures.items()}

        def one(name: str) -> float | None:
            return float(rows[name][0]["value"][1]) if rows[name] else None

        avail = {r["metric"].get("mountpoint", ""): float(r["value"][1]) for r in rows["fs_avail"]}
        filesystems = tuple(
            Filesystem(
                mountpoint=r["metric"].get("mountpoint", ""),
                device=r["metric"].get("device", ""),
                fstype=r["metric"].get("fstype", ""),
                size_bytes=float(r["value"][1]),
                avail_bytes=avail.get(r["metric"].get("mountpoint", ""), 0.0),
            )
            for r in sorted(rows["fs_size"], key=lambda r: str(r["metric"].get("mountpoint", "")))
        )
        cpus, boot = one("cpus"), one("boot_time")
        return HostCapacity(
            host=host,
            at=datetime.now(UTC),
            memory_total_bytes=one("memory_total"),
            memory_available_bytes=one("memory_available"),
            cpus=int(cpus) if cpus is not None else None,
            boot_time=datetime.fromtimestamp(boot, UTC) if boot is not None else None,
            filesystems=filesystems,
            disk_read_mb_s=one("disk_read"),
            disk_write_mb_s=one("disk_write"),
        )

    @decoded
    def current(
        self, metric: MetricKind, hosts: Sequence[HostRef] | None = None, *, at: datetime | None = None
    ) -> list[Sample]:
        """Latest value of ``metric`` per host, now or at ``at``."""
        if hosts is not None and not hosts:
            return []
        if metric is MetricKind.UP:
            return self._up(hosts, at=at)
        return self._samples(
            metric, self.query(promql.metric_query(metric, _instances(hosts)), at=at), past=at is not None
        )

    def _up(self, hosts: Sequence[HostRef] | None, *, at: datetime | None) -> list[Sample]:
        """``up`` of known hosts only (other targets are not hosts), labelled as the hosts are known."""
        known = {ref.instance: ref for ref in (hosts if hosts is not None else self.hosts())}
        if not known:
            return []
        rows = self.query(promql.metric_query(MetricKind.UP, list(known)), at=at)
        samples = self._samples(
            MetricKind.UP, [r for r in rows if r["metric"].get("instance") in known], past=at is not None
        )
        return [replace(s, host=known[s.host.instance]) for s in samples]

    def _samples(self, metric: MetricKind, rows: list[dict[str, Any]], *, past: bool) -> list[Sample]:
        window = promql.sample_window(metric, past=past)
        out = []
        for row in rows:
            ts, value = row["value"]
            out.append(
                Sample(
                    host=_host(row["metric"]),
                    metric=metric,
                    value=float(value),
                    timestamp=datetime.fromtimestamp(float(ts), UTC),
                    window=window,
                )
            )
        return out

    @decoded
    def range(
        self,
        metric: MetricKind,
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> list[Series]:
        """Values of ``metric`` per host between ``start`` and ``end``, in one query for all hosts."""
        if hosts is not None and not hosts:
            return []
        return self._series(metric, promql.metric_query(metric, _instances(hosts)), start, end, step_seconds)

    @decoded
    def filesystem_range(
        self, hosts: Sequence[HostRef] | None, *, start: datetime, end: datetime, step_seconds: float
    ) -> list[Series]:
        """Used % of every real filesystem per host and mountpoint, in one query for all hosts.

        Each series carries its mountpoint in ``labels["mountpoint"]``.
        """
        if hosts is not None and not hosts:
            return []
        query = promql.filesystem_query(_instances(hosts))
        return self._series(MetricKind.DISK, query, start, end, step_seconds, labels=("mountpoint",))

    def _series(
        self,
        metric: MetricKind,
        query: str,
        start: datetime,
        end: datetime,
        step_seconds: float,
        *,
        labels: tuple[str, ...] = (),
    ) -> list[Series]:
        rows = self.query_range(query, start=start, end=end, step_seconds=step_seconds)
        # Series of one range query mostly share their timestamps: keep one tuple per distinct run.
        shared: dict[tuple[float, ...], tuple[float, ...]] = {}
        out = []
        for row in rows:
            stamps, values = zip(*row["values"], strict=True) if row["values"] else ((), ())
            timestamps = tuple(map(float, stamps))
            out.append(
                Series(
                    host=_host(row["metric"]),
                    metric=metric,
                    timestamps=shared.setdefault(timestamps, timestamps),
                    values=tuple(map(float, values)),
                    labels={name: str(row["metric"][name]) for name in labels if name in row["metric"]},
                )
            )
        return out

    @decoded
    def ranges(
        self,
        metrics: Sequence[MetricKind],
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> dict[MetricKind, list[Series]]:
        """Several metrics for many hosts: one batched range query per metric, sent concurrently.

        The server evaluates the queries in parallel while this process decodes the answers.
        """
        wanted = list(dict.fromkeys(metrics))
        if len(wanted) <= 1:
            return {m: self.range(m, hosts, start=start, end=end, step_seconds=step_seconds) for m in wanted}
        with ThreadPoolExecutor(max_workers=min(len(wanted), _MAX_CONCURRENT_QUERIES)) as pool:
            futures = {
                m: pool.submit(self.range, m, hosts, start=start, end=end, step_seconds=step_seconds) for m in wanted
            }
            return {m: f.result() for m, f in futures.items()}


def _instances(hosts: Sequence[HostRef] | None) -> list[str] | None:
    return None if hosts is None else [h.instance for h in hosts]
