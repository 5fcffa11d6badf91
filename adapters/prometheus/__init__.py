"""Prometheus (and VictoriaMetrics): the MetricsSource port, its PromQL builders and host matching."""
