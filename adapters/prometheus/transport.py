"""What a failed HTTP request to the metrics server means to the product: ``MetricsUnavailable`` with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from domain.errors import MetricsUnavailable


@contextmanager
def transport_errors(url: str, timeout_seconds: float) -> Iterator[None]:
    """Turn the ``requests`` errors raised inside into ``MetricsUnavailable`` for ``url``."""
    try:
        yield
    except requests.exceptions.Timeout as exc:
        raise MetricsUnavailable(url, f"timed out after {timeout_seconds:g}s") from exc
    except requests.exceptions.ConnectionError as exc:
        raise MetricsUnavailable(url, "connection refused") from exc
    except requests.exceptions.RequestException as exc:
        raise MetricsUnavailable(url, type(exc).__name__) from exc
