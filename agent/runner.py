"""What a runner returns, and the protocol both runners implement."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

#: Tool error types that mean the product could not reach something it needs. A tool that is not
#: configured here (ConfigError) is not an outage: the answer says why it cannot run.
#: Errors that mean a dependency was unreachable (not unset, and not a refusal): ``ask`` exits 3 on them.
#: AWS's ``CloudActionFailed`` is not one: it also says a group or instance does not exist.
OUTAGE_ERRORS = frozenset({"MetricsUnavailable", "StoreUnavailable", "LogsUnavailable"})


class ToolCallRecord(BaseModel):
    """One tool call made while answering."""

    name: str
    args: dict[str, Any]
    status: str
    error_type: str | None = Field(default=None, exclude=True)
    error: str | None = Field(default=None, exclude=True)
    approval_id: str | None = Field(default=None, exclude=True)


class Answer(BaseModel):
    """An answer to one question: the text, how it was produced, and the tool calls behind it."""

    answer: str
    mode: Literal["router", "llm"]
    tool_calls: list[ToolCallRecord] = []
    approval_id: str | None = None

    def outage(self) -> str | None:
        """The first connection failure behind this answer, if nothing else answered it."""
        if any(call.status != "error" for call in self.tool_calls):
            return None
        for call in self.tool_calls:
            if call.error_type in OUTAGE_ERRORS:
                return call.error
        return None


class AgentRunner(Protocol):
    """Answers one question, optionally within a conversation thread."""

    def answer(self, question: str, *, user: str = "cli", thread: str | None = None) -> Answer:
        """Answer ``question`` asked by ``user``; ``thread`` keeps context across questions."""
        ...
