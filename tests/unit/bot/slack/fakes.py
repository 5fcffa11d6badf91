"""Fakes of what Bolt injects into a listener: an `ack`/`respond` that records calls, and a Slack Web API client."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError


@dataclass
class Recorder:
    """A callable that records the keyword arguments of each call (``ack``, ``say``, ``respond``)."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, text: str | None = None, **kwargs: Any) -> None:
        self.calls.append({"text": text, **kwargs} if text is not None else kwargs)


@dataclass(frozen=True)
class ApiCall:
    method: str
    args: dict[str, Any]


class FakeSlackClient:
    """The ``WebClient`` methods the listeners call; records each call, and fails the methods in ``failing``."""

    def __init__(self, *, failing: dict[str, str] | None = None, groups: dict[str, list[str]] | None = None) -> None:
        self.calls: list[ApiCall] = []
        self.failing = failing or {}
        self.groups = groups or {}
        #: The messages of each thread (by its ts), answered by ``conversations.replies``.
        self.threads: dict[str, list[dict[str, Any]]] = {}
        self._ts = itertools.count(1)

    def _answer(self, method: str, args: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self.calls.append(ApiCall(method, args))
        if method in self.failing:
            raise SlackApiError(f"{method} failed", {"ok": False, "error": self.failing[method]})
        return {"ok": True, **extra}

    def chat_postMessage(self, **args: Any) -> dict[str, Any]:  # noqa: N802 - the WebClient's name
        return self._answer("chat.postMessage", args, ts=f"1700000000.{next(self._ts):06d}")

    def chat_update(self, **args: Any) -> dict[str, Any]:
        return self._answer("chat.update", args, ts=args.get("ts"))

    def chat_postEphemeral(self, **args: Any) -> dict[str, Any]:  # noqa: N802
        return self._answer("chat.postEphemeral", args)

    def files_upload_v2(self, **args: Any) -> dict[str, Any]:
        return self._answer("files.upload", args)

    def usergroups_users_list(self, **args: Any) -> dict[str, Any]:
        return self._answer("usergroups.users.list", args, users=self.groups.get(args["usergroup"], []))

    def conversations_replies(self, **args: Any) -> dict[str, Any]:
        return self._answer("conversations.replies", args, messages=self.threads.get(args["ts"], []))

    def received(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call of ``method``, in order."""
        return [c.args for c in self.calls if c.method == method]


class RecordingChat:
    """The jobs' chat port (``bot.jobs.chat.ChatMessages``) recording posts, updates, uploads; posts get ``1.<n>``."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.uploads: list[dict[str, Any]] = []

    def post_message(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, thread_ts: str | None = None
    ) -> str:
        self.posts.append({"channel": channel, "text": text, "blocks": blocks, "thread_ts": thread_ts})
        return f"1.{len(self.posts)}"

    def update_message(self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        self.updates.append({"channel": channel, "ts": ts, "text": text, "blocks": blocks})

    def upload_file(self, *, channel: str, thread_ts: str, content: bytes, filename: str, title: str) -> None:
        self.uploads.append(
            {"channel": channel, "thread_ts": thread_ts, "bytes": len(content), "filename": filename, "title": title}
        )
