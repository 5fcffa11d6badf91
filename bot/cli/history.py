"""Reading long metric history from the configured source in chunks, with progress on stderr.

Prometheus widens the step of a range query that would return too many points; reading at most
``CHUNK_POINTS`` steps at a time keeps the step the caller asked for.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.models import MetricKind, Series
from domain.ports import MetricsSource

CHUNK_POINTS = 600
MAX_CHUNKS = 100_000


def chunk_edges(since: datetime, until: datetime, step_seconds: float) -> list[datetime]:
    """Boundaries of consecutive windows of at most ``CHUNK_POINTS`` steps from ``since`` to ``until``.

    Raises:
        ValueError: the step is not a positive number of seconds, or the range would need more than
            ``MAX_CHUNKS`` windows (callers check their arguments first; this keeps a slip from hanging).
    """
    if not (math.isfinite(step_seconds) and step_seconds > 0):
        raise ValueError(f"step must be a positive number of seconds, not {step_seconds}")
    chunk_seconds = step_seconds * CHUNK_POINTS
    if (until - since).total_seconds() / chunk_seconds > MAX_CHUNKS:
        raise ValueError(f"{until - since} at a {step_seconds:g} s step is more than {MAX_CHUNKS} chunks")
    if chunk_seconds >= (until - since).total_seconds():
        return [since, until]
    chunk = timedelta(seconds=chunk_seconds)
    edges = [since]
    while edges[-1] + chunk < until:
        edges.append(edges[-1] + chunk)
    edges.append(until)
    return edges


def read_history(
    metrics: MetricsSource,
    kinds: Sequence[MetricKind],
    *,
    since: datetime,
    until: datetime,
    step_seconds: float,
) -> list[Series]:
    """Every host's series of ``kinds`` between ``since`` and ``until``, one chunk at a time.

    Each chunk after the first starts one step after the previous one ended, so no sample is read twice.
    """
    edges = chunk_edges(since, until, step_seconds)
    series: list[Series] = []
    total = len(kinds) * (len(edges) - 1)
    for done, (kind, (lo, hi)) in enumerate(itertools.product(kinds, itertools.pairwise(edges)), start=1):
        sys.stderr.write(f"\rreading {kind.value} history ({done}/{total})   ")
        sys.stderr.flush()
        first = lo if lo == since else lo + timedelta(seconds=step_seconds)
        series += metrics.range(kind, None, start=first, end=hi, step_seconds=step_seconds)
    sys.stderr.write("\n")
    return series
