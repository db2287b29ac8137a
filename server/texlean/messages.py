"""Every user-facing message, built in one place from a key and parameters.

Templates live in ``grammars/messages.toml``; :func:`render` looks one up and
fills its ``{placeholders}``.  A missing parameter renders as ``?`` rather than
failing: a message must never crash the server.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

from .tables import load

_FORMATTER = string.Formatter()


class _Lenient(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def templates() -> Mapping[str, str]:
    table: dict[str, str] = load("messages")["messages"]
    return table


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in _FORMATTER.parse(template) if field}


def render(key: str, params: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> str:
    template = templates().get(key, key)
    values = _Lenient(params)
    try:
        return template.format_map(values)
    except (ValueError, IndexError, KeyError):
        return template
