"""Scenario files (``simulate --scenario``): deep nesting, impossible starts and durations, and
unknown keys are one error naming the file, the incident and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from domain.errors import InputError
from simulator.scenario import load_scenario

NOW = 1_780_000_000.0


def _scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(body)
    return path


def test_a_deeply_nested_scenario_is_one_error(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "incidents: " + "[" * 500 + "]" * 500)

    with pytest.raises(InputError, match=rf"^cannot read scenario {path}: nested too deeply"):
        load_scenario(path, now=NOW)


def test_a_deeply_nested_scenario_is_one_line_from_simulate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _scenario(tmp_path, "incidents: " + "[" * 500 + "]" * 500)

    code = main(["simulate", "--hours", "0.1", "--write-openmetrics", str(tmp_path / "o.om"), "--scenario", str(path)])

    err = capsys.readouterr().err
    assert 3 == code
    assert [f"error: cannot read scenario {path}: nested too deeply to be a scenario"] == err.splitlines()


@pytest.mark.parametrize(
    ("incident", "message"),
    [
        ("duration: -30m", r"duration: '-30m' is not a duration longer than zero"),
        ("duration: 0s", r"duration: '0s' is not a duration longer than zero"),
        ("duration: 0", r"duration: 0 is not a duration longer than zero"),
        ("duration: -5", r"duration: -5 is not a duration longer than zero"),
        ("duration: .inf", r"duration: inf is not a duration longer than zero"),
        ("duration: .nan", r"duration: nan is not a duration longer than zero"),
        ("duration: true", r"duration: True is not a duration such as 30m"),
        ("duration: 99999999999w", r"duration: '99999999999w' is too long a duration"),
        ("start: .nan", r"start: nan is not an epoch time"),
        ("start: .inf", r"start: inf is not an epoch time"),
        ("start: -.inf", r"start: -inf is not an epoch time"),
        ("start: -5", r"start: -5 is not an epoch time"),
        ("start: [1]", r"start: \[1\] is not a duration from now"),
        ("start: yesterday", r"start: 'yesterday' is not a duration"),
    ],
)
def test_an_impossible_start_or_duration_names_the_file_incident_and_field(
    tmp_path: Path, incident: str, message: str
) -> None:
    path = _scenario(tmp_path, f"incidents:\n  - {{kind: cpu_saturation, host: web-1, {incident}}}\n")

    with pytest.raises(InputError, match=rf"^{path}: incident 1 \(cpu_saturation\), {message}"):
        load_scenario(path, now=NOW)


@pytest.mark.parametrize("key", ["colour: red", "intensity: 1e308", "severity: high"])
def test_an_unknown_incident_key_is_refused(tmp_path: Path, key: str) -> None:
    path = _scenario(tmp_path, f"incidents:\n  - {{kind: cpu_saturation, host: web-1, {key}}}\n")

    with pytest.raises(
        InputError, match=rf"^{path}: incident 1 has unknown key\(s\) {key.split(':')[0]} \(allowed: kind, host"
    ):
        load_scenario(path, now=NOW)


def test_an_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "incident:\n  - {kind: cpu_saturation, host: web-1}\n")

    with pytest.raises(InputError, match=r"unknown top-level key\(s\) incident \(allowed: incidents\)"):
        load_scenario(path, now=NOW)


def test_a_yaml_error_is_one_line_with_its_place(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "incidents:\n  - {kind: cpu_saturation, host: web-1\n")

    with pytest.raises(InputError, match=r"at line \d+, column \d+$") as caught:
        load_scenario(path, now=NOW)

    assert "\n" not in str(caught.value)


def test_good_numbers_are_still_seconds_and_epochs(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "incidents:\n  - {kind: cpu_saturation, host: web-1, start: 1780000100, duration: 45}\n")

    (incident,) = load_scenario(path, now=NOW)

    assert (1_780_000_100.0, 45.0) == (incident.start, incident.duration)
