"""The integration tests' simulated fleet, served from its own process.

Serving it from a thread of the test process let the tests' own work starve it, so scrapes
were answered late with counter values from later than their timestamps. Run as
``python -m tests.fleet_process --port P --origin T --incident-start S``; ``fleet(...)`` builds
the same model in the test process, so tests compute the expected values exactly.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from simulator.fleet import FleetModel, Incident, IncidentKind
from simulator.server import SimulatorServer
from tests.servers import LOOPBACK, ServerProcess

HOSTS = 20


def fleet(incident_start: float) -> FleetModel:
    """20 hosts; db-1 saturates its CPU from ``incident_start`` for a day."""
    return FleetModel(HOSTS, (Incident(IncidentKind.CPU_SATURATION, "db-1", incident_start, 86400),))


@dataclass(frozen=True)
class FleetSimulator:
    """The simulated fleet's server process, and the model it serves (for expected values)."""

    model: FleetModel
    origin: float
    process: ServerProcess

    @property
    def server_address(self) -> tuple[str, int]:
        """Where it listens, like a socket server's ``server_address``."""
        return (LOOPBACK, self.process.port)


def main(argv: list[str]) -> int:
    """Serve the fleet until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--origin", type=float, required=True)
    parser.add_argument("--incident-start", type=float, required=True)
    args = parser.parse_args(argv)
    server = SimulatorServer(("127.0.0.1", args.port), fleet(args.incident_start), origin=args.origin)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
