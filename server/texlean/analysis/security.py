"""Dangerous constructs, read from the token stream (the literal core).

This module finds the constructs as they are written: ``\\write18``, pipe input
and output, ``\\openout`` to paths outside the document's folder and
``\\directlua``.  Because it works on tokens, comments, verbatim bodies and
``^^`` spellings are already taken care of by the lexer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..tex.tokens import BEGIN, COMMENT, CS, EOL, TEXT, Token
from .definitions import matching_end
from .findings import Finding
from .locate import Locator

_WRITE18 = re.compile(r"[ \t]*(?:18|\"12|'22)(?![0-9])")
_STREAM = r"[ \t]*(?:[0-9]+|\\[A-Za-z@]+|\"[0-9A-F]+|'[0-7]+)[ \t]*=?[ \t]*"
_PIPE_AFTER_STREAM = re.compile(_STREAM + r"\{?[ \t]*\"?\|[ \t]*\"?([^\"}\r\n]*)")
_PIPE_INPUT = re.compile(r"[ \t]*\{?[ \t]*\"?\|[ \t]*\"?([^\"}\r\n]*)")
_FILE_AFTER_STREAM = re.compile(
    _STREAM + r"(?:\{[ \t]*([^}\r\n]*)\}|\"([^\"\r\n]*)\"|([^\s\\{}]+))"
)
_LUA_REACH = re.compile(r"\b(os|io|require|loadstring|load|dofile|loadfile|debug|package|lfs)\b")
_LOOKAHEAD = 400


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
        tokens[j][0] == EOL or (tokens[j][0] == TEXT and not tokens[j][3].strip())
    ):
        j += 1
    return j if j < len(tokens) else None


def _group_source(text: str, tokens: Sequence[Token], open_index: int) -> tuple[str, int]:
    close = matching_end(tokens, open_index)
    body = text[tokens[open_index][2] : tokens[close][1]]
    return " ".join(body.split()), tokens[close][2]


def analyse(
    tokens: Sequence[Token], text: str, loc: Locator, state: SecState
) -> tuple[list[Finding], SecState]:
    findings: list[Finding] = []
    for i, tok in enumerate(tokens):
        if tok[0] != CS:
            continue
        name = tok[3]
        after = tok[2]
        if name == "write":
            m = _WRITE18.match(text, after, after + _LOOKAHEAD)
            if m is None:
                continue
            start = tok[1]
            p = _prev_significant(tokens, i)
            if p is not None and tokens[p][0] == CS and tokens[p][3] == "immediate":
                start = tokens[p][1]
            end = m.end()
            command = ""
            j = _next_significant(tokens, i)
            while j is not None and tokens[j][2] <= m.end():
                j = _next_significant(tokens, j)
            if j is not None and tokens[j][0] == BEGIN:
                command, end = _group_source(text, tokens, j)
            findings.append(Finding("SEC101", loc.span(start, end), (("command", command),)))
        elif name == "input":
            m = _PIPE_INPUT.match(text, after, after + _LOOKAHEAD)
            if m is not None:
                findings.append(
                    Finding("SEC102", loc.span(tok[1], m.end()), (("command", m.group(1).strip()),))
                )
        elif name in ("openin", "openout"):
            m = _PIPE_AFTER_STREAM.match(text, after, after + _LOOKAHEAD)
            if m is not None:
                code = "SEC103" if name == "openin" else "SEC104"
                findings.append(
                    Finding(code, loc.span(tok[1], m.end()), (("command", m.group(1).strip()),))
                )
                continue
            if name == "openout":
                f = _FILE_AFTER_STREAM.match(text, after, after + _LOOKAHEAD)
                if f is not None:
                    path = next(g for g in f.groups() if g is not None)
                    if _outside(path):
                        findings.append(
                            Finding("SEC301", loc.span(tok[1], f.end()), (("path", path.strip()),))
                        )
        elif name == "directlua":
            j = _next_significant(tokens, i)
            code_text, end = ("", tok[2])
            if j is not None and tokens[j][0] == BEGIN:
                code_text, end = _group_source(text, tokens, j)
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
