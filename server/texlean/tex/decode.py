"""TeX's ``^^`` notation, decoded as TeX's input processor does.

``^^5c`` (two lowercase hexadecimal digits) is the character with that code;
``^^A`` (any other character below 128) is that character's code plus or minus
64; XeTeX and LuaTeX also read ``^^^^xxxx`` and ``^^^^^^xxxxxx``.  TeX reduces a
sequence and then looks at the result again, so ``^^5e^41`` is ``A``.  The
superscript character is whatever currently has category 7, which is why the
caller passes the set of those characters.

:func:`decode` returns the decoded text and an :class:`OffsetMap` that takes a
position in the decoded text back to the source, so every token keeps its exact
source range.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

_HEX2 = re.compile(r"[0-9a-f]{2}")
_HEX4 = re.compile(r"[0-9a-f]{4}")
_HEX6 = re.compile(r"[0-9a-f]{6}")


@dataclass
class OffsetMap:
    """Maps positions in decoded text to positions in the source text.

    ``anchors`` holds pairs ``(decoded_position, source_position)``: from each
    anchor on, positions advance one to one until the next anchor.
    """

    dec: list[int] = field(default_factory=list)
    src: list[int] = field(default_factory=list)

    def add(self, decoded: int, source: int) -> None:
        if self.dec and self.dec[-1] == decoded:
            self.src[-1] = source
        else:
            self.dec.append(decoded)
            self.src.append(source)

    def to_source(self, pos: int) -> int:
        i = bisect_right(self.dec, pos) - 1
        if i < 0:
            return pos
        return self.src[i] + (pos - self.dec[i])

    def to_decoded(self, source: int) -> int | None:
        """The decoded position that maps to ``source``; None inside a sequence."""
        i = bisect_right(self.src, source) - 1
        if i < 0:
            return None
        pos = self.dec[i] + (source - self.src[i])
        return pos if self.to_source(pos) == source else None


def has_sequences(text: str, superscripts: str) -> bool:
    """Whether ``text`` may contain a ``^^`` sequence (a doubled category-7 character)."""
    return any(c + c in text for c in superscripts)


def _reduce(text: str, i: int, c: str) -> tuple[str, int] | None:
    """Decode the sequence that starts at ``text[i]`` (``text[i] == text[i+1] == c``).

    Returns the decoded character and the position after the sequence, or None.
    """
    n = len(text)
    j = i + 2
    # ^^^^^^xxxxxx and ^^^^xxxx (XeTeX/LuaTeX)
    if text.startswith(c * 6, i) and _HEX6.match(text, i + 6):
        code = int(text[i + 6 : i + 12], 16)
        if code <= 0x10FFFF:
            return chr(code), i + 12
    if text.startswith(c * 4, i) and _HEX4.match(text, i + 4):
        return chr(int(text[i + 4 : i + 8], 16)), i + 8
    if j < n:
        if _HEX2.match(text, j):
            return chr(int(text[j : j + 2], 16)), j + 2
        if text[j] == "\r" or text[j] == "\n":
            # TeX replaces the line terminator by \endlinechar (^^M, 13): the
            # sequence is ^^M, which is "M", and the line end is used up.
            return "M", j + (2 if text.startswith("\r\n", j) else 1)
        code = ord(text[j])
        if code < 128:
            return chr(code + 64 if code < 64 else code - 64), j + 1
    return None


@lru_cache(maxsize=64)
def _pair_pattern(superscripts: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(c + c) for c in superscripts))


def decode(
    text: str, superscripts: str, start: int = 0, end: int | None = None
) -> tuple[str, OffsetMap]:
    """Decode every ``^^`` sequence in ``text[start:end]``.

    ``result[0]`` comes from ``text[start]`` (or the sequence starting there);
    the map takes positions in the result back to positions in ``text``.  A
    sequence may read past ``end`` (TeX reads whole lines, so callers pass a
    line end).
    """
    out: list[str] = []
    omap = OffsetMap()
    omap.add(0, start)
    n = len(text)
    stop = n if end is None else min(end, n)
    if not superscripts:  # no character has category 7: nothing to decode
        return text[start:stop], omap
    pattern = _pair_pattern(superscripts)
    pos = start
    dec_len = 0
    while pos < stop:
        # a sequence that starts before ``stop`` counts even if it ends after it
        m = pattern.search(text, pos, min(stop + 1, n))
        if m is None:
            out.append(text[pos:stop])
            break
        i = m.start()
        if i > pos:
            out.append(text[pos:i])
            dec_len += i - pos
        c = text[i]
        reduced = _reduce(text, i, c)
        if reduced is None:
            out.append(c)
            dec_len += 1
            pos = i + 1
            omap.add(dec_len, pos)
            continue
        ch, after = reduced
        # TeX looks at the reduced character again: if it is a superscript
        # character and the next source characters repeat it, reduce once more.
        while ch in superscripts and after < n and text[after] == ch:
            again = _reduce(ch + text[after : after + 12], 0, ch)
            if again is None:
                break
            ch, consumed = again
            after += consumed - 1
        omap.add(dec_len, i)
        out.append(ch)
        dec_len += 1
        pos = after
        omap.add(dec_len, pos)
    return "".join(out), omap
