"""``smartcloudops serve --http|--socket``."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``serve`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("serve", help="run the Slack app")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--http", action="store_true", help="HTTP: /slack/events and the HTTP API on SCO_HTTP__HOST:PORT")
    mode.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from bot.cli.commands.config import load_settings
    from bot.http.asgi import serve
    from bot.logging import configure_logging

    # Structured from the first line: loading secrets from SSM already logs.
    configure_logging()
    return serve(load_settings(), http=bool(args.http))
