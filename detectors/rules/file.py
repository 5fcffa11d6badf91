"""The rules file: named duration rules in YAML, validated as a whole at start-up.

Format::

    rules:
      - name: web-cpu-hot
        rule: cpu > 90% for 3m on web-* then restart_service nginx
        severity: high          # low | medium | high | critical (default high)
        mode: approve           # approve (default) | auto | notify: how the action is carried out
      - memory >= 95% for 10m   # a bare rule is named rule-<n>

Any problem becomes one ``ConfigError`` line naming the file, the rule and the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detectors.rules.grammar import RuleSyntaxError, parse_rule
from detectors.rules.rule import DurationRule
from domain.errors import ConfigError
from domain.models import Severity
from domain.yaml_document import YamlUnreadable, parse_yaml

MAX_RULES = 500
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
_KEYS = frozenset({"name", "rule", "severity", "mode"})
#: The keys a rules file may have at its top.
_TOP_KEYS = frozenset({"rules"})
#: How a rule's action is carried out: a person approves it, the policy approves it, or nobody acts.
MODES = ("approve", "auto", "notify")


@dataclass(frozen=True)
class NamedRule:
    """A rule from the rules file, with its name, severity and source text."""

    name: str
    rule: DurationRule
    severity: Severity
    text: str
    mode: str = "approve"


def parse_rules_yaml(text: str, *, source: str = "rules file") -> list[NamedRule]:
    """Parse and validate a rules file's content.

    Args:
        text: the YAML document.
        source: how to name the file in errors.

    Returns:
        The rules, in file order; none for an empty (or comment-only) document, which callers
        that need rules report themselves.

    Raises:
        ConfigError: one line saying what is wrong and where.
    """
    try:
        doc = parse_yaml(text, what="a rules file")
    except YamlUnreadable as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    if doc is None:
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise ConfigError(f"{source}: expected a top-level 'rules:' list")
    items: list[object] = doc["rules"]
    unknown = sorted(str(k) for k in doc if k not in _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key(s) {', '.join(unknown)[:200]} (allowed: rules)")
    if len(items) > MAX_RULES:
        raise ConfigError(f"{source}: {len(items)} rules, at most {MAX_RULES} are allowed")
    out: list[NamedRule] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        named = _entry(item, n, source)
        if named.name in seen:
            raise ConfigError(f"{source}: rule {n}: the name '{named.name}' is used twice")
        seen.add(named.name)
        out.append(named)
    return out


def _entry(item: Any, n: int, source: str) -> NamedRule:
    if isinstance(item, str):
        item = {"rule": item}
    if not isinstance(item, dict):
        raise ConfigError(f"{source}: rule {n}: expected a rule text or a mapping with 'name' and 'rule'")
    unknown = sorted(str(k) for k in item if k not in _KEYS)
    if unknown:
        raise ConfigError(
            f"{source}: rule {n}: unknown key(s) {', '.join(unknown)[:200]} (allowed: name, rule, severity, mode)"
        )
    name = item.get("name", f"rule-{n}")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ConfigError(f"{source}: rule {n}: the name must be letters, digits, _ or -, starting with a letter")
    text = item.get("rule")
    if not isinstance(text, str):
        raise ConfigError(f"{source}: rule {n} ({name}): 'rule' must be a text such as 'cpu > 90% for 3m'")
    try:
        severity = Severity(str(item.get("severity", "high")).lower())
    except ValueError:
        raise ConfigError(
            f"{source}: rule {n} ({name}): severity must be one of {', '.join(s.value for s in Severity)}"
        ) from None
    try:
        rule = parse_rule(text)
    except RuleSyntaxError as exc:
        raise ConfigError(f"{source}: rule {n} ({name}): {exc} in '{exc.text}'") from exc
    mode = str(item.get("mode", "approve")).lower()
    if mode not in MODES:
        raise ConfigError(f"{source}: rule {n} ({name}): mode must be one of {', '.join(MODES)}")
    if mode != "approve" and rule.action is None:
        raise ConfigError(f"{source}: rule {n} ({name}): mode {mode} needs a 'then <action>' in the rule")
    return NamedRule(name=name, rule=rule, severity=severity, text=text.strip(), mode=mode)


def load_rules_file(path: Path) -> list[NamedRule]:
    """Read and validate the rules file at ``path``.

    Raises:
        ConfigError: the file cannot be read or is invalid.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"rules file {path}: cannot be read ({reason})") from exc
    return parse_rules_yaml(text, source=f"rules file {path}")
