"""The text of message templates: Meta's `{{1}}`-style placeholders, counted and filled."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"{{\s*(\w+)\s*}}")


def count_placeholders(body: str) -> int:
    return len(set(PLACEHOLDER.findall(body)))


def fill_placeholders(body: str, params: list[str]) -> str:
    """Put positional parameters into `{{1}}`, `{{2}}`…; placeholders without one stay as they are."""

    def value(match: re.Match) -> str:
        key = match.group(1)
        return params[int(key) - 1] if key.isdigit() and 0 < int(key) <= len(params) else match.group(0)

    return PLACEHOLDER.sub(value, body)
