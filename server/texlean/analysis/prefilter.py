"""A chunk that provably has nothing to report, recognised without tokenising it.

Most of a paper is prose and mathematics that no analysis has anything to say
about.  :func:`is_clean` proves that of a chunk (or of a run of chunks:
:mod:`.whole`) with a few passes over its text at C speed instead of the lexer,
the structure check and the interpreter (Python per token), and
:func:`texlean.analysis.pipeline.clean_result` returns what the full analysis
(:func:`texlean.analysis.pipeline.analyse_chunk`) would: no findings, no events,
the entry state unchanged.  When it cannot prove it, the chunk gets the full
analysis.

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

The passes after the checks on names run in one C loop when the optional
extension ``texlean._speedups`` is built (``server/texlean/_speedups.c``, about
four times faster); :func:`scan_python` is its reference, and
``tests/unit/test_speedups.py`` checks that both give the same answers.
``TEXLEAN_SPEEDUPS=0`` uses the reference.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

from .. import native
from ..budget import Budget
from ..tex import catcodes as cc
from ..tex import lexer
from ..tex.state import LexState
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
# An escape other than a control word, or a comment — what can hide a brace or a
# $ — becomes "\x06" (not a letter, so "\begin\ {x}" cannot read as "\beginx";
# not a space, so a comment line is not a blank line).  \( \) \[ \] stay: read
# left to right, every one left is a math delimiter ("\\(" is \\ then "(").
# \<newline> stays too: the line still ends there.
_ESCAPE_OR_COMMENT = {
    False: re.compile(r"\\[^a-zA-Z\n()\[\]]|%[^\n]*"),
    True: re.compile(r"\\[^a-zA-Z@\n()\[\]]|%[^\n]*"),
}
_DELIMITER = re.compile(r"\\[()\[\]]")
_PAIRS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}
_MATH = re.compile(r"(\$\$?|\\[()\[\]])")
_ENV_CHARS = r"[^{}\\$&#^_~%\x00-\x1f\x7f]{1,80}"
# every \begin and \end, with the environment's name when it is simply {name}
_ENV = {
    at: re.compile(
        rf"\\(begin|end)(?![a-zA-Z{'@' if at else ''}])"
        rf"(?:[ \t]*(?:\n[ \t]*)?\{{({_ENV_CHARS})\}})?"
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


def _alternation(names: list[str]) -> str:
    """A regular expression for ``names`` as a trie: each character is tried once."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + emit(node[ch]) for ch in sorted(node) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?" if len(branches) == 1 else body + "?"
        return body

    return emit(trie)


def _names_pattern(names: set[str], at: bool) -> re.Pattern[str] | None:
    """Where any of ``names`` occurs as a control sequence (or could: a name after
    ``\\\\`` counts too, which only makes the test stricter)."""
    letters = "a-zA-Z@" if at else "a-zA-Z"
    words = sorted(n for n in names if re.fullmatch(f"[{letters}]+", n))
    others = sorted(n for n in names if n not in words)
    parts = []
    if words:
        parts.append(rf"\\{_alternation(words)}(?![{letters}])")
    if others:
        parts.append(rf"\\{_alternation(others)}")
    return re.compile("|".join(parts)) if parts else None


@lru_cache(maxsize=2)
def never_plain(at: bool) -> tuple[frozenset[str], re.Pattern[str]]:
    """The names that are never plain, and where they occur.  Built on first use:
    the interpreter's triggers are complete once its handlers are registered."""
    names = frozenset((_LEXER_OR_STRUCTURE | TRIGGERS) - {"begin", "end"})
    pattern = _names_pattern(set(names), at)
    assert pattern is not None
    return names, pattern


@lru_cache(maxsize=256)
def _dynamic(names: frozenset[str], at: bool) -> re.Pattern[str] | None:
    return _names_pattern(set(names), at)


class _Vocabulary:
    """What is plain under one security state: the names the document defined as
    something interesting (a pattern), ``~``, and environments (memoised)."""

    __slots__ = ("_envs", "_machine", "defined", "state", "tilde_plain")

    def __init__(self, state: SecState, lex_state: LexState, at: bool) -> None:
        self.state = state
        machine = self._machine = Machine((), "", Locator(""), state, lex_state, None)
        static, _ = never_plain(at)
        interesting = frozenset(
            name
            for name in state.table.data
            if not name.startswith("active:") and name not in static and machine.interesting(name)
        )
        self.defined = _dynamic(interesting, at) if interesting else None
        self.tilde_plain = not machine.interesting("active:~")
        self._envs: dict[str, bool] = {}

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


# By the state's value: documents with the same preamble share one (a server opens
# and closes many); the least recently used goes first.
_vocabularies: OrderedDict[tuple[SecState, bool], _Vocabulary] = OrderedDict()
_MAX_VOCABULARIES = 32


def _vocabulary(state: SecState, lex_state: LexState, at: bool) -> _Vocabulary:
    key = (state, at)
    found = _vocabularies.get(key)
    if found is None:
        found = _vocabularies[key] = _Vocabulary(state, lex_state, at)
        if len(_vocabularies) > _MAX_VOCABULARIES:
            _vocabularies.popitem(last=False)
    else:
        _vocabularies.move_to_end(key)
    return found


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
    """The texts inside math delimiters ($, $$, \\( \\), \\[ \\]) when they pair up
    flat, else None."""
    parts = _MATH.split(plain)
    delims = parts[1::2]
    if len(delims) % 2:
        return None
    pairs = _PAIRS
    for opener, closer in zip(delims[0::2], delims[1::2], strict=True):
        if pairs.get(opener) != closer:
            return None
    return parts[2::4]


def is_clean(text: str, lex_state: LexState, sec: SecState, names_checked: bool = False) -> bool:
    """Whether the full analysis of ``text`` from these states finds nothing and
    changes no state (see the module's docstring); False when it cannot tell.

    ``names_checked``: the caller has searched ``text`` with ``never_plain(False)``
    and found nothing (the search is then left out where it is that one).
    """
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
    vocabulary = _vocabulary(sec, lex_state, at)
    if (
        (not (names_checked and not at) and never_plain(at)[1].search(text))
        or (vocabulary.defined is not None and vocabulary.defined.search(text))
        or ("~" in text and not vocabulary.tilde_plain)
    ):
        return False
    begun = scan(text, at)
    return begun is not None and all(vocabulary.env_plain(env) for env in set(begun))


def scan_python(text: str, at: bool) -> list[str] | None:
    """The passes over a text (its line ends \\n only) after the checks on names:
    the environments it begins (names stripped) when it is clean by the rules of
    the module's docstring, else None.  The reference for ``texlean._speedups.scan``,
    which does the same in one C loop."""
    raw = text.encode("utf-8", "surrogatepass")
    if (
        "^^" in text
        or text.endswith("\\")
        or raw.translate(None, _USUAL_BYTES)
        # suppress.maybe(text), on bytes: no character outside ASCII lowers to a
        # letter of "texlean", so an ASCII lowering finds what str.lower() does
        or b"texlean" in raw.lower()
    ):
        return None
    plain = _ESCAPE_OR_COMMENT[at].sub("\x06", text)  # every control word left is a token
    begun: list[str] = []
    if "\\begin" in plain or "\\end" in plain:
        stack: list[str] = []
        for verb, name in _ENV[at].findall(plain):
            env = name.strip()  # "": a \begin or \end whose name is not simply {name}
            if not env:
                return None
            if verb == "begin":
                stack.append(env)
                begun.append(env)
            elif not stack or stack.pop() != env:
                return None
        if stack:
            return None
    return begun if _structure_clean(plain) else None


def _structure_clean(plain: str) -> bool:
    """Braces pair up; math delimiters pair up flat, each pair within one group
    and with no blank line inside."""
    if _DELIMITER.search(plain):  # \( \) \[ \] (rare): pair them one by one
        if not _balanced(plain):
            return False
        parts = _math_inside(plain)
        if parts is None:
            return False
        inside = "\x00".join(parts)
        if "\n" in inside and _BLANK_LINE.search(inside):
            return False
        return _balanced(inside)
    # Only $ and $$, as the lexer pairs them (from the left: $$$ is $$ then $).  The
    # texts between $$ pairs and between $ pairs outside them are cut out with
    # str.split (no Python loop over the pairs): each must be balanced on its own
    # and hold no blank line, no other delimiter.  "\x07" joins the stretches
    # outside display math, so a $ pair across one shows; "\x00" keeps each text's
    # braces to itself.
    if "$" not in plain:
        return _balanced(plain)
    display = plain.replace("$$", "\x05").split("\x05") if "$$" in plain else [plain]
    if len(display) % 2 == 0:
        return False
    inline = "\x07".join(display[0::2]).split("$")
    if len(inline) % 2 == 0:
        return False
    inside = "\x00".join(inline[1::2] + display[1::2])
    if "\x07" in inside or "$" in inside:
        return False
    if "\n" in inside and _BLANK_LINE.search(inside):
        return False
    return _balanced(plain) and _balanced(inside)


scan: Callable[[str, bool], list[str] | None] = native.scan or scan_python


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
