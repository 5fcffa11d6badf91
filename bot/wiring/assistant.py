"""Wiring of the assistant: where conversations live, which runner answers, and the chat model it talks to."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from adapters.files.conversations import FileConversationStore
from adapters.redis.conversations import RedisConversationStore
from agent.router import DeterministicRouter
from agent.runner import AgentRunner
from bot.config.settings import LLMSettings, Settings
from domain.ports import ConversationStore
from tools.context import ToolContext
from tools.registry import ToolRegistry

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


def build_conversations(settings: Settings) -> ConversationStore:
    """Redis when configured (shared by replicas), else a local state directory."""
    if settings.redis.url:
        from adapters.redis.connection import connect

        return RedisConversationStore(connect(settings.redis.url))
    return FileConversationStore(settings.state.dir)


def build_runner(
    settings: Settings, registry: ToolRegistry, ctx: ToolContext, *, on_tokens: Callable[[int], None] | None = None
) -> AgentRunner:
    """The LLM agent when an endpoint is configured (falling back to the router on errors), else the router.

    Args:
        on_tokens: called with the tokens each answer used (the bot's ``smartcloudops_llm_tokens_total``).
    """
    router = DeterministicRouter(registry=registry, ctx=ctx, conversations=build_conversations(settings))
    if settings.llm.base_url is None:
        return router
    from agent.langchain_runner import LangChainRunner

    runner = LangChainRunner(
        model=build_chat_model(settings.llm),
        registry=registry,
        ctx=ctx,
        fallback=router,
        max_model_calls=settings.llm.max_model_calls,
    )
    if on_tokens is not None:
        runner.on_tokens = on_tokens
    return runner


def build_chat_model(settings: LLMSettings) -> BaseChatModel:
    """A chat model for the configured OpenAI-compatible endpoint and model name."""
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    from agent.langchain_runner import MAX_ANSWER_TOKENS

    key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
    return ChatOpenAI(
        model=settings.model,
        base_url=str(settings.base_url),
        api_key=SecretStr(key),
        timeout=settings.timeout_seconds,
        max_retries=1,
        max_completion_tokens=MAX_ANSWER_TOKENS,
        temperature=0,
    )
