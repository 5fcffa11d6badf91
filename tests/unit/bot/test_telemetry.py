"""The bot's metric names (the Grafana dashboards depend on them) and their exposition."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from agent.runner import ToolCallRecord
from bot.telemetry import BotMetrics


def test_names_types_and_labels() -> None:
    metrics = BotMetrics()
    metrics.count_request(surface="command", outcome="ok", seconds=0.004)
    metrics.count_tool_calls([ToolCallRecord(name="get_current_metric", args={}, status="success")])
    metrics.detection_cycle.observe(1.5)
    metrics.anomalies_open.set(3)
    metrics.approvals.labels(state="pending").set(2)
    metrics.job_failures.labels(job="digest").inc()
    metrics.llm_tokens.inc(120)

    families = {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}

    assert {name: f.type for name, f in families.items() if not name.endswith("_created")} == {
        "smartcloudops_requests": "counter",
        "smartcloudops_request_duration_seconds": "histogram",
        "smartcloudops_tool_calls": "counter",
        "smartcloudops_detection_cycle_seconds": "histogram",
        "smartcloudops_anomalies_open": "gauge",
        "smartcloudops_approvals": "gauge",
        "smartcloudops_job_failures": "counter",
        "smartcloudops_llm_tokens": "counter",
    }
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("smartcloudops_requests_total", (("outcome", "ok"), ("surface", "command")))] == 1
    assert samples[("smartcloudops_tool_calls_total", (("status", "success"), ("tool", "get_current_metric")))] == 1
    assert samples[("smartcloudops_job_failures_total", (("job", "digest"),))] == 1
    assert samples[("smartcloudops_llm_tokens_total", ())] == 120
    assert samples[("smartcloudops_approvals", (("state", "pending"),))] == 2


def test_each_instance_has_its_own_registry() -> None:
    first, second = BotMetrics(), BotMetrics()
    first.llm_tokens.inc(5)

    assert b"smartcloudops_llm_tokens_total 0.0" in second.exposition()


def test_scrape_refreshers_run_before_exposition() -> None:
    metrics = BotMetrics()
    metrics.on_scrape(lambda: metrics.anomalies_open.set(7))

    assert b"smartcloudops_anomalies_open 7.0" in metrics.exposition()
