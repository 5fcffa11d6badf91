"""Scenario files: the incidents to inject, in YAML.

Example::

    incidents:
      - kind: cpu_saturation
        host: web-1
        start: -10m      # relative to now (or an epoch number)
        duration: 30m
"""

from __future__ import annotations

from pathlib import Path

import yaml

from domain import durations
from domain.errors import InputError
from simulator.fleet import Incident, IncidentKind


def parse_duration(text: str | int | float) -> float:
    """Seconds in ``90s``, ``10m``, ``-2h``, ``1h30m`` (any ``domain.durations`` spelling, with a sign) or a number.

    Raises:
        InputError: a string that is not a duration.
    """
    if isinstance(text, int | float):
        return float(text)
    body = text.strip()
    sign = -1.0 if body.startswith("-") else 1.0
    return sign * durations.parse_duration(body.removeprefix("-")).total_seconds()


def load_scenario(path: Path, *, now: float) -> tuple[Incident, ...]:
    """Read a scenario file; relative starts are taken from ``now``.

    Raises:
        InputError: the file is missing, not YAML, or an incident is malformed.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot read scenario {path}: it is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read scenario {path}: {exc}") from exc
    items = (data or {}).get("incidents", []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a mapping with an 'incidents' list")
    out = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise InputError(f"{path}: incident {n} is not a mapping; write it as {{kind: ..., host: ...}}")
        for key in ("kind", "host"):
            if key not in item:
                raise InputError(f"{path}: incident {n} has no {key!r}")
        try:
            if not isinstance(item["kind"], str) or item["kind"] not in set(IncidentKind):
                kinds = ", ".join(IncidentKind)
                raise InputError(f"{path}: incident {n} has kind {item['kind']!r}; the kinds are {kinds}")
            kind = IncidentKind(item["kind"])
            start = item.get("start", 0)
            start_s = now + parse_duration(start) if isinstance(start, str) else float(start)
            out.append(Incident(kind, str(item["host"]), start_s, parse_duration(item.get("duration", "30m"))))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: incident {n} is malformed ({exc})") from exc
    return tuple(out)
