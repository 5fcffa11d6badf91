"""Wiring of the data sources: the configured metrics source and the log sources the log tool reads."""

from __future__ import annotations

from adapters.files.logs import JsonlLogSource
from bot.config.settings import Settings
from domain.errors import ConfigError
from domain.ports import LogSource, MetricsSource


def build_log_sources(settings: Settings) -> tuple[LogSource, ...]:
    """The product's own event and audit logs, plus CloudWatch Logs when a group is configured."""
    sources: list[LogSource] = [
        JsonlLogSource("events", settings.audit.dir, "events*.jsonl"),
        JsonlLogSource("audit", settings.audit.dir, "audit-*.jsonl"),
    ]
    if settings.logs.cloudwatch_group and settings.aws.enabled:
        import boto3

        from adapters.aws.cloudwatch_logs import CloudWatchLogSource

        endpoint = str(settings.aws.endpoint_url) if settings.aws.endpoint_url else None
        client = boto3.session.Session(region_name=settings.aws.region).client("logs", endpoint_url=endpoint)
        sources.append(CloudWatchLogSource(client, settings.logs.cloudwatch_group))
    return tuple(sources)


def build_metrics(settings: Settings) -> MetricsSource:
    """The configured metrics source (Prometheus or VictoriaMetrics).

    Raises:
        ConfigError: no metrics source is configured.
    """
    if settings.prometheus.url is None:
        raise ConfigError("SCO_PROMETHEUS__URL is not set")
    from adapters.prometheus.metrics import PrometheusMetrics

    cfg = settings.prometheus
    return PrometheusMetrics(
        str(cfg.url), timeout_seconds=cfg.timeout_seconds, node_selector=cfg.node_selector, compress=cfg.compress
    )
