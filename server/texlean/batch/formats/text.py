"""``--format text``: ``file:line:col: severity CODE message``, the source line, a caret."""

from __future__ import annotations

from ..runner import Item


def _visible(line: str) -> str:
    return line.rstrip("\r\n")


def render(item: Item, source: bool = True) -> str:
    p = item.presented
    mark = " (suppressed)" if p.suppressed else ""
    head = f"{item.name}:{p.span.line + 1}:{p.span.col + 1}: {p.severity.value} {p.code} {p.message}{mark}"
    if not source or not item.lines:
        return head
    src = _visible(item.lines[0])
    number = str(p.span.line + 1)
    col = min(p.span.col, len(src))
    end = p.span.end_col if p.span.end_line == p.span.line else len(src)
    width = max(1, min(end, len(src)) - col)
    pad = "".join("\t" if c == "\t" else " " for c in src[:col])
    gutter = " " * len(number)
    return f"{head}\n {number} | {src}\n {gutter} | {pad}^{'~' * (width - 1)}"
