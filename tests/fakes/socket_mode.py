"""A Socket Mode endpoint on localhost: a WebSocket server that greets with ``hello``, pushes envelopes
as Slack does, and records the acks the app sends back.

Give its ``url`` to the fake Web API (``FakeSlackApi.socket_mode_url``) so ``apps.connections.open`` returns it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class FakeSocketMode:
    """The server; ``start()``, ``push(...)``, ``wait_for_ack(envelope_id)``, ``stop()``."""

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.lock = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The ``ws://`` URL the client connects to."""
        if self._server is None:
            raise RuntimeError("not started")
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=test"

    def start(self) -> FakeSocketMode:
        """Serve in a background thread."""
        self._server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection and stop serving."""
        for connection in list(self._connections):
            connection.close()
        if self._server is not None:
            self._server.shutdown()

    def _handle(self, connection: ServerConnection) -> None:
        with self.lock:
            self._connections.append(connection)
            self.lock.notify_all()
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}}))
        try:
            for raw in connection:
                message = json.loads(raw)
                with self.lock:
                    self.acks.append(message)
                    self.lock.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self.lock:
                self._connections.remove(connection)

    def wait_connected(self, timeout: float = 10.0) -> None:
        """Wait until a client is connected."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not self._connections:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("no Socket Mode client connected")
                self.lock.wait(remaining)

    def push(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Send one envelope (``events_api``, ``slash_commands`` or ``interactive``); returns its envelope id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "",
        }
        with self.lock:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The ack the client sent for ``envelope_id``."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for ack in self.acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no ack for {envelope_id}; got {self.acks}")
                self.lock.wait(remaining)
