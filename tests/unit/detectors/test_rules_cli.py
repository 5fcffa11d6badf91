"""``smartcloudops rules check|export`` on good and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.cli.main import main

GOOD = "rules:\n  - name: web-cpu\n    rule: cpu > 90% for 3m on web-* then restart_service nginx\n"


def test_check_lists_the_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules.yaml").write_text(GOOD)

    code = main(["rules", "check", str(tmp_path / "rules.yaml")])

    out = capsys.readouterr().out
    assert 0 == code
    assert "1 rule(s) OK" in out
    assert "web-cpu [high]: cpu > 90% for 3m on web-*, then ask approval for: restart_service nginx" in out


def test_bad_file_is_one_line_and_status_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules.yaml").write_text("rules:\n  - cpu >> 90% for 3m\n")

    code = main(["rules", "check", str(tmp_path / "rules.yaml")])

    err = capsys.readouterr().err
    assert 2 == code
    assert 1 == len(err.strip().splitlines())
    assert "rule 1 (rule-1): column 6: expected a number, found '>'" in err


def test_export_writes_a_prometheus_rule_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules.yaml").write_text(GOOD)

    code = main(["rules", "export", str(tmp_path / "rules.yaml"), "-o", str(tmp_path / "alerts.yml")])

    exported = yaml.safe_load((tmp_path / "alerts.yml").read_text())
    assert 0 == code
    assert "wrote 1 alerting rule(s)" in capsys.readouterr().out
    assert ["web-cpu"] == [r["alert"] for r in exported["groups"][0]["rules"]]
    assert "3m" == exported["groups"][0]["rules"][0]["for"]


def test_help_shows_a_rule_as_it_is_written(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["rules", "--help"])

    shown = " ".join(capsys.readouterr().out.split())
    assert "'cpu > 90% for 3m on web-* then restart_service nginx'" in shown
