"""The bot's own Prometheus metrics, in a registry of their own (served on ``GET /metrics``).

Names are part of the product: the Grafana dashboards query them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from agent.runner import ToolCallRecord

#: Ack latency matters below Slack's 3 s limit; answers can take longer.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_CYCLE_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
APPROVAL_STATES = ("pending", "approved", "executing", "succeeded", "failed", "rejected", "expired", "cancelled")


class BotMetrics:
    """Counters, histograms and gauges of one bot process."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "smartcloudops_requests", "Requests handled, by surface and outcome", ("surface", "outcome"), registry=r
        )
        self.request_duration = Histogram(
            "smartcloudops_request_duration_seconds",
            "Time to acknowledge a request (Slack) or answer it (HTTP API)",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.tool_calls = Counter(
            "smartcloudops_tool_calls", "Tool calls, by tool and status", ("tool", "status"), registry=r
        )
        self.detection_cycle = Histogram(
            "smartcloudops_detection_cycle_seconds",
            "Duration of one detection cycle",
            buckets=_CYCLE_BUCKETS,
            registry=r,
        )
        self.anomalies_open = Gauge("smartcloudops_anomalies_open", "Anomalies currently open", registry=r)
        self.approvals = Gauge("smartcloudops_approvals", "Approval requests by state", ("state",), registry=r)
        self.job_failures = Counter(
            "smartcloudops_job_failures", "Scheduled job runs that failed", ("job",), registry=r
        )
        self.llm_tokens = Counter("smartcloudops_llm_tokens", "Tokens used by the language model", registry=r)
        self._refreshers: list[Callable[[], None]] = []

    def count_request(self, *, surface: str, outcome: str, seconds: float) -> None:
        """One handled request."""
        self.requests.labels(surface=surface, outcome=outcome).inc()
        self.request_duration.observe(seconds)

    def count_tool_calls(self, calls: Iterable[ToolCallRecord]) -> None:
        """The tool calls behind one answer."""
        for call in calls:
            self.tool_calls.labels(tool=call.name, status=call.status).inc()

    def on_scrape(self, refresh: Callable[[], None]) -> None:
        """Run ``refresh`` before each exposition (for gauges read from a store)."""
        self._refreshers.append(refresh)

    def exposition(self) -> bytes:
        """The text exposition format of every metric."""
        for refresh in self._refreshers:
            refresh()
        return generate_latest(self.registry)
