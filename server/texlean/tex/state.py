"""The lexer's state between chunks: what a chunk needs to know about the text before it."""

from __future__ import annotations

from dataclasses import dataclass

from .catcodes import DEFAULT, CatcodeTable


@dataclass(frozen=True, slots=True)
class LexState:
    """Category codes in force, scoped saves, and an open verbatim-like body.

    ``saves`` holds ``(depth, table)`` pairs: the table to restore when the group
    depth (counted from where the first scoped change happened) drops below
    ``depth``.  ``depth`` is only carried while there are saves, so ordinary
    unbalanced braces never make two chunk states differ.
    """

    catcodes: CatcodeTable = DEFAULT
    saves: tuple[tuple[int, CatcodeTable], ...] = ()
    depth: int = 0
    verbatim: str | None = None

    def describe(self) -> dict[str, object]:
        return {
            "catcodes": {ch: cat for ch, cat in self.catcodes.overrides},
            "scopedSaves": len(self.saves),
            "groupDepth": self.depth,
            "verbatim": self.verbatim,
        }


INITIAL = LexState()
