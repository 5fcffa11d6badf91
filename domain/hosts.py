"""Which host a user means: a name matched against the hosts' labels. Pure.

A host is known by its ``host`` label (``web-1``), its ``instance`` (``10.0.1.12:9100``,
also without the port) and its EC2 ``instance_id``; users type any of these, with a port
or without, in any case.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from domain.errors import UnknownHost
from domain.models import HostRef


def _names(ref: HostRef) -> set[str]:
    names = {ref.instance.lower(), ref.instance.rsplit(":", 1)[0].lower()}
    if ref.host:
        names.add(ref.host.lower())
    if ref.instance_id:
        names.add(ref.instance_id.lower())
    return names


def resolve_host(name: str, hosts: Sequence[HostRef]) -> HostRef:
    """The host whose ``instance`` (with or without port), ``host`` or ``instance_id`` label is ``name``.

    Raises:
        UnknownHost: nothing matches; carries up to three close matches.
    """
    wanted = name.strip().lower()
    for ref in hosts:
        if wanted in _names(ref):
            return ref
    candidates = sorted({n for ref in hosts for n in (ref.name, ref.instance)})
    close = difflib.get_close_matches(name.strip(), candidates, n=3, cutoff=0.6)
    raise UnknownHost(name.strip()[:80], close)


def find_host_mentions(words: Sequence[str], hosts: Sequence[HostRef]) -> list[HostRef]:
    """Hosts named by any of ``words``, in order of mention, without repeats."""
    found: list[HostRef] = []
    for word in words:
        w = word.strip(".,;:!?()[]'\"`").lower()
        if not w:
            continue
        for ref in hosts:
            if w in _names(ref) and ref not in found:
                found.append(ref)
    return found
