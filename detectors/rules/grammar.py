"""The text form of duration rules (``cpu > 90% for 3m on web-* then restart_service nginx``): the parser. Pure.

Grammar (keywords are case-insensitive, whitespace between tokens is optional where unambiguous)::

    rule      := metric op number ["%"] "for" duration ["on" selector] ["then" action]
    metric    := cpu | memory | disk | disk_io | network_in | network_out | load | up
    op        := ">" | ">=" | "<" | "<=" | "==" | "!="
    duration  := (digits ("s" | "m" | "h" | "d" | "w"))+    e.g. 90s, 3m, 1h30m (``domain.durations``)
    selector  := pattern ("," pattern)*                     matches instance, host or instance_id; "*" is a wildcard
    action    := "restart_service" service
               | "scale_up" group ["by" digits]
               | "scale_to" group digits

A parse error is a ``RuleSyntaxError`` carrying the 1-based column of the offending token.

The parsed rule is a ``detectors.rules.rule.DurationRule``; evaluation over series lives in
``detectors.rules.evaluation``.
"""

from __future__ import annotations

import math
import re

from detectors.rules.rule import Comparison, DurationRule, HostSelector, RuleAction
from domain.durations import COMPACT_DURATION, parse_duration
from domain.errors import InputError
from domain.models import MetricKind

MAX_RULE_LENGTH = 500
MAX_DURATION_SECONDS = 7 * 86400
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OP = re.compile(r">=|<=|==|!=|>|<")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_PATTERN = re.compile(r"[A-Za-z0-9_.:/*-]+")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@:-]*")
_INT = re.compile(r"\d+")


class RuleSyntaxError(InputError):
    """A rule does not follow the grammar; ``column`` is 1-based."""

    def __init__(self, text: str, column: int, message: str) -> None:
        self.text = text
        self.column = column
        self.message = message
        super().__init__(f"column {column}: {message}")

    def pointer(self) -> str:
        """The rule and a caret under the offending column, for terminals and code blocks."""
        return f"{self.text}\n{' ' * (self.column - 1)}^"


class _Cursor:
    """Walks the rule text, skipping whitespace, and raises errors at the current column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def fail(self, message: str, pos: int | None = None) -> RuleSyntaxError:
        return RuleSyntaxError(self.text, (self.pos if pos is None else pos) + 1, message)

    def peek_word(self) -> str:
        self.skip_space()
        m = _WORD.match(self.text, self.pos)
        return m.group(0).lower() if m else ""

    def take(self, pattern: re.Pattern[str], expected: str) -> tuple[str, int]:
        self.skip_space()
        start = self.pos
        m = pattern.match(self.text, self.pos)
        if not m:
            found = self.text[self.pos : self.pos + 12].split(" ")[0] if self.pos < len(self.text) else ""
            raise self.fail(f"expected {expected}, found {repr(found) if found else 'the end of the rule'}")
        self.pos = m.end()
        return m.group(0), start

    def keyword(self, word: str) -> None:
        self.skip_space()
        start = self.pos
        got = self.peek_word()
        if got != word:
            raise self.fail(f"expected '{word}'", start)
        self.pos += len(word)


def parse_rule(text: str) -> DurationRule:
    """Parse one rule.

    Args:
        text: the rule, e.g. ``memory >= 95% for 10m then scale_up web-asg by 1``.

    Returns:
        The parsed rule.

    Raises:
        RuleSyntaxError: the text does not follow the grammar; the error names the column.
    """
    if len(text) > MAX_RULE_LENGTH:
        raise RuleSyntaxError(text[:60], 1, f"a rule is at most {MAX_RULE_LENGTH} characters")
    for i, ch in enumerate(text):
        if not ch.isprintable() and ch != "\t":
            raise RuleSyntaxError(text.encode("unicode_escape").decode()[:80], i + 1, "control character in rule")
    cur = _Cursor(text)
    if cur.at_end():
        raise cur.fail("empty rule; expected e.g. 'cpu > 90% for 3m'")
    metric = _metric(cur)
    op = Comparison(cur.take(_OP, "a comparison (>, >=, <, <=, ==, !=)")[0])
    threshold = _threshold(cur, metric)
    cur.keyword("for")
    duration = _duration(cur)
    selector = None
    if cur.peek_word() == "on":
        cur.keyword("on")
        selector = _selector(cur)
    action = None
    if cur.peek_word() == "then":
        cur.keyword("then")
        action = _action(cur)
    if not cur.at_end():
        raise cur.fail(f"unexpected '{cur.text[cur.pos :].split()[0][:20]}'; expected 'on', 'then' or the end")
    return DurationRule(metric, op, threshold, duration, selector, action)


def _metric(cur: _Cursor) -> MetricKind:
    word, start = cur.take(_WORD, "a metric name")
    try:
        return MetricKind(word.lower())
    except ValueError:
        known = ", ".join(m.value for m in MetricKind)
        raise cur.fail(f"unknown metric '{word[:20]}' (known: {known})", start) from None


def _threshold(cur: _Cursor, metric: MetricKind) -> float:
    raw, start = cur.take(_NUMBER, "a number")
    value = float(raw)
    percent = cur.text.startswith("%", cur.pos)
    if percent:
        cur.pos += 1
        if not metric.is_percent:
            raise cur.fail(f"{metric.value} is not a percentage; drop the %", cur.pos - 1)
    if not math.isfinite(value):
        raise cur.fail("the threshold is too large", start)
    if metric.is_percent and not 0 <= value <= 100:
        raise cur.fail(f"{metric.value} is a percentage, so the threshold must be between 0 and 100", start)
    return value


def _duration(cur: _Cursor) -> int:
    raw, start = cur.take(COMPACT_DURATION, "a duration such as 90s, 3m or 1h30m")
    nxt = cur.text[cur.pos : cur.pos + 1]
    if nxt and not nxt.isspace():
        raise cur.fail("a duration is digits with units s, m, h, d or w (e.g. 3m, 1h30m)", start)
    try:
        seconds = int(parse_duration(raw).total_seconds())
    except InputError:
        raise cur.fail("the duration must be at most 7d", start) from None
    if seconds <= 0:
        raise cur.fail("the duration must be longer than zero", start)
    if seconds > MAX_DURATION_SECONDS:
        raise cur.fail("the duration must be at most 7d", start)
    return seconds


def _selector(cur: _Cursor) -> HostSelector:
    patterns = [cur.take(_PATTERN, "a host name or pattern (web-1, web-*, 10.0.1.5:9100)")[0]]
    while cur.text.startswith(",", cur.pos):
        cur.pos += 1
        patterns.append(cur.take(_PATTERN, "a host name or pattern after ','")[0])
    for p in patterns:
        if p.strip("*") == "" and p != "*":
            raise cur.fail(f"'{p}' is not a host pattern")
    return HostSelector(tuple(patterns))


def _action(cur: _Cursor) -> RuleAction:
    name, start = cur.take(_WORD, "an action (restart_service, scale_up, scale_to)")
    name = name.lower()
    if name == "restart_service":
        return RuleAction(name, service=cur.take(_NAME, "a service name")[0])
    if name == "scale_up":
        group = cur.take(_NAME, "an Auto Scaling group name")[0]
        amount = 1
        if cur.peek_word() == "by":
            cur.keyword("by")
            amount = _positive_int(cur)
        return RuleAction(name, group=group, amount=amount)
    if name == "scale_to":
        group = cur.take(_NAME, "an Auto Scaling group name")[0]
        return RuleAction(name, group=group, amount=_positive_int(cur, allow_zero=True))
    raise cur.fail(f"unknown action '{name[:20]}' (known: restart_service, scale_up, scale_to)", start)


def _positive_int(cur: _Cursor, *, allow_zero: bool = False) -> int:
    raw, start = cur.take(_INT, "a whole number")
    if len(raw) > 6:
        raise cur.fail("the number is too large", start)
    value = int(raw)
    if value == 0 and not allow_zero:
        raise cur.fail("the number must be at least 1", start)
    return value
