"""Slack Web API retries for scheduled posts: wait out Slack's ``Retry-After`` on HTTP 429.

A rate-limited call is retried after the number of seconds Slack asks for, up to a cap; a longer
wait (or more retries) gives the error back, and the scheduler retries the whole job later
(a digest is retried, not dropped).
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState


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
    """A WebClient like ``client`` (token, base URL, timeout) that waits out rate limits.

    A dropped connection is retried once too.
    """
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            BoundedRateLimitRetry(max_retry_count=max_retries, max_wait_seconds=max_wait_seconds),
        ],
    )
