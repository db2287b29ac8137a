"""Structural checks: braces, environments, math delimiters.

Braces and environments can pair up across chunks, so each chunk reports
what it leaves unmatched (:class:`Event` sequences reduced as a stack
reduces them) and :func:`fold` pairs those up across the whole document —
cheap, because a balanced chunk leaves nothing.  Math cannot outlive a
paragraph, so it is checked within the chunk, with the open delimiters
carried in :class:`StructState` only where a chunk boundary falls inside a
paragraph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..budget import Budget
from ..tex.tokens import BEGIN, CS, CSYM, END, EOL, MATH, PAR, TEXT, Token
from .definitions import LET_OPERAND, body_mask
from .findings import Finding, Related, Span
from .locate import Locator

MAX_PER_CODE = 100  # a document with 20,000 unclosed braces gets the first 100

_INLINE = ("$", "\\(")
_CLOSERS = {")": "\\(", "]": "\\["}


@dataclass(frozen=True, slots=True)
class StructState:
    math: tuple[str, ...] = ()  # math delimiters open where the chunk ended


INITIAL = StructState()


@dataclass(frozen=True, slots=True)
class Event:
    """An unmatched ``{``/``}`` or ``\\begin``/``\\end``, chunk-relative."""

    kind: str  # "{", "}", "begin", "end", "math-open", "math-close", "math-unclosed"
    name: str
    span: Span

    def shifted(self, lines: int) -> Event:
        return Event(self.kind, self.name, self.span.shifted(lines)) if lines else self


def _env_name(tokens: Sequence[Token], i: int) -> tuple[str, int] | None:
    """The environment named after ``\\begin``/``\\end`` at ``i``, and the index of its ``}``."""
    n = len(tokens)
    j = i + 1
    while j < n and (tokens[j][0] == EOL or (tokens[j][0] == TEXT and not tokens[j][3].strip())):
        j += 1
    if j + 2 < n and tokens[j][0] == BEGIN and tokens[j + 1][0] == TEXT and tokens[j + 2][0] == END:
        return tokens[j + 1][3].strip(), j + 2
    return None


def analyse(
    tokens: Sequence[Token], loc: Locator, state: StructState, budget: Budget | None = None
) -> tuple[list[Finding], list[Event], StructState]:
    """Findings within the chunk, the events :func:`fold` pairs across chunks, the exit state.

    With a ``budget``, the time is checked every few thousand tokens
    (:class:`~texlean.budget.BudgetExceeded` is raised when it is up).
    """
    findings: list[Finding] = []
    braces: list[Event] = []  # reduced: unmatched } then unmatched {
    open_braces: list[int] = []
    envs: list[Event] = []
    masked = body_mask(tokens)
    depth = 0
    # open math: (delimiter, start, end, brace depth); start -1 = opened in an earlier chunk
    math: list[tuple[str, int, int, int]] = [(d, -1, -1, 0) for d in state.math]
    inherited = bool(math)
    math_events: list[Event] = []

    def math_finding(code: str, entry: tuple[str, int, int, int]) -> None:
        findings.append(Finding(code, loc.span(entry[1], entry[2]), (("delim", entry[0]),)))

    def close_paragraph() -> None:
        nonlocal inherited
        if math:
            first = math[0]
            if first[1] < 0:
                math_events.append(Event("math-unclosed", first[0], Span(0, 0, 0, 0)))
            else:
                math_finding("STR006" if first[0] in _INLINE else "STR007", first)
            math.clear()
        inherited = False

    n = len(tokens)
    i = 0
    while i < n:
        if not i & 4095 and budget is not None:
            budget.spend(1)
        tok = tokens[i]
        kind = tok[0]
        if (kind > MATH and kind != PAR) or (kind == CS and tok[3] != "begin" and tok[3] != "end"):
            # text, ends of lines, comments, verbatim, other commands: nothing below
            # reads them
            if inherited and not math:
                math_events.append(Event("math-close", "", Span(0, 0, 0, 0)))
                inherited = False
            i += 1
            continue
        if masked is not None and masked[i] == LET_OPERAND:
            pass  # \let\bgroup={ opens nothing
        elif kind == BEGIN:
            open_braces.append(i)
            depth += 1
        elif kind == END:
            if open_braces:
                open_braces.pop()
            else:
                braces.append(Event("}", "", loc.span(tok[1], tok[2])))
            depth -= 1
            # math opened inside a group that just closed: TeX would have
            # complained; in tabular preambles ({$}) it is never executed
            while math and math[-1][3] > depth:
                math.pop()
        elif masked is not None and masked[i]:
            pass
        elif kind == CS and (tok[3] == "begin" or tok[3] == "end"):
            found = _env_name(tokens, i)
            if found is not None:
                name, close = found
                span = loc.span(tok[1], tokens[close][2])
                if tok[3] == "begin":
                    envs.append(Event("begin", name, span))
                elif envs and envs[-1].kind == "begin" and envs[-1].name == name:
                    envs.pop()
                else:
                    envs.append(Event("end", name, span))
                # the braces of {name} are balanced: skip them
                i = close + 1
                continue
        elif kind == MATH:
            nxt = tokens[i + 1] if i + 1 < n else None
            double = nxt is not None and nxt[0] == MATH and nxt[1] == tok[2]
            top = math[-1] if math else None
            if double and (top is None or top[0] == "$$" or top[3] < depth):
                if top is not None and top[0] == "$$":
                    math.pop()
                else:
                    math.append(("$$", tok[1], nxt[2], depth))  # type: ignore[index]
                i += 2
                continue
            if top is not None and top[0] == "$" and top[3] == depth:
                math.pop()
            elif top is None or top[3] < depth:
                math.append(("$", tok[1], tok[2], depth))
            elif top[0] == "$$":
                math.pop()  # "Display math should end with $$": close it anyway
        elif kind == CSYM and tok[3] in "()[]":
            sym = tok[3]
            if sym in "([":
                if not math or math[-1][3] < depth:
                    math.append(("\\" + sym, tok[1], tok[2], depth))
            elif math and math[-1][0] == _CLOSERS[sym]:
                math.pop()
            elif not math:
                math_finding("STR008", ("\\" + sym, tok[1], tok[2], depth))
        elif kind == PAR:
            close_paragraph()
        if inherited and not math:
            math_events.append(Event("math-close", "", Span(0, 0, 0, 0)))
            inherited = False
        i += 1
    if math and math[0][1] >= 0:
        first = math[0]
        math_events.append(Event("math-open", first[0], loc.span(first[1], first[2])))
    for idx in open_braces:
        braces.append(Event("{", "", loc.span(tokens[idx][1], tokens[idx][2])))
    exit_state = StructState(tuple(m[0] for m in math)) if math else INITIAL
    if exit_state == state:
        exit_state = state
    return findings, braces + envs + math_events, exit_state


def fold(events: Iterable[Event], at_end: bool = True) -> list[Finding]:
    """Pair the unmatched events of all chunks, in document order.

    ``at_end`` says the events run to the end of the document, so what is
    still open is unclosed; it is False when the analysis stopped early.
    """
    findings: list[Finding] = []
    counts: dict[str, int] = {}

    def report(f: Finding) -> None:
        c = counts.get(f.code, 0)
        if c < MAX_PER_CODE:
            findings.append(f)
        counts[f.code] = c + 1

    braces: list[Event] = []
    envs: list[Event] = []
    math_open: Event | None = None

    def report_math(ev: Event) -> None:
        code = "STR006" if ev.name in _INLINE else "STR007"
        report(Finding(code, ev.span, (("delim", ev.name),)))

    for ev in events:
        if ev.kind.startswith("math-"):
            if ev.kind == "math-open":
                math_open = ev
            elif ev.kind == "math-unclosed" and math_open is not None:
                report_math(math_open)
                math_open = None
            else:
                math_open = None
        elif ev.kind == "{":
            braces.append(ev)
        elif ev.kind == "}":
            if braces:
                braces.pop()
            else:
                report(Finding("STR001", ev.span))
        elif ev.kind == "begin":
            envs.append(ev)
        elif envs and envs[-1].name == ev.name:
            envs.pop()
        elif envs:
            inner = envs[-1]
            report(
                Finding(
                    "STR005",
                    ev.span,
                    (("env", ev.name), ("open", inner.name)),
                    (Related(inner.span, "related-begin", (("env", inner.name),)),),
                )
            )
            if any(b.name == ev.name for b in envs):
                # \end{a} with \begin{a} further out: the ones in between are
                # the mistake, \begin{a} is closed
                while envs[-1].name != ev.name:
                    envs.pop()
            # otherwise LaTeX's \end{b} still ends the innermost group (after
            # the error), so \begin{a} counts as closed, not as never closed
            envs.pop()
        else:
            report(Finding("STR003", ev.span, (("env", ev.name),)))
    if not at_end:
        return findings
    if math_open is not None:
        report_math(math_open)
    for ev in envs:
        if ev.name == "document":
            report(Finding("STR009", ev.span))
        else:
            report(Finding("STR004", ev.span, (("env", ev.name),)))
    for ev in braces:
        report(Finding("STR002", ev.span))
    return findings
