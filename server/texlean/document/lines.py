"""The text of a document as a list of lines, edited in place.

Each stored line keeps its terminator (``\\r\\n``, ``\\n`` or ``\\r`` — the three
line ends LSP knows); only the last line may lack one.  An edit replaces the
lines it touches and nothing else, so its cost does not depend on the size of
the document.  Columns here count code points; conversion to the client's
encoding happens in :mod:`texlean.lsp.convert`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# what str.splitlines also splits at, besides the three line ends LSP knows
_OTHER_BREAKS = ("\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def split_lines(text: str) -> list[str]:
    """Split ``text`` into lines that keep their terminators.

    The result always has at least one element; a text that ends with a line
    terminator ends with an empty line (where the cursor can stand).
    """
    if not any(b in text for b in _OTHER_BREAKS):
        lines = text.splitlines(keepends=True)  # the same lines, ten times faster
    else:
        lines = _LINE.findall(text)
    if not lines or lines[-1].endswith(("\n", "\r")):
        lines.append("")
    return lines


def content_length(line: str) -> int:
    """Length of ``line`` without its terminator."""
    if line.endswith("\r\n"):
        return len(line) - 2
    if line.endswith(("\n", "\r")):
        return len(line) - 1
    return len(line)


@dataclass(frozen=True, slots=True)
class LineEdit:
    """What an edit did to the line structure.

    Lines ``[start, old_end)`` were replaced by lines ``[start, new_end)``.
    """

    start: int
    old_end: int
    new_end: int

    @property
    def delta(self) -> int:
        return self.new_end - self.old_end


class LineStore:
    """A document's lines, with edits applied in place."""

    __slots__ = ("lines",)

    def __init__(self, text: str = "") -> None:
        self.lines: list[str] = split_lines(text)

    def __len__(self) -> int:
        return len(self.lines)

    def line(self, index: int) -> str:
        return self.lines[index]

    def text(self) -> str:
        return "".join(self.lines)

    def slice_text(self, start: int, end: int) -> str:
        return "".join(self.lines[start:end])

    def clamp(self, line: int, col: int) -> tuple[int, int]:
        """The nearest valid position: past the end goes to the end, as LSP says."""
        last = len(self.lines) - 1
        if line > last:
            return last, content_length(self.lines[last])
        line = max(line, 0)
        return line, max(0, min(col, content_length(self.lines[line])))

    def replace(self, start: tuple[int, int], end: tuple[int, int], new_text: str) -> LineEdit:
        """Replace the text between two (line, code point column) positions."""
        (sl, sc), (el, ec) = self.clamp(*start), self.clamp(*end)
        if (el, ec) < (sl, sc):
            (sl, sc), (el, ec) = (el, ec), (sl, sc)
        lines = self.lines
        joined = lines[sl][:sc] + new_text + lines[el][ec:]
        # A '\r' ending the line before and a '\n' now starting this one form a
        # single terminator: re-split from the line before.
        if sl > 0 and joined.startswith("\n") and sc == 0 and lines[sl - 1].endswith("\r"):
            sl -= 1
            joined = lines[sl] + joined
        # The suffix keeps line el's terminator, so only the last line can end unterminated.
        pieces = split_lines(joined) if el == len(lines) - 1 else _LINE.findall(joined)
        after = el + 1
        lines[sl:after] = pieces
        return LineEdit(start=sl, old_end=after, new_end=sl + len(pieces))

    def set_text(self, text: str) -> LineEdit:
        old = len(self.lines)
        self.lines = split_lines(text)
        return LineEdit(start=0, old_end=old, new_end=len(self.lines))
