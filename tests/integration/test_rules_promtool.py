"""The exported alerting rules fire exactly when the bot's rule engine fires: checked by ``promtool test rules``.

One scenario (breaches, recoveries, a missing scrape, hosts in and out of the selector) feeds
both sides: the bot's evaluator decides, minute by minute, which alerts must be firing, and
promtool checks Prometheus's own rule evaluation of the export against that.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from adapters.prometheus.rule_export import alerting_rules
from detectors.rules.evaluation import firing
from detectors.rules.file import NamedRule, parse_rules_yaml
from domain.models import HostRef, MetricKind, Series
from tests.servers import find_binary

RULES = """
rules:
  - name: web-memory-full
    rule: memory >= 95% for 3m on web-*
  - name: disk-almost-full
    rule: disk < 10 for 2m
    severity: critical
"""
HOSTS = {
    "web-1": HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0a1b2c3d4e5f60001"),
    "web-2": HostRef(instance="10.0.1.12:9100", host="web-2", instance_id="i-0a1b2c3d4e5f60002"),
    "db-1": HostRef(instance="10.0.1.13:9100", host="db-1", instance_id="i-0a1b2c3d4e5f60003"),
}
# Percent used per minute: H breaches (96% memory, 95% disk used -> 5% free), L does not, _ is a failed scrape.
MEMORY = {"web-1": "LLHHHHHLLHHH_HHHHHHLL", "web-2": "HHHHHHHHHHHHHHHHHHHHH", "db-1": "HHHHHHHHHHHHHHHHHHHHH"}
DISK = {"web-1": "LLLLLLLLLLLLLLLLLLLLL", "web-2": "LHHLHHHH_HHHLLLLLLLLL", "db-1": "HHHHHHHHHHHHHHHHHHHHH"}
TOTAL = 1000.0


def _labels(host: HostRef) -> str:
    return f'instance="{host.instance}",host="{host.host}",instance_id="{host.instance_id}",job="node"'


def _values(pattern: str, high_avail: float, low_avail: float) -> str:
    return " ".join({"H": f"{high_avail:g}", "L": f"{low_avail:g}", "_": "stale"}[c] for c in pattern)


def _bot_series(name: str, metric: MetricKind, pattern: str, used_high: float) -> Series:
    points = [(n * 60.0, used_high if c == "H" else 50.0) for n, c in enumerate(pattern) if c != "_"]
    if metric is MetricKind.DISK:
        points = [(t, 100.0 - v) for t, v in points]  # the disk rule compares the free percentage
    return Series(HOSTS[name], metric, tuple(t for t, _ in points), tuple(v for _, v in points))


def _input_series() -> list[dict[str, str]]:
    out = []
    for name, host in HOSTS.items():
        labels = _labels(host)
        minutes = len(MEMORY[name])
        out.append({"series": f"up{{{labels}}}", "values": f"1x{minutes}"})
        out.append({"series": f"node_memory_MemTotal_bytes{{{labels}}}", "values": f"{TOTAL:g}x{minutes}"})
        out.append({"series": f"node_memory_MemAvailable_bytes{{{labels}}}", "values": _values(MEMORY[name], 40, 500)})
        fs = f'{labels},mountpoint="/",fstype="ext4",device="/dev/nvme0n1p1"'
        out.append({"series": f"node_filesystem_size_bytes{{{fs}}}", "values": f"{TOTAL:g}x{minutes}"})
        # disk rule "disk < 10": used percent below 10 means almost empty; H = 5% used, L = 50% used
        out.append({"series": f"node_filesystem_avail_bytes{{{fs}}}", "values": _values(DISK[name], 950, 500)})
    return out


def _expected(rules: list[NamedRule]) -> tuple[list[dict[str, object]], int]:
    exported = {r["alert"]: r for r in alerting_rules(rules)["groups"][0]["rules"]}
    tests: list[dict[str, object]] = []
    firing_count = 0
    minutes = len(MEMORY["web-1"])
    for named in rules:
        patterns = MEMORY if named.rule.metric is MetricKind.MEMORY else DISK
        used_high = 96.0 if named.rule.metric is MetricKind.MEMORY else 95.0
        for minute in range(minutes):
            alerts = []
            for name, pattern in patterns.items():
                series = _bot_series(name, named.rule.metric, pattern, used_high)
                if firing(named.rule, series, now=minute * 60.0) is not None:
                    host = HOSTS[name]
                    alerts.append(
                        {
                            "exp_labels": {
                                **exported[named.name]["labels"],
                                "instance": host.instance,
                                "host": host.host,
                                "instance_id": host.instance_id,
                            },
                            "exp_annotations": exported[named.name]["annotations"],
                        }
                    )
            firing_count += len(alerts)
            tests.append({"eval_time": f"{minute}m", "alertname": named.name, "exp_alerts": alerts})
    return tests, firing_count


def test_prometheus_fires_the_exported_rules_exactly_when_the_bot_does(tmp_path: Path) -> None:
    promtool = find_binary("promtool", "the Debian package prometheus")
    rules = parse_rules_yaml(RULES)
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(alerting_rules(rules), sort_keys=False))
    alert_tests, firing_count = _expected(rules)
    assert 0 < firing_count < len(alert_tests) * len(HOSTS)
    suite = {
        "rule_files": ["alerts.yml"],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": _input_series(), "alert_rule_test": alert_tests}],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(suite, sort_keys=False))

    result = subprocess.run(  # noqa: S603 - fixed argv, our own files
        [promtool, "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )

    assert 0 == result.returncode, result.stdout[-4000:] + result.stderr[-2000:]
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("text", ["cpu > 90% for 3m on web-*,db-1 then restart_service nginx", "up == 0 for 1m"])
def test_promtool_accepts_every_metric_expression(tmp_path: Path, text: str) -> None:
    promtool = find_binary("promtool", "the Debian package prometheus")
    rules = parse_rules_yaml(yaml.safe_dump({"rules": [text]}))
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(alerting_rules(rules)))

    result = subprocess.run(  # noqa: S603 - fixed argv, our own files
        [promtool, "check", "rules", "alerts.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert 0 == result.returncode, result.stdout + result.stderr
