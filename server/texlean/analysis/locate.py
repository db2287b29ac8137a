"""From offsets in a chunk's text to (line, code point column) positions."""

from __future__ import annotations

import re
from bisect import bisect_right

from .findings import Span

_NEWLINE = re.compile(r"\r\n?|\n")


class Locator:
    """Converts offsets into chunk-relative line/column positions (lines computed lazily)."""

    __slots__ = ("_first_end", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None
        self._first_end = -1  # where the second line starts (past the end: one line)

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        starts = self._starts
        if starts is None:
            # most questions are about the first line (where a chunk's content
            # starts): answered without finding every line start
            first = self._first_end
            if first < 0:
                m = _NEWLINE.search(self.text)
                first = self._first_end = len(self.text) + 1 if m is None else m.end()
            if offset < first:
                return 0, offset
            starts = self._line_starts()
        line = bisect_right(starts, offset) - 1
        return line, offset - starts[line]

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end))
        return Span(line, col, end_line, end_col)
