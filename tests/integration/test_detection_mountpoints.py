"""Disk per filesystem against a real Prometheus: /data fills while / stays steady, and the replay names /data."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from bot.cli.main import main
from detectors.engine.events import iso
from tests import servers

pytestmark = pytest.mark.integration

HOUR = 3600.0
SIZE = 100e9
# (mountpoint, device, fstype): the last two are not the host's storage and must be left out.
FILESYSTEMS = (
    ("/", "/dev/nvme0n1p1", "ext4"),
    ("/data", "/dev/nvme1n1", "xfs"),
    ("/run", "tmpfs", "tmpfs"),
    ("/boot/efi", "/dev/nvme0n1p15", "vfat"),
)
FILL_AFTER = 30 * 60.0
FILL_HOURS = 3.0


@pytest.fixture(scope="module")
def period() -> tuple[float, float]:
    end = float(int(time.time() // 3600 * 3600) - 2 * 3600)
    return end - 4 * HOUR, end


def _used(mount: str, t: float, start: float) -> float:
    """Used %: /data climbs from 50% to 98% in three hours from half an hour into the replay; the rest is steady."""
    wobble = 0.2 * math.sin(t / 600.0)
    if mount == "/data":
        progress = min(max((t - start - FILL_AFTER) / (FILL_HOURS * HOUR), 0.0), 1.0)
        return 50.0 + 48.0 * progress + wobble
    return {"/": 40.0, "/run": 3.0, "/boot/efi": 99.5}[mount] + wobble


def _history(path: Path, *, start: float, end: float) -> None:
    times = np.arange(start - 24 * HOUR, end + 1, 60.0)
    labels = 'instance="db-1:9100",host="db-1",job="node"'
    with path.open("w") as out:
        for name in ("node_filesystem_avail_bytes", "node_filesystem_size_bytes"):
            out.write(f"# TYPE {name} gauge\n")
            for mount, device, fstype in FILESYSTEMS:
                series = f'{name}{{{labels},mountpoint="{mount}",device="{device}",fstype="{fstype}"}}'
                for t in times.tolist():
                    value = SIZE if name.endswith("size_bytes") else SIZE * (1 - _used(mount, t, start) / 100)
                    out.write(f"{series} {value:.0f} {t:.3f}\n")
        out.write("# EOF\n")


@pytest.fixture(scope="module")
def prometheus(
    tmp_path_factory: pytest.TempPathFactory, period: tuple[float, float]
) -> Iterator[servers.ServerProcess]:
    workdir = tmp_path_factory.mktemp("mountpoints")
    start, end = period
    _history(workdir / "history.om", start=start, end=end)
    try:
        servers.backfill_openmetrics(workdir / "history.om", workdir / "data")
        server = servers.start_prometheus(workdir, scrape_targets={}, tsdb=workdir / "data")
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def test_replay_opens_one_disk_fill_naming_the_filling_mountpoint_with_time_to_full(
    prometheus: servers.ServerProcess,
    period: tuple[float, float],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start, end = period
    out = tmp_path / "incidents.jsonl"
    monkeypatch.setenv("SCO_PROMETHEUS__URL", prometheus.url)
    monkeypatch.setenv("SCO_DETECTION__BOOTSTRAP_HOURS", "24")

    code = main(["detect", "replay", "--start", iso(start), "--end", iso(end), "--output", str(out)])

    assert 0 == code
    records = [json.loads(line) for line in out.read_text().splitlines()]
    fills = [r for r in records if r["kind"] == "disk_fill"]
    assert [("db-1", "/data")] == [(r["host"], r["mountpoint"]) for r in fills]
    assert fills[0]["summary"].startswith("disk /data on db-1 ")
    assert ", full in ~" in fills[0]["summary"]
    opened = datetime.fromisoformat(fills[0]["opened_at"].replace("Z", "+00:00")).timestamp()
    assert opened - (start + FILL_AFTER) < FILL_HOURS * HOUR / 2
    assert {r.get("mountpoint") for r in records if r["signal"] == "disk"} == {"/data"}
