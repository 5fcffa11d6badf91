"""``smartcloudops simulate``: a bad port, host, seed or step is one error line, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.unit.cli.conftest import one_error_line


@pytest.fixture(autouse=True)
def _never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that got as far as serving has failed (and must not hang)."""

    def refuse(self: object, poll_interval: float = 0.5) -> None:
        raise AssertionError("the simulator started serving")

    monkeypatch.setattr("simulator.server.SimulatorServer.serve_forever", refuse)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--port", "70000"], "--port must be between 0 and 65535 (got 70000)"),
        (["--port", "-1"], "--port must be between 0 and 65535 (got -1)"),
        (["--host", ""], "--host is empty"),
        (["--host", "   "], "--host is empty"),
        (["--seed", "-1"], "--seed must be 0 or more (got -1)"),
    ],
)
def test_bad_serve_options_are_one_line(capsys: pytest.CaptureFixture[str], options: list[str], message: str) -> None:
    code = main(["simulate", "--hosts", "2", *options])

    assert code == 3
    assert message in one_error_line(capsys)


def test_a_host_that_does_not_resolve_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unresolvable(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)

    code = main(["simulate", "--hosts", "2", "--host", "no-such-host.invalid"])

    assert code == 3
    assert "--host 'no-such-host.invalid' is not an IPv4 address or a name that resolves" in one_error_line(capsys)


def test_a_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str], busy_port: int) -> None:
    code = main(["simulate", "--hosts", "2", "--port", str(busy_port)])

    assert code == 3
    assert f"cannot listen on 127.0.0.1:{busy_port}" in one_error_line(capsys)


def test_an_address_not_on_this_machine_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "--hosts", "2", "--host", "192.0.2.1", "--port", "0"])

    assert code == 3
    assert "cannot listen on 192.0.2.1:0" in one_error_line(capsys)


@pytest.mark.parametrize("step", ["inf", "1e12"])
def test_an_endless_step_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], step: str) -> None:
    out = tmp_path / "h.om"

    code = main(["simulate", "--hosts", "1", "--write-openmetrics", str(out), "--step", step])

    assert code == 3
    assert "--step must be at most 3600 seconds" in one_error_line(capsys)
    assert not out.exists()


def test_a_negative_seed_is_named_when_writing_history_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "--hosts", "1", "--write-openmetrics", str(tmp_path / "h.om"), "--seed", "-1"])

    assert code == 3
    assert "--seed must be 0 or more" in one_error_line(capsys)
