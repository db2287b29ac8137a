"""TeX category codes: the default (LaTeX) table and immutable variants of it.

A :class:`CatcodeTable` stores only the characters whose category differs from
LaTeX's defaults, so tables are small, hashable and cheap to compare.  The
lexer compiles one regular expression per distinct table and caches it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

ESCAPE = 0
BEGIN_GROUP = 1
END_GROUP = 2
MATH_SHIFT = 3
ALIGN = 4
END_OF_LINE = 5
PARAMETER = 6
SUPERSCRIPT = 7
SUBSCRIPT = 8
IGNORED = 9
SPACE = 10
LETTER = 11
OTHER = 12
ACTIVE = 13
COMMENT = 14
INVALID = 15

CATEGORY_NAMES = (
    "escape",
    "begin-group",
    "end-group",
    "math-shift",
    "alignment",
    "end-of-line",
    "parameter",
    "superscript",
    "subscript",
    "ignored",
    "space",
    "letter",
    "other",
    "active",
    "comment",
    "invalid",
)

_DEFAULTS: dict[str, int] = {
    "\\": ESCAPE,
    "{": BEGIN_GROUP,
    "}": END_GROUP,
    "$": MATH_SHIFT,
    "&": ALIGN,
    "\r": END_OF_LINE,
    "\n": END_OF_LINE,
    "#": PARAMETER,
    "^": SUPERSCRIPT,
    "_": SUBSCRIPT,
    "\x00": IGNORED,
    " ": SPACE,
    "\t": SPACE,
    "~": ACTIVE,
    "\x0c": ACTIVE,
    "%": COMMENT,
    "\x7f": INVALID,
}
for _c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _DEFAULTS[_c] = LETTER


DEFAULTS: Mapping[str, int] = MappingProxyType(_DEFAULTS)


def default_catcode(ch: str) -> int:
    """LaTeX's category code of ``ch`` (non-ASCII characters count as *other*)."""
    return _DEFAULTS.get(ch, OTHER)


class CatcodeTable:
    """An immutable category-code table, stored as its differences from LaTeX's."""

    __slots__ = ("_by_cat", "_hash", "_map", "overrides")

    def __init__(self, overrides: tuple[tuple[str, int], ...] = ()) -> None:
        self.overrides = overrides
        self._map = dict(overrides)
        self._hash = hash(overrides)
        self._by_cat: dict[int, list[str]] = {}

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CatcodeTable) and other.overrides == self.overrides

    def __repr__(self) -> str:
        return f"CatcodeTable({self.overrides!r})"

    def cat(self, ch: str) -> int:
        code = self._map.get(ch)
        return _DEFAULTS.get(ch, OTHER) if code is None else code

    def with_cat(self, ch: str, cat: int) -> CatcodeTable:
        """A table equal to this one except that ``ch`` has category ``cat``."""
        if self.cat(ch) == cat:
            return self
        changed = {**self._map}
        if default_catcode(ch) == cat:
            changed.pop(ch, None)
        else:
            changed[ch] = cat
        return intern_table(tuple(sorted(changed.items())))

    def chars_with(self, cat: int) -> list[str]:
        """Every character that has category ``cat`` among the ASCII range and overrides."""
        known = self._by_cat.get(cat)
        if known is None:
            known = self._by_cat[cat] = self._chars_with(cat)
        return list(known)

    def _chars_with(self, cat: int) -> list[str]:
        chars = {c for c, k in _DEFAULTS.items() if k == cat and c not in self._map}
        chars.update(c for c, k in self.overrides if k == cat)
        if cat == OTHER:  # "other" is the default for everything not listed
            chars = set()
        return sorted(chars)

    @property
    def is_default(self) -> bool:
        return not self.overrides


@lru_cache(maxsize=4096)
def intern_table(overrides: tuple[tuple[str, int], ...]) -> CatcodeTable:
    """One shared object per distinct table, so identity checks are usually enough."""
    return CatcodeTable(overrides)


DEFAULT = intern_table(())
