"""``smartcloudops serve --http|--socket``."""

from __future__ import annotations

import argparse
import errno
import socket
from typing import Any

from domain.errors import OpsError

#: uvicorn's exit status when its server could not start (``uvicorn.config.STARTUP_FAILURE``).
_UVICORN_STARTUP_FAILURE = 3

_BIND_REASONS = {
    errno.EADDRINUSE: "address in use (another process listens there)",
    errno.EADDRNOTAVAIL: "this machine has no such address",
    errno.EACCES: "permission denied (ports below 1024 need privileges)",
}


def register(sub: Any) -> None:
    """Add the ``serve`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("serve", help="run the Slack app")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--http", action="store_true", help="HTTP: /slack/events and the HTTP API on SCO_HTTP__HOST:PORT")
    mode.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")
    p.set_defaults(run=run)


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_can_listen(host: str, port: int) -> None:
    """Bind (and release) every address ``host`` resolves to on ``port``, as the HTTP server will.

    Done before anything starts, so a busy port or a foreign address is one line on stderr
    instead of a log line from inside the server after the scheduler has started.

    Raises:
        OpsError: ``cannot listen on HOST:PORT: reason``.
    """
    where = _where(host, port)
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) and exc.strerror else str(exc)
        raise OpsError(f"cannot listen on {where}: the host name does not resolve ({reason})") from None
    for family, kind, proto, _, address in dict.fromkeys(addresses):
        try:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
                if family == socket.AF_INET6:
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                probe.bind(address)
        except OSError as exc:
            reason = _BIND_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
            raise OpsError(f"cannot listen on {where}: {reason}") from None


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from bot.cli.commands.config import load_settings
    from bot.http.asgi import serve
    from bot.logging import configure_logging

    # Structured from the first line: loading secrets from SSM already logs.
    configure_logging()
    settings = load_settings()
    host, port = settings.http.host, settings.http.port
    if args.http:
        check_can_listen(host, port)
    try:
        return serve(settings, http=bool(args.http))
    except SystemExit as exc:
        # The port was taken between the check and the server's own bind: uvicorn logged why and exited.
        if args.http and exc.code == _UVICORN_STARTUP_FAILURE:
            raise OpsError(f"cannot listen on {_where(host, port)}: the HTTP server did not start") from None
        raise
