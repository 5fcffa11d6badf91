"""DeterministicRouter: answers the common questions with the registry's tools, no LLM involved."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import structlog

from agent import intents
from agent.conversation import Conversation
from agent.phrasing import HELP_TEXT, phrase
from agent.runner import Answer, ToolCallRecord
from agent.text import clean_question, redact_secrets
from domain.errors import InputError, OpsError
from domain.models import HostRef, ToolResult, ToolStatus
from domain.ports import ConversationStore
from tools.context import ToolContext
from tools.registry import ToolRegistry
from tools.remediation import RequestedRemediation

log = structlog.get_logger(__name__)

CANNOT = "I can't answer that yet. "


def record(name: str, args: dict[str, Any], result: ToolResult) -> ToolCallRecord:
    """The ``tool_calls`` entry of an answer."""
    approval_id = None
    if result.status is ToolStatus.APPROVAL_REQUIRED and isinstance(result.data, RequestedRemediation):
        approval_id = result.data.approval_id
    return ToolCallRecord(
        name=name,
        args=args,
        status=result.status.value,
        error_type=result.error_type,
        error=result.error,
        approval_id=approval_id,
    )


@dataclass
class DeterministicRouter:
    """Maps a question to one tool call (the intent model's reading, filled by slot extraction) and phrases
    the tool data as the answer."""

    registry: ToolRegistry
    ctx: ToolContext
    conversations: ConversationStore | None = None

    def known_hosts(self) -> list[HostRef]:
        """The hosts the metrics source knows (none when it is missing or unreachable)."""
        if self.ctx.metrics is None:
            return []
        try:
            return self.ctx.metrics.hosts()
        except OpsError:  # the tool call that follows reports the outage
            return []

    def load(self, thread: str | None) -> tuple[Conversation, str | None]:
        """The thread's conversation, and a note when context could not be read."""
        if thread is None or self.conversations is None:
            return Conversation(), None
        try:
            return Conversation.from_stored(self.conversations.load(thread)), None
        except OpsError as exc:
            log.warning("conversation_unavailable", error=str(exc))
            return Conversation(), "(Conversation context is unavailable right now, so follow-ups won't work.)"

    def save(self, thread: str | None, conversation: Conversation) -> None:
        """Store the thread's conversation; an outage only loses the context."""
        if thread is None or self.conversations is None:
            return
        try:
            self.conversations.save(thread, conversation.model_dump(mode="json"))
        except OpsError as exc:
            log.warning("conversation_unavailable", error=str(exc))

    def answer(self, question: str, *, user: str = "cli", thread: str | None = None) -> Answer:
        """Answer one question; anything it does not understand gets what it can do."""
        text = clean_question(question)
        conversation, note = self.load(thread)
        known = self.known_hosts()
        try:
            step = intents.plan(text.lower(), known, conversation)
        except InputError as exc:
            # A time the question names cannot be right ("the last 99999999999 weeks", "at 25:00").
            reason = str(exc).rstrip(". ")
            step = intents.Plan(
                "unknown", reply=f"{reason}. Ask again with a time I can read, e.g. 'the last 2 hours'."
            )
        calls: list[ToolCallRecord] = []
        approval_id = None
        if step.tool is None:
            reply = HELP_TEXT if step.intent == "help" else step.reply or CANNOT + HELP_TEXT
        else:
            ctx = replace(self.ctx, user=user, remediation_asked=step.intent == "remediation")
            result = self.registry.call(step.tool, step.args, ctx)
            calls.append(record(step.tool, step.args, result))
            reply = phrase(step.tool, result)
            if step.note:
                reply = f"{step.note}\n{reply}"
            approval_id = calls[-1].approval_id
        if note:
            reply = f"{reply}\n{note}"
        if step.tool is not None:
            # A logs question's filters, a ranking's order, stay in play for its follow-ups.
            conversation = conversation.remember(
                text,
                reply,
                filters=step.keeps,
                host=step.host,
                metric=step.metric,
                since=step.since,
                intent=step.intent,
            )
            self.save(thread, conversation)
        return Answer(answer=redact_secrets(reply), mode="router", tool_calls=calls, approval_id=approval_id)
