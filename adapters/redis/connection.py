"""Connecting to Redis, and the error translation every Redis adapter shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis

from domain.errors import StoreUnavailable


def connect(url: str, *, timeout_seconds: float = 2.0) -> redis.Redis:
    """A Redis client with explicit timeouts (no connection is made yet)."""
    return redis.Redis.from_url(
        url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds, decode_responses=True
    )


@contextmanager
def translated(url_hint: str) -> Iterator[None]:
    try:
        yield
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise StoreUnavailable(f"Redis unavailable ({type(exc).__name__}) at {url_hint}") from exc
    except redis.exceptions.RedisError as exc:
        raise StoreUnavailable(f"Redis error: {exc}") from exc


def location(client: redis.Redis) -> str:
    kwargs: dict[str, Any] = client.connection_pool.connection_kwargs
    return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
