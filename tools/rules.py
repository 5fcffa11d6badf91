"""The rule tool: what a duration rule means, in words, for a configured rule or one written out."""

from __future__ import annotations

from pydantic import BaseModel, Field

from detectors.rules.grammar import Comparison, DurationRule, RuleSyntaxError, parse_rule
from domain.durations import format_duration
from domain.errors import InputError
from domain.models import ToolResult, ToolStatus
from tools.context import ToolContext

_OPS = {
    Comparison.GT: "above",
    Comparison.GE: "at or above",
    Comparison.LT: "below",
    Comparison.LE: "at or below",
    Comparison.EQ: "equal to",
    Comparison.NE: "different from",
}


class ExplainRuleArgs(BaseModel):
    """Arguments of ``explain_rule``."""

    rule: str | None = Field(
        default=None, max_length=500, description="a rule such as 'cpu > 90% for 3m', or a rule name"
    )


def describe(rule: DurationRule) -> str:
    """One paragraph saying when the rule fires and what it then asks for."""
    unit = "%" if rule.condition.endswith("%") else ""
    text = (
        f"Fires when {rule.metric.label} stays {_OPS[rule.op]} {rule.threshold:g}{unit} "
        f"for {format_duration(rule.duration_seconds)} without a break"
    )
    text += f" on hosts matching {rule.selector}" if rule.selector else " on any host"
    text += "; missing scrapes do not count towards the duration, and it fires once per breach."
    if rule.action is not None:
        text += f" It then requests `{rule.action}`, which runs only after an allowed person approves it."
    return text


def explain_rule(ctx: ToolContext, args: ExplainRuleArgs) -> ToolResult:
    """Explain a duration rule (e.g. 'cpu > 90% for 3m then restart_service nginx') or list the configured rules."""
    params = args.model_dump(mode="json", exclude_none=True)
    if not args.rule:
        rows = [
            {"name": r.name, "rule": r.text, "severity": r.severity.value, "meaning": describe(r.rule)}
            for r in ctx.rules
        ]
        return ToolResult(
            status=ToolStatus.SUCCESS if rows else ToolStatus.NO_DATA, params=params, data={"rules": rows}
        )
    named = next((r for r in ctx.rules if r.name == args.rule.strip()), None)
    if named is not None:
        data = {
            "name": named.name,
            "rule": named.text,
            "severity": named.severity.value,
            "meaning": describe(named.rule),
        }
        return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)
    try:
        rule = parse_rule(args.rule)
    except RuleSyntaxError as exc:
        raise InputError(f"that rule does not parse: {exc}\n{exc.pointer()}") from exc
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data={"rule": str(rule), "meaning": describe(rule)})
