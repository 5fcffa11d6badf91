"""Stopping and restarting a test server on the same port and data directory, for outage tests."""

from __future__ import annotations

import socket
from collections.abc import Callable

from tests import servers


def redis_ready(port: int) -> Callable[[], bool]:
    """A readiness check that passes once Redis answers PING on ``port``."""

    def ping() -> bool:
        try:
            with socket.create_connection((servers.LOOPBACK, port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    return ping


def restart(server: servers.ServerProcess, ready: Callable[[], bool]) -> servers.ServerProcess:
    """Start ``server`` again with the same command line (same port, same data) once it has stopped."""
    server.stop()
    again = servers.start_server(
        server.name,
        list(server.process.args),
        port=server.port,
        workdir=server.workdir,
        ready=ready,
        timeout=60,  # type: ignore[arg-type]
    )
    again.extra.update(server.extra)
    return again
