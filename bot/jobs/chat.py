"""The chat port the jobs post through: messages posted, updated in place and answered in their thread.

``adapters.slack.notifier.SlackNotifier`` implements it over the Slack Web API; the jobs that keep
a message up to date (approval expiry, incident notices) need it, the others only ``Notifier``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class ChatMessages(Protocol):
    """Post a message and get its id back, replace a posted message, and attach a file in a thread."""

    def post_message(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, thread_ts: str | None = None
    ) -> str:
        """Post (in ``thread_ts``'s thread when given); returns the new message's ts.

        Raises:
            NotifierUnavailable: the chat refused the message or could not be reached.
        """
        ...

    def update_message(self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """Replace the message ``ts`` in ``channel``.

        Raises:
            NotifierUnavailable: the chat refused the update or could not be reached.
        """
        ...

    def upload_file(self, *, channel: str, thread_ts: str, content: bytes, filename: str, title: str) -> None:
        """Upload a file (a chart) into the thread of ``thread_ts``.

        Raises:
            NotifierUnavailable: the chat refused the file or could not be reached.
        """
        ...
