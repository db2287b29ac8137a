"""``--format json``: a list of objects (``path``, ``range`` in LSP shape with UTF-16
columns, ``severity``, ``code``, ``category``, ``message``, ``name``)."""

from __future__ import annotations

from typing import Any

from ..runner import Item


def utf16(line: str, col: int) -> int:
    prefix = line[:col]
    return len(prefix) + sum(1 for c in prefix if ord(c) > 0xFFFF)


def render(item: Item, show_suppressed: bool) -> dict[str, Any]:
    p = item.presented
    first = item.lines[0] if item.lines else ""
    last_index = p.span.end_line - p.span.line
    last = item.lines[last_index] if 0 <= last_index < len(item.lines) else ""
    out: dict[str, Any] = {
        "path": item.name,
        "range": {
            "start": {"line": p.span.line, "character": utf16(first, p.span.col)},
            "end": {"line": p.span.end_line, "character": utf16(last, p.span.end_col)},
        },
        "severity": p.severity.value,
        "code": p.code,
        "category": p.category.value,
        "message": p.message,
        "name": p.name,
    }
    if show_suppressed:
        out["suppressed"] = p.suppressed
    return out
