"""Logging: the product's events and library records as the same JSON lines, on the stream and in the event log."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
import structlog

from bot.logging import configure_logging, event_log_file_name, event_log_handler

pytestmark = pytest.mark.usefixtures("logging_restored")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_events_are_json_lines_when_the_stream_is_not_a_terminal() -> None:
    out = io.StringIO()
    configure_logging(stream=out)

    structlog.get_logger("bot.jobs").info("job_ran", job="detection", tick=60)

    [line] = lines(out)
    assert {"event": "job_ran", "job": "detection", "tick": 60, "level": "info"} == {
        k: v for k, v in line.items() if k != "timestamp"
    }
    assert str(line["timestamp"]).endswith("Z")


def test_library_records_are_real_json_with_logger_level_and_stack() -> None:
    out = io.StringIO()
    configure_logging(stream=out)

    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("slack_bolt.App").exception("listener %s failed", "ops")

    [line] = lines(out)
    assert ("listener ops failed", "error", "slack_bolt.App") == (line["event"], line["level"], line["logger"])
    assert "ValueError: boom" in str(line["exception"])


def test_library_records_below_warning_are_dropped_and_the_products_are_kept_down_to_the_level() -> None:
    out = io.StringIO()
    configure_logging(stream=out, level="DEBUG")

    logging.getLogger("apscheduler").info("Added job")
    logging.getLogger("apscheduler").warning("Run time of job was missed")
    structlog.get_logger("bot").debug("lease_taken")

    assert ["Run time of job was missed", "lease_taken"] == [line["event"] for line in lines(out)]


def test_bound_context_reaches_library_records_too() -> None:
    out = io.StringIO()
    configure_logging(stream=out)

    with structlog.contextvars.bound_contextvars(request_id="r-1"):
        logging.getLogger("slack_sdk").warning("retrying")

    assert "r-1" == lines(out)[0]["request_id"]


def test_a_terminal_gets_console_text() -> None:
    out = Terminal()
    configure_logging(stream=out)

    structlog.get_logger().info("serving_http", port=8080)

    text = out.getvalue()
    assert "serving_http" in text
    assert "port=8080" in text
    assert not text.startswith("{")


def test_configuring_twice_installs_the_handlers_once(tmp_path: Path) -> None:
    out = io.StringIO()
    configure_logging(stream=out)
    configure_logging(stream=out, event_log_dir=tmp_path)

    structlog.get_logger().info("once")

    assert ["once"] == [line["event"] for line in lines(out)]
    assert 2 == len(logging.getLogger().handlers)


def test_the_event_log_keeps_json_lines_even_when_the_stream_is_a_terminal(tmp_path: Path) -> None:
    configure_logging(stream=Terminal(), event_log_dir=tmp_path / "audit")

    structlog.get_logger().warning("secret_env_overrides_ssm", name="llm_api_key")
    logging.getLogger("urllib3").error("connection pool is full")

    saved = [json.loads(line) for line in (tmp_path / "audit" / "events.jsonl").read_text().splitlines()]
    assert ["secret_env_overrides_ssm", "connection pool is full"] == [line["event"] for line in saved]


def test_an_event_log_that_cannot_be_created_is_reported_and_the_stream_goes_on(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a directory")
    out = io.StringIO()
    configure_logging(stream=out, event_log_dir=tmp_path / "taken" / "audit")

    structlog.get_logger().info("after")

    assert ["event_log_unavailable", "after"] == [line["event"] for line in lines(out)]


def test_a_rotated_day_is_named_by_its_date(tmp_path: Path) -> None:
    expected = str(tmp_path / "events-2026-12-02.jsonl")

    assert expected == event_log_file_name(str(tmp_path / "events.jsonl.2026-12-02"))


def test_rotation_never_overwrites_a_day_file_that_exists(tmp_path: Path) -> None:
    (tmp_path / "events-2026-12-02.jsonl").write_text("{}\n")

    assert str(tmp_path / "events-2026-12-02.1.jsonl") == event_log_file_name(str(tmp_path / "events.jsonl.2026-12-02"))


def test_rollover_moves_the_day_aside_and_starts_a_new_file(tmp_path: Path) -> None:
    handler = event_log_handler(tmp_path)
    handler.emit(logging.makeLogRecord({"msg": "yesterday", "levelno": logging.WARNING}))

    handler.doRollover()
    handler.emit(logging.makeLogRecord({"msg": "today", "levelno": logging.WARNING}))
    handler.close()

    [rotated] = sorted(tmp_path.glob("events-*.jsonl"))
    assert ("yesterday\n", "today\n") == (rotated.read_text(), (tmp_path / "events.jsonl").read_text())


def test_a_library_record_is_the_same_line_on_the_stream_and_in_the_event_log(tmp_path: Path) -> None:
    out = io.StringIO()
    configure_logging(stream=out, event_log_dir=tmp_path)

    logging.getLogger("apscheduler").warning("Run time of job was missed")

    assert out.getvalue() == (tmp_path / "events.jsonl").read_text()
