"""An OpenAI-compatible chat-completions server on localhost that returns scripted replies.

Point the real ``ChatOpenAI`` at it with ``base_url=server.base_url``. Each request pops the
next scripted reply: a tool call (``tool_call(name, args)``) or a final text (``text(...)``).
Requests are recorded so tests can see what the model was shown.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = dict[str, Any]


def tool_call(name: str, args: dict[str, Any]) -> Reply:
    """A reply in which the model calls one tool."""
    return {"tool_calls": [(name, args)]}


def tool_call_text(name: str, arguments: str) -> Reply:
    """A reply in which the model calls one tool with ``arguments`` sent as they are (valid JSON or not)."""
    return {"tool_calls": [(name, arguments)]}


def text(content: str) -> Reply:
    """A final text reply."""
    return {"content": content}


def error(status: int, message: str = "upstream failure") -> Reply:
    """An HTTP error reply."""
    return {"error": (status, message)}


class FakeOpenAI(ThreadingHTTPServer):
    """The fake server; script replies with ``script([...])`` or a function of the request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self._script: deque[Reply] = deque()
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        self._ids = itertools.count(1)
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """Base URL for ``ChatOpenAI(base_url=...)``."""
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        """Serve in a background thread."""
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.shutdown()
        self.server_close()

    def script(self, replies: list[Reply]) -> None:
        """Replace the queue of replies and forget recorded requests."""
        with self.lock:
            self._script = deque(replies)
            self.requests.clear()
            self.responder = None

    def next_reply(self, request: dict[str, Any]) -> Reply:
        """The reply to ``request``."""
        with self.lock:
            self.requests.append(request)
            if self.responder is not None:
                return self.responder(request)
            if not self._script:
                return text("(no scripted reply left)")
            return self._script.popleft()

    def completion(self, request: dict[str, Any], reply: Reply) -> dict[str, Any]:
        """A chat.completion object for ``reply``."""
        message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
        finish = "stop"
        if reply.get("tool_calls"):
            message["tool_calls"] = [
                {
                    "id": f"call_{next(self._ids)}",
                    "type": "function",
                    "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)},
                }
                for name, args in reply["tool_calls"]
            ]
            finish = "tool_calls"
        return {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "fake"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.endswith("/chat/completions"):
            self._send(404, {"error": {"message": "not found"}})
            return
        reply = self.server.next_reply(request)
        if "error" in reply:
            status, message = reply["error"]
            self._send(status, {"error": {"message": message, "type": "server_error"}})
            return
        completion = self.server.completion(request, reply)
        if request.get("stream"):
            self._stream(completion)
        else:
            self._send(200, completion)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, completion: dict[str, Any]) -> None:
        choice = completion["choices"][0]
        message = choice["message"]
        delta: dict[str, Any] = {"role": "assistant", "content": message.get("content") or ""}
        if message.get("tool_calls"):
            delta["tool_calls"] = [{**tc, "index": i} for i, tc in enumerate(message["tool_calls"])]
        chunks = [
            {
                **completion,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            },
            {
                **completion,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}],
            },
        ]
        body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
        payload = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002, ARG002 - signature fixed by http.server
        return
