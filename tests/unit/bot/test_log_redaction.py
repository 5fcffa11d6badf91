"""Every log line, on the stream and in the event log, without the configured secrets; SDK debug lines dropped."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
import structlog

from bot.logging import configure_logging
from domain.redaction import SecretRedactor

pytestmark = pytest.mark.usefixtures("logging_restored")

KEY = "proxy-key-7f3e9a1c5b2d8e4f6a0c"
SIGNING = "signing-0123456789abcdef"


@pytest.mark.parametrize("as_json", [True, False])
def test_a_secret_in_an_event_a_library_record_or_a_traceback_is_written_nowhere(
    tmp_path: Path, *, as_json: bool
) -> None:
    out = io.StringIO()
    configure_logging(stream=out, json=as_json, event_log_dir=tmp_path, redactor=SecretRedactor.of([KEY, SIGNING]))

    structlog.get_logger("agent").warning("llm_failed", detail=f"401 Incorrect API key provided: {KEY}")
    logging.getLogger("slack_bolt.App").error("signature %s rejected", SIGNING)
    try:
        raise ValueError(f"boom {KEY}")
    except ValueError:
        structlog.get_logger("bot").exception("job_failed")

    written = out.getvalue() + (tmp_path / "events.jsonl").read_text()
    assert "llm_failed" in written
    assert "signature" in written
    assert "ValueError" in written
    assert [] == [s for s in (KEY, SIGNING) if s in written]


def test_an_sdk_logger_set_to_debug_writes_no_debug_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    configure_logging(stream=out, level="DEBUG")
    monkeypatch.setenv("OPENAI_LOG", "debug")
    monkeypatch.setattr(logging.getLogger("openai"), "level", logging.getLogger("openai").level)
    from openai._utils._logs import setup_logging

    setup_logging()  # what importing the SDK does with OPENAI_LOG=debug

    logging.getLogger("openai._base_client").debug("Request options: %s", {"json_data": {"messages": ["q"]}})
    logging.getLogger("openai").info("HTTP Request: POST /chat/completions")
    logging.getLogger("openai").warning("Retrying request")
    structlog.get_logger("bot").debug("lease_taken")

    written = out.getvalue()
    assert "Request options" not in written
    assert "HTTP Request" not in written
    assert "Retrying request" in written
    assert "lease_taken" in written
