"""Dangerous constructs, read from the token stream (the literal core).

This module finds the constructs as they are written: ``\\write18``, pipe input
and output, ``\\openout`` to paths outside the document's folder and
``\\directlua``.  Because it works on tokens, comments, verbatim bodies and
``^^`` spellings are already taken care of by the lexer: what follows a command
is read from the tokens' decoded values (:func:`_read_after`), as TeX reads it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..tex.decode import decode
from ..tex.tokens import BEGIN, COMMENT, CS, CSYM, END, EOL, PAR, TEXT, VARG, VERB, Token
from .findings import Finding
from .locate import Locator

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
_INPUT = frozenset({"input", "@@input"})  # \@@input: LaTeX's name for the primitive


@dataclass(frozen=True, slots=True)
class SecState:
    """What the security analysis carries between chunks (aliases come with the full analysis)."""


INITIAL = SecState()


def _outside(path: str) -> bool:
    p = path.strip().strip('"')
    if not p:
        return False
    if p.startswith(("/", "~", "\\")) or re.match(r"[A-Za-z]:[\\/]", p):
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


def _read_after(text: str, tokens: Sequence[Token], i: int) -> tuple[str, list[int]]:
    """What TeX reads after ``tokens[i]``, and the source offset after each of its characters.

    The tokens' decoded values, so ``^^31^^38`` reads as ``18``; a control
    sequence reads as ``\\name`` whatever its escape character; an end of line
    as ``\n``; a comment is left out together with the line end it swallows.
    The reading stops at a paragraph break or a verbatim body, or after about
    :data:`_LOOKAHEAD` characters.
    """
    out: list[str] = []
    ends: list[int] = []
    swallow_eol = False
    for j in range(i + 1, len(tokens)):
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
        out.append(piece)
        if b - a == len(piece) and kind != EOL:
            ends.extend(range(a + 1, b + 1))
        else:
            ends.extend(_decoded_ends(text, a, b, piece))
        if len(ends) >= _LOOKAHEAD:
            break
    return "".join(out), ends


def _decoded_ends(text: str, a: int, b: int, piece: str) -> list[int]:
    """Source offsets after each character of ``piece``, the token read from ``text[a:b]``."""
    if len(piece) > 1:
        decoded, omap = decode(text, "^", a, b)
        # a control sequence reads "\name" whichever character its escape is
        if len(decoded) == len(piece) and decoded[1:] == piece[1:]:
            return [omap.to_source(k + 1) for k in range(len(piece))]
    last = len(piece) - 1
    return [b if k == last else min(a + k + 1, b) for k in range(len(piece))]


def _source_end(ends: list[int], m: re.Match[str], default: int) -> int:
    return ends[m.end() - 1] if m.end() > 0 else default


def _group(text: str, tokens: Sequence[Token], open_index: int) -> tuple[str, int]:
    """What the group opened at ``open_index`` holds, read as :func:`_read_after` reads
    (blanks squeezed), and the source offset after its closing brace (or the last token)."""
    depth = 0
    parts: list[str] = []
    for k in range(open_index, len(tokens)):
        tok = tokens[k]
        if tok[0] == BEGIN:
            depth += 1
        elif tok[0] == END:
            depth -= 1
            if depth == 0:
                return " ".join("".join(parts).split()), tok[2]
        if k > open_index and tok[0] != COMMENT:
            parts.append(_token_text(text, tok))
    return " ".join("".join(parts).split()), tokens[-1][2]


def analyse(
    tokens: Sequence[Token], text: str, loc: Locator, state: SecState
) -> tuple[list[Finding], SecState]:
    findings: list[Finding] = []
    for i, tok in enumerate(tokens):
        if tok[0] != CS:
            continue
        name = tok[3]
        if name == "write":
            look, ends = _read_after(text, tokens, i)
            m = _WRITE18.match(look)
            if m is None or m.group(1).count("-") % 2:
                continue
            start = tok[1]
            p = _prev_significant(tokens, i)
            if p is not None and tokens[p][0] == CS and tokens[p][3] == "immediate":
                start = tokens[p][1]
            end = _source_end(ends, m, tok[2])
            command = ""
            j = i
            while j + 1 < len(tokens) and tokens[j + 1][1] < end:
                j += 1
            nxt = _next_significant(tokens, j)
            if nxt is not None and tokens[nxt][0] == BEGIN:
                command, end = _group(text, tokens, nxt)
            findings.append(Finding("SEC101", loc.span(start, end), (("command", command),)))
        elif name in _INPUT:
            look, ends = _read_after(text, tokens, i)
            m = _PIPE_INPUT.match(look)
            if m is not None:
                end = _source_end(ends, m, tok[2])
                findings.append(
                    Finding("SEC102", loc.span(tok[1], end), (("command", m.group("cmd").strip()),))
                )
        elif name in ("openin", "openout"):
            look, ends = _read_after(text, tokens, i)
            m = _PIPE_AFTER_STREAM.match(look)
            if m is not None:
                code = "SEC103" if name == "openin" else "SEC104"
                end = _source_end(ends, m, tok[2])
                findings.append(
                    Finding(code, loc.span(tok[1], end), (("command", m.group("cmd").strip()),))
                )
                continue
            if name == "openout":
                f = _FILE_AFTER_STREAM.match(look)
                if f is not None:
                    path = next(g for g in f.groups() if g is not None)
                    if _outside(path):
                        end = _source_end(ends, f, tok[2])
                        findings.append(
                            Finding("SEC301", loc.span(tok[1], end), (("path", path.strip()),))
                        )
        elif name == "directlua":
            arg = _next_significant(tokens, i)
            code_text, end = ("", tok[2])
            if arg is not None and tokens[arg][0] == BEGIN:
                code_text, end = _group(text, tokens, arg)
            reach = sorted(set(_LUA_REACH.findall(code_text)))
            summary = (
                ("lua-summary-reaches", ", ".join(reach)) if reach else ("lua-summary-computes", "")
            )
            findings.append(
                Finding(
                    "SEC401",
                    loc.span(tok[1], end),
                    (("summary_key", summary[0]), ("what", summary[1])),
                )
            )
    return findings, state
