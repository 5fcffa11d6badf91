"""Which host label a user's name matches among the label values Prometheus returned. Pure.

A host is known by its ``host`` label (``web-1``), its ``instance`` (``10.0.1.12:9100``,
also without the port) and its EC2 ``instance_id``; users type any of these, with a port
or without, in any case.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from adapters.prometheus.promql import label_value
from domain.errors import UnknownHost

_PORT = re.compile(r":\d{1,5}$")


def _without_port(value: str) -> str:
    return _PORT.sub("", value)


def match_host_label(name: str, values_by_label: Mapping[str, Sequence[str]]) -> tuple[str, str]:
    """Which host label, and which exact value of it, a user's ``name`` refers to.

    Args:
        name: what the user typed (``web-1``, ``web-1:9100``, ``10.0.1.12``, ``i-0abc...``).
        values_by_label: the known values of ``host``, ``instance_id`` and ``instance``.

    Returns:
        ``(label, value)`` to select the host's series with.

    Raises:
        InputError: ``name`` has characters no label value can have.
        UnknownHost: nothing matches; carries up to three close matches.
    """
    wanted = name.strip()
    label_value(wanted, what="host")
    tries = [wanted.lower()]
    if _PORT.search(wanted):
        tries.append(_without_port(wanted).lower())
    for candidate in tries:
        for label in ("host", "instance_id", "instance"):
            for value in values_by_label.get(label, ()):
                if value.lower() == candidate:
                    return label, value
        for value in values_by_label.get("instance", ()):
            if _without_port(value).lower() == candidate:
                return "instance", value
    known = sorted({v for values in values_by_label.values() for v in values})
    lowered = {v.lower(): v for v in known}
    close = difflib.get_close_matches(wanted.lower(), list(lowered), n=3, cutoff=0.6)
    raise UnknownHost(wanted[:80], [lowered[c] for c in close])
