"""``serve --http`` on a port or address it cannot listen on: one stderr line, before anything starts
(it was exit 3 with nothing on stderr, after a ``serving_http`` log line)."""

from __future__ import annotations

import socket

import pytest

from bot.cli.main import main


@pytest.fixture(autouse=True)
def _nothing_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """No logging set-up, and a test that reached the server has failed."""

    def refuse(*args: object, **kwargs: object) -> int:
        raise AssertionError("serve started although it cannot listen")

    monkeypatch.setattr("bot.logging.configure_logging", lambda **_: None)
    monkeypatch.setattr("bot.http.asgi.serve", refuse)


def test_a_busy_port_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], busy_port: int
) -> None:
    monkeypatch.setenv("SCO_HTTP__PORT", str(busy_port))

    code = main(["serve", "--http"])

    out = capsys.readouterr()
    assert 3 == code
    assert [f"error: cannot listen on 127.0.0.1:{busy_port}: address in use (another process listens there)"] == (
        out.err.splitlines()
    )
    assert "" == out.out


def test_a_host_name_that_does_not_resolve_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unknown(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    monkeypatch.setenv("SCO_HTTP__HOST", "no-such-host.invalid")
    monkeypatch.setenv("SCO_HTTP__PORT", "18080")

    code = main(["serve", "--http"])

    assert 3 == code
    assert [
        "error: cannot listen on no-such-host.invalid:18080: the host name does not resolve (Name or service not known)"
    ] == capsys.readouterr().err.splitlines()


def test_the_server_failing_to_start_after_the_check_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def uvicorn_exits(*args: object, **kwargs: object) -> int:
        raise SystemExit(3)

    monkeypatch.setattr("bot.http.asgi.serve", uvicorn_exits)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    monkeypatch.setenv("SCO_HTTP__PORT", str(free))

    code = main(["serve", "--http"])

    assert 3 == code
    assert [f"error: cannot listen on 127.0.0.1:{free}: the HTTP server did not start"] == (
        capsys.readouterr().err.splitlines()
    )
