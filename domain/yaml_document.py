"""Reading a YAML document (a rules file, a scenario) into plain data, with errors a person can read. Pure."""

from __future__ import annotations

import yaml

from domain.errors import InputError


class YamlUnreadable(InputError):
    """The text is not a YAML document this product can read: what is wrong, and where, on one line."""


def parse_yaml(text: str, *, what: str) -> object:
    """The document in ``text`` (``yaml.safe_load``); ``what`` names the kind of file in errors ("a rules file").

    Raises:
        YamlUnreadable: PyYAML's problem with its line and column (its own text spans several lines and
            quotes the offending ones), or a document nested too deeply to be ``what``.
    """
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise YamlUnreadable(f"{problem}{where}") from exc
    except RecursionError:
        # PyYAML composes nested lists and mappings recursively: '[[[[…' hundreds deep exhausts the stack.
        raise YamlUnreadable(f"nested too deeply to be {what}") from None
