"""``smartcloudops simulate``: serve a simulated fleet, or write its history for backfill."""

from __future__ import annotations

import argparse
import math
import socket
import sys
import time
from pathlib import Path
from typing import Any

_EPILOG = """\
examples:
  smartcloudops simulate --hosts 1000 --scenario incidents.yaml
  smartcloudops simulate --hosts 1000 --write-openmetrics history.om --hours 6 --step 30
  promtool tsdb create-blocks-from openmetrics history.om /var/lib/prometheus/metrics2

scenario file (YAML; start is relative to now, or epoch seconds):
  incidents:
    - {kind: cpu_saturation, host: web-1, start: -10m, duration: 30m}
    - {kind: host_down, host: db-2, start: -5m, duration: 15m}
  kinds: cpu_saturation, memory_leak, disk_fill, network_spike, network_out_spike,
         disk_io_spike, load_spike, memory_spike, host_down
"""


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "simulate",
        help="serve node_exporter-format metrics for a simulated fleet, or write its history",
        description="Serve node_exporter-format metrics for N simulated hosts on one port "
        "(scrape with honor_labels: true), or write the same history for backfill.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--hosts", type=int, default=20, help="number of hosts, 1 to 50,000 (default 20)")
    p.add_argument(
        "--host", default="127.0.0.1", help="IPv4 address or name to bind (default 127.0.0.1; 0.0.0.0 for all)"
    )
    p.add_argument("--port", type=int, default=9101, help="port to bind, 0 to 65535 (default 9101; 0 picks one)")
    p.add_argument("--scenario", type=Path, help="YAML file of incidents to inject")
    p.add_argument("--seed", type=int, default=7, help="changes every host's baseline levels (default 7; 0 or more)")
    p.add_argument(
        "--write-openmetrics",
        type=Path,
        metavar="FILE",
        help="write the last --hours of history to FILE ('-' for stdout) instead of serving",
    )
    p.add_argument("--hours", type=float, default=6.0, help="hours of history to write (default 6)")
    p.add_argument(
        "--step",
        type=float,
        default=15.0,
        help="seconds between written samples, like a scrape interval (default 15, from 1 to 3600; keep it "
        "at most 30 so rate() over 1-minute windows sees two samples)",
    )
    p.add_argument(
        "--format",
        choices=("openmetrics", "prometheus"),
        default="openmetrics",
        help="openmetrics for promtool (default), or prometheus text with ms timestamps "
        "for VictoriaMetrics' /api/v1/import/prometheus",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve the simulated fleet until interrupted, or write its history and exit."""
    from domain.errors import InputError
    from simulator.server import run_simulator

    if args.seed < 0:
        raise InputError(f"--seed must be 0 or more (got {args.seed})")
    if args.write_openmetrics is not None:
        return _write(args)
    _check_address(args.host, args.port)
    try:
        return run_simulator(hosts=args.hosts, host=args.host, port=args.port, scenario=args.scenario, seed=args.seed)
    except OSError as exc:  # the bind: port taken, address not on this machine
        raise InputError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc


def _check_address(host: str, port: int) -> None:
    """Refuse a port out of range, an empty host, and a host that does not resolve to an IPv4 address.

    Raises:
        InputError: naming the option.
    """
    from domain.errors import InputError

    if not 0 <= port <= 65535:
        raise InputError(f"--port must be between 0 and 65535 (got {port})")
    if not host.strip():
        raise InputError("--host is empty: give an address such as 127.0.0.1 (or 0.0.0.0 for every interface)")
    try:
        socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"--host {host[:100]!r} is not an IPv4 address or a name that resolves ({reason})") from exc


def _write(args: argparse.Namespace) -> int:
    from domain.errors import InputError
    from simulator.exposition import write_history
    from simulator.server import build_model

    if not 0 < args.hours <= 24 * 31:
        raise InputError("--hours must be more than 0 and at most 744 (31 days)")
    if not args.step >= 1:
        raise InputError("--step must be at least 1 second")
    if not (math.isfinite(args.step) and args.step <= 3600):
        raise InputError(f"--step must be at most 3600 seconds (got {args.step:g})")
    now = float(int(time.time()))
    model = build_model(hosts=args.hosts, scenario=args.scenario, now=now, seed=args.seed)
    start = now - args.hours * 3600

    def progress(done: int, total: int) -> None:
        sys.stderr.write(f"\r{done}/{total} metric families written")
        sys.stderr.flush()

    began = time.monotonic()
    if str(args.write_openmetrics) == "-":
        count = write_history(
            model, start=start, end=now, step=args.step, out=sys.stdout, fmt=args.format, progress=progress
        )
    else:
        try:
            with args.write_openmetrics.open("w", encoding="utf-8", buffering=1 << 20) as out:
                count = write_history(
                    model, start=start, end=now, step=args.step, out=out, fmt=args.format, progress=progress
                )
        except OSError as exc:
            raise InputError(f"cannot write {args.write_openmetrics}: {exc.strerror or exc}") from exc
    sys.stderr.write(
        f"\nwrote {count:,} samples for {args.hosts} hosts, {args.hours:g} h at {args.step:g} s steps "
        f"({args.format}) in {time.monotonic() - began:.1f} s\n"
    )
    return 0
