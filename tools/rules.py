"""The rule tool: what a duration rule means, in words, for a configured rule or one written out."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from detectors.rules.file import NamedRule
from detectors.rules.grammar import RuleSyntaxError, parse_rule
from detectors.rules.rule import Comparison, DurationRule
from domain.durations import format_duration
from domain.errors import InputError
from domain.models import MetricKind, Severity, ToolResult, ToolStatus
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


class RuleExplanation(BaseModel):
    """One rule: its text, the metric it watches, how long a breach must last, and what it means in words.

    ``name`` and ``severity`` are set for a configured rule, None for one written out in the question.
    """

    rule: str
    metric: MetricKind
    lasting: timedelta
    meaning: str
    name: str | None = None
    severity: Severity | None = None

    @classmethod
    def of(cls, rule: DurationRule, *, text: str | None = None, named: NamedRule | None = None) -> RuleExplanation:
        """The explanation of ``rule``, written as ``text`` (its canonical form by default)."""
        return cls(
            rule=text or str(rule),
            metric=rule.metric,
            lasting=timedelta(seconds=rule.duration_seconds),
            meaning=describe(rule),
            name=named.name if named else None,
            severity=named.severity if named else None,
        )


class ConfiguredRules(BaseModel):
    """``explain_rule`` without a rule: every configured rule."""

    rules: list[RuleExplanation] = []


def explain_rule(ctx: ToolContext, args: ExplainRuleArgs) -> ToolResult:
    """Explain a duration rule (e.g. 'cpu > 90% for 3m then restart_service nginx') or list the configured rules."""
    params = args.model_dump(mode="json", exclude_none=True)
    if not args.rule:
        rows = [RuleExplanation.of(r.rule, text=r.text, named=r) for r in ctx.rules]
        status = ToolStatus.SUCCESS if rows else ToolStatus.NO_DATA
        return ToolResult(status=status, params=params, data=ConfiguredRules(rules=rows))
    named = next((r for r in ctx.rules if r.name == args.rule.strip()), None)
    if named is not None:
        explained = RuleExplanation.of(named.rule, text=named.text, named=named)
        return ToolResult(status=ToolStatus.SUCCESS, params=params, data=explained)
    try:
        rule = parse_rule(args.rule)
    except RuleSyntaxError as exc:
        raise InputError(f"that rule does not parse: {exc}\n{exc.pointer()}") from exc
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=RuleExplanation.of(rule))
