"""Every setting with malformed values, for every command: exit code 2 and one line naming the setting.

The table is built from the Settings model itself, so a new setting is covered by its type;
settings whose type accepts any text (names, secrets) have no malformed value and are left out.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
from pydantic import AnyHttpUrl, BaseModel

from bot.cli.main import main
from bot.config.setting_types import check_directory
from bot.config.settings import Settings

#: One argument list per command, each valid for its parser.
COMMANDS = {
    "demo": ["demo"],
    "ask": ["ask", "cpu on web-1?"],
    "serve": ["serve", "--http"],
    "simulate": ["simulate"],
    "detect": ["detect", "batch", "--format", "nab", "--output", "out"],
    "eval": ["eval", "nab"],
    "train": ["train"],
    "rules": ["rules", "check"],
    "export": ["export", "--output", "out"],
}

#: Settings checked beyond their type, with values their checks refuse.
CHECKED: dict[str, list[str]] = {
    "SCO_REDIS__URL": ["localhost:6379", "redis://h:port/0", "redis:///0", "redis://h:6379/zero"],
    "SCO_AWS__REGION": ["mars", "US-EAST-1", "us-east"],
    "SCO_HTTP__HOST": ["999.1.1.1", "bad host", "1.2.3.4.5"],
    "SCO_SLACK__DIGEST_CHANNEL": ["#ops", "C1,C2", "general"],
    "SCO_AUTO_REMEDIATION__CHANNEL": ["#ops"],
    "SCO_SLACK__DIGEST_SCHEDULE": ["every day"],
    "SCO_SCHEDULER__RETRAIN_SCHEDULE": ["99 * * * *"],
    "SCO_SECRETS__SSM_PATH": ["no-leading-slash"],
    "SCO_PROMETHEUS__NODE_SELECTOR": ["job=node"],
    "SCO_SLACK__ALLOWED_CHANNELS": ["C1,C2", '["#ops"]'],
    "SCO_REMEDIATION__APPROVERS": ['{"*": [U1]}', '{"scale_upp": ["U1"]}', '{"*": ["bob"]}'],
    "SCO_REMEDIATION__QUORUM": ['{"scale_upp": 2}', '{"scale_up": 0}'],
    "SCO_SCHEDULER__DIGEST_RETRY_SECONDS": ["[-5]", "[30, -1]", "30,60"],
    "SCO_SCHEDULER__DIGESTS": ['{"#x y": "0 9 * * *"}', "C1=0 9 * * *"],
    "SCO_AUTO_REMEDIATION__LOW_RISK_ACTIONS": ['["scale_to"]'],
    "SCO_REMEDIATION__VERIFY_FOR": ["7h", "a few minutes", "-5m"],
}


def _by_type(annotation: Any) -> list[str]:
    """Values no setting of this type accepts."""
    if annotation is bool:
        return ["maybe"]
    if annotation in (int, float):
        return ["abc", "1e999999" if annotation is int else "one"]
    if get_origin(annotation) in (list, dict):
        return ["{not json", "[1,"] if get_origin(annotation) is list else ["{not json", "[1, 2]"]
    if annotation is AnyHttpUrl:
        return ["not a url"]
    args = [a for a in get_args(annotation) if a is not type(None)]
    return _by_type(args[0]) if len(args) == 1 else []


def malformed_values(state_file: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for section, section_info in Settings.model_fields.items():
        model = section_info.annotation
        assert isinstance(model, type)
        assert issubclass(model, BaseModel)
        for name, info in model.model_fields.items():
            variable = f"SCO_{section.upper()}__{name.upper()}"
            values = CHECKED.get(variable) or _by_type(info.annotation)
            if any(getattr(m, "func", None) is check_directory for m in info.metadata):
                values = [str(state_file)]
            rows += [(variable, v) for v in values]
    return rows


#: A directory setting pointing at a file: this test module.
ROWS = malformed_values(Path(__file__))


def test_the_table_covers_the_settings_that_can_be_wrong() -> None:
    covered = {variable for variable, _ in ROWS}

    assert set(CHECKED) <= covered
    assert {"SCO_STATE__DIR", "SCO_AUDIT__DIR", "SCO_HTTP__PORT", "SCO_LLM__BASE_URL"} <= covered
    assert len(covered) >= 45


@pytest.mark.usefixtures("logging_restored")
@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(("variable", "value"), ROWS)
def test_a_malformed_value_stops_every_command_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str, variable: str, value: str
) -> None:
    for key in [k for k in os.environ if k.startswith(("SCO_", "SLACK_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv(variable, value)

    code = main(COMMANDS[command])

    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert 2 == code
    assert 1 == len(lines), out.err
    assert lines[0].startswith(f"configuration error: {variable}"), lines[0]
    assert "Traceback" not in out.err + out.out
