"""``smartcloudops export`` over a real Prometheus, and its CSV read back by ``train --input``."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from adapters.files.metrics_csv import read_wide_csv
from tests.servers import ServerProcess


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the project's own CLI
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_export_writes_one_column_per_metric_per_host(prometheus: ServerProcess, tmp_path: Path) -> None:
    env = {**os.environ, "SCO_PROMETHEUS__URL": prometheus.url}
    out = tmp_path / "metrics.csv"

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


def test_train_reads_the_exported_csv(prometheus: ServerProcess, tmp_path: Path) -> None:
    env = {**os.environ, "SCO_PROMETHEUS__URL": prometheus.url}
    out = tmp_path / "metrics.csv"
    assert 0 == cli("export", "--since", "25m", "--output", str(out), env=env).returncode

    result = cli("train", "--input", str(out), "--output", str(tmp_path / "model.pkl"), env=env)

    assert 0 == result.returncode, result.stderr
    assert (tmp_path / "model.pkl").exists()


def test_export_without_prometheus_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCO_")}
    result = cli("export", "--output", str(tmp_path / "x.csv"), env=env)
    assert 2 == result.returncode
    assert ["configuration error: SCO_PROMETHEUS__URL is not set"] == result.stderr.strip().splitlines()
