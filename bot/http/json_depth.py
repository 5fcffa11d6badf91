"""How deep the brackets of a JSON text nest, read without parsing it. Pure.

Python's JSON parser recurses, so a body of a hundred thousand brackets would exhaust the stack;
HTTP handlers measure the depth first and refuse a text that nests deeper than any request they read.
"""

from __future__ import annotations

#: Deeper JSON is refused (Slack's payloads and API bodies nest a few levels).
MAX_JSON_DEPTH = 32


def json_depth_within(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the brackets of JSON ``text`` nest at most ``limit`` deep (strings are skipped)."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True
