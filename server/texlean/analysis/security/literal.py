"""Dangerous constructs, read from the token stream (the literal core).

This module finds the constructs as they are written: ``\\write18``, pipe input
and output, ``\\openout`` to paths outside the document's folder and
``\\directlua``.  Because it works on tokens, comments, verbatim bodies and
``^^`` spellings are already taken care of by the lexer: what follows a command
is read from the tokens' decoded values (:func:`_read_after`), as TeX reads it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from ...budget import Budget
from ...tex.decode import decode
from ...tex.tokens import BEGIN, COMMENT, CS, CSYM, END, EOL, PAR, TEXT, VARG, VERB, Token
from ..findings import Finding
from ..locate import Locator

# The patterns read what TeX reads after the command (see _read_after): decoded
# characters, an end of line as "\n", comments left out.
_SIGNS = r"\s*((?:[+-]\s*)*)"
_WRITE18 = re.compile(
    _SIGNS + r"(?:0*18(?![0-9])|\"0*12(?![0-9A-F])|'0*22(?![0-7])|`\\?\x12)"  # 18, "12, '22, `^^R
)
_STREAM = r"\s*(?:[0-9]+|\\[A-Za-z@_:]+|\\[^A-Za-z@_:]|\"[0-9A-F]+|'[0-7]+)\s*=?\s*"
_PIPE = r"(?P<brace>\{)?\s*\"?\|\s*\"?(?P<cmd>[^\"}\n]*)\"?(?(brace)\s*\}?)"
_PIPE_AFTER_STREAM = re.compile(_STREAM + _PIPE)
_PIPE_INPUT = re.compile(r"\s*" + _PIPE)
_FILE_AFTER_STREAM = re.compile(_STREAM + r"(?:\{\s*([^}\n]*)\}|\"([^\"\n]*)\"|([^\s\\{}]+))")
_LUA_REACH = re.compile(r"\b(os|io|require|loadstring|load|dofile|loadfile|debug|package|lfs)\b")
_LOOKAHEAD = 400
_INPUT = frozenset({"input", "@@input"})
_WATCHED = _INPUT | {"write", "openin", "openout", "directlua"}
# A first, short reading decides most cases (\\input{chapter}, \\write\\@auxout):
# only when it may be the start of a finding is the full lookahead read.
_QUICK = 24
_MAY_BE_NUMBER = re.compile(r"[\s+\-0]*")  # signs and zeros: 18 may still follow
_MAY_BE_PIPE = re.compile(
    r"[\s{\"]*"
)  # the | of a pipe may still follow  # \@@input: LaTeX's name for the primitive


@dataclass(frozen=True, slots=True)
class SecState:
    """What the security analysis carries between chunks (aliases come with the full analysis)."""


INITIAL = SecState()


def _outside(path: str) -> bool:
    p = path.strip().strip('"')
    if not p:
        return False
    # A leading backslash starts a control sequence (\\jobname), which TeX
    # expands: the literal core cannot tell where that points, so only
    # literal absolute paths, home paths, drive letters and ".." count.
    if p.startswith(("/", "~")) or re.match(r"[A-Za-z]:[\\/]", p):
        return True
    parts = re.split(r"[\\/]", p)
    return ".." in parts


def _prev_significant(tokens: Sequence[Token], i: int) -> int | None:
    j = i - 1
    while j >= 0 and (
        tokens[j][0] in (EOL, COMMENT) or (tokens[j][0] == TEXT and not tokens[j][3].strip())
    ):
        j -= 1
    return j if j >= 0 else None


def _next_significant(tokens: Sequence[Token], i: int) -> int | None:
    j = i + 1
    while j < len(tokens) and (
        tokens[j][0] in (EOL, COMMENT) or (tokens[j][0] == TEXT and not tokens[j][3].strip())
    ):
        j += 1
    return j if j < len(tokens) else None


def _token_text(text: str, tok: Token) -> str:
    kind = tok[0]
    if kind in (CS, CSYM):
        return "\\" + tok[3]
    if kind == EOL:
        return "\n"
    if kind == VERB:
        return text[tok[1] : tok[2]]  # the value is the environment's name
    return tok[3]


class _Reading:
    """What TeX reads after a command (:func:`_read_after`) and where it came from."""

    __slots__ = ("offsets", "pieces", "source", "text", "truncated")

    def __init__(self, source: str) -> None:
        self.source = source
        self.text = ""
        self.truncated = False  # stopped at the size limit, not at the end of what follows
        self.offsets: list[int] = []  # where each piece starts in ``text``
        self.pieces: list[tuple[int, int, str]] = []  # (source start, source end, piece)

    def end_of(self, m: re.Match[str], default: int) -> int:
        """The source offset after what ``m`` matched in :attr:`text`."""
        e = m.end()
        if e == 0:
            return default
        k = bisect_right(self.offsets, e - 1) - 1
        a, b, piece = self.pieces[k]
        within = e - self.offsets[k]  # characters of this piece matched, at least 1
        if b - a == len(piece):
            return a + within
        return _decoded_ends(self.source, a, b, piece)[within - 1]


def _read_after(text: str, tokens: Sequence[Token], i: int, limit: int = _LOOKAHEAD) -> _Reading:
    """What TeX reads after ``tokens[i]``.

    The tokens' decoded values, so ``^^31^^38`` reads as ``18``; a control
    sequence reads as ``\\name`` whatever its escape character; an end of line
    as ``\n``; a comment is left out together with the line end it swallows.
    The reading stops at a paragraph break or a verbatim body, or after about
    ``limit`` characters or tokens.
    """
    reading = _Reading(text)
    out: list[str] = []
    size = 0
    swallow_eol = False
    last = min(len(tokens), i + 1 + limit)
    for j in range(i + 1, last):
        tok = tokens[j]
        kind, a, b = tok[0], tok[1], tok[2]
        if kind in (PAR, VERB, VARG):
            break
        if kind == COMMENT:
            swallow_eol = True
            continue
        if kind == EOL and swallow_eol:
            swallow_eol = False
            continue
        swallow_eol = False
        piece = _token_text(text, tok)
        if not piece:
            continue
        if len(piece) > limit:  # a long run of text: its start is enough
            if b - a == len(piece):
                b = a + limit
            piece = piece[:limit]
        reading.offsets.append(size)
        reading.pieces.append((a, b, piece))
        out.append(piece)
        size += len(piece)
        if size >= limit:
            reading.truncated = True
            break
    else:
        reading.truncated = last < len(tokens)
    reading.text = "".join(out)
    return reading


def _decoded_ends(text: str, a: int, b: int, piece: str) -> list[int]:
    """Source offsets after each character of ``piece``, the token read from ``text[a:b]``."""
    if len(piece) > 1:
        decoded, omap = decode(text, "^", a, b)
        # a control sequence reads "\name" whichever character its escape is
        if len(decoded) == len(piece) and decoded[1:] == piece[1:]:
            return [omap.to_source(k + 1) for k in range(len(piece))]
    last = len(piece) - 1
    return [b if k == last else min(a + k + 1, b) for k in range(len(piece))]


_MAX_SHOWN = 1000  # characters of a command or Lua text kept for the message


def _closes(tokens: Sequence[Token]) -> list[int]:
    """For each BEGIN token, the index of its END, or ``len(tokens)`` when it is never
    closed (it then runs to the end of the chunk); -1 for other tokens."""
    closes = [-1] * len(tokens)
    stack: list[int] = []
    for k, t in enumerate(tokens):
        if t[0] == BEGIN:
            stack.append(k)
        elif t[0] == END and stack:
            closes[stack.pop()] = k
    for k in stack:
        closes[k] = len(tokens)
    return closes


def _group(
    text: str, tokens: Sequence[Token], open_index: int, close: int, limit: int | None
) -> tuple[str, int]:
    """What the group from ``open_index`` to ``close`` holds, read as :func:`_read_after`
    reads (blanks squeezed, at most ``limit`` characters), and the source offset after
    it (after the last token when it is never closed)."""
    parts: list[str] = []
    size = 0
    for tok in tokens[open_index + 1 : close]:
        if tok[0] == COMMENT:
            continue
        piece = _token_text(text, tok)
        parts.append(piece)
        size += len(piece)
        if limit is not None and size > limit:
            break
    body = " ".join("".join(parts).split())
    if limit is not None and len(body) > limit:
        body = body[:limit] + "…"
    end = tokens[close][2] if close < len(tokens) else tokens[-1][2]
    return body, end


def analyse(
    tokens: Sequence[Token],
    text: str,
    loc: Locator,
    state: SecState,
    budget: Budget | None = None,
) -> tuple[list[Finding], SecState]:
    """The security findings of a chunk's tokens (``text`` is the chunk's source).

    With a ``budget``, each command looked at spends from it
    (:class:`~texlean.budget.BudgetExceeded` is raised when it is up).
    """
    findings: list[Finding] = []
    closes: list[int] | None = None
    n = len(tokens)
    i = -1
    while i + 1 < n:
        i += 1
        tok = tokens[i]
        if tok[0] != CS:
            continue
        name = tok[3]
        if budget is not None and name in _WATCHED:
            budget.spend(4)
        if name == "write":
            reading = _read_after(text, tokens, i, _QUICK)
            if reading.truncated and (
                _WRITE18.match(reading.text) or _MAY_BE_NUMBER.fullmatch(reading.text)
            ):
                reading = _read_after(text, tokens, i)
            m = _WRITE18.match(reading.text)
            if m is None or m.group(1).count("-") % 2:
                continue
            start = tok[1]
            p = _prev_significant(tokens, i)
            if p is not None and tokens[p][0] == CS and tokens[p][3] == "immediate":
                start = tokens[p][1]
            end = reading.end_of(m, tok[2])
            command = ""
            j = i
            while j + 1 < n and tokens[j + 1][1] < end:
                j += 1
            nxt = _next_significant(tokens, j)
            if nxt is not None and tokens[nxt][0] == BEGIN:
                if closes is None:
                    closes = _closes(tokens)
                command, end = _group(text, tokens, nxt, closes[nxt], _MAX_SHOWN)
                # what the group holds is text for the shell, not TeX to run here
                i = closes[nxt]
            findings.append(Finding("SEC101", loc.span(start, end), (("command", command),)))
        elif name in _INPUT:
            reading = _read_after(text, tokens, i, _QUICK)
            if reading.truncated and ("|" in reading.text or _MAY_BE_PIPE.fullmatch(reading.text)):
                reading = _read_after(text, tokens, i)
            m = _PIPE_INPUT.match(reading.text)
            if m is not None:
                end = reading.end_of(m, tok[2])
                findings.append(
                    Finding(
                        "SEC102",
                        loc.span(tok[1], end),
                        (("cs", name), ("command", m.group("cmd").strip())),
                    )
                )
        elif name in ("openin", "openout"):
            reading = _read_after(text, tokens, i)
            m = _PIPE_AFTER_STREAM.match(reading.text)
            if m is not None:
                code = "SEC103" if name == "openin" else "SEC104"
                end = reading.end_of(m, tok[2])
                findings.append(
                    Finding(code, loc.span(tok[1], end), (("command", m.group("cmd").strip()),))
                )
                continue
            if name == "openout":
                f = _FILE_AFTER_STREAM.match(reading.text)
                if f is not None:
                    path = next(g for g in f.groups() if g is not None)
                    if _outside(path):
                        end = reading.end_of(f, tok[2])
                        findings.append(
                            Finding("SEC301", loc.span(tok[1], end), (("path", path.strip()),))
                        )
        elif name == "directlua":
            arg = _next_significant(tokens, i)
            code_text, end = ("", tok[2])
            if arg is not None and tokens[arg][0] == BEGIN:
                if closes is None:
                    closes = _closes(tokens)
                code_text, end = _group(text, tokens, arg, closes[arg], None)
                i = closes[arg]  # the group is Lua, not TeX
            reach = sorted(set(_LUA_REACH.findall(code_text)))
            findings.append(
                Finding("SEC401", loc.span(tok[1], end), (("what", ", ".join(reach)),))
                if reach
                else Finding("SEC404", loc.span(tok[1], end))
            )
    return findings, state
