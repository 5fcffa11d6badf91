"""The rules file loader and the Prometheus alerting-rule export."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from adapters.prometheus.rule_export import alerting_rules, render_alerting_rules, rule_expr
from detectors.rules.file import load_rules_file, parse_rules_yaml
from detectors.rules.grammar import parse_rule
from domain.errors import ConfigError
from domain.models import Severity

GOOD = """
rules:
  - name: web-cpu-hot
    rule: cpu > 90% for 3m on web-* then restart_service nginx
    severity: critical
  - memory >= 95% for 10m then scale_up web-asg by 1
"""


def test_rules_load_in_order_with_names_and_severity() -> None:
    rules = parse_rules_yaml(GOOD)

    assert [("web-cpu-hot", Severity.CRITICAL), ("rule-2", Severity.HIGH)] == [(r.name, r.severity) for r in rules]
    assert parse_rule("memory >= 95% for 10m then scale_up web-asg by 1") == rules[1].rule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [cpu > 90% for 3min]", "rules file: rule 1 (rule-1): column 15: a duration is digits"),
        ("rules:\n  - name: a\n    rule: cpu > 1 for 1m\n  - name: a\n    rule: cpu > 2 for 1m", "'a' is used twice"),
        ("rules: {a: 1}", "expected a top-level 'rules:' list"),
        ("- cpu > 1 for 1m", "expected a top-level 'rules:' list"),
        ("rules: [[1, 2]]", "rule 1: expected a rule text or a mapping"),
        ("rules: [{rule: cpu > 1 for 1m, sevrity: low}]", "unknown key(s) sevrity"),
        ("rules: [{rule: cpu > 1 for 1m, severity: urgent}]", "severity must be one of low, medium, high, critical"),
        ("rules: [{name: 'bad name', rule: cpu > 1 for 1m}]", "the name must be letters"),
        ("rules: [{name: ok}]", "'rule' must be a text"),
        ("rules: [{name: ok, rule: 5}]", "'rule' must be a text"),
        ("rules: [cpu > 1 for 1m\n", "at line 2, column 1"),
        ("rules: [ !!python/object/apply:os.system ['true'] ]", "rules file"),
    ],
)
def test_a_bad_file_gives_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_rules_yaml(text)

    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_empty_file_has_no_rules() -> None:
    assert [] == parse_rules_yaml("")


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_rules_file(tmp_path / "missing.yaml")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_rules_file(tmp_path / "binary.yaml")


def test_export_has_alert_expr_for_and_labels() -> None:
    exported = alerting_rules(parse_rules_yaml(GOOD))["groups"][0]["rules"]

    assert ["web-cpu-hot", "rule-2"] == [r["alert"] for r in exported]
    assert ["3m", "10m"] == [r["for"] for r in exported]
    assert {"severity": "critical", "source": "smartcloudops"} == exported[0]["labels"]
    assert "restart_service nginx" == exported[0]["annotations"]["remediation"]


def test_expr_compares_the_bot_query_and_restricts_to_the_selected_hosts() -> None:
    expr = rule_expr(parse_rule("disk < 5.5% for 1m on web-*,10.0.1.13:9100"))

    assert expr.startswith("((100 * (1 - max by (instance, host, instance_id) (node_filesystem_avail_bytes")
    assert ") < 5.5) and on (instance) (" in expr
    assert 'up{host=~"web\\\\-.*|10\\\\.0\\\\.1\\\\.13:9100"}' in expr


def test_rendered_export_is_yaml_that_reads_back() -> None:
    text = render_alerting_rules(parse_rules_yaml(GOOD))

    assert alerting_rules(parse_rules_yaml(GOOD)) == yaml.safe_load(text)


def test_a_bad_rules_file_stops_start_up_with_one_line(tmp_path: Path) -> None:
    from bot.config.settings import AuditSettings, RemediationSettings, Settings
    from bot.wiring import build_services

    (tmp_path / "rules.yaml").write_text("rules: [cpu > 90% for]\n")
    settings = Settings(
        audit=AuditSettings(dir=tmp_path / "audit"), remediation=RemediationSettings(rules_file=tmp_path / "rules.yaml")
    )

    with pytest.raises(ConfigError, match=r"rule 1 \(rule-1\): column 14: expected a duration"):
        build_services(settings)


def test_rules_with_actions_get_a_job_that_requests_approval(tmp_path: Path) -> None:
    from adapters.clock import ManualClock
    from adapters.simulated.cloud import SimulatedCloudActions
    from adapters.simulated.metrics import SimulatedMetrics
    from bot.config.settings import AuditSettings, RemediationSettings, Settings
    from bot.wiring import build_services
    from simulator.fleet import FleetModel

    (tmp_path / "rules.yaml").write_text(GOOD)
    settings = Settings(
        audit=AuditSettings(dir=tmp_path / "audit"), remediation=RemediationSettings(rules_file=tmp_path / "rules.yaml")
    )

    without_metrics = build_services(settings, cloud=SimulatedCloudActions({}))
    with_metrics = build_services(
        settings,
        cloud=SimulatedCloudActions({}),
        metrics=SimulatedMetrics(FleetModel(3), ManualClock(datetime(2026, 1, 5, tzinfo=UTC))),
    )

    assert without_metrics.rule_actions is None
    assert with_metrics.rule_actions is not None
    assert ["web-cpu-hot", "rule-2"] == [r.name for r in with_metrics.rule_actions.rules]
