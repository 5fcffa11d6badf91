"""Scenario files: the incidents to inject, in YAML.

Example::

    incidents:
      - kind: cpu_saturation
        host: web-1
        start: -10m      # relative to now (or an epoch number)
        duration: 30m
"""

from __future__ import annotations

import math
from pathlib import Path

from domain import durations
from domain.errors import InputError
from domain.yaml_document import YamlUnreadable, parse_yaml
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


#: The keys an incident may have.
_KEYS = ("kind", "host", "start", "duration")
#: The latest absolute start accepted (epoch seconds): the end of year 9999.
_LAST_EPOCH = 253_402_300_799.0


def _number(value: object) -> float | None:
    """``value`` as a float when YAML gave a number (not a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _start(value: object, *, now: float) -> float:
    """Epoch seconds of an incident's ``start``: a signed duration from ``now``, or an epoch number.

    Raises:
        InputError: not a duration or number, not finite, or before 1970 or after 9999.
    """
    number = _number(value)
    if number is None:
        if not isinstance(value, str):
            raise InputError(f"{value!r} is not a duration from now (-10m, 2h) or an epoch number")
        return now + parse_duration(value)
    if not math.isfinite(number) or not 0 <= number <= _LAST_EPOCH:
        raise InputError(f"{value!r} is not an epoch time in seconds (a finite number from 0 to year 9999)")
    return number


def _duration(value: object) -> float:
    """Seconds of an incident's ``duration``: a duration text or a number of seconds, more than zero.

    Raises:
        InputError: not a duration, not finite, or zero or less.
    """
    number = _number(value)
    if number is None:
        if not isinstance(value, str):
            raise InputError(f"{value!r} is not a duration such as 30m or 2h")
        number = parse_duration(value)
    if not math.isfinite(number) or number <= 0:
        raise InputError(f"{value!r} is not a duration longer than zero (30m, 2h, or seconds)")
    return number


def _read(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot read scenario {path}: it is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    except OSError as exc:
        raise InputError(f"cannot read scenario {path}: {exc.strerror or exc}") from exc
    try:
        return parse_yaml(text, what="a scenario")
    except YamlUnreadable as exc:
        raise InputError(f"cannot read scenario {path}: {exc}") from exc


def load_scenario(path: Path, *, now: float) -> tuple[Incident, ...]:
    """Read a scenario file; relative starts are taken from ``now``.

    Raises:
        InputError: the file is missing, not YAML, or an incident is malformed (naming the file,
            the incident and the field).
    """
    data = _read(path)
    if isinstance(data, dict):
        unknown = sorted(str(k) for k in data if k != "incidents")
        if unknown:
            raise InputError(f"{path}: unknown top-level key(s) {', '.join(unknown)[:200]} (allowed: incidents)")
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
        unknown = sorted(str(k) for k in item if k not in _KEYS)
        if unknown:
            raise InputError(
                f"{path}: incident {n} has unknown key(s) {', '.join(unknown)[:200]} (allowed: {', '.join(_KEYS)})"
            )
        if not isinstance(item["kind"], str) or item["kind"] not in set(IncidentKind):
            kinds = ", ".join(IncidentKind)
            given = repr(item["kind"])
            given = given if len(given) <= 80 else given[:80] + "…"
            raise InputError(f"{path}: incident {n} has kind {given}; the kinds are {kinds}")
        kind = IncidentKind(item["kind"])
        fields: dict[str, float] = {}
        for field, read in (("start", lambda v: _start(v, now=now)), ("duration", _duration)):
            try:
                fields[field] = read(item.get(field, 0 if field == "start" else "30m"))
            except InputError as exc:
                raise InputError(f"{path}: incident {n} ({kind.value}), {field}: {exc}") from None
        out.append(Incident(kind, str(item["host"]), fields["start"], fields["duration"]))
    return tuple(out)
