"""SlackNotifier: the ``Notifier`` port over the Slack Web API, and the retries of its scheduled posts.

A rate-limited call is retried after the number of seconds Slack asks for (``Retry-After``), up to a
cap; a longer wait (or more retries) gives the error back, and the scheduler retries the whole job
later (a digest is retried, not dropped).
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from adapters.slack.redacting_client import RedactingWebClient
from domain.errors import NotifierUnavailable


class SlackNotifier:
    """Posts to Slack channels with the bot token's ``WebClient``."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Post a message.

        Raises:
            NotifierUnavailable: Slack refused the message or could not be reached.
        """
        try:
            self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as exc:
            raise NotifierUnavailable(f"Slack refused a message to {channel}: {exc.response.get('error')}") from exc
        except OSError as exc:
            raise NotifierUnavailable(f"Slack unreachable: {exc}") from exc

    def post_message(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, thread_ts: str | None = None
    ) -> str:
        """Post a message (in ``thread_ts``'s thread when given); returns its ts.

        Raises:
            NotifierUnavailable: Slack refused the message or could not be reached.
        """
        try:
            resp = self.client.chat_postMessage(channel=channel, text=text, blocks=blocks, thread_ts=thread_ts)
        except SlackApiError as exc:
            raise NotifierUnavailable(f"Slack refused a message to {channel}: {exc.response.get('error')}") from exc
        except OSError as exc:
            raise NotifierUnavailable(f"Slack unreachable: {exc}") from exc
        return str(resp.get("ts") or "")

    def update_message(self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """Replace the message ``ts`` in ``channel`` (``chat.update``).

        Raises:
            NotifierUnavailable: Slack refused the update or could not be reached.
        """
        try:
            self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            raise NotifierUnavailable(f"Slack refused an update in {channel}: {exc.response.get('error')}") from exc
        except OSError as exc:
            raise NotifierUnavailable(f"Slack unreachable: {exc}") from exc

    def upload_file(self, *, channel: str, thread_ts: str, content: bytes, filename: str, title: str) -> None:
        """Upload a file into the thread of ``thread_ts`` (``files.upload`` v2).

        Raises:
            NotifierUnavailable: Slack refused the file or could not be reached.
        """
        try:
            self.client.files_upload_v2(
                channel=channel, thread_ts=thread_ts, content=content, filename=filename, title=title
            )
        except SlackApiError as exc:
            raise NotifierUnavailable(f"Slack refused a file in {channel}: {exc.response.get('error')}") from exc
        except OSError as exc:
            raise NotifierUnavailable(f"Slack unreachable: {exc}") from exc


class BoundedRateLimitRetry(RateLimitErrorRetryHandler):
    """Retries a 429 after its ``Retry-After``, unless Slack asks to wait longer than ``max_wait_seconds``.

    Args:
        max_retry_count: retries per call.
        max_wait_seconds: longest ``Retry-After`` waited out in place.
    """

    def __init__(self, max_retry_count: int = 3, max_wait_seconds: float = 60.0) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_seconds = max_wait_seconds

    def _can_retry(
        self,
        *,
        state: RetryState,  # noqa: ARG002 - signature fixed by the base class
        request: HttpRequest,  # noqa: ARG002
        response: HttpResponse | None = None,
        error: Exception | None = None,  # noqa: ARG002
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        values = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        try:
            wait = float(values[0]) if values else 1.0
        except ValueError:
            wait = 1.0
        return wait <= self.max_wait_seconds


def retrying_web_client(client: WebClient, *, max_retries: int = 3, max_wait_seconds: float = 60.0) -> WebClient:
    """A WebClient like ``client`` (token, base URL, timeout, secret redaction) that waits out rate limits.

    A dropped connection is retried once too.
    """
    handlers = [
        ConnectionErrorRetryHandler(max_retry_count=1),
        BoundedRateLimitRetry(max_retry_count=max_retries, max_wait_seconds=max_wait_seconds),
    ]
    like: dict[str, Any] = {
        "token": client.token,
        "base_url": client.base_url,
        "timeout": client.timeout,
        "retry_handlers": handlers,
    }
    if isinstance(client, RedactingWebClient):
        return RedactingWebClient(redactor=client.redactor, **like)
    return WebClient(**like)
