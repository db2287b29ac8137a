"""A catcode-aware TeX tokenizer that expands nothing.

It reads text the way TeX's input processor (TeXbook ch. 8) does:

- control words and control symbols, with the escape, letter and other
  characters taken from the category codes in force;
- ``^^`` notation decoded before tokenisation (so ``^^5cwrite18`` is the
  control word ``\\write18``'s name ``write`` followed by ``18``);
- comments, braces, math shifts, parameters, active characters, blank lines;
- category-code changes the document makes (``\\catcode`\\x=N`` in its usual
  spellings, ``\\makeatletter``, ``\\makeatother``, ``\\@makeother``,
  ``\\ExplSyntaxOn/Off``), scoped by groups as TeX scopes them;
- verbatim-like environments and commands (``grammars/lexer.toml``), whose
  bodies become single ``VERB`` tokens.

Speed comes from ``re``: one compiled pattern per category-code table, runs of
ordinary characters as single tokens, and the ``^^`` decoder used only on the
lines that need it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ..budget import Budget
from ..tables import load
from . import catcodes as cc
from .decode import OffsetMap, decode
from .state import INITIAL, LexState
from .tokens import (
    ACTIVE,
    ALIGN,
    BEGIN,
    COMMENT,
    CS,
    CSYM,
    END,
    EOL,
    INVALID,
    MATH,
    PAR,
    PARAM,
    SUB,
    SUP,
    TEXT,
    VARG,
    VERB,
    Token,
)

_CAT_KIND = {
    cc.BEGIN_GROUP: BEGIN,
    cc.END_GROUP: END,
    cc.MATH_SHIFT: MATH,
    cc.ALIGN: ALIGN,
    cc.END_OF_LINE: EOL,
    cc.PARAMETER: PARAM,
    cc.SUPERSCRIPT: SUP,
    cc.SUBSCRIPT: SUB,
    cc.ACTIVE: ACTIVE,
    cc.INVALID: INVALID,
}
_NEWLINES = "\r\n"
_EOL = re.compile(r"\r\n?|\n")
# A line end that backtracking cannot split: "\r\n" is one, never "\r" then "\n".
_NL = r"(?:\r\n|\r(?!\n)|\n)"
_OPT_SPACES = r"[ \t]*(?:(?:\r\n?|\n)[ \t]*)?"

_TABLE = load("lexer")
VERBATIM_ENVIRONMENTS: dict[str, str] = dict(_TABLE["environments"])
VERBATIM_COMMANDS: dict[str, dict[str, object]] = {
    name: dict(spec) for name, spec in _TABLE["commands"].items()
}
_GROUP_OPEN = frozenset({"begingroup", "bgroup", "begin"})
_GROUP_CLOSE = frozenset({"endgroup", "egroup", "end"})
_CATCODE_SETTERS = frozenset(
    {"catcode", "makeatletter", "makeatother", "@makeother", "ExplSyntaxOn", "ExplSyntaxOff"}
)
TRIGGERS = frozenset(VERBATIM_COMMANDS) | _GROUP_OPEN | _GROUP_CLOSE | _CATCODE_SETTERS
_EXPL_CHANGES = (("_", cc.LETTER), (":", cc.LETTER), (" ", cc.IGNORED), ("\t", cc.IGNORED))
_ENV_NAME = re.compile(r"[ \t]*\{([^{}\r\n\\]{1,80})\}")
# Arguments of verbatim-like constructs are short: bounding them keeps a line of
# thousands of unclosed "\lstinline[" linear instead of quadratic.
_MAX_ARG = 4096
_BRACKET_ARG = re.compile(rf"[ \t]*\[[^\]\r\n]{{0,{_MAX_ARG}}}\]")
_BRACE_ARG = re.compile(rf"[ \t]*\{{[^{{}}\r\n]{{0,{_MAX_ARG}}}\}}")
# ... and where arguments may follow line ends and comments (filecontents)
_GAP = r"(?:[ \t\r\n]|%[^\r\n]*(?:\r\n?|\n|$)){0,64}"
_SPANNING_ARG = {
    "o": re.compile(rf"{_GAP}\[[^\]]{{0,{_MAX_ARG}}}\]"),
    "m": re.compile(rf"{_GAP}\{{[^{{}}]{{0,{_MAX_ARG}}}\}}"),
}
SPANNING_ENVIRONMENTS = frozenset(_TABLE["arguments_span_lines"]["names"])
_NAMED_VALUES = {"active": cc.ACTIVE, "other": cc.OTHER, "letter": cc.LETTER}


def _cls(chars: list[str]) -> str:
    """A regex character class for ``chars``; a never-matching atom when empty."""
    if not chars:
        return "(?!)"
    return "[" + "".join(re.escape(c) for c in chars) + "]"


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    kind_of: dict[str, int]


# Past this many overrides, or this many distinct tables in one lex() call, the
# lexer reads character by character instead of compiling yet another pattern:
# a document of 10,000 catcode changes stays linear.
_MAX_PATTERN_OVERRIDES = 64
_MAX_PATTERNS_PER_CALL = 24
_TRACKED = (cc.ESCAPE, cc.SUPERSCRIPT, cc.SPACE, cc.IGNORED, cc.LETTER)
_BLANK_CATS = (cc.SPACE, cc.IGNORED)
_TEXT_CATS = (cc.SPACE, cc.LETTER, cc.OTHER)


@lru_cache(maxsize=512)
def _pattern(overrides: tuple[tuple[str, int], ...]) -> _Pattern:
    """The tokenising pattern for a catcode table (given by its overrides)."""
    table = cc.intern_table(overrides)

    def chars(cat: int) -> list[str]:
        return [c for c in table.chars_with(cat) if c not in _NEWLINES]

    esc = _cls(chars(cc.ESCAPE))
    letters = _cls(chars(cc.LETTER))
    comment = _cls(chars(cc.COMMENT))
    ignored = _cls(chars(cc.IGNORED))
    kind_of: dict[str, int] = {}
    for cat, kind in _CAT_KIND.items():
        for c in chars(cat):
            kind_of[c] = kind
    specials = _cls(sorted(kind_of))
    stop = {
        c for cat in range(16) if cat not in (cc.SPACE, cc.LETTER, cc.OTHER) for c in chars(cat)
    }
    stop.update(_NEWLINES)
    text_class = "[^" + "".join(re.escape(c) for c in sorted(stop)) + "]"
    sp = _blank_class("".join(chars(cc.SPACE) + chars(cc.IGNORED)))
    regex = re.compile(
        rf"{esc}(?:({letters}+)|([\s\S]))"  # 1 control word, 2 control symbol
        rf"|{comment}([^\r\n]*)"  # 3 comment
        rf"|({_NL}(?:{sp}{_NL})+)"  # 4 blank lines
        rf"|({_NL}{sp})"  # 5 end of line
        rf"|({ignored}+)"  # 6 ignored characters
        rf"|({specials})"  # 7 one special character
        rf"|({text_class}+)"  # 8 a run of ordinary characters
    )
    return _Pattern(regex=regex, kind_of=kind_of)


def _blank_class(blank: str) -> str:
    # After an end of line TeX is in state N: it skips spaces, and ignored
    # characters are dropped anywhere, so a line holding only those is blank.
    return f"[{''.join(re.escape(c) for c in blank)}]*" if blank else ""


@lru_cache(maxsize=256)
def _blank_run(blank: str) -> re.Pattern[str]:
    """Blank lines, then the spaces starting the next line."""
    sp = _blank_class(blank)
    return re.compile(rf"(?:{sp}{_NL})*{sp}")


@lru_cache(maxsize=256)
def _assignments(escapes: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns for what follows ``\\catcode`` and ``\\@makeother``."""
    esc = _cls(sorted(escapes))
    number = r"(?:([0-9]+)|\"([0-9A-F]+)|'([0-7]+))"
    catcode = re.compile(
        rf"{_OPT_SPACES}(?:`(?:{esc}([\s\S])|([\s\S]))|{number}){_OPT_SPACES}=?{_OPT_SPACES}"
        rf"(?:{number}|{esc}(active|other|letter)(?![a-zA-Z]))"
    )
    makeother = re.compile(rf"{_OPT_SPACES}(?:{esc}([\s\S])|`([\s\S]))")
    return catcode, makeother


def _number(dec: str | None, hexa: str | None, octal: str | None) -> int | None:
    if dec is not None:
        return int(dec[:9])
    if hexa is not None:
        return int(hexa[:8], 16)
    if octal is not None:
        return int(octal[:10], 8)
    return None


@dataclass(frozen=True)
class _Derived:
    """What a lexer needs of a table, computed once per table (never mutated)."""

    cats: dict[str, int]
    track: dict[int, set[str]]
    sup: str
    escapes: str
    blank: str


@lru_cache(maxsize=1024)
def _derived(table: cc.CatcodeTable) -> _Derived:
    track = {cat: set(table.chars_with(cat)) for cat in _TRACKED}
    newlines = set(_NEWLINES)
    return _Derived(
        cats=dict(table.overrides),
        track=track,
        sup="".join(sorted(track[cc.SUPERSCRIPT] - newlines)),
        escapes="".join(sorted(track[cc.ESCAPE] - newlines)),
        blank="".join(sorted((track[cc.SPACE] | track[cc.IGNORED]) - newlines)),
    )


class _Lexer:
    def __init__(self, text: str, state: LexState, budget: Budget | None) -> None:
        self.text = text
        self.n = len(text)
        self.entry = state
        # The working table: mutable overrides plus the characters of the
        # categories the lexer asks about, kept up to date change by change.
        self.cats: dict[str, int] = {}
        self.track: dict[int, set[str]] = {}
        self._load(state.catcodes)
        self._patterns_seen: set[tuple[tuple[str, int], ...]] = set()
        self._char_mode = False
        self.saves = list(state.saves)
        self.depth = state.depth if state.saves else 0
        self.verbatim = state.verbatim
        self.tokens: list[Token] = []
        self.budget = budget
        self._spent = 0  # tokens paid for so far (across _scan calls)
        self._next_sup: dict[str, int] = {}
        self._eol: tuple[int, int] = (0, -1)  # (searched from, line end found)
        self._line_of_sup: tuple[int, int] = (-1, 0)  # (^^ position, start of its line)
        # the last decoded segment: (source start, source end, superscripts, text, map)
        self._segment: tuple[int, int, str, str, OffsetMap] | None = None
        self._braces: tuple[int, int, dict[int, int]] = (-1, -1, {})  # from, line end, pairs
        self._starts: list[int] | None = None

    # -- driving --------------------------------------------------------------

    def run(self) -> None:
        text, n = self.text, self.n
        pos = 0
        if self.verbatim is not None:
            pos = self._verbatim_body(0, self.verbatim)
        while pos < n:
            sup_at = self._sup_position(pos)
            if sup_at > pos:
                # Up to the line that holds the next ^^ (or the end) no decoding is needed.
                seg_end = n if sup_at >= n else self._line_start(sup_at)
                if seg_end > pos:
                    pos = self._scan(text, pos, seg_end, None)
                    self._pay_if_due()
                    continue
            # Decode the rest of that line with its end, and the blank lines and
            # spaces after it: a paragraph break after a line with ^^ is then
            # still one PAR token, and an end of line one EOL token.
            sup = self.sup
            seg = self._segment
            if seg is not None and seg[0] <= pos < seg[1] and seg[2] == sup:
                # a restart inside the segment decoded last (after a catcode
                # change, say): decoding it again would make long lines quadratic
                at = seg[4].to_decoded(pos)
                if at is not None:
                    pos = self._scan(seg[3], at, len(seg[3]), seg[4])
                    self._pay_if_due()
                    continue
            line_end = self._line_end(max(pos, sup_at))
            if line_end > 0 and text[line_end - 1] in _NEWLINES:
                m = _blank_run(self.blank).match(text, line_end)
                if m is not None:
                    line_end = m.end()
            decoded, omap = decode(text, sup, pos, line_end)
            self._segment = (pos, line_end, sup, decoded, omap)
            pos = self._scan(decoded, 0, len(decoded), omap)
            self._pay_if_due()

    def _sup_position(self, pos: int) -> int:
        sup = self.sup
        if not sup:
            return self.n
        cached = self._next_sup.get(sup)
        if cached is None or (cached < pos):
            found = [i for i in (self.text.find(c + c, pos) for c in sup) if i >= 0]
            cached = min(found) if found else self.n
            self._next_sup[sup] = cached
        return cached

    def _line_start_of(self, pos: int) -> int:
        """The start of the line holding ``pos`` (the line starts are found once:
        searching backwards for both \\r and \\n would scan to the text's start)."""
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _EOL.finditer(self.text))]
        return self._starts[bisect_right(self._starts, pos) - 1]

    def _line_start(self, pos: int) -> int:
        """The start of the line holding ``pos`` (a ``^^`` position: cached, the scan
        restarts many times before reaching it)."""
        if self._line_of_sup[0] == pos:
            return self._line_of_sup[1]
        start = self._line_start_of(pos)
        self._line_of_sup = (pos, start)
        return start

    def _line_end(self, pos: int) -> int:
        """The position after the end of the line holding ``pos`` (its newline included).

        Cached: on a long line every \\verb asks again, and searching from
        each would be quadratic.
        """
        searched, end = self._eol
        if searched <= pos < end:
            return end
        m = _EOL.search(self.text, pos)
        end = self.n if m is None else m.end()
        self._eol = (pos, end)
        return end

    # -- the scanning loop ----------------------------------------------------

    def _scan(self, s: str, start: int, end: int, omap: OffsetMap | None) -> int:
        """Tokenise ``s[start:end]``; return the source position to continue from."""
        pattern = self._pattern_now()
        if pattern is None:
            return self._scan_chars(s, start, end, omap)
        tokens = self.tokens
        append = tokens.append
        kind_of = pattern.kind_of
        # The checkpoint counts from the tokens already paid for, not from this
        # call: a text of many catcode changes restarts the scan after each one.
        checkpoint = self._spent + 2048
        to_src = omap.to_source if omap is not None else None
        for m in pattern.regex.finditer(s, start, end):
            g = m.lastindex
            if to_src is None:
                a, b = m.span()
            else:
                a, b = to_src(m.start()), to_src(m.end())
            if g == 8:
                append((TEXT, a, b, m.group(8)))
            elif g == 7:
                ch = m.group(7)
                kind = kind_of[ch]
                append((kind, a, b, ch))
                if kind == BEGIN:
                    self.depth += 1
                elif kind == END and self._close_group():
                    return b
            elif g == 1:
                name = m.group(1)
                append((CS, a, b, name))
                if name in TRIGGERS:
                    restart = self._trigger(name, s, m.end(), omap)
                    if restart is not None:
                        return restart
            elif g == 2:
                append((CSYM, a, b, m.group(2)))
            elif g == 3:
                append((COMMENT, a, b, m.group(3)))
            elif g == 5:
                append((EOL, a, b, "\n"))
            elif g == 4:
                append((PAR, a, b, "\n\n"))
            # g == 6: ignored characters produce no token
            if len(tokens) > checkpoint:
                self._pay()
                checkpoint = self._spent + 2048
        return end if to_src is None else to_src(end)

    def _scan_chars(self, s: str, start: int, end: int, omap: OffsetMap | None) -> int:
        """:meth:`_scan`, character by character: the same tokens, no compiled pattern.

        Used when the document changes category codes so often that compiling
        a pattern for each table would cost more than reading the characters.
        """
        tokens = self.tokens
        append = tokens.append
        to_src = omap.to_source if omap is not None else None
        overrides = self.cats.get
        defaults = cc.DEFAULTS.get

        def cat(ch: str) -> int:
            code = overrides(ch)
            return defaults(ch, cc.OTHER) if code is None else code

        checkpoint = self._spent + 2048
        i = start
        while i < end:
            c = s[i]
            if c == "\r" or c == "\n":
                j = i + (2 if c == "\r" and i + 1 < end and s[i + 1] == "\n" else 1)
                k = j
                par_end = -1
                while True:
                    m = k
                    while m < end and s[m] not in _NEWLINES and cat(s[m]) in _BLANK_CATS:
                        m += 1
                    if m < end and s[m] in _NEWLINES:
                        k = m + (2 if s[m] == "\r" and m + 1 < end and s[m + 1] == "\n" else 1)
                        par_end = k
                    else:
                        break
                kind, stop, value = (PAR, par_end, "\n\n") if par_end >= 0 else (EOL, m, "\n")
            else:
                code = cat(c)
                if code == cc.ESCAPE:
                    j = i + 1
                    if j >= end:
                        i = j  # an escape character at the very end starts nothing
                        continue
                    d = s[j]
                    if d not in _NEWLINES and cat(d) == cc.LETTER:
                        k = j + 1
                        while k < end and s[k] not in _NEWLINES and cat(s[k]) == cc.LETTER:
                            k += 1
                        name = s[j:k]
                        a, b = (i, k) if to_src is None else (to_src(i), to_src(k))
                        append((CS, a, b, name))
                        if name in TRIGGERS:
                            restart = self._trigger(name, s, k, omap)
                            if restart is not None:
                                return restart
                        i = k
                        continue
                    kind, stop, value = CSYM, j + 1, d
                elif code == cc.COMMENT:
                    k = i + 1
                    while k < end and s[k] not in _NEWLINES:
                        k += 1
                    kind, stop, value = COMMENT, k, s[i + 1 : k]
                elif code == cc.IGNORED:
                    k = i + 1
                    while k < end and s[k] not in _NEWLINES and cat(s[k]) == cc.IGNORED:
                        k += 1
                    i = k
                    continue
                elif code in _CAT_KIND:
                    kind, stop, value = _CAT_KIND[code], i + 1, c
                else:
                    k = i + 1
                    while k < end and s[k] not in _NEWLINES and cat(s[k]) in _TEXT_CATS:
                        k += 1
                    kind, stop, value = TEXT, k, s[i:k]
            a, b = (i, stop) if to_src is None else (to_src(i), to_src(stop))
            append((kind, a, b, value))
            i = stop
            if kind == BEGIN:
                self.depth += 1
            elif kind == END and self._close_group():
                return b
            if len(tokens) > checkpoint:
                self._pay()
                checkpoint = self._spent + 2048
        return end if to_src is None else to_src(end)

    def _brace_close(self, open_pos: int) -> int | None:
        """Position of the ``}`` closing the ``{`` at ``open_pos`` on the same line.

        The pairs of a line are found once: a line of thousands of unclosed
        ``\\url{`` would otherwise be scanned once for each.
        """
        simple = _SIMPLE_GROUP.match(self.text, open_pos)
        if simple is not None:  # the usual case: no nested braces, no backslash
            return simple.end() - 1
        start, end, pairs = self._braces
        if not start <= open_pos < end:
            # pairs found from any earlier point of the line are valid after it
            start = open_pos
            end = self._line_end(open_pos)
            while end > start and self.text[end - 1] in _NEWLINES:
                end -= 1
            pairs = _brace_pairs(self.text, start, end)
            self._braces = (start, end, pairs)
        return pairs.get(open_pos)

    def _pay_if_due(self) -> None:
        if len(self.tokens) - self._spent >= 2048:
            self._pay()

    def _pay(self) -> None:
        """Spend the budget for the tokens made since the last payment."""
        count = len(self.tokens)
        steps, self._spent = count - self._spent, count
        if self.budget is not None:
            self.budget.spend(steps)

    # -- category codes ---------------------------------------------------------

    def _load(self, table: cc.CatcodeTable) -> None:
        # Shared with every lexer starting from this table until the first change
        # (copy on write): a chunk that changes nothing costs no copies.
        derived = _derived(table)
        self.cats = derived.cats
        self.track = derived.track
        self._shared = True
        self._table: cc.CatcodeTable | None = table
        self._current: _Pattern | None = None
        self.sup, self.escapes, self.blank = derived.sup, derived.escapes, derived.blank

    def _refresh(self) -> None:
        self._current = None
        self.sup = "".join(sorted(self.track[cc.SUPERSCRIPT] - set(_NEWLINES)))
        self.escapes = "".join(sorted(self.track[cc.ESCAPE] - set(_NEWLINES)))
        self.blank = "".join(
            sorted((self.track[cc.SPACE] | self.track[cc.IGNORED]) - set(_NEWLINES))
        )

    def cat(self, ch: str) -> int:
        code = self.cats.get(ch)
        return cc.default_catcode(ch) if code is None else code

    def snapshot(self) -> cc.CatcodeTable:
        """The working table as an immutable one (made once per change)."""
        if self._table is None:
            self._table = cc.intern_table(tuple(sorted(self.cats.items())))
        return self._table

    def _set_cat(self, ch: str, cat: int) -> None:
        old = self.cat(ch)
        if old == cat:
            return
        if self._shared:
            self.cats = dict(self.cats)
            self.track = {k: set(v) for k, v in self.track.items()}
            self._shared = False
        if self.depth > 0 and not (self.saves and self.saves[-1][0] == self.depth):
            self.saves.append((self.depth, self.snapshot()))
            if self.budget is not None:
                self.budget.spend(len(self.cats) + 16)
        if old in self.track:
            self.track[old].discard(ch)
        if cat in self.track:
            self.track[cat].add(ch)
        if cc.default_catcode(ch) == cat:
            self.cats.pop(ch, None)
        else:
            self.cats[ch] = cat
        self._table = None
        self._refresh()
        if self.budget is not None:
            self.budget.spend(16)

    def _close_group(self) -> bool:
        """Leave a group; restore scoped category codes.  True when the table changed."""
        self.depth -= 1
        changed = False
        while self.saves and self.saves[-1][0] > self.depth:
            _, table = self.saves.pop()
            if table is not self._table:
                self._load(table)
                changed = True
        if not self.saves and self.depth < 0:
            self.depth = 0
        return changed

    def _pattern_now(self) -> _Pattern | None:
        """The compiled pattern for the working table, or None to read char by char."""
        if self._current is not None:
            return self._current
        if self._char_mode or len(self.cats) > _MAX_PATTERN_OVERRIDES:
            return None
        key = tuple(sorted(self.cats.items()))
        if key not in self._patterns_seen:
            if len(self._patterns_seen) >= _MAX_PATTERNS_PER_CALL:
                self._char_mode = True
                return None
            self._patterns_seen.add(key)
        self._current = _pattern(key)
        return self._current

    # -- triggers ---------------------------------------------------------------

    def _trigger(self, name: str, s: str, e: int, omap: OffsetMap | None) -> int | None:
        """React to a control word that changes how the rest is read.

        ``e`` is the position after the control word in ``s``; returns the source
        position to restart from, or None to continue with the same pattern.
        """

        def src(p: int) -> int:
            return p if omap is None else omap.to_source(p)

        if name in _GROUP_OPEN:
            if name == "begin":
                m = _ENV_NAME.match(s, e)
                self.depth += 1
                if m is not None and m.group(1) in VERBATIM_ENVIRONMENTS:
                    return self._verbatim_env(
                        m.group(1),
                        (src(m.start(1) - 1), src(m.start(1))),
                        (src(m.end(1)), src(m.end())),
                    )
                return None
            self.depth += 1
            return None
        if name in _GROUP_CLOSE:
            return src(e) if self._close_group() else None
        if name == "catcode":
            m = _assignments(self.escapes)[0].match(s, e)
            if m is None:
                return None
            code = _number(m.group(3), m.group(4), m.group(5))
            target = (
                m.group(1)
                or m.group(2)
                or (chr(code) if code is not None and code < 0x110000 else None)
            )
            named = m.group(9)
            value = _NAMED_VALUES[named] if named else _number(m.group(6), m.group(7), m.group(8))
            if target is None or value is None or not 0 <= value <= 15:
                return None
            self.tokens.append((VARG, src(e), src(m.end()), f"{ord(target)}={value}"))
            self._set_cat(target, value)
            return src(m.end())
        if name == "makeatletter":
            self._set_cat("@", cc.LETTER)
            return src(e)
        if name == "makeatother":
            self._set_cat("@", cc.OTHER)
            return src(e)
        if name == "@makeother":
            m = _assignments(self.escapes)[1].match(s, e)
            if m is None:
                return None
            ch = m.group(1) or m.group(2)
            self.tokens.append((VARG, src(e), src(m.end()), f"{ord(ch)}={cc.OTHER}"))
            self._set_cat(ch, cc.OTHER)
            return src(m.end())
        if name == "ExplSyntaxOn":
            for ch, cat in _EXPL_CHANGES:
                self._set_cat(ch, cat)
            self._set_cat("~", cc.SPACE)
            return src(e)
        if name == "ExplSyntaxOff":
            for ch, _ in _EXPL_CHANGES:
                self._set_cat(ch, cc.default_catcode(ch))
            self._set_cat("~", cc.ACTIVE)
            return src(e)
        spec = VERBATIM_COMMANDS.get(name)
        if spec is not None:
            return self._verbatim_command(name, spec, src(e))
        return None

    # -- verbatim ---------------------------------------------------------------

    def _verbatim_env(self, env: str, lbrace: tuple[int, int], rbrace: tuple[int, int]) -> int:
        """Emit the ``{env}`` argument, the arguments and the body; return where to go on.

        ``lbrace`` and ``rbrace`` are the source spans of the braces around the
        name (several characters each when written with ``^^``).
        """
        text = self.text
        append = self.tokens.append
        append((BEGIN, lbrace[0], lbrace[1], "{"))
        append((TEXT, lbrace[1], rbrace[0], env))
        append((END, rbrace[0], rbrace[1], "}"))
        pos = rbrace[1]
        spanning = env in SPANNING_ENVIRONMENTS
        for kind in VERBATIM_ENVIRONMENTS[env]:
            if spanning:
                m = _SPANNING_ARG[kind].match(text, pos)
            else:
                m = (_BRACKET_ARG if kind == "o" else _BRACE_ARG).match(text, pos)
            if m is None:
                continue
            start = m.end() - len(m.group().lstrip(" \t\r\n"))
            if spanning:  # skip the comments before the argument
                arg = re.search(r"[\[{]", m.group())
                start = m.start() + (arg.start() if arg else 0)
            append((VARG, start, m.end(), text[start : m.end()]))
            pos = m.end()
        if spanning:  # the body starts on the line after the arguments
            pos = self._line_end(pos) if pos < self.n else pos
        return self._verbatim_body(pos, env)

    def _verbatim_body(self, pos: int, env: str) -> int:
        end = re.compile(r"\\end[ \t]*\{" + re.escape(env) + r"\}").search(self.text, pos)
        stop = end.start() if end is not None else self.n
        self.tokens.append((VERB, pos, stop, env))
        self.verbatim = None if end is not None else env
        return stop

    def _verbatim_command(self, name: str, spec: dict[str, object], pos: int) -> int | None:
        """Emit the arguments and the body of a verbatim-like command; the position after it.

        None when there is no body (the scan then goes on after the command
        name, so the arguments emitted so far are taken back).
        """
        mark = len(self.tokens)
        found = self._verbatim_command_parts(name, spec, pos)
        if found is None:
            del self.tokens[mark:]
        return found

    def _verbatim_command_parts(self, name: str, spec: dict[str, object], pos: int) -> int | None:
        text, n = self.text, self.n
        append = self.tokens.append
        if spec.get("star") and pos < n and text[pos] == "*":
            pos += 1
        for _ in range(int(str(spec.get("opt", 0)))):
            m = _BRACKET_ARG.match(text, pos)
            if m is not None:
                append((VARG, m.start(), m.end(), m.group().strip()))
                pos = m.end()
        for _ in range(int(str(spec.get("pre", 0)))):
            m = _BRACE_ARG.match(text, pos)
            if m is None:
                return None
            append((VARG, m.start(), m.end(), m.group().strip()))
            pos = m.end()
        form = spec.get("form")
        while pos < n and text[pos] in " \t" and form != "delimited":
            pos += 1
        if pos >= n:
            return None
        ch = text[pos]
        if ch == "{" and form in ("braced", "either"):
            close = self._brace_close(pos)
            if close is None:
                return None
            append((VERB, pos + 1, close, name))
            return close + 1
        if form == "braced" or ch in _NEWLINES or ch in " \t" or ch.isalpha():
            return None
        close = text.find(ch, pos + 1, self._line_end(pos))
        if close < 0:
            return None
        append((VERB, pos + 1, close, name))
        return close + 1

    def exit_state(self) -> LexState:
        state = LexState(
            catcodes=self.snapshot(),
            saves=tuple(self.saves),
            depth=self.depth if self.saves else 0,
            verbatim=self.verbatim,
        )
        return self.entry if state == self.entry else state


_BRACE_OR_ESCAPE = re.compile(r"\\[^\r\n]|[{}]")
_SIMPLE_GROUP = re.compile(r"\{[^{}\\\r\n]*\}")


def _brace_pairs(text: str, start: int, end: int) -> dict[int, int]:
    """The ``{`` positions of ``text[start:end]`` (one line) mapped to their ``}``;
    a backslash escapes the character after it."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACE_OR_ESCAPE.finditer(text, start, end):
        c = m.group()
        if c == "{":
            stack.append(m.start())
        elif c == "}" and stack:
            pairs[stack.pop()] = m.start()
    return pairs


def lex(
    text: str, state: LexState = INITIAL, budget: Budget | None = None
) -> tuple[list[Token], LexState]:
    """Tokenise ``text`` starting in ``state``; return the tokens and the state after them.

    Raises :class:`~texlean.budget.BudgetExceeded` when ``budget`` runs out.
    """
    lexer = _Lexer(text, state, budget)
    lexer.run()
    return lexer.tokens, lexer.exit_state()
