"""Dashboards, alert rules and Alertmanager config are consistent and valid.

promtool and amtool come from the Debian packages prometheus and
prometheus-alertmanager, which mk/infra.mk installs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hcl_loader import REPO_ROOT

MONITORING = REPO_ROOT / "monitoring"
DASHBOARDS = sorted((MONITORING / "grafana" / "dashboards").glob("*.json"))

NODE_METRICS = {
    "node_cpu_seconds_total",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "node_disk_read_bytes_total",
    "node_disk_written_bytes_total",
    "node_network_receive_bytes_total",
    "node_network_transmit_bytes_total",
    "node_load1",
    "up",
}
BOT_METRICS = {
    "smartcloudops_requests_total",
    "smartcloudops_request_duration_seconds_bucket",
    "smartcloudops_tool_calls_total",
    "smartcloudops_detection_cycle_seconds_bucket",
    "smartcloudops_detection_cycle_seconds_sum",
    "smartcloudops_detection_cycle_seconds_count",
    "smartcloudops_anomalies_open",
    "smartcloudops_approvals",
    "smartcloudops_job_failures_total",
    "smartcloudops_llm_tokens_total",
}
# What the dashboards' PromQL test substitutes before running each expression.
MACROS = {"$__rate_interval": "5m", "$__interval": "1m", "$instance": ".*", "$host": ".*", "$job": ".*"}
PROMQL_WORDS = {
    "sum",
    "avg",
    "max",
    "min",
    "count",
    "by",
    "without",
    "rate",
    "increase",
    "irate",
    "or",
    "and",
    "unless",
    "on",
    "ignoring",
    "vector",
    "sort_desc",
    "sort",
    "histogram_quantile",
    "le",
    "topk",
    "bottomk",
}


def _targets(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard["panels"]:
        found.extend(panel.get("targets", []))
        for inner in panel.get("panels", []):
            found.extend(inner.get("targets", []))
    return found


def _expressions() -> list[tuple[str, str]]:
    exprs = []
    for path in DASHBOARDS:
        for target in _targets(json.loads(path.read_text())):
            exprs.append((f"{path.stem}/{target['refId']}", target["expr"]))
    return exprs


def _substitute(expr: str) -> str:
    for macro, value in MACROS.items():
        expr = expr.replace(macro, value)
    return expr


def _metric_names(expr: str) -> set[str]:
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    without_labels = re.sub(r"\{[^}]*\}", "", without_strings)
    without_grouping = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", without_labels)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_grouping)
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_ranges))
    return words - PROMQL_WORDS


def test_there_are_three_dashboards():
    assert {"fleet-overview", "host-detail", "smartcloudops-bot"} == {p.stem for p in DASHBOARDS}


def test_dashboards_have_unique_uids_and_provisionable_shape():
    uids = []
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        uids.append(dashboard["uid"])
        assert dashboard.get("id") is None, path.name
        assert dashboard["title"].startswith("SmartCloudOps / "), path.name
        panel_ids = [p["id"] for p in dashboard["panels"]]
        assert len(panel_ids) == len(set(panel_ids)), path.name
    assert len(uids) == len(set(uids))


def test_every_target_uses_the_provisioned_prometheus_datasource():
    provisioned = yaml.safe_load(
        (MONITORING / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    prometheus_uid = next(d["uid"] for d in provisioned["datasources"] if d["type"] == "prometheus")
    for path in DASHBOARDS:
        for target in _targets(json.loads(path.read_text())):
            assert {"type": "prometheus", "uid": prometheus_uid} == target["datasource"], path.name


@pytest.mark.parametrize(("where", "expr"), _expressions(), ids=[w for w, _ in _expressions()])
def test_expressions_use_only_known_metrics_and_macros(where, expr):
    assert not re.findall(r"\$\{?\w+", _substitute(expr)), f"unsupported macro in {where}"
    names = _metric_names(expr)
    assert names, where
    assert names <= NODE_METRICS | BOT_METRICS, f"{where}: {names - NODE_METRICS - BOT_METRICS}"
    for job in re.findall(r'job\s*=~?\s*"([^"]*)"', expr):
        assert "smartcloudops" == job, where


def test_host_dashboards_cover_cpu_memory_disk_network_load():
    text = (MONITORING / "grafana" / "dashboards" / "host-detail.json").read_text()
    for metric in (
        "node_cpu_seconds_total",
        "node_memory_MemAvailable_bytes",
        "node_filesystem_avail_bytes",
        "node_disk_read_bytes_total",
        "node_network_receive_bytes_total",
        "node_load1",
    ):
        assert metric in text


def test_instance_variable_matches_everything_when_all_selected():
    for path in DASHBOARDS:
        for variable in json.loads(path.read_text())["templating"]["list"]:
            if variable["name"] == "instance":
                assert variable["includeAll"]
                assert ".*" == variable["allValue"]


def _promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool missing: apt-get install prometheus"
    return path


def test_dashboard_expressions_parse(tmp_path: Path):
    """promtool check rules parses each expression (as a recording rule)."""
    rules = [{"record": f"dashboard:expr_{i}", "expr": _substitute(expr)} for i, (_, expr) in enumerate(_expressions())]
    rules_file = tmp_path / "dashboards.yml"
    rules_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))

    result = subprocess.run(  # noqa: S603 -- fixed argv from shutil.which
        [_promtool(), "check", "rules", str(rules_file)], capture_output=True, text=True, check=False
    )

    assert 0 == result.returncode, result.stdout + result.stderr


def test_alert_rules_cover_the_required_conditions():
    rules = {}
    for path in (MONITORING / "prometheus" / "rules").glob("*.yml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                rules[rule["alert"]] = rule

    assert "> 90" in rules["HostHighCpu"]["expr"]
    assert "3m" == rules["HostHighCpu"]["for"]
    assert "> 90" in rules["HostHighMemory"]["expr"]
    assert "5m" == rules["HostHighMemory"]["for"]
    assert "> 85" in rules["HostDiskAlmostFull"]["expr"]
    assert "10m" == rules["HostDiskAlmostFull"]["for"]
    assert "up" in rules["InstanceDown"]["expr"]
    assert "2m" == rules["InstanceDown"]["for"]
    assert 'up{job="smartcloudops"} == 0' == rules["SmartCloudOpsBotDown"]["expr"]
    assert "2m" == rules["SmartCloudOpsBotDown"]["for"]
    assert "vector(1)" == rules["Watchdog"]["expr"]
    assert "none" == rules.pop("Watchdog")["labels"]["severity"]
    for name, rule in rules.items():
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"], name
        assert rule["annotations"]["description"], name


def test_every_rule_file_has_unit_tests():
    tested = set()
    for path in (MONITORING / "prometheus" / "tests").glob("*.yml"):
        tested.update(Path(f).name for f in yaml.safe_load(path.read_text())["rule_files"])
    assert {p.name for p in (MONITORING / "prometheus" / "rules").glob("*.yml")} == tested


def test_alertmanager_routes_to_slack_email_and_sns():
    config = yaml.safe_load((MONITORING / "alertmanager" / "alertmanager.yml").read_text())
    kinds = {k for r in config["receivers"] for k in r if k.endswith("_configs")}
    receivers = {r["name"] for r in config["receivers"]}

    assert {"slack_configs", "email_configs", "sns_configs"} <= kinds
    assert config["route"]["receiver"] in receivers
    assert {r["receiver"] for r in config["route"]["routes"]} <= receivers


def test_only_the_watchdog_route_receives_the_watchdog():
    config = yaml.safe_load((MONITORING / "alertmanager" / "alertmanager.yml").read_text())
    first = config["route"]["routes"][0]

    assert "watchdog" == first["receiver"]
    assert ['alertname = "Watchdog"'] == first["matchers"]
    assert not first.get("continue", False)
