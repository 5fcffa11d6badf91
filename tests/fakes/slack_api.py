"""A Slack Web API on localhost that records every call per method and answers like Slack does.

Point the real ``WebClient`` at it with ``base_url=server.api_url``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class ReceivedCall:
    """One API call as the server saw it."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    response: dict[str, Any] = field(default_factory=dict)


class FakeSlackApi(ThreadingHTTPServer):
    """The fake server; start with ``start()``, stop with ``stop()``."""

    daemon_threads = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.calls: list[ReceivedCall] = []
        self.lock = threading.Condition()
        self._ts = itertools.count(1)
        self._thread: threading.Thread | None = None
        self.responses: dict[str, dict[str, Any]] = {}
        self.socket_mode_url: str | None = None
        #: Members of each user group, answered by ``usergroups.users.list``.
        self.usergroups: dict[str, list[str]] = {}
        #: Per method, how many calls to answer with HTTP 429 and ``Retry-After: retry_after`` first.
        self.rate_limited: dict[str, int] = {}
        self.retry_after = 1

    @property
    def api_url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``."""
        return f"http://127.0.0.1:{self.server_address[1]}/api/"

    def start(self) -> FakeSlackApi:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.shutdown()
        self.server_close()

    def reset(self) -> None:
        """Forget recorded calls and configured user groups."""
        with self.lock:
            self.calls.clear()
            self.usergroups.clear()
            self.rate_limited.clear()

    def received(self, method: str) -> list[ReceivedCall]:
        """Calls of one API method, in order."""
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[ReceivedCall]:
        """Wait until ``method`` was called at least ``count`` times; returns those calls."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                calls = [c for c in self.calls if c.method == method]
                if len(calls) >= count:
                    return calls
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({c.method for c in self.calls})
                    raise AssertionError(f"{method} called {len(calls)} times, wanted {count}; saw {seen}")
                self.lock.wait(remaining)

    def record(self, call: ReceivedCall) -> dict[str, Any]:
        """Store a call (with the answer it gets) and return Slack's answer to it."""
        answer = self._answer(call)
        with self.lock:
            self.calls.append(replace(call, response=answer))
            self.lock.notify_all()
        return answer

    def _answer(self, call: ReceivedCall) -> dict[str, Any]:
        if call.method in self.responses:
            return self.responses[call.method]
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        channel = call.body.get("channel", "C000")
        answers: dict[str, dict[str, Any]] = {
            "auth.test": {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Example",
                "user": "ops",
                "team_id": "T000",
                "user_id": "U_BOT",
                "bot_id": "B000",
            },
            "chat.postMessage": {"ok": True, "channel": channel, "ts": ts, "message": {"text": call.body.get("text")}},
            "chat.update": {"ok": True, "channel": channel, "ts": call.body.get("ts", ts)},
            "chat.postEphemeral": {"ok": True, "message_ts": ts},
            "apps.connections.open": {"ok": True, "url": self.socket_mode_url or "ws://127.0.0.1:1/"},
            "files.getUploadURLExternal": {
                "ok": True,
                "upload_url": f"http://127.0.0.1:{self.server_address[1]}/upload",
                "file_id": f"F{next(self._ts):08d}",
            },
            "files.completeUploadExternal": {"ok": True, "files": [{"id": "F1", "title": "chart"}]},
        }
        if call.method == "usergroups.users.list":
            group = str(call.body.get("usergroup", ""))
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(self.usergroups[group])}
        return answers.get(call.method, {"ok": True})


class _Handler(BaseHTTPRequestHandler):
    server: FakeSlackApi

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urllib.parse.urlparse(self.path).path
        if path == "/upload":
            self.server.record(ReceivedCall("upload", {"bytes": len(raw)}, dict(self.headers.items())))
            self._reply(200, b"OK", "text/plain")
            return
        method = path.removeprefix("/api/")
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type:
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
        for key in ("blocks", "attachments"):
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        with self.server.lock:
            limited = self.server.rate_limited.get(method, 0) > 0
            if limited:
                self.server.rate_limited[method] -= 1
        if limited:
            refusal = {"ok": False, "error": "ratelimited"}
            with self.server.lock:
                self.server.calls.append(ReceivedCall(method, body, dict(self.headers.items()), refusal))
                self.server.lock.notify_all()
            self._reply(429, json.dumps(refusal).encode(), "application/json", retry_after=self.server.retry_after)
            return
        answer = self.server.record(ReceivedCall(method, body, dict(self.headers.items())))
        self._reply(200, json.dumps(answer).encode(), "application/json")

    def _reply(self, status: int, payload: bytes, content_type: str, *, retry_after: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002, ARG002 - signature fixed by http.server
        return
