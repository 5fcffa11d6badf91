"""A Slack WebClient that removes the configured secrets from everything it sends to Slack."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from domain.redaction import SecretRedactor


class RedactingWebClient(WebClient):
    """A ``WebClient`` whose every call has the secrets removed from its form, query and JSON fields.

    Every message the bot posts or updates (answers, digests, notices, approval cards, the
    placeholder) goes through ``api_call``; the token travels in the Authorization header, which
    is left alone.
    """

    def __init__(self, *, redactor: SecretRedactor, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.redactor = redactor

    @classmethod
    def like(cls, client: WebClient, redactor: SecretRedactor) -> RedactingWebClient:
        """A redacting copy of ``client``: token, base URL, timeout, TLS, proxy, headers, team, retries."""
        copy = cls(
            redactor=redactor,
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=dict(client.headers),
            logger=client._logger,  # the SDK keeps the logger it was given only there
            retry_handlers=list(client.retry_handlers),
        )
        copy.default_params = dict(client.default_params)
        return copy

    def _clean(self, fields: dict[str, Any] | None) -> dict[str, Any] | None:
        """``fields`` redacted, except the ``token`` an explicit ``token=`` argument puts there (Bolt's auth.test)."""
        if not fields:
            return fields
        return {k: v if k == "token" else self.redactor.data(v) for k, v in fields.items()}

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> SlackResponse:
        """The base call with ``data``, ``params`` and ``json`` redacted (a ``token`` field is the call's own)."""
        return super().api_call(
            api_method,
            http_verb=http_verb,
            files=files,
            data=self._clean(data),
            params=self._clean(params),
            json=self._clean(json),
            headers=headers,
            auth=auth,
        )
