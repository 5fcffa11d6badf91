"""``detect replay`` on a fleet built apart from the project's simulator (``tests/noisy_fleet.py``).

Two days of its history are backfilled into a real Prometheus, then six hours with ten incidents
are replayed: each is found on its host and signal in time and held while it lasts, the reboot's
counter reset opens nothing, and the noise itself opens next to nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.cli.main import main
from tests import servers
from tests.factories import epoch_of, iso_utc
from tests.noisy_fleet import HOSTS, REBOOTED, Injected, NoisyFleet

pytestmark = pytest.mark.integration

HOUR = 3600.0
TRENDS = ("memory_leak", "disk_fill")


@pytest.fixture(scope="module")
def fleet() -> NoisyFleet:
    end = float(int(time.time() // 3600 * 3600) - 2 * 3600)
    return NoisyFleet(start=end - 54 * HOUR, end=end, replay_from=end - 6 * HOUR)


@pytest.fixture(scope="module")
def noisy_prometheus(tmp_path_factory: pytest.TempPathFactory, fleet: NoisyFleet) -> Iterator[servers.ServerProcess]:
    try:
        server = servers.start_backfilled_prometheus(tmp_path_factory.mktemp("noisy"), fleet.write_openmetrics)
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def _epoch(text: str | None) -> float | None:
    return None if text is None else epoch_of(text)


def _of(incident: Injected, record: dict[str, Any]) -> bool:
    """Whether ``record`` is about ``incident``: its host and signal, open at some time during it."""
    opened, resolved = _epoch(record["opened_at"]), _epoch(record["resolved_at"])
    return (
        record["host"] == incident.host.shown
        and record["signal"] == incident.signal
        and opened is not None
        and opened <= incident.end
        and (resolved is None or resolved >= incident.start)
    )


@pytest.fixture(scope="module")
def replayed(
    noisy_prometheus: servers.ServerProcess, fleet: NoisyFleet, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("noisy_replay") / "incidents.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCO_PROMETHEUS__URL", noisy_prometheus.url)
        patch.delenv("SCO_DETECTION__BOOTSTRAP_HOURS", raising=False)
        code = main(
            [
                "detect",
                "replay",
                "--start",
                iso_utc(fleet.replay_from),
                "--end",
                iso_utc(fleet.times[-1]),
                "--output",
                str(out),
            ]
        )
    assert code == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_every_incident_is_found_on_its_host_and_signal_in_time_and_held_while_it_lasts(
    replayed: list[dict[str, Any]], fleet: NoisyFleet
) -> None:
    for incident in fleet.injected:
        about = [r for r in replayed if _of(incident, r)]
        assert about, f"{incident.what} on {incident.host.shown} was not reported"
        first = min(about, key=lambda r: r["opened_at"])
        delay = (_epoch(first["opened_at"]) or 0.0) - incident.start
        assert -60 <= delay <= 5 * 60 or incident.kind in TRENDS, (
            f"{incident.what}: opened {delay:.0f} s after it began"
        )
        resolved = _epoch(first["resolved_at"])
        assert resolved is None or resolved >= incident.end, f"{incident.what}: resolved while still abnormal"
        kinds = {r["kind"]: _epoch(r["opened_at"]) or 0.0 for r in sorted(about, key=lambda r: r["opened_at"])[::-1]}
        assert incident.kind in kinds, f"{incident.what}: reported as {sorted(kinds)}, not {incident.kind}"
        if incident.kind in TRENDS:
            # A ramp of 6 to 8 points an hour from about half full: named for what it is well before it fills.
            assert kinds[incident.kind] - incident.start <= 2 * HOUR, f"{incident.what}: named too late"


def test_the_reboot_and_the_noise_open_next_to_nothing(replayed: list[dict[str, Any]], fleet: NoisyFleet) -> None:
    saturated = fleet.injected[0].host.shown
    unexplained = [
        r
        for r in replayed
        if not any(_of(incident, r) for incident in fleet.injected)
        # The load of a host whose CPUs are saturated follows them.
        and not (r["host"] == saturated and r["signal"] == "load")
    ]
    rebooted = [r for r in unexplained if r["host"] == REBOOTED.shown]

    assert not [r for r in rebooted if abs((_epoch(r["opened_at"]) or 0.0) - fleet.reboot_at) <= 15 * 60]
    # 12 hosts × 6 hours is 3 host-days: at most one false incident a host-day, with room to spare.
    assert len(unexplained) <= 2, [(r["host"], r["signal"], r["opened_at"], r["summary"]) for r in unexplained]
    assert {r["host"] for r in replayed if r["kind"] in TRENDS} == {
        i.host.shown for i in fleet.injected if i.kind in TRENDS
    }
    assert {r["host"] for r in replayed} <= {h.shown for h in HOSTS}
