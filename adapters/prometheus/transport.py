"""What a failed HTTP request to the metrics server, or an answer of the wrong shape, means to the product:
``MetricsUnavailable`` with a reason, and the server's own words for an error it answered."""

from __future__ import annotations

import ast
import functools
import json
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import requests
import urllib3

from domain.errors import MetricsUnavailable


@contextmanager
def transport_errors(url: str, timeout_seconds: float) -> Iterator[None]:
    """Turn the ``requests`` errors raised inside into ``MetricsUnavailable`` for ``url``."""
    try:
        yield
    except requests.exceptions.Timeout as exc:
        raise MetricsUnavailable(url, f"timed out after {timeout_seconds:g}s") from exc
    except requests.exceptions.ConnectionError as exc:
        raise MetricsUnavailable(url, _connection_reason(exc, timeout_seconds)) from exc
    except requests.exceptions.RequestException as exc:
        raise MetricsUnavailable(url, type(exc).__name__) from exc


def _connection_reason(exc: requests.exceptions.ConnectionError, timeout_seconds: float) -> str:
    """Why a connection failed, in words: requests wraps a read timeout after retries, a name that does not
    resolve and a refused connection all as ``ConnectionError``."""
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo and len(seen) < 20:
        item = todo.pop()
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    # urllib3's NewConnectionError (refused, unresolvable) is a kind of its TimeoutError: ask in this order.
    if any(isinstance(c, urllib3.exceptions.NameResolutionError | socket.gaierror) for c in seen):
        return "the host name does not resolve"
    if any(isinstance(c, ConnectionRefusedError) for c in seen):
        return "connection refused"
    timeouts = (urllib3.exceptions.ReadTimeoutError, TimeoutError, socket.timeout)
    if any(isinstance(c, timeouts) for c in seen) or (
        any(isinstance(c, urllib3.exceptions.ConnectTimeoutError) for c in seen)
        and not any(isinstance(c, urllib3.exceptions.NewConnectionError) for c in seen)
    ):
        return f"timed out after {timeout_seconds:g}s"
    return "cannot connect"


_BODY_RE = re.compile(r"\((b(?:'.*'|\".*\"))\)\s*$", re.S)
_STATUS_RE = re.compile(r"HTTP Status Code (\d+)")


def status_code(text: str) -> int:
    """The HTTP status a prometheus-api-client exception names (0 when it names none)."""
    found = _STATUS_RE.search(text)
    return int(found.group(1)) if found else 0


def server_message(text: str) -> str | None:
    """The ``error`` field of the JSON body quoted in a prometheus-api-client exception, if any.

    The client words its exceptions as ``HTTP Status Code 400 (b'{...}')``: the body's repr.
    """
    found = _BODY_RE.search(text)
    if not found:
        return None
    try:
        body = json.loads(ast.literal_eval(found.group(1)))
    except (ValueError, SyntaxError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return str(error) if error else None


_Method = TypeVar("_Method", bound=Callable[..., Any])


def decoded(method: _Method) -> _Method:
    """A method of an adapter with a ``url``: an answer whose ``result`` has the wrong shape (a number for
    a series, text for a value) is ``MetricsUnavailable``, as a body that is not JSON is, never a
    ``TypeError`` from decoding it."""

    @functools.wraps(method)
    def decoding(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise MetricsUnavailable(self.url, "response is not a Prometheus API answer") from exc

    return cast(_Method, decoding)
