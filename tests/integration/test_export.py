"""``smartcloudops export`` over a real Prometheus, and its CSV read back by ``train --input``."""

from __future__ import annotations

import csv
from pathlib import Path

from adapters.files.metrics_csv import read_wide_csv
from tests.integration.conftest import CliRunner
from tests.servers import ServerProcess


def test_export_writes_one_column_per_metric_per_host(
    prometheus: ServerProcess, tmp_path: Path, cli: CliRunner
) -> None:
    out = tmp_path / "metrics.csv"

    env = {"SCO_PROMETHEUS__URL": prometheus.url}

    result = cli("export", "--since", "20m", "--output", str(out), "--metrics", "cpu,memory", env=env)

    assert 0 == result.returncode, result.stderr
    header = next(csv.reader(out.open()))
    assert "timestamp" == header[0]
    assert "cpu@10.0.1.11:9100" in header
    assert "memory@10.0.1.13:9100" in header
    series = read_wide_csv(out)
    web1 = next(s for s in series if s.metric.value == "cpu" and s.host.instance == "10.0.1.11:9100")
    assert 15 <= len(web1.values)
    assert "wrote" in result.stdout


def test_train_reads_the_exported_csv(prometheus: ServerProcess, tmp_path: Path, cli: CliRunner) -> None:
    out = tmp_path / "metrics.csv"
    env = {"SCO_PROMETHEUS__URL": prometheus.url}
    assert 0 == cli("export", "--since", "25m", "--output", str(out), env=env).returncode

    result = cli("train", "--input", str(out), "--output", str(tmp_path / "model.pkl"), env=env)

    assert 0 == result.returncode, result.stderr
    assert (tmp_path / "model.pkl").exists()


def test_export_without_prometheus_is_one_clear_line(tmp_path: Path, cli: CliRunner) -> None:
    result = cli("export", "--output", str(tmp_path / "x.csv"))

    assert 2 == result.returncode
    assert ["configuration error: SCO_PROMETHEUS__URL is not set"] == result.stderr.strip().splitlines()
