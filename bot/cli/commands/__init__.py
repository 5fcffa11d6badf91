"""The CLI's subcommands, one module each; each has ``register(subparsers)`` that sets ``run``."""
