"""Wiring of the assistant: where conversations and logs live, and which runner answers."""

from __future__ import annotations

from collections.abc import Callable

from adapters.files.conversations import FileConversationStore
from adapters.files.logs import JsonlLogSource
from adapters.redis.conversations import RedisConversationStore
from agent.router import DeterministicRouter
from agent.runner import AgentRunner
from bot.config.settings import Settings
from domain.ports import ConversationStore, LogSource
from tools.context import ToolContext
from tools.registry import ToolRegistry


def build_conversations(settings: Settings) -> ConversationStore:
    """Redis when configured (shared by replicas), else a local state directory."""
    if settings.redis.url:
        from adapters.redis.connection import connect

        return RedisConversationStore(connect(settings.redis.url))
    return FileConversationStore(settings.state.dir)


def build_log_sources(settings: Settings) -> tuple[LogSource, ...]:
    """The product's own event and audit logs, plus CloudWatch Logs when a group is configured."""
    sources: list[LogSource] = [
        JsonlLogSource("events", settings.audit.dir, "events*.jsonl"),
        JsonlLogSource("audit", settings.audit.dir, "audit-*.jsonl"),
    ]
    if settings.logs.cloudwatch_group and settings.aws.enabled:
        import boto3

        from adapters.aws.cloudwatch_logs import CloudWatchLogSource

        endpoint = str(settings.aws.endpoint_url) if settings.aws.endpoint_url else None
        client = boto3.session.Session(region_name=settings.aws.region).client("logs", endpoint_url=endpoint)
        sources.append(CloudWatchLogSource(client, settings.logs.cloudwatch_group))
    return tuple(sources)


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

    runner = LangChainRunner.from_settings(settings.llm, registry=registry, ctx=ctx, fallback=router)
    if on_tokens is not None:
        runner.on_tokens = on_tokens
    return runner
