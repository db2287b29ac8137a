"""Where definitions are in a token stream: ``\\def``, ``\\newcommand``, ``\\newenvironment`` …

The structure checks skip definition bodies (``\\newcommand{\\be}{\\begin{equation}}``
is not an unclosed environment); the security analysis reads them to learn
what a macro stands for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..tables import load
from ..tex.tokens import ACTIVE, BEGIN, COMMENT, CS, CSYM, END, EOL, PAR, TEXT, Token

DEFINITION_COMMANDS: dict[str, dict[str, object]] = dict(load("latex")["definitions"])


@dataclass(frozen=True, slots=True)
class Definition:
    """A definition command and the token ranges of its parts."""

    command: str  # "def", "newcommand", …
    at: int  # index of the defining command
    name: str | None  # the defined control sequence or environment name
    bodies: tuple[tuple[int, int], ...]  # (index of "{", index of the matching "}")
    end: int  # index after the definition


def _skip_blank(tokens: Sequence[Token], j: int) -> int:
    n = len(tokens)
    while j < n:
        t = tokens[j]
        if t[0] == EOL or t[0] == COMMENT or (t[0] == TEXT and not t[3].strip()):
            j += 1
        else:
            break
    return j


def matching_end(tokens: Sequence[Token], open_index: int) -> int:
    """Index of the END token closing the BEGIN at ``open_index`` (last index if unclosed)."""
    depth = 0
    for k in range(open_index, len(tokens)):
        kind = tokens[k][0]
        if kind == BEGIN:
            depth += 1
        elif kind == END:
            depth -= 1
            if depth == 0:
                return k
    return len(tokens) - 1


def brace_pairs(tokens: Sequence[Token]) -> list[int]:
    """For each token, the index of the END closing it if it is a BEGIN (the last
    index when it is never closed, as :func:`matching_end` says), else -1.

    One pass for a whole chunk: asking :func:`matching_end` for each of many
    unclosed groups would scan to the end each time.
    """
    closes = [-1] * len(tokens)
    stack: list[int] = []
    for k, t in enumerate(tokens):
        if t[0] == BEGIN:
            stack.append(k)
        elif t[0] == END and stack:
            closes[stack.pop()] = k
    last = len(tokens) - 1
    for k in stack:
        closes[k] = last
    return closes


MAX_HEAD = 64
"""Tokens a definition's name and parameter text may take before its body: more,
and it is no definition (this bounds the work for a text of thousands of ``\\def``)."""


def _group_text(tokens: Sequence[Token], start: int, end: int) -> str:
    return "".join(t[3] if t[0] != CS else "\\" + t[3] for t in tokens[start + 1 : end])


def parse_definition(
    tokens: Sequence[Token], i: int, closes: Sequence[int] | None = None
) -> Definition | None:
    """The definition made by the command at ``tokens[i]``, if it is one.

    ``closes`` is :func:`brace_pairs` of ``tokens``, when the caller has it.
    """

    def close_of(j: int) -> int:
        return closes[j] if closes is not None else matching_end(tokens, j)

    cmd = tokens[i][3]
    spec = DEFINITION_COMMANDS.get(cmd)
    if spec is None or tokens[i][0] != CS:
        return None
    n = len(tokens)
    j = _skip_blank(tokens, i + 1)
    if j < n and tokens[j][0] == TEXT and tokens[j][3].strip() == "*":
        j = _skip_blank(tokens, j + 1)
    name: str | None = None
    how = spec.get("name")
    if j >= n:
        return None
    t = tokens[j]
    if t[0] in (CS, CSYM, ACTIVE) and how in ("cs", "cs-or-group"):
        name = t[3]
        j += 1
    elif t[0] == BEGIN and how in ("group", "cs-or-group"):
        close = close_of(j)
        if close - j > MAX_HEAD:
            return None
        name = _group_text(tokens, j, close).strip().lstrip("\\") or None
        j = close + 1
    else:
        return None
    params = spec.get("params")
    head_end = min(n, j + MAX_HEAD)
    if params == "tex":
        while j < head_end and tokens[j][0] not in (BEGIN, PAR, END):
            if tokens[j][0] == CS and tokens[j][3] in DEFINITION_COMMANDS:
                return None  # \\def\\a\\def\\b{..}: let the next one be the definition
            j += 1
        if j == head_end < n:
            return None
    else:
        j = _skip_blank(tokens, j)
        for _ in range(int(str(spec.get("skip", 0)))):
            if j < n and tokens[j][0] == BEGIN:
                j = _skip_blank(tokens, close_of(j) + 1)
        # [n][default]: brackets may be split over several tokens
        head_end = min(n, j + MAX_HEAD)
        while j < head_end and tokens[j][0] == TEXT and tokens[j][3].lstrip().startswith("["):
            depth = 0
            while j < head_end and tokens[j][0] != PAR:
                if tokens[j][0] == TEXT:
                    depth += tokens[j][3].count("[") - tokens[j][3].count("]")
                j += 1
                if depth <= 0:
                    break
            j = _skip_blank(tokens, j)
    bodies = []
    for _ in range(int(str(spec.get("bodies", 1)))):
        j = _skip_blank(tokens, j)
        if j >= n or tokens[j][0] != BEGIN:
            break
        close = close_of(j)
        bodies.append((j, close))
        j = close + 1
    if not bodies:
        return None
    return Definition(command=cmd, at=i, name=name, bodies=tuple(bodies), end=j)


IN_DEFINITION = 1
"""Mask value: the token belongs to a definition (the defined name, parameters, bodies)."""
LET_OPERAND = 2
"""Mask value: the token is an operand of ``\\let``, read as a token, never executed."""


def let_end(tokens: Sequence[Token], i: int) -> int | None:
    """The index after ``\\let<cs>=<token>`` whose ``\\let`` is at ``i`` (None if incomplete).

    TeX reads ``\\let``'s operands as single tokens: in ``\\let\\bgroup={`` the
    ``{`` opens no group, in ``\\let\\(\\relax`` the ``\\(`` opens no math.
    """
    n = len(tokens)
    j = _skip_blank(tokens, i + 1)
    if j >= n or tokens[j][0] not in (CS, CSYM, ACTIVE):
        return None
    j += 1
    # <equals>: optional spaces, an optional "=", then one optional space
    while j < n:
        t = tokens[j]
        if t[0] == EOL:
            j += 1
            continue
        if t[0] != TEXT:
            break
        rest = t[3].lstrip(" \t")
        if rest.startswith("="):
            rest = rest[1:].lstrip(" \t")
        if rest:
            return j + 1  # the target is a character of this run
        j += 1
    return j + 1 if j < n and tokens[j][0] not in (PAR, COMMENT) else None


def body_mask(tokens: Sequence[Token]) -> bytearray | None:
    """Which tokens belong to definitions (:data:`IN_DEFINITION`) or are ``\\let``
    operands (:data:`LET_OPERAND`); 0 for the others.  None when there are none.

    A definition covers everything after the defining command: the defined
    name (``\\def\\(`` opens no math), the parameter text and the bodies.
    """
    mask: bytearray | None = None
    closes: list[int] | None = None
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        if t[0] == CS and t[3] in DEFINITION_COMMANDS:
            if closes is None:
                closes = brace_pairs(tokens)
            d = parse_definition(tokens, i, closes)
            if d is not None:
                if mask is None:
                    mask = bytearray(n)
                mask[i + 1 : d.end] = bytes((IN_DEFINITION,)) * (d.end - i - 1)
                i = max(i + 1, d.end)
                continue
        elif t[0] == CS and t[3] == "let":
            end = let_end(tokens, i)
            if end is not None:
                if mask is None:
                    mask = bytearray(n)
                mask[i + 1 : end] = bytes((LET_OPERAND,)) * (end - i - 1)
                i = end
                continue
        i += 1
    return mask
