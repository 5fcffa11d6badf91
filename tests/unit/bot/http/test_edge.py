"""The ASGI edge: request bodies capped while they stream, secrets removed from response bodies."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Scope

from bot.http.edge import BodyLimit, RedactResponses
from domain.redaction import SecretRedactor


def scope(headers: list[tuple[bytes, bytes]] | None = None) -> Scope:
    return {"type": "http", "method": "POST", "path": "/", "headers": headers or [], "query_string": b""}


def run(app: Any, scope_: Scope, chunks: list[bytes]) -> tuple[list[Message], int]:
    """Call ``app`` with a body sent in ``chunks``; what it sent back and how many chunks it pulled."""
    sent: list[Message] = []
    pulled = 0

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        last = pulled >= len(chunks)
        return {"type": "http.request", "body": chunks[min(pulled, len(chunks)) - 1], "more_body": not last}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope_, receive, send))
    return sent, pulled


async def echo_length(scope_: Scope, receive: Any, send: Any) -> None:
    body = await Request(scope_, receive).body()
    await Response(str(len(body)))(scope_, receive, send)


def test_a_streamed_body_is_cut_off_just_past_the_cap_with_413() -> None:
    sent, pulled = run(BodyLimit(echo_length, max_bytes=1_000_000), scope(), [b"x" * 100_000] * 1000)

    assert 413 == sent[0]["status"]
    assert 11 == pulled  # 1.1 MB of the 100 MB read


def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    sent, pulled = run(BodyLimit(echo_length, max_bytes=10), scope([(b"content-length", b"11")]), [b"x" * 11])

    assert (413, 0) == (sent[0]["status"], pulled)


def test_a_body_within_the_cap_reaches_the_route() -> None:
    sent, _ = run(BodyLimit(echo_length, max_bytes=10), scope(), [b"12345", b"67890"])

    assert (200, b"10") == (sent[0]["status"], sent[1]["body"])


def test_response_bodies_lose_the_secrets_and_keep_a_true_length() -> None:
    secret = "signing-0123456789abcdef"
    app = RedactResponses(JSONResponse({"answer": f"it is {secret}"}), SecretRedactor.of([secret]))

    sent, _ = run(app, scope(), [b""])

    body = sent[1]["body"]
    assert b'{"answer":"it is [redacted]"}' == body
    assert str(len(body)).encode() == dict(sent[0]["headers"])[b"content-length"]
