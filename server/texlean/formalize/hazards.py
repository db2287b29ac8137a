"""Hazards: what the parser and the type elaboration noticed, as :class:`~.api.Hazard` values.

Codes (``grammars/rules.toml``): FRM001 ℕ subtraction, FRM002 ℕ/ℤ division, FRM003 division
by a possibly-zero expression, FRM004 an inverse possibly at zero, FRM005 a square root of
a possibly-negative number, FRM006 a logarithm of a possibly non-positive number, FRM007
ambiguous juxtaposition, FRM008 an undeclared function symbol, FRM009 partial translation.
Parameters match the placeholders of the rules' messages in ``grammars/messages.toml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .mathparse import ParseNote
from .types import Issue

if TYPE_CHECKING:
    from .api import Hazard

CODES = frozenset({f"FRM00{i}" for i in range(1, 10)})
MAX_HAZARDS = 200


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def hazards_for(
    notes: Sequence[ParseNote],
    issues: Sequence[Issue],
    untranslated: Sequence[tuple[str, int, int]],
    shift: int,
    length: int,
) -> tuple[Hazard, ...]:
    """Hazards with offsets into the translated LaTeX (``shift`` characters were prepended)."""
    from .api import Hazard

    out: list[Hazard] = []
    seen: set[tuple[str, int | None, int | None, tuple[tuple[str, str], ...]]] = set()

    def add(code: str, params: tuple[tuple[str, str], ...], start: int, end: int) -> None:
        if code not in CODES or len(out) >= MAX_HAZARDS:
            return
        lo: int | None = start - shift
        hi: int | None = end - shift
        if start < 0 or end < 0 or lo is None or hi is None or lo < 0 or hi > length or hi < lo:
            lo = hi = None
        params = tuple((k, _short(v)) for k, v in params)
        key = (code, lo, hi, params)
        if key in seen:
            return
        seen.add(key)
        out.append(Hazard(code, params, lo, hi))

    for note in notes:
        if note.code in ("FRM007", "FRM008"):
            add(note.code, note.params, note.start, note.end)
    for issue in issues:
        if issue.code != "hole":
            add(issue.code, issue.params, issue.start, issue.end)
    for text, start, end in untranslated:
        add("FRM009", (("what", text),), start, end)
    return tuple(out)
