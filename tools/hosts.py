"""Which host a tool call means, up or down: a down host is a known host, reported with when it was last seen."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from domain.errors import ConfigError, InputError
from domain.hosts import resolve_host
from domain.models import HostRef, HostState
from domain.ports import MetricsSource
from tools.context import ToolContext

HOST_FIELD = "host name, instance (host:port), IP or EC2 instance id"


def metrics_source(ctx: ToolContext) -> MetricsSource:
    """The context's metrics source.

    Raises:
        ConfigError: none is configured.
    """
    if ctx.metrics is None:
        raise ConfigError("no metrics source is configured (set SCO_PROMETHEUS__URL)")
    return ctx.metrics


def resolve_state(ctx: ToolContext, name: str) -> HostState:
    """The known host (up or down) that ``name`` means.

    Raises:
        UnknownHost: no known host matches; carries close matches.
    """
    states = metrics_source(ctx).host_states()
    ref = resolve_host(name, [s.ref for s in states])
    return next(s for s in states if s.ref == ref)


def matching(states: Sequence[HostState], pattern: str) -> list[HostState]:
    """Hosts whose name matches a glob (``web-*``) or starts with a prefix (``web``).

    Raises:
        InputError: nothing matches.
    """
    wanted = pattern.strip().lower()
    if not any(c in wanted for c in "*?["):
        wanted = f"{wanted.rstrip('-')}*"
    found = [s for s in states if fnmatch.fnmatchcase(s.ref.name.lower(), wanted)]
    if not found:
        raise InputError(f"no host name matches '{pattern[:40]}'")
    return found


def refs(states: Sequence[HostState]) -> list[HostRef]:
    """The hosts of ``states``."""
    return [s.ref for s in states]
