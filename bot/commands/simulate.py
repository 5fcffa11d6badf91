"""``smartcloudops simulate``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "simulate", help="serve node_exporter-format metrics for a simulated fleet"
    )
    p.add_argument("--hosts", type=int, default=20, help="number of hosts (default 20)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=9101, help="port to bind (default 9101)")
    p.add_argument("--scenario", type=Path, help="YAML file of incidents to inject")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve the simulated fleet until interrupted."""
    from simulator.server import run_simulator

    return run_simulator(hosts=args.hosts, host=args.host, port=args.port, scenario=args.scenario)
