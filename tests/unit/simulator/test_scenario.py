"""Scenario files: incidents with relative or absolute starts, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.errors import InputError
from simulator.fleet import Incident, IncidentKind
from simulator.scenario import load_scenario, parse_duration
from simulator.server import build_model

NOW = 1_780_000_000.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90.0),
        ("10m", 600.0),
        ("-2h", -7200.0),
        ("1d", 86400.0),
        (45, 45.0),
        ("-1h30m", -5400.0),
        ("5w", 5 * 604800.0),
        ("30 minutes", 1800.0),
        ("ten minutes", 600.0),
    ],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert seconds == parse_duration(text)


@pytest.mark.parametrize("text", ["10", "a few minutes", "5y", "-", "", "--5m"])
def test_bad_durations_are_input_errors(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration(text)


def test_every_incident_kind_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "incidents:\n"
        "  - {kind: cpu_saturation, host: web-1, start: -10m, duration: 30m}\n"
        "  - {kind: memory_leak, host: api-1, start: 1780000100, duration: 2h}\n"
        "  - {kind: disk_fill, host: db-1}\n"
        "  - {kind: network_spike, host: cache-1, start: 5m, duration: 90s}\n"
        "  - {kind: host_down, host: worker-1, start: -1h, duration: 15m}\n"
    )

    incidents = load_scenario(path, now=NOW)

    assert (
        Incident(IncidentKind.CPU_SATURATION, "web-1", NOW - 600, 1800),
        Incident(IncidentKind.MEMORY_LEAK, "api-1", 1_780_000_100.0, 7200),
        Incident(IncidentKind.DISK_FILL, "db-1", 0.0, 1800),
        Incident(IncidentKind.NETWORK_SPIKE, "cache-1", NOW + 300, 90),
        Incident(IncidentKind.HOST_DOWN, "worker-1", NOW - 3600, 900),
    ) == incidents


@pytest.mark.parametrize(
    "body",
    [
        "incidents: {kind: host_down}",
        "incidents:\n  - {kind: meteor_strike, host: web-1}",
        "incidents:\n  - {host: web-1}",
        "incidents:\n  - {kind: host_down, host: web-1, duration: soon}",
        "[1, 2",
        "- just a list",
    ],
)
def test_malformed_scenarios_are_input_errors(tmp_path: Path, body: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body)

    with pytest.raises(InputError):
        load_scenario(path, now=NOW)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("incidents: [1, 2]", "incident 1 is not a mapping; write it as {kind: ..., host: ...}"),
        ("incidents:\n  - {kind: host_down}", "incident 1 has no 'host'"),
        ("incidents:\n  - {host: web-1}", "incident 1 has no 'kind'"),
        ("incidents:\n  - {kind: [host_down], host: web-1}", "incident 1 has kind \\['host_down'\\]"),
    ],
)
def test_malformed_incidents_say_what_is_wrong_in_words(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body)

    with pytest.raises(InputError, match=message):
        load_scenario(path, now=NOW)


def test_a_scenario_that_is_not_text_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")

    with pytest.raises(InputError, match=r"cannot read scenario .*not UTF-8 text"):
        load_scenario(path, now=NOW)


def test_a_missing_scenario_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read scenario"):
        load_scenario(tmp_path / "nope.yaml", now=NOW)


def test_an_incident_on_a_host_outside_the_fleet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("incidents:\n  - {kind: host_down, host: web-99}\n")

    with pytest.raises(InputError, match="web-99"):
        build_model(hosts=5, scenario=path, now=NOW)


def test_an_unknown_incident_kind_names_the_kinds_there_are(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("incidents:\n  - {kind: meteor_strike, host: web-1}")

    with pytest.raises(
        InputError, match=r"incident 1 has kind 'meteor_strike'; the kinds are cpu_saturation, .*load_spike"
    ):
        load_scenario(path, now=NOW)
