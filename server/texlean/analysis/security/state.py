"""What the security analysis knows about control sequences, carried from chunk to chunk.

A control sequence's *meaning* is what TeX would do with it: expand a macro
(:class:`Macro`), act as a primitive under another name (:class:`Alias`,
``\\let\\x\\write``), stand for a number (:class:`Const`, ``\\chardef``), or be a
``\\newif`` switch (:class:`Flag`).  :class:`MacroTable` maps names to meanings
immutably, so a chunk's entry state can be compared and hashed.  Names absent
from the table mean what TeX and LaTeX define them to mean.

Meanings hold no source positions: a state must not change when lines are
inserted above a definition, or every later chunk would be re-analysed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

# A token as stored in a definition: (category code, value) or, for a token
# that was itself made by an obfuscation technique, (category code, value, via).
# Category 0 is a control sequence (value = its name), 13 an active character,
# 1..12 a character; a parameter reference #1 is (6, "1") and ## is (6, "#").
StoredToken = tuple[int, str] | tuple[int, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Macro:
    """A macro: its parameter text, its body and how LaTeX-level arguments are read."""

    params: tuple[StoredToken, ...]  # TeX parameter text, e.g. ((6, "1"), (12, "."))
    body: tuple[StoredToken, ...]
    arity: int = 0
    optional: tuple[StoredToken, ...] | None = None  # \newcommand's default for #1
    spec: str = ""  # xparse argument specification (m, o, s …), "" for TeX/LaTeX macros
    opaque: bool = False  # defined from something texlean could not read (\read, a file)


@dataclass(frozen=True, slots=True)
class Alias:
    """Behaves as the primitive or LaTeX command ``target`` (``\\let\\x\\write``)."""

    target: str


@dataclass(frozen=True, slots=True)
class Const:
    """A constant number (``\\chardef\\x=18``, ``\\newwrite`` streams, known registers)."""

    value: int | None  # None: a number texlean does not know


@dataclass(frozen=True, slots=True)
class Flag:
    """A ``\\newif`` conditional: ``\\iffoo`` is true or false."""

    value: bool


@dataclass(frozen=True, slots=True)
class SetFlag:
    """``\\footrue`` / ``\\foofalse``: sets the conditional ``name``."""

    name: str
    value: bool


@dataclass(frozen=True, slots=True)
class CharMeaning:
    """``\\let\\x=a``: the control sequence acts as a character token."""

    cat: int
    char: str


Meaning = Macro | Alias | Const | Flag | SetFlag | CharMeaning

RELAX = Alias("relax")
UNDEFINED = Alias("undefined")


class MacroTable(Mapping[str, Meaning]):
    """An immutable mapping of control-sequence names to meanings, hashed once."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: dict[str, Meaning] | None = None) -> None:
        self._data: dict[str, Meaning] = data or {}
        self._hash: int | None = None

    @property
    def data(self) -> dict[str, Meaning]:
        """The underlying dict, for fast membership tests (never to be modified)."""
        return self._data

    def __getitem__(self, key: str) -> Meaning:
        return self._data[key]

    def get(self, key: str, default: Meaning | None = None) -> Meaning | None:  # type: ignore[override]
        return self._data.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, MacroTable):
            return NotImplemented
        return hash(self) == hash(other) and self._data == other._data

    def __repr__(self) -> str:
        return f"MacroTable({len(self._data)} names)"

    def updated(self, changes: Mapping[str, Meaning | None]) -> MacroTable:
        """A table with ``changes`` applied (None removes a name: back to TeX's meaning)."""
        if not changes:
            return self
        data = dict(self._data)
        for name, meaning in changes.items():
            if meaning is None:
                data.pop(name, None)
            else:
                data[name] = meaning
        return MacroTable(data)


EMPTY = MacroTable()


@dataclass(frozen=True, slots=True)
class SecState:
    """The security analysis's state at a chunk boundary."""

    table: MacroTable = field(default=EMPTY)
    ended: bool = False  # \end{document} or \endinput: TeX reads no further


INITIAL = SecState()
