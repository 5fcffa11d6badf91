"""A detection pass reads the windows of the metrics its rules judge, and no others."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from structlog.testing import capture_logs

from adapters.clock import ManualClock
from adapters.simulated.metrics import SimulatedMetrics
from bot.config.settings import AuditSettings, RemediationSettings, Settings
from bot.wiring import build_services
from domain.models import MetricKind
from simulator.fleet import FleetModel


def _detection_metrics(tmp_path: Path, rules: str | None) -> tuple[MetricKind, ...]:
    remediation = {}
    if rules is not None:
        path = tmp_path / "rules.yaml"
        path.write_text(rules, encoding="utf-8")
        remediation["rules_file"] = path
    settings = Settings(audit=AuditSettings(dir=tmp_path / "audit"), remediation=RemediationSettings(**remediation))
    clock = ManualClock(datetime(2026, 12, 7, 12, tzinfo=UTC))
    services = build_services(settings, clock=clock, metrics=SimulatedMetrics(FleetModel(4), clock), load_model=False)
    assert services.detection is not None
    return tuple(services.detection.metric_kinds) if services.detection.detectors else ()


def test_rules_read_the_windows_of_their_own_metrics_only(tmp_path: Path) -> None:
    rules = (
        "rules:\n"
        "  - name: hot\n    rule: cpu > 90% for 3m\n"
        "  - name: busy\n    rule: load > 8 for 5m\n"
        "  - name: hot-web\n    rule: cpu > 95% for 1m on web-*\n"
    )

    assert (MetricKind.CPU, MetricKind.LOAD) == _detection_metrics(tmp_path, rules)


def test_without_rules_no_window_is_read(tmp_path: Path) -> None:
    assert () == _detection_metrics(tmp_path, None)


def test_an_empty_rules_file_is_a_warning_and_no_rules(tmp_path: Path) -> None:
    with capture_logs() as logs:
        assert () == _detection_metrics(tmp_path, "rules: []\n")

    assert [("rules_file_empty", "warning")] == [
        (e["event"], e["log_level"]) for e in logs if e["event"] == "rules_file_empty"
    ]
