"""The ``smartcloudops`` command line. Each subcommand lives in ``bot/commands/``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli.commands import ask, demo, detect, export, rules, serve, simulate, train
from bot.cli.commands import eval as eval_command
from bot.cli.commands.config import settings_from_environment
from domain.errors import ConfigError, OpsError

COMMANDS = (demo, ask, serve, simulate, detect, eval_command, train, rules, export)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="smartcloudops",
        description="SmartCloudOps AI: ask about your fleet, detect anomalies, and run approved remediations.",
        epilog="Settings come from SCO_* environment variables (e.g. SCO_PROMETHEUS__URL); see README.md.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``smartcloudops`` console script.

    Every command first reads the settings from the environment, so a wrong value stops any of
    them with the same one line (``configuration error: SETTING: reason``, exit code 2).
    """
    args = build_parser().parse_args(argv)
    try:
        settings_from_environment()
        code: int = args.run(args)
    except ConfigError as exc:
        sys.stderr.write(f"configuration error: {exc}\n")
        return 2
    except OpsError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 3
    except KeyboardInterrupt:
        return 130
    return code
