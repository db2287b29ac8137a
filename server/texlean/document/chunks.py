"""Splitting a document into chunks: top-level paragraphs and environments.

A chunk ends with the blank lines that follow it, once every environment
opened in it (``document`` aside) is closed again.  Chunks are only the unit
of reuse: the lexer state carried from chunk to chunk makes the analysis the
same wherever the boundaries fall, so this scan may be approximate (it looks
at the text, not at tokens) and caps its chunks at a size where re-analysing
one stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import native

MAX_LINES = 400  # past this, any blank line ends a chunk
HARD_MAX_LINES = 2000  # past this, any line boundary does
_ENV = re.compile(r"\\(begin|end)[ \t]*\{([^{}\s]*)\}")
_NOT_COUNTED = frozenset({"document"})


_BLANK = " \t\r\n"


def is_blank(line: str) -> bool:
    # isspace() stops at the first other character, without copying the line
    return not line or (line.isspace() and not line.strip(_BLANK))


def _env_delta(line: str) -> int:
    if "\\begin" not in line and "\\end" not in line:
        return 0
    cut = line.find("%")
    while cut > 0 and line[cut - 1] == "\\":
        cut = line.find("%", cut + 1)
    if cut >= 0:
        line = line[:cut]
    delta = 0
    for kind, name in _ENV.findall(line):
        if name in _NOT_COUNTED:
            continue
        delta += 1 if kind == "begin" else -1
    return delta


def chunk_end(lines: Sequence[str], start: int) -> int:
    """The line where the chunk that starts at ``start`` ends (exclusive)."""
    n = len(lines)
    depth = 0
    i = start
    seen_content = False
    while i < n:
        line = lines[i]
        if not line or (line.isspace() and not line.strip(_BLANK)):  # is_blank, inlined
            if seen_content and (depth <= 0 or i - start >= MAX_LINES):
                # take the whole run of blank lines, then stop
                i += 1
                while i < n and is_blank(lines[i]):
                    i += 1
                return i
        else:
            seen_content = True
            if "\\begin" in line or "\\end" in line:  # (depth is never below 0)
                depth = max(0, depth + _env_delta(line))
        i += 1
        if i - start >= HARD_MAX_LINES:
            # Never start the next chunk with blank lines: the end of line
            # before them and the blank lines form one paragraph break, which
            # the lexer only sees if they are in the same chunk.
            while i < n and is_blank(lines[i]):
                i += 1
            return i
    return n


def chunk_starts(lines: Sequence[str], start: int = 0, stop: int | None = None) -> list[int]:
    """Start lines of the chunks from ``start`` to the end (or to ``stop`` exclusive).

    The C loop of ``texlean._speedups`` when it is built (``texlean check`` runs this
    over every document); :func:`chunk_starts_python` is its reference.
    """
    last = len(lines) if stop is None else min(stop, len(lines))
    if native.chunk_starts is not None:
        return native.chunk_starts(lines, start, last, MAX_LINES, HARD_MAX_LINES)
    return chunk_starts_python(lines, start, last)


def chunk_starts_python(lines: Sequence[str], start: int = 0, stop: int | None = None) -> list[int]:
    """:func:`chunk_starts` by following :func:`chunk_end`."""
    n = len(lines) if stop is None else stop
    starts = []
    i = start
    while i < n:
        starts.append(i)
        i = chunk_end(lines, i)
    return starts
