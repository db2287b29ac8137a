"""Theorem-like environments of a LaTeX document, and what the document says around them.

Pure (no LSP, no engine), on the lexer's tokens, so comments, verbatim bodies and
catcode changes are read as TeX reads them:

- :func:`scan` reads one chunk's tokens (or a whole text's) into a :class:`ChunkScan`:
  the environments begun there (offsets into that text: ``\\begin``, the end of
  ``\\begin{name}[title]``, ``\\end``), their optional title, ``\\label`` and
  blueprint ``\\lean{…}``, the comments and bookkeeping commands to blank out
  before translation, and the document's declarations: ``\\newtheorem`` and
  ``\\declaretheorem`` (new theorem-like environments), macros
  (``\\newcommand``, ``\\renewcommand``, ``\\providecommand`` with ``[n][default]``,
  ``\\DeclareMathOperator``, ``\\def`` without parameters) and declared functions
  (``f \\colon A \\to B``, ``\\varphi : R \\to S``);
- :func:`statements_in` turns a scan's closed theorem-like environments into
  :class:`Statement` objects (positions relative to the scanned text's first line);
- :func:`build` assembles a document from its chunks' scans (environments may
  span chunks) into an :class:`Extracted`; :func:`extract` does it for a whole
  text, cached by content hash.

A statement's name is its ``\\lean{Name}`` when there is one, else its ``\\label``,
else its optional title, else a slug of the environment and a hash of its body
(stable wherever the environment moves), sanitised with :func:`api.lean_name`
and made unique in the document.  What is translated is the body with its
comments, ``\\label`` and blueprint commands replaced by spaces, so that offsets
into it (:class:`~texlean.formalize.api.Hazard`) are offsets into the source.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any

from ..analysis.definitions import (
    DEFINITION_COMMANDS,
    Definition,
    parse_definition,
)
from ..analysis.findings import Span
from ..analysis.locate import Locator
from ..document.lines import split_lines
from ..tables import load
from ..tex.lexer import lex
from ..tex.tokens import (
    ALIGN,
    BEGIN,
    COMMENT,
    CS,
    CSYM,
    END,
    EOL,
    MATH,
    PAR,
    PARAM,
    TEXT,
    Token,
)
from .api import Context, Macro, blueprint_name, lean_name

_LATEX = load("latex")
THEOREM_KINDS: dict[str, str] = dict(_LATEX["theorem_environments"])
TITLE_KINDS: dict[str, str] = dict(_LATEX["theorem_titles"])
BOOKKEEPING: dict[str, int] = {k: int(v) for k, v in _LATEX["formalize_bookkeeping"].items()}
MACRO_COMMANDS = frozenset(
    {"newcommand", "renewcommand", "providecommand", "DeclareMathOperator", "def"}
)
ARROWS = frozenset({"to", "rightarrow", "longrightarrow"})
_DECLARING = frozenset({"newtheorem", "declaretheorem"}) | MACRO_COMMANDS
_INTERESTING = (
    frozenset({"begin", "end", "colon"})
    | _DECLARING
    | frozenset(DEFINITION_COMMANDS)
    | frozenset(BOOKKEEPING)
)
# where a token scan() reads may start (each checked against the tokens: a match in
# a comment or a verbatim body is no command); one literal-prefixed pattern and
# str.find for the characters keep this at C speed
_COMMAND_CANDIDATE = re.compile(
    r"\\(?:" + "|".join(sorted(_INTERESTING, key=len, reverse=True)) + ")"
)
_CHAR_CANDIDATES = ("%", ":", "→")
_token_start = itemgetter(1)
_MAX_NAME_TOKENS = 8
_MAX_TITLE_TOKENS = 400
_MAX_LOOKAHEAD = 12  # tokens between a function's colon and its arrow


def maybe(text: str) -> bool:
    """Whether a text can hold anything :func:`scan` reports (a cheap pre-check)."""
    return _COMMAND_CANDIDATE.search(text) is not None or any(ch in text for ch in _CHAR_CANDIDATES)


def _candidates(text: str) -> list[int]:
    found = [m.start() for m in _COMMAND_CANDIDATE.finditer(text)]
    for ch in _CHAR_CANDIDATES:
        at = text.find(ch)
        while at >= 0:
            found.append(at)
            at = text.find(ch, at + 1)
    found.sort()
    return found


def _picks(tokens: Sequence[Token], text: str) -> list[int]:
    """Indices of the tokens :func:`scan` reads: the interesting control words,
    comments, and text with a colon or an arrow."""
    if not tokens:
        return []
    picks: list[int] = []
    last = -1
    for at in _candidates(text):
        i = bisect_right(tokens, at, key=_token_start) - 1
        if i < 0 or i == last:
            continue
        kind, a, b, value = tokens[i]
        ch = text[at]
        if ch == "\\":
            ok = kind == CS and a == at and value in _INTERESTING
        elif ch == "%":
            ok = kind == COMMENT and a == at
        else:
            ok = kind == TEXT and at < b
        if ok:
            picks.append(i)
            last = i
    return picks


def kind_of(env: str, kinds: Mapping[str, str]) -> str | None:
    """The declaration kind of environment ``env`` (None: not theorem-like)."""
    kind = kinds.get(env)
    if kind is None and env.endswith("*"):
        kind = kinds.get(env[:-1])
    return kind


def title_kind(title: str) -> str:
    word = title.strip().split(maxsplit=1)
    return TITLE_KINDS.get(word[0].lower().strip("{}\\"), "theorem") if word else "theorem"


# -- one chunk -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mark:
    """An environment begun in the scanned text (offsets into that text)."""

    name: str
    begin: int  # at \begin
    head: int  # after \begin{name} and its optional [title]: where the body starts
    title: str | None = None
    label: str | None = None
    label_at: tuple[int, int] | None = None  # the \label{…} command
    lean: str | None = None
    end: int | None = None  # at \end{name}; None when not closed in the text
    stop: int | None = None  # after \end{name}


class ChunkScan:
    """What one chunk holds for the formalizer (offsets into the chunk's text).

    Immutable once made; ``memo`` holds what the engine derives from it under a
    document context (see :mod:`texlean.analysis.formal`), so that an unchanged
    chunk costs a lookup.
    """

    __slots__ = (
        "blanks",
        "closed",
        "closes",
        "declares",
        "functions",
        "macros",
        "marks",
        "memo",
        "open_marks",
        "theorems",
    )

    def __init__(
        self,
        marks: tuple[Mark, ...] = (),
        closes: tuple[tuple[str, int, int], ...] = (),
        blanks: tuple[tuple[int, int], ...] = (),
        theorems: tuple[tuple[str, str, str], ...] = (),
        macros: tuple[tuple[str, Macro], ...] = (),
        functions: tuple[str, ...] = (),
    ) -> None:
        self.marks = marks  # in the order they begin
        self.closes = closes  # \end{name} of environments begun before the text: (name, at, stop)
        self.blanks = blanks  # comments and bookkeeping commands, sorted
        self.theorems = theorems  # (environment, kind, title) declared here
        self.macros = macros  # ("\\name", Macro) defined here, in order
        self.functions = functions  # symbols declared as functions here
        self.closed = any(m.end is not None for m in marks)  # holds whole environments
        self.open_marks = tuple(m for m in marks if m.end is None)  # closed after the text
        self.memo: dict[Any, Any] = {}
        # declares theorem-like environments, macros or functions (read on every keystroke)
        self.declares = bool(theorems or macros or functions)

    @property
    def size(self) -> int:
        """Approximate bytes (for cache bounds)."""
        return (
            200
            + 260 * len(self.marks)
            + 90 * (len(self.closes) + len(self.blanks) + len(self.functions))
            + 300 * (len(self.theorems) + len(self.macros))
        )


def _skip_blank(tokens: Sequence[Token], j: int, eols: int = 1 << 30) -> int:
    """The first token from ``j`` that is not a space run, a comment or (at most
    ``eols``) end of line."""
    n = len(tokens)
    while j < n:
        kind, _, _, value = tokens[j]
        if kind == EOL:
            if eols <= 0:
                break
            eols -= 1
        elif not ((kind == TEXT and not value.strip()) or kind == COMMENT):
            break
        j += 1
    return j


def _group(
    tokens: Sequence[Token], j: int, limit: int = _MAX_NAME_TOKENS
) -> tuple[str, int] | None:
    """``{text}`` at ``j`` made of text only: (text, index after the group)."""
    n = len(tokens)
    if j >= n or tokens[j][0] != BEGIN:
        return None
    parts: list[str] = []
    k = j + 1
    while k < n and k - j <= limit:
        kind, _, _, value = tokens[k]
        if kind == END:
            return "".join(parts).strip(), k + 1
        if kind != TEXT:
            return None
        parts.append(value)
        k += 1
    return None


_MAX_GROUP_TOKENS = 2000


def _close(tokens: Sequence[Token], j: int, limit: int = _MAX_GROUP_TOKENS) -> int | None:
    """Index of the END closing the BEGIN at ``j`` (None when not closed within
    ``limit`` tokens or before a paragraph ends)."""
    depth = 0
    for k in range(j, min(len(tokens), j + limit)):
        kind = tokens[k][0]
        if kind == BEGIN:
            depth += 1
        elif kind == END:
            depth -= 1
            if depth == 0:
                return k
        elif kind == PAR:
            return None
    return None


def _raw_group(tokens: Sequence[Token], j: int) -> tuple[int, int, int] | None:
    """The ``{…}`` group at ``j`` (any content): (offset after "{", offset of "}",
    index after the group)."""
    if j >= len(tokens) or tokens[j][0] != BEGIN:
        return None
    close = _close(tokens, j)
    if close is None:
        return None
    return tokens[j][2], tokens[close][1], close + 1


def _bracket(
    tokens: Sequence[Token], text: str, j: int, limit: int = _MAX_TITLE_TOKENS
) -> tuple[int, int, int] | None:
    """An optional ``[…]`` argument starting at token ``j`` (after spaces): (offset
    after "[", offset of the closing "]", index of the first token after it).
    Brackets inside braces do not count."""
    n = len(tokens)
    if j >= n or tokens[j][0] != TEXT:
        return None
    a, b = tokens[j][1], tokens[j][2]
    p = a
    while p < b and text[p] in " \t":
        p += 1
    if p >= b or text[p] != "[":
        return None
    opened = p + 1
    depth = 0
    for k in range(j, min(n, j + limit)):
        kind, a, b, _ = tokens[k]
        if kind == PAR:
            return None
        if kind == BEGIN:
            depth += 1
        elif kind == END:
            depth -= 1
            if depth < 0:
                return None
        elif kind == TEXT and depth == 0:
            close = text.find("]", max(a, opened), b)
            if close >= 0:
                return opened, close, k + 1
    return None


def _clean(raw: str) -> str:
    return " ".join(raw.split())


def _source(tokens: Sequence[Token], text: str, start: int, stop: int) -> str:
    """The source of tokens ``[start, stop)`` without comments (and the line end a
    comment takes with it)."""
    out: list[str] = []
    skip_eol = False
    for kind, a, b, _ in tokens[start:stop]:
        if kind == COMMENT:
            skip_eol = True
            continue
        if kind == EOL and skip_eol:
            skip_eol = False
            continue
        skip_eol = False
        out.append(text[a:b])
    return "".join(out)


_ARGS = re.compile(r"\s*\[\s*([0-9])\s*\](?:\s*\[(?P<default>.*)\])?\s*\Z", re.DOTALL)
_NAME_OPTION = re.compile(r"(?:^|,)\s*name\s*=\s*(?:\{(?P<braced>[^{}]*)\}|(?P<plain>[^,]*))")


def _macro(tokens: Sequence[Token], text: str, d: Definition) -> tuple[str, Macro] | None:
    """The macro a definition makes, when texlean can expand it."""
    i = d.at
    if d.name is None or not d.bodies:
        return None
    name = d.name.strip()
    if not re.fullmatch(r"[A-Za-z@]+|.", name):
        return None
    open_, close = d.bodies[0]
    if close <= open_ or tokens[close][0] != END:
        return None
    body = _source(tokens, text, open_ + 1, close)
    cmd = d.command
    if cmd == "DeclareMathOperator":
        return "\\" + name, Macro(arity=0, body=_clean(body), operator=True)
    if cmd == "def":
        if any(t[0] == PARAM for t in tokens[i + 1 : open_]):
            return None  # \def with parameters: not expanded
        return "\\" + name, Macro(arity=0, body=body.strip())
    # \newcommand{\name}[n][default]{body}: the text between the name and the body
    between = ""
    k = i + 1
    while k < open_:
        kind, _, b, value = tokens[k]
        if kind in (CS, CSYM) and value == name:
            between = text[b : tokens[open_][1]]
            break
        k += 1
    if between.startswith("}"):
        between = between[1:]
    arity, default = 0, None
    if between.strip():
        m = _ARGS.match(between)
        if m is None:
            return None
        arity = int(m.group(1))
        default = m.group("default")
    return "\\" + name, Macro(arity=arity, body=body.strip(), default=default)


def _theorem_declaration(tokens: Sequence[Token], text: str, i: int) -> tuple[str, str, str] | None:
    """``\\newtheorem{name}[counter]{Title}[within]`` (and ``*``) or
    ``\\declaretheorem[name=Title]{name}``: (environment, kind, title)."""
    cmd = tokens[i][3]
    j = _skip_blank(tokens, i + 1)
    if j < len(tokens) and tokens[j][0] == TEXT and tokens[j][3].strip() == "*":
        j = _skip_blank(tokens, j + 1)
    if cmd == "declaretheorem":
        options = ""
        br = _bracket(tokens, text, j)
        if br is not None:
            options = text[br[0] : br[1]]
            j = _skip_blank(tokens, br[2])
        got = _group(tokens, j)
        if got is None:
            return None
        env = got[0]
        m = _NAME_OPTION.search(options)
        title = (m.group("braced") or m.group("plain") or "") if m else env
        title = _clean(title or env)
        return env, title_kind(title), title
    got = _group(tokens, j)
    if got is None:
        return None
    env, j = got
    j = _skip_blank(tokens, j)
    br = _bracket(tokens, text, j)
    if br is not None:
        j = _skip_blank(tokens, br[2])
    inside = _raw_group(tokens, j)
    if inside is None:
        return None
    title = _clean(text[inside[0] : inside[1]])
    return env, title_kind(title), title


_SYMBOL_BEFORE = re.compile(r"(?:^|[^A-Za-z\\])([A-Za-z])\s*\Z")


def _function_at(tokens: Sequence[Token], i: int, colon_end: int | None) -> str | None:
    """A function declaration around the colon at token ``i``: its symbol.

    ``colon_end`` is the position in the TEXT token just after its ``:`` (None for
    ``\\colon``).  The symbol is a single letter or a control word just before the
    colon; an arrow must follow within a few tokens.
    """
    tok = tokens[i]
    symbol: str | None = None
    if colon_end is not None:
        before = tok[3][: colon_end - 1]
        if before.strip():
            m = _SYMBOL_BEFORE.search(before)
            if m is None:
                return None
            symbol = m.group(1)
        rest = tok[3][colon_end:]
        if rest.startswith("="):
            return None  # :=
        arrow = "→" in rest
    else:
        arrow = False
    if symbol is None:
        k = i - 1
        while k >= 0 and tokens[k][0] == TEXT and not tokens[k][3].strip():
            k -= 1
        if k < 0:
            return None
        prev = tokens[k]
        if prev[0] == CS:
            symbol = "\\" + prev[3]
        elif prev[0] == TEXT:
            m = _SYMBOL_BEFORE.search(prev[3])
            if m is None:
                return None
            symbol = m.group(1)
        else:
            return None
    if not arrow:
        n = len(tokens)
        for k in range(i + 1, min(n, i + 1 + _MAX_LOOKAHEAD)):
            kind, _, _, value = tokens[k]
            if kind in (MATH, PAR, ALIGN):
                break
            if kind == CS and value in ARROWS:
                arrow = True
                break
            if kind == TEXT and "→" in value:
                arrow = True
                break
            if (kind == CS and value == "colon") or (kind == TEXT and ":" in value):
                break
    return symbol if arrow else None


@dataclass
class _Open:
    name: str
    begin: int
    head: int
    title: str | None
    label: str | None = None
    label_at: tuple[int, int] | None = None
    lean: str | None = None
    index: int = 0  # position among the marks

    def mark(self, end: int | None = None, stop: int | None = None) -> Mark:
        return Mark(
            self.name,
            self.begin,
            self.head,
            self.title,
            self.label,
            self.label_at,
            self.lean,
            end,
            stop,
        )


def scan(tokens: Sequence[Token], text: str) -> ChunkScan | None:
    """What ``tokens`` (the lexer's, for ``text``) hold for the formalizer (None:
    nothing)."""
    picks = _picks(tokens, text)
    if not picks:
        return None
    stack: list[_Open] = []
    marks: list[Mark | None] = []
    ended: list[tuple[str, int, int]] = []
    blanks: list[tuple[int, int]] = []
    theorems: list[tuple[str, str, str]] = []
    macros: list[tuple[str, Macro]] = []
    functions: list[str] = []
    skip_until = -1
    for i in picks:
        if i < skip_until:
            continue
        kind, a, b, value = tokens[i]
        if kind == COMMENT:
            blanks.append((a, b))
            continue
        if kind == TEXT:
            at = value.find(":")
            if at < 0:
                continue  # an arrow alone declares nothing
            symbol = _function_at(tokens, i, at + 1)
            if symbol is not None and symbol not in functions:
                functions.append(symbol)
            continue
        if value == "begin":
            got = _group(tokens, _skip_blank(tokens, i + 1, 0))
            if got is None or not got[0]:
                continue
            env, j = got
            head = tokens[j - 1][2]
            title = None
            k = _skip_blank(tokens, j, 1)
            br = _bracket(tokens, text, k)
            if br is not None:
                title = _clean(text[br[0] : br[1]]) or None
                head = br[1] + 1
            stack.append(_Open(env, a, head, title, index=len(marks)))
            marks.append(None)
            skip_until = j
        elif value == "end":
            got = _group(tokens, _skip_blank(tokens, i + 1, 0))
            if got is None or not got[0]:
                continue
            env, j = got
            stop = tokens[j - 1][2]
            where = next((k for k in range(len(stack) - 1, -1, -1) if stack[k].name == env), None)
            if where is None:
                ended.append((env, a, stop))
            else:
                while len(stack) > where + 1:
                    stack.pop()  # closed by a mismatched \end: not an environment
                op = stack.pop()
                marks[op.index] = op.mark(a, stop)
            skip_until = j
        elif value in BOOKKEEPING:
            args = BOOKKEEPING[value]
            j = i + 1
            stop = b
            arg: tuple[int, int] | None = None
            for _ in range(args):
                j = _skip_blank(tokens, j, 1)
                inside = _raw_group(tokens, j)
                if inside is None:
                    break
                arg = arg or inside[:2]
                j = inside[2]
                stop = tokens[j - 1][2]
            blanks.append((a, stop))
            if stack and arg is not None and value in ("label", "lean"):
                top = stack[-1]
                argument = _clean(text[arg[0] : arg[1]])
                if value == "label" and top.label is None and argument:
                    top.label, top.label_at = argument, (a, stop)
                elif value == "lean" and top.lean is None and argument:
                    top.lean = argument.split(",")[0].strip() or None
            skip_until = j
        elif value == "colon":
            symbol = _function_at(tokens, i, None)
            if symbol is not None and symbol not in functions:
                functions.append(symbol)
        elif value in ("newtheorem", "declaretheorem"):
            declared = _theorem_declaration(tokens, text, i)
            if declared is not None:
                theorems.append(declared)
        elif value in DEFINITION_COMMANDS:
            # a definition's body is not running text: an environment begun in
            # it is no environment of the document
            d = parse_definition(tokens, i)
            if d is None:
                continue
            skip_until = d.end
            made = _macro(tokens, text, d) if value in MACRO_COMMANDS else None
            if made is not None:
                macros.append(made)
    for op in stack:
        marks[op.index] = op.mark()
    if not (marks or ended or blanks or theorems or macros or functions):
        return None
    blanks.sort()
    return ChunkScan(
        marks=tuple(m for m in marks if m is not None),
        closes=tuple(ended),
        blanks=tuple(blanks),
        theorems=tuple(theorems),
        macros=tuple(macros),
        functions=tuple(functions),
    )


def scan_text(text: str) -> ChunkScan | None:
    """:func:`scan` of a whole text, lexed from TeX's initial state."""
    if not maybe(text):
        return None
    tokens, _ = lex(text)
    return scan(tokens, text)


# -- statements ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """A theorem-like environment, ready to translate.

    Positions are (line, code point column), relative to whatever the statement was
    built against (a chunk, or the whole document after :meth:`shifted`).
    """

    env: str  # the environment as written ("lemma*")
    kind: str  # the Lean declaration kind ("theorem", "def")
    name: str  # a Lean identifier, unique in the document
    span: Span  # from \begin to the end of \end{…} (or of the text when never closed)
    head: Span  # \begin{env}[title]
    body: str  # the LaTeX to translate (comments, labels, blueprint commands blanked)
    body_start: tuple[int, int]  # where body[0] is
    title: str | None = None
    label: str | None = None
    lean: str | None = None
    label_span: Span | None = None
    closed: bool = True

    def shifted(self, lines: int) -> Statement:
        if not lines:
            return self
        line, col = self.body_start
        return replace(
            self,
            span=self.span.shifted(lines),
            head=self.head.shifted(lines),
            body_start=(line + lines, col),
            label_span=self.label_span.shifted(lines) if self.label_span else None,
        )

    def position(self, offset: int) -> tuple[int, int]:
        """The position of ``body[offset]`` (clamped to the body)."""
        offset = max(0, min(offset, len(self.body)))
        before = self.body[:offset]
        breaks = before.count("\n") + before.count("\r") - before.count("\r\n")
        line, col = self.body_start
        if not breaks:
            return line, col + offset
        last = max(before.rfind("\n"), before.rfind("\r"))
        return line + breaks, offset - last - 1

    def span_of(self, start: int | None, end: int | None) -> Span:
        """The document span of ``body[start:end]`` (the head when ``start`` is None)."""
        if start is None:
            return self.head
        end = start if end is None else max(start, end)
        (line, col), (end_line, end_col) = self.position(start), self.position(end)
        return Span(line, col, end_line, end_col)

    def contains(self, line: int, col: int) -> bool:
        s = self.span
        return (s.line, s.col) <= (line, col) <= (s.end_line, s.end_col)

    @property
    def informal(self) -> str:
        """The body as it reads (blanks collapsed): for previews and doc comments."""
        return _clean(self.body)


def _blanked(text: str, start: int, stop: int, blanks: Sequence[tuple[int, int]]) -> str:
    """``text[start:stop]`` with the blank ranges replaced by spaces (line ends kept)."""
    k = bisect_left(blanks, (start, -1))
    # a blank that starts before `start` may still reach into it
    if k > 0 and blanks[k - 1][1] > start:
        k -= 1
    if k >= len(blanks) or blanks[k][0] >= stop:
        return text[start:stop]
    out = []
    pos = start
    while k < len(blanks) and blanks[k][0] < stop:
        a, b = max(blanks[k][0], start), min(blanks[k][1], stop)
        if a > pos:
            out.append(text[pos:a])
        if b > max(a, pos):
            piece = text[max(a, pos) : b]
            out.append(re.sub(r"[^\r\n]", " ", piece))
            pos = b
        k += 1
    out.append(text[pos:stop])
    return "".join(out)


def slug(env: str, body: str) -> str:
    """A name for a statement with no label or title: the environment and a hash of
    its text (so it stays the same wherever the environment moves)."""
    digest = hashlib.blake2b(_clean(body).encode("utf-8", "surrogatepass"), digest_size=4)
    return f"{env.rstrip('*')}_{digest.hexdigest()}"


def statement_name(
    env: str, body: str, label: str | None, lean: str | None, title: str | None
) -> str:
    if lean:
        return blueprint_name(lean)
    raw = label or title or slug(env, body)
    return lean_name(raw)


def make_statement(
    mark: Mark,
    kind: str,
    text: str,
    loc: Locator,
    blanks: Sequence[tuple[int, int]],
    end: int | None = None,
    stop: int | None = None,
) -> Statement:
    """The statement of a theorem-like environment (positions relative to ``text``'s
    first line); ``end``/``stop`` override the mark's (an environment closed later)."""
    end = mark.end if end is None else end
    stop = mark.stop if stop is None else stop
    closed = end is not None
    if end is None:
        end = stop = len(text)
    assert stop is not None
    body = _blanked(text, mark.head, end, blanks)
    name = statement_name(mark.name, body, mark.label, mark.lean, mark.title)
    return Statement(
        env=mark.name,
        kind=kind,
        name=name,
        span=loc.span(mark.begin, stop),
        head=loc.span(mark.begin, mark.head),
        body=body,
        body_start=loc.position(mark.head),
        title=mark.title,
        label=mark.label,
        lean=mark.lean,
        label_span=loc.span(*mark.label_at) if mark.label_at else None,
        closed=closed,
    )


def statements_in(
    chunk: ChunkScan, text: str, kinds: Mapping[str, str], loc: Locator | None = None
) -> list[Statement]:
    """The theorem-like environments begun and closed in a scanned text."""
    out = []
    for m in chunk.marks:
        if m.end is None:
            continue
        kind = kind_of(m.name, kinds)
        if kind is None:
            continue
        loc = loc or Locator(text)
        out.append(make_statement(m, kind, text, loc, chunk.blanks))
    return out


# -- the document --------------------------------------------------------------------


@dataclass(frozen=True)
class Declarations:
    """What a document declares, merged in document order."""

    kinds: Mapping[str, str]  # theorem-like environments -> declaration kind
    macros: Mapping[str, Macro]
    functions: frozenset[str]
    titles: Mapping[str, str] = field(default_factory=dict)  # declared environments' titles

    def heading(self, env: str) -> str:
        """What the document calls an environment ("Proposition" for \\newtheorem{prop}…)."""
        base = env[:-1] if env.endswith("*") and env not in self.titles else env
        title = self.titles.get(base)
        return title if title else base[:1].upper() + base[1:]

    def context(self, vocabulary: Mapping[str, str] | None = None) -> Context:
        return Context(
            macros=dict(self.macros), functions=self.functions, vocabulary=dict(vocabulary or {})
        )

    def key(self) -> tuple[Any, ...]:
        """A value that changes exactly when the declarations do."""
        return (
            tuple(sorted(self.kinds.items())),
            tuple(sorted(self.titles.items())),
            tuple((n, m.arity, m.body, m.default, m.operator) for n, m in self.macros.items()),
            tuple(sorted(self.functions)),
        )


def declarations(scans: Iterable[ChunkScan | None]) -> Declarations:
    kinds = dict(THEOREM_KINDS)
    titles: dict[str, str] = {}
    macros: dict[str, Macro] = {}
    functions: set[str] = set()
    for s in scans:
        if s is None or not s.declares:
            continue
        for env, kind, title in s.theorems:
            kinds[env] = kind
            titles[env] = title
        for name, macro in s.macros:
            macros[name] = macro
        functions.update(s.functions)
    return Declarations(kinds, macros, frozenset(functions), titles)


_COMMAND = re.compile(r"\\([A-Za-z@]+|.)")


def relevant(context: Context, body: str) -> Context:
    """The part of ``context`` that ``body`` can use: the macros it names (and those
    their bodies name), the declared functions whose symbol occurs in it."""
    macros: dict[str, Macro] = {}
    if context.macros:
        todo = ["\\" + m.group(1) for m in _COMMAND.finditer(body)]
        while todo:
            name = todo.pop()
            if name in macros:
                continue
            macro = context.macros.get(name)
            if macro is None:
                continue
            macros[name] = macro
            todo.extend("\\" + m.group(1) for m in _COMMAND.finditer(macro.body))
            if macro.default:
                todo.extend("\\" + m.group(1) for m in _COMMAND.finditer(macro.default))
    functions = frozenset(f for f in context.functions if f in body)
    return Context(
        macros=dict(sorted(macros.items())), functions=functions, vocabulary=context.vocabulary
    )


def context_key(context: Context) -> tuple[Any, ...]:
    return (
        tuple((n, m.arity, m.body, m.default, m.operator) for n, m in context.macros.items()),
        tuple(sorted(context.functions)),
        tuple(sorted(context.vocabulary.items())),
    )


@dataclass(frozen=True)
class Extracted:
    """A document's theorem-like environments and declarations."""

    statements: tuple[Statement, ...]  # in document order, names unique
    declarations: Declarations
    document_begin: Span | None = None  # \begin{document}
    vocabulary: Mapping[str, str] = field(default_factory=dict)

    @property
    def context(self) -> Context:
        return self.declarations.context(self.vocabulary)

    def context_for(self, statement: Statement) -> Context:
        return relevant(self.context, statement.body)

    def at(self, line: int, col: int) -> Statement | None:
        """The innermost statement containing (line, col)."""
        best: Statement | None = None
        for s in self.statements:
            if s.span.line > line:
                break
            if s.contains(line, col) and (
                best is None or (s.span.line, s.span.col) >= (best.span.line, best.span.col)
            ):
                best = s
        return best

    def named(self, name: str) -> Statement | None:
        return next((s for s in self.statements if s.name == name), None)


def unique_names(statements: Sequence[Statement]) -> list[Statement]:
    """Statements renamed ``name_2``, ``name_3`` … where a name repeats."""
    seen: dict[str, int] = {}
    taken = {s.name for s in statements}
    out = []
    for s in statements:
        count = seen.get(s.name, 0) + 1
        seen[s.name] = count
        if count == 1:
            out.append(s)
            continue
        k = count
        while f"{s.name}_{k}" in taken:
            k += 1
        taken.add(f"{s.name}_{k}")
        out.append(replace(s, name=f"{s.name}_{k}"))
    return out


@dataclass(frozen=True, slots=True)
class Part:
    """One chunk of a document: its lines [start, end) and its scan."""

    start: int
    end: int
    scan: ChunkScan | None


def across(
    parts: Sequence[Part], lines: Sequence[str], kinds: Mapping[str, str]
) -> tuple[list[Statement], Span | None]:
    """The theorem-like environments that span chunks (absolute positions), and where
    ``\\begin{document}`` is."""
    stack: list[tuple[int, Mark]] = []
    out: list[Statement] = []
    document: Span | None = None
    for index, part in enumerate(parts):
        s = part.scan
        if s is None:
            continue
        for m in s.marks:
            if m.name == "document" and document is None:
                loc = Locator("".join(lines[part.start : part.end]))
                document = loc.span(m.begin, m.head).shifted(part.start)
        for env, at, stop in s.closes:
            where = next(
                (k for k in range(len(stack) - 1, -1, -1) if stack[k][1].name == env), None
            )
            if where is None:
                continue
            first, mark = stack[where]
            del stack[where:]
            kind = kind_of(env, kinds)
            if kind is None:
                continue
            head = parts[first]
            text = "".join(lines[head.start : part.end])
            shift = sum(len(x) for x in lines[head.start : part.start])
            blanks = _collect_blanks(parts[first : index + 1], lines)
            out.append(
                make_statement(
                    mark, kind, text, Locator(text), blanks, end=at + shift, stop=stop + shift
                ).shifted(head.start)
            )
        stack.extend((index, m) for m in s.open_marks)
    for first, mark in stack:  # never closed: the body runs to the end of the document
        kind = kind_of(mark.name, kinds)
        if kind is None:
            continue
        head = parts[first]
        text = "".join(lines[head.start :])
        blanks = _collect_blanks(parts[first:], lines)
        out.append(make_statement(mark, kind, text, Locator(text), blanks).shifted(head.start))
    return out, document


def _collect_blanks(parts: Sequence[Part], lines: Sequence[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    shift = 0
    for p in parts:
        if p.scan is not None:
            out.extend((a + shift, b + shift) for a, b in p.scan.blanks)
        shift += sum(len(x) for x in lines[p.start : p.end])
    return out


def build(
    parts: Sequence[Part],
    lines: Sequence[str],
    vocabulary: Mapping[str, str] | None = None,
    local: Callable[[Part, Mapping[str, str]], list[Statement]] | None = None,
) -> Extracted:
    """A document from its chunks (absolute positions).  ``local`` gives a chunk's own
    statements relative to its first line (the engine passes a memoized one)."""
    decls = declarations(p.scan for p in parts)

    def plain(part: Part, kinds: Mapping[str, str]) -> list[Statement]:
        assert part.scan is not None
        return statements_in(part.scan, "".join(lines[part.start : part.end]), kinds)

    local = local or plain
    found: list[Statement] = []
    for p in parts:
        if p.scan is not None and any(m.end is not None for m in p.scan.marks):
            found.extend(s.shifted(p.start) for s in local(p, decls.kinds))
    spanning, document = across(parts, lines, decls.kinds)
    if spanning:
        found.extend(spanning)
        found.sort(key=lambda s: (s.span.line, s.span.col))
    return Extracted(tuple(unique_names(found)), decls, document, dict(vocabulary or {}))


_EXTRACTED: dict[bytes, Extracted] = {}
_EXTRACTED_MAX = 16


def extract(text: str) -> Extracted:
    """The theorem-like environments of a whole text (cached by content hash)."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    found = _EXTRACTED.pop(digest, None)
    if found is None:
        lines = split_lines(text)
        found = build([Part(0, len(lines), scan_text(text))], lines)
        while len(_EXTRACTED) >= _EXTRACTED_MAX:
            del _EXTRACTED[next(iter(_EXTRACTED))]
    _EXTRACTED[digest] = found  # most recent last
    return found
