"""A chunk that provably has nothing to report, recognised without tokenising it.

Most of a paper is prose and mathematics that no analysis has anything to say
about.  :func:`clean_result` proves that of a chunk with a handful of passes of
``re`` and ``str`` over its text (C speed) instead of the lexer, the structure
check and the interpreter (Python per token), and returns the result the full
analysis (:func:`texlean.analysis.pipeline.analyse_chunk`) would return: no
findings, no events, the entry state unchanged.  When it cannot prove it, it
returns None and the chunk gets the full analysis.

What it proves, and why that is what the full analysis would find:

- *Lexing is ordinary*: no open verbatim body or scoped catcode save at entry,
  LaTeX's catcodes (``@`` a letter or not), no ``^^``, no control characters
  other than tab and line ends.  Escapes, comments, braces, ``$`` and line ends
  then mean what :mod:`texlean.tex.lexer` makes of them.
- *Nothing for the interpreter*: every control sequence and active character
  in the text (comments included: that only makes the test stricter) is one
  the interpreter's own fast loop (:meth:`Machine.run`) would step over — not
  a trigger, not defined by the document as something interesting — and none
  is one the lexer reacts to (verbatim-like commands, catcode setters) or a
  definition the structure check masks.  ``\\begin``/``\\end`` are the only
  triggers allowed, and only around environments that are neither special to
  the lexer or the interpreter (``document``, verbatim-like, handled ones) nor
  defined as anything interesting.
- *Structure is clean*: braces reduce to nothing; environments nest; math
  delimiters pair up flat (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``), each
  pair inside one brace group and with no blank line inside — then
  :func:`texlean.analysis.structure.analyse` opens and closes each pair at the
  same depth and reports nothing.
- *No suppression comment* (``texlean`` does not occur).

Anything else — a nested ``$`` inside ``\\text{…}`` in math, say — falls back
to the full analysis, so the shortcut changes speed, never results;
``tests/unit/test_prefilter.py`` checks that against the full analysis on
every chunk of the test documents and on generated ones.  ``TEXLEAN_PREFILTER=0``
in the environment turns it off (to compare).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from ..budget import Budget
from ..tex import catcodes as cc
from ..tex import lexer
from ..tex.state import LexState
from . import suppress
from .definitions import DEFINITION_COMMANDS
from .locate import Locator
from .security.machine import TRIGGERS, Machine
from .security.state import Macro, SecState

ENABLED = os.environ.get("TEXLEAN_PREFILTER", "1") != "0"

_AT_LETTER = cc.DEFAULT.with_cat("@", cc.LETTER)
# bytes deleted to leave only the control characters the lexer gives a meaning
# (ignored, active, invalid): tab and line ends are the usual ones
_USUAL_BYTES = bytes(b for b in range(256) if not ((b < 32 and b not in (9, 10, 13)) or b == 127))
_NOT_BRACE_BYTES = bytes(b for b in range(256) if b not in b"{}\x00")
_NAMES = {
    False: re.compile(r"\\([a-zA-Z]+|[^a-zA-Z])", re.DOTALL),
    True: re.compile(r"\\([a-zA-Z@]+|[^a-zA-Z@])", re.DOTALL),
}
# an escape other than a control word, or a comment: what can hide a brace or a $
# (\<newline> is left alone: the line still ends there)
_ESCAPE_OR_COMMENT = {
    False: re.compile(r"\\[^a-zA-Z\n]|%[^\n]*"),
    True: re.compile(r"\\[^a-zA-Z@\n]|%[^\n]*"),
}
# \( \) \[ \] made into single characters, so that math delimiters are one character
_MARKS = {"(": "\x01", ")": "\x02", "[": "\x03", "]": "\x04"}
_PAIRS = {"$": "$", "$$": "$$", "\x01": "\x02", "\x03": "\x04"}
_MATH = re.compile(r"([$\x01-\x04]\$?)")
_ENV_CHARS = r"[^{}\\$&#^_~%\x00-\x1f\x7f]{1,80}"
_BEGIN_END = {
    at: re.compile(rf"\\(begin|end)(?![a-zA-Z{'@' if at else ''}])") for at in (False, True)
}
_ENV = {
    at: re.compile(
        rf"\\(begin|end)(?![a-zA-Z{'@' if at else ''}])[ \t]*(?:\n[ \t]*)?"
        rf"\{{({_ENV_CHARS})\}}"
    )
    for at in (False, True)
}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_CONTENT_LINE = re.compile(r"^[ \t]*[^ \t\r\n%].*\n?", re.MULTILINE)

# Names that are never plain: the lexer's (verbatim-like commands, catcode
# setters, grouping) and the definitions the structure check masks.  The
# interpreter's triggers are added when first needed (they are registered on import).
_LEXER_OR_STRUCTURE = (lexer.TRIGGERS | frozenset(DEFINITION_COMMANDS) | {"let"}) - {"begin", "end"}
_SPECIAL_ENVIRONMENTS = (
    frozenset(lexer.VERBATIM_ENVIRONMENTS) | lexer.SPANNING_ENVIRONMENTS | {"document"}
)


class _Vocabulary:
    """Which names and environments are plain under one security state (memoised)."""

    __slots__ = ("_envs", "_machine", "_names", "state")

    def __init__(self, state: SecState, lex_state: LexState) -> None:
        self.state = state
        self._machine = Machine((), "", Locator(""), state, lex_state, None)
        self._names: dict[str, bool] = {}
        self._envs: dict[str, bool] = {}

    def names_plain(self, names: set[str]) -> bool:
        known = self._names
        for name in names:
            plain = known.get(name)
            if plain is None:
                plain = known[name] = self._name_plain(name)
            if not plain:
                return False
        return True

    def _name_plain(self, name: str) -> bool:
        if name in _LEXER_OR_STRUCTURE or (name in TRIGGERS and name not in ("begin", "end")):
            return False
        if name in ("begin", "end"):
            return True  # their environments are checked one by one
        if name.startswith("active:"):
            return not self._machine.interesting(name)
        return name not in self.state.table.data or not self._machine.interesting(name)

    def env_plain(self, env: str) -> bool:
        plain = self._envs.get(env)
        if plain is None:
            plain = self._envs[env] = self._env_plain(env)
        return plain

    def _env_plain(self, env: str) -> bool:
        if env in _SPECIAL_ENVIRONMENTS or ("env:" + env) in Machine.handlers:
            return False
        m = self._machine
        for key in (env, "end" + env):
            meaning = m.lookup_key(key)
            if meaning is not None and (not isinstance(meaning, Macro) or m.interesting(key)):
                return False
        return True


_vocabularies: dict[int, _Vocabulary] = {}


def _vocabulary(state: SecState, lex_state: LexState) -> _Vocabulary:
    found = _vocabularies.get(id(state))
    if found is None or found.state is not state:
        if len(_vocabularies) >= 64:
            _vocabularies.clear()
        found = _vocabularies[id(state)] = _Vocabulary(state, lex_state)
    return found


def _mark(m: re.Match[str]) -> str:
    s = m.group()
    return "." if s[0] == "%" else _MARKS.get(s[1], ".")


def _balanced(text: str) -> bool:
    """Whether the braces of ``text`` pair up, \\x00 separating texts that are
    checked apart (a brace never pairs across one)."""
    braces = text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACE_BYTES)
    while True:
        reduced = braces.replace(b"{}", b"")
        if len(reduced) == len(braces):
            return b"{" not in reduced and b"}" not in reduced
        braces = reduced


def _math_inside(plain: str) -> list[str] | None:
    """The texts inside math delimiters when they pair up flat, else None."""
    if "\x01" in plain or "\x02" in plain or "\x03" in plain or "\x04" in plain:
        parts = _MATH.split(plain)
        delims = parts[1::2]
        if len(delims) % 2:
            return None
        pairs = _PAIRS
        for opener, closer in zip(delims[0::2], delims[1::2], strict=True):
            if pairs.get(opener) != closer:
                return None
        return parts[2::4]
    # only $ and $$: as the lexer pairs them, from the left ($$$ is $$ then $)
    inside: list[str] = []
    outside = [plain]
    if "$$" in plain:
        outside = plain.replace("$$", "\x05").split("\x05")
        if len(outside) % 2 == 0:
            return None
        inside = outside[1::2]
        if any("$" in part for part in inside):
            return None
        outside = outside[0::2]
    for segment in outside:
        parts = segment.split("$")
        if len(parts) % 2 == 0:
            return None
        inside.extend(parts[1::2])
    return inside


def is_clean(text: str, lex_state: LexState, sec: SecState) -> bool:
    """Whether the full analysis of ``text`` from these states finds nothing and
    changes no state (see the module's docstring); False when it cannot tell."""
    catcodes = lex_state.catcodes
    if catcodes is cc.DEFAULT or catcodes == cc.DEFAULT:
        at = False
    elif catcodes == _AT_LETTER:
        at = True
    else:
        return False
    if lex_state.saves or lex_state.verbatim is not None:
        return False
    if "\r" in text:
        text = text.replace("\r\n", "\n")  # one line end, as the lexer reads it
        if "\r" in text:
            return False
    if (
        "^^" in text
        or text.endswith("\\")
        or text.encode("utf-8", "surrogatepass").translate(None, _USUAL_BYTES)
        or suppress.maybe(text)
    ):
        return False
    vocabulary = _vocabulary(sec, lex_state)
    names = set(_NAMES[at].findall(text))
    if "~" in text:
        names.add("active:~")
    if not vocabulary.names_plain(names):
        return False
    # Escapes and comments become "." (a comment line is not a blank line, and
    # "\\begin\\ {x}" must not read as "\\beginx"): every control word left is a token.
    escapes = _ESCAPE_OR_COMMENT[at]
    if "\\(" in text or "\\)" in text or "\\[" in text or "\\]" in text:
        plain = escapes.sub(_mark, text)
    else:
        plain = escapes.sub(".", text)
    if "begin" in names or "end" in names:
        envs = _ENV[at].findall(plain)
        if len(envs) != len(_BEGIN_END[at].findall(plain)):
            return False  # a \begin or \end whose name is not simply {name}
        stack: list[str] = []
        for verb, raw in envs:
            env = raw.strip()
            if not env or not vocabulary.env_plain(env):
                return False
            if verb == "begin":
                stack.append(env)
            elif not stack or stack.pop() != env:
                return False
        if stack:
            return False
        plain = _ENV[at].sub(".", plain)
    if not _balanced(plain):
        return False
    parts = _math_inside(plain)
    if parts is None:
        return False
    if not parts:
        return True
    inside = "\x00".join(parts)
    if "\n" in inside and _BLANK_LINE.search(inside):
        return False
    return _balanced(inside)


def first_content_line(
    text: str, lex_state: LexState, first_of: Callable[[str, LexState], int | None]
) -> int | None:
    """The chunk's first line that is not a comment line, read from as few lines as needed.

    ``first_of`` is the full computation on a text; it is given the text up to the
    end of the first line holding anything but spaces and a comment (the lines
    before it hold only comments and blank lines, which is all it looks at).
    """
    if text and text[0] not in " \t\r\n%":
        return 0  # the first token is content (the ordinary case)
    m = _CONTENT_LINE.search(text)
    return first_of(text if m is None else text[: m.end()], lex_state)


def spend(budget: Budget, text: str) -> None:
    """Charge ``budget`` about what the full analysis of ``text`` would."""
    budget.spend(len(text) // 40 + 1)
