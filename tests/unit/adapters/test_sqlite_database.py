"""The state database refuses what it cannot use, with one clear line, and never overwrites it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.sqlite.database import APPLICATION_ID, SCHEMA_VERSION, StateDatabase
from bot.cli.main import main
from domain.errors import ConfigError, StateStoreRefused


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refusal(directory: Path) -> str:
    with pytest.raises(StateStoreRefused) as caught:
        StateDatabase.in_directory(directory)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_new_directory_gets_a_database_in_wal_mode_at_the_current_schema(tmp_path: Path) -> None:
    db = StateDatabase.in_directory(tmp_path / "state" / "nested")

    assert SCHEMA_VERSION == db.schema_version()
    with db.reading() as conn:
        assert ("wal", APPLICATION_ID) == (
            conn.execute("PRAGMA journal_mode").fetchone()[0],
            conn.execute("PRAGMA application_id").fetchone()[0],
        )


def test_reopening_keeps_the_schema_and_the_data(tmp_path: Path) -> None:
    with StateDatabase.in_directory(tmp_path).writing() as conn:
        conn.execute("INSERT INTO rule_firings VALUES ('r', 'i', 1.0, 2.0)")

    db = StateDatabase.in_directory(tmp_path)

    assert SCHEMA_VERSION == db.schema_version()
    with db.reading() as conn:
        assert [("r", "i", 1.0, 2.0)] == conn.execute("SELECT * FROM rule_firings").fetchall()


def test_a_state_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.write_text("not a directory")

    assert "is a file, not a directory" in refusal(state)
    assert "not a directory" == state.read_text()


def test_a_directory_that_cannot_be_created_is_refused() -> None:
    """/sys refuses new entries even to root, so this runs under any user."""
    assert "cannot be created" in refusal(Path("/sys/smartcloudops-state"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_directory_without_write_permission_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o500)

    assert "is not writable" in refusal(state)


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    (tmp_path / "state.db").write_text("anomalies of another tool\n")
    before = digest(tmp_path / "state.db")

    assert "is not a SQLite database" in refusal(tmp_path)
    assert before == digest(tmp_path / "state.db")


def test_a_damaged_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    StateDatabase.in_directory(tmp_path / "good").close()
    good = (tmp_path / "good" / "state.db").read_bytes()
    (tmp_path / "state.db").write_bytes(good[:16] + b"\xff" * (len(good) - 16))
    before = digest(tmp_path / "state.db")

    assert "is damaged or not a database" in refusal(tmp_path)
    assert before == digest(tmp_path / "state.db")


def test_a_sqlite_database_of_another_program_is_refused_and_left_untouched(tmp_path: Path) -> None:
    foreign = sqlite3.connect(tmp_path / "state.db")
    foreign.execute("CREATE TABLE users (name TEXT)")
    foreign.execute("INSERT INTO users VALUES ('ada')")
    foreign.commit()
    foreign.close()
    before = digest(tmp_path / "state.db")

    assert "of another program" in refusal(tmp_path)
    assert before == digest(tmp_path / "state.db")


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    with StateDatabase.in_directory(tmp_path).writing() as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    before = digest(tmp_path / "state.db")

    message = refusal(tmp_path)

    assert f"has schema version {SCHEMA_VERSION + 1}, newer than this release reads ({SCHEMA_VERSION})" in message
    assert before == digest(tmp_path / "state.db")
    with sqlite3.connect(tmp_path / "state.db") as conn:
        assert [(SCHEMA_VERSION + 1,)] == conn.execute("SELECT version FROM schema_version").fetchall()


def test_the_refusal_is_a_configuration_error() -> None:
    assert issubclass(StateStoreRefused, ConfigError)


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        (lambda state: state.write_text("x"), "not a directory"),
        (lambda state: (state.mkdir(), (state / "state.db").write_text("junk")), "is not a SQLite database"),
    ],
    ids=["state path is a file", "foreign file"],
)
def test_the_cli_says_it_in_one_configuration_error_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    prepare: Callable[[Path], object],
    expected: str,
) -> None:
    state = tmp_path / "bad-state"
    prepare(state)
    monkeypatch.setenv("SCO_STATE__DIR", str(state))

    code = main(["ask", "what's pending approval?"])

    lines = capsys.readouterr().err.splitlines()
    assert 2 == code
    assert 1 == len(lines)
    assert lines[0].startswith("configuration error: ")
    assert str(state) in lines[0]
    assert expected in lines[0]


@pytest.mark.parametrize(("synchronous", "level"), [("FULL", 2), ("NORMAL", 1)])
def test_commits_are_durable_unless_asked_otherwise(tmp_path: Path, synchronous: str, level: int) -> None:
    db = StateDatabase(tmp_path / "state.db", synchronous=synchronous)

    with db.reading() as conn:
        assert level == conn.execute("PRAGMA synchronous").fetchone()[0]


def test_an_unknown_synchronous_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="FULL or NORMAL"):
        StateDatabase(tmp_path / "state.db", synchronous="OFF")
    assert not (tmp_path / "state.db").exists()
