"""The ``smartcloudops`` command line: one module per subcommand in ``commands/``."""

from bot.cli.main import main

__all__ = ["main"]
