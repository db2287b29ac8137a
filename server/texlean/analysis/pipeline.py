"""One chunk in, findings out: the pure analysis every front end (server, CLI) runs.

:func:`analyse_chunk` lexes a chunk from its entry state and runs each
analysis on the tokens; :func:`assemble` turns the per-chunk results of a
document into its findings.  Nothing here knows about LSP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ..budget import Budget, BudgetExceeded
from ..formalize import extract
from ..tex.lexer import lex
from ..tex.state import INITIAL as LEX_INITIAL
from ..tex.state import LexState
from ..tex.tokens import Token
from . import prefilter, security, structure, suppress
from .findings import Finding, Span
from .locate import Locator


@dataclass(frozen=True, slots=True)
class ChunkState:
    """Everything a chunk's analysis depends on besides its own text."""

    lex: LexState = LEX_INITIAL
    struct: structure.StructState = structure.INITIAL
    sec: security.SecState = security.INITIAL
    _hash: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.lex, self.struct, self.sec)))

    def __hash__(self) -> int:
        return self._hash


INITIAL = ChunkState()


@dataclass(frozen=True, slots=True)
class ChunkResult:
    exit: ChunkState
    findings: tuple[Finding, ...] = ()
    events: tuple[structure.Event, ...] = ()
    complete: bool = True
    stopped: str | None = None  # why the analysis stopped early ("time", "steps")
    size: int = 512  # approximate bytes of RSS, for the cache bound
    # suppression comments (chunk-relative lines), applied by assemble
    directives: tuple[suppress.Directive, ...] = ()
    first_content: int | None = 0  # the first line that is not a comment line
    # theorem-like environments and declarations, for formalization (analysis/formal.py)
    formal: extract.ChunkScan | None = None


def _size(
    findings: tuple[Finding, ...],
    events: tuple[structure.Event, ...],
    directives: tuple[suppress.Directive, ...] = (),
) -> int:
    return 512 + 400 * len(findings) + 250 * len(events) + 400 * len(directives)


def tokens_of(text: str, entry: ChunkState, budget: Budget | None = None) -> list[Token]:
    """The chunk's tokens (for features that need them, like hover and formalize)."""
    tokens, _ = lex(text, entry.lex, budget)
    return tokens


def analyse_chunk(
    text: str, entry: ChunkState, budget: Budget, formal_scan: bool = True
) -> ChunkResult:
    """Analyse one chunk that starts in ``entry``.  Never raises for any input text.

    ``formal_scan=False`` leaves out what only formalization uses (the theorem-like
    environments of :mod:`texlean.formalize.extract`): ``texlean check`` needs none
    of it, and the findings are the same either way.
    """
    if budget.exhausted is not None:
        return ChunkResult(exit=entry, complete=False, stopped=budget.exhausted)
    try:
        tokens, lex_exit = lex(text, entry.lex, budget)
        budget.spend(len(tokens) // 8 + 1)
        loc = Locator(text)
        s_findings, events, s_exit = structure.analyse(tokens, loc, entry.struct, budget)
        sec_findings, sec_exit = security.analyse(tokens, text, loc, entry.sec, budget, entry.lex)
        directives: tuple[suppress.Directive, ...] = ()
        d_findings: tuple[Finding, ...] = ()
        if suppress.maybe(text):
            directives, d_findings = suppress.collect(tokens, loc, budget)
        first_content = suppress.first_content_line(tokens, loc)
        formal = extract.scan(tokens, text) if formal_scan else None
    except BudgetExceeded as exc:
        return _out_of_budget(entry, exc)
    except RecursionError:
        return _too_deep(entry)
    if lex_exit is entry.lex and s_exit is entry.struct and sec_exit is entry.sec:
        exit_state = entry
    else:
        exit_state = ChunkState(lex_exit, s_exit, sec_exit)
        if exit_state == entry:
            exit_state = entry
    findings = tuple(s_findings + sec_findings) + d_findings
    ev = tuple(events)
    return ChunkResult(
        exit=exit_state,
        findings=findings,
        events=ev,
        size=_size(findings, ev, directives) + (formal.size if formal is not None else 0),
        directives=directives,
        first_content=first_content,
        formal=formal,
    )


def _out_of_budget(entry: ChunkState, exc: BudgetExceeded) -> ChunkResult:
    return ChunkResult(
        exit=entry,
        findings=(
            Finding(
                "SEC900",
                Span(0, 0, 0, 0),
                (("reason", exc.reason), ("reason_key", f"frag-budget-{exc.reason}")),
            ),
        ),
        complete=False,
        stopped=exc.reason,
    )


def _too_deep(entry: ChunkState) -> ChunkResult:
    # a nesting deeper than every bound of the analyses caught it first: this
    # chunk is reported as not followed, the rest of the document still is
    return ChunkResult(
        exit=entry,
        findings=(
            Finding(
                "SEC901",
                Span(0, 0, 0, 0),
                (("what_key", "frag-this-paragraph"), ("reason_key", "frag-nests-deeper")),
            ),
        ),
    )


def analyse_chunk_quick(text: str, entry: ChunkState, budget: Budget) -> ChunkResult:
    """:func:`analyse_chunk` (the server's), with the prefilter's shortcut: a chunk it
    proves clean is only lexed, for the formalization scan (the structure and
    security analyses would find nothing).  The same result, in about half the time
    on ordinary text."""
    clean = clean_result(text, entry, budget)
    if clean is None:
        return analyse_chunk(text, entry, budget)
    if not clean.complete:
        return clean  # the budget ran out
    try:
        tokens, _ = lex(text, entry.lex, budget)
        formal = extract.scan(tokens, text)
    except BudgetExceeded as exc:
        return _out_of_budget(entry, exc)
    except RecursionError:
        return _too_deep(entry)
    return replace(
        clean, formal=formal, size=clean.size + (formal.size if formal is not None else 0)
    )


def analyse_chunk_for_check(text: str, entry: ChunkState, budget: Budget) -> ChunkResult:
    """:func:`analyse_chunk` without the formalization scan (``texlean check``)."""
    return analyse_chunk(text, entry, budget, formal_scan=False)


def clean_result(
    text: str, entry: ChunkState, budget: Budget, names_checked: bool = False
) -> ChunkResult | None:
    """What :func:`analyse_chunk_for_check` returns for ``text`` when :mod:`.prefilter`
    proves the chunk clean (or SEC900 when the budget runs out on it, as the analysis
    would say); None when it cannot (or the shortcut is turned off).
    ``names_checked`` as for :func:`.prefilter.is_clean`."""
    if (
        not prefilter.ENABLED
        or entry.struct.math
        or budget.exhausted is not None
        or not prefilter.is_clean(text, entry.lex, entry.sec, names_checked)
    ):
        return None
    try:
        prefilter.spend(budget, text)
    except BudgetExceeded as exc:
        return _out_of_budget(entry, exc)  # as analyse_chunk says where the budget ran out
    return ChunkResult(
        exit=entry, first_content=prefilter.first_content_line(text, entry.lex, _first_content)
    )


def _first_content(text: str, lex_state: LexState) -> int | None:
    tokens, _ = lex(text, lex_state)
    return suppress.first_content_line(tokens, Locator(text))


@dataclass(frozen=True, slots=True)
class Assembled:
    findings: list[Finding]  # what is reported
    suppressed: list[Finding]  # what suppression comments hide


def assemble(results: Iterable[tuple[int, ChunkResult]]) -> list[Finding]:
    """The findings of a whole document from its chunks' results (start line, result),
    without those its suppression comments hide."""
    return assemble_all(results).findings


def assemble_all(results: Iterable[tuple[int, ChunkResult]]) -> Assembled:
    """The findings of a whole document, and apart those its suppression comments hide."""
    findings: list[Finding] = []
    events: list[structure.Event] = []
    directives: list[suppress.Directive] = []
    waiting: list[int] = []  # disable-next-line directives whose line is in a later chunk
    budget_reported = False
    truncated = False
    for start, result in results:
        truncated = truncated or not result.complete
        if waiting and result.first_content is not None:
            for k in waiting:
                directives[k] = replace(directives[k], target=start + result.first_content)
            waiting = []
        for d in result.directives:
            if len(directives) >= suppress.MAX_DOCUMENT_DIRECTIVES:
                break  # ignored: what it would suppress stays visible
            if d.verb == suppress.DISABLE_NEXT_LINE and d.target is None:
                waiting.append(len(directives))
            directives.append(d.shifted(start))
        for f in result.findings:
            if f.code == "SEC900":
                if budget_reported:
                    continue
                budget_reported = True
            findings.append(f.shifted(start))
        if result.events:
            events.extend(ev.shifted(start) for ev in result.events)
    if events:
        # past an analysis that ran out of budget, what closes an open brace or
        # environment was never read: nothing can be called unclosed
        findings.extend(structure.fold(events, at_end=not truncated))
    findings.sort(key=_order)
    if not directives:
        return Assembled(_cap_structure(findings), [])
    applied = suppress.apply(findings, directives, report_unused=not truncated)
    kept = applied.kept
    if applied.unused:
        kept = sorted(kept + applied.unused, key=_order)
    return Assembled(_cap_structure(kept), applied.suppressed)


def _order(f: Finding) -> tuple[int, int, str]:
    return f.span.line, f.span.col, f.code


def _cap_structure(findings: list[Finding]) -> list[Finding]:
    """The first :data:`structure.MAX_PER_CODE` findings of each structure code.

    Chunks report unclosed math and stray ``\\)`` themselves, so the cap that
    :func:`structure.fold` applies to what it pairs up is applied here to the
    whole document too (20,000 paragraphs with a stray ``$`` give 100).
    """
    counts: dict[str, int] = {}
    out: list[Finding] = []
    for f in findings:
        if f.code.startswith(("STR", "TLX")):  # TLX: suppression comments, as many
            c = counts.get(f.code, 0) + 1
            counts[f.code] = c
            if c > structure.MAX_PER_CODE:
                continue
        out.append(f)
    return out
