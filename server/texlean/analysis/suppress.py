"""Suppression comments: ``% texlean: disable-next-line SEC101`` and its kin.

A comment whose text starts with ``texlean:`` is a directive:

- ``disable-next-line CODE …``: the findings that start on the next line that
  is not a comment line (a line holding only a comment);
- ``disable-line CODE …``: the findings that start on the comment's own line;
- ``disable CODE …`` … ``enable CODE …``: a region, from the comment's
  position to the ``enable`` (or the end of the document).

Codes are rule codes or names (:func:`rules.resolve_code`), separated by
commas or spaces (the first :data:`MAX_CODES` are read); no codes means every
rule; text after `` -- `` is a reason for the reader.  A name that is no rule is reported (TLX001), and so is a
``texlean:`` comment that is no directive (TLX002) and, once the whole document
is known, a suppression that suppresses nothing (TLX003).  SEC900 (the
analysis stopped early) is never suppressed.

Directives are found per chunk (:func:`collect`, on the chunk's COMMENT tokens,
chunk-relative positions; at most :data:`MAX_DIRECTIVES` per chunk and
:data:`MAX_DOCUMENT_DIRECTIVES` per document are used) and applied to the whole document by :func:`apply`,
after :mod:`.pipeline` shifted them to absolute lines: a region may span
chunks, and a ``disable-next-line`` at the end of a chunk reaches into the
next one (:attr:`Directive.target` is then resolved by the pipeline from the
next chunk's first non-comment line).  Everything here is pure.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ..budget import Budget
from ..tex.tokens import COMMENT, EOL, PAR, TEXT, Token
from .findings import Finding, Span
from .locate import Locator
from .rules import catalog

DISABLE = "disable"
ENABLE = "enable"
DISABLE_LINE = "disable-line"
DISABLE_NEXT_LINE = "disable-next-line"
VERBS = (DISABLE_NEXT_LINE, DISABLE_LINE, DISABLE, ENABLE)

UNKNOWN = "TLX001"
MALFORMED = "TLX002"
UNUSED = "TLX003"
NEVER_SUPPRESSED = frozenset({"SEC900", UNUSED})
# what an unused suppression of every rule suppresses (the message, messages.toml)
EVERY_RULE = "frag-every-rule"

_PREFIX = re.compile(r"[%\s]*texlean\s*:[ \t]*", re.IGNORECASE)
_VERB = re.compile(r"[A-Za-z][A-Za-z-]*")
_REASON = re.compile(r"(?:^|\s)--")
_ITEM = re.compile(r"[^\s,]+")

# Bounds for hostile documents.  A directive past them is ignored, so what it
# would suppress stays visible: a flood of comments cannot hide more.
MAX_CODES = 64  # codes read from one directive; the rest of a longer list is ignored
MAX_FINDINGS = 100  # TLX001/TLX002 findings per chunk
MAX_DIRECTIVES = 200  # directives per chunk
MAX_DOCUMENT_DIRECTIVES = 2_000  # directives per document (applied on every analysis)


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    """Rule code by upper-cased code and by name, in one table."""
    table = {r.name: r.code for r in catalog().values()}
    table.update((code, code) for code in catalog())
    return table


def resolve_code(code_or_name: str) -> str | None:
    """A rule code from its code or its name (as :func:`rules.resolve_code`, in O(1))."""
    table = _codes()
    return table.get(code_or_name.upper()) or table.get(code_or_name)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A directive as written in a comment's text (offsets into that text)."""

    verb: str  # as written, lower-cased; one of VERBS when valid
    verb_offset: int
    items: tuple[tuple[int, str], ...]  # (offset, code or name as written)

    @property
    def valid(self) -> bool:
        return self.verb in VERBS


def maybe(text: str) -> bool:
    """A quick test on a chunk's text: could any comment in it hold a directive?"""
    return "texlean" in text.lower()


def parse(comment: str) -> Parsed | None:
    """The directive in a comment's text (what follows ``%``), or None for an ordinary comment."""
    m = _PREFIX.match(comment)
    if m is None:
        return None
    verb_match = _VERB.match(comment, m.end())
    if verb_match is None:
        return Parsed("", m.end(), ())
    rest_start = verb_match.end()
    rest = comment[rest_start:]
    if rest and not rest[0].isspace() and rest[0] != ",":
        # "disable-next-lineSEC101": the verb runs into something else
        end = rest_start + len(rest.split(None, 1)[0])
        return Parsed(comment[m.end() : end].lower(), m.end(), ())
    reason = _REASON.search(rest)
    if reason is not None:
        rest = rest[: reason.start()]
    found = itertools.islice(_ITEM.finditer(rest), MAX_CODES)
    items = tuple((rest_start + i.start(), i.group()) for i in found)
    return Parsed(verb_match.group().lower(), m.end(), items)


@dataclass(frozen=True, slots=True)
class Directive:
    """A suppression directive at a place in the document.

    ``codes`` is None for every rule; ``spans`` gives where each code is
    written (for reports that point at one code).  ``target`` is the line a
    line directive applies to: its own line for ``disable-line``, the next
    line that is not a comment line for ``disable-next-line`` (None while that
    line is past the end of the chunk).
    """

    verb: str
    span: Span  # the whole comment
    codes: tuple[str, ...] | None
    spans: tuple[Span, ...] = ()
    target: int | None = None

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def position(self) -> tuple[int, int]:
        return self.span.line, self.span.col

    def shifted(self, lines: int) -> Directive:
        if not lines:
            return self
        return Directive(  # not dataclasses.replace: assemble shifts every directive
            self.verb,
            self.span.shifted(lines),
            self.codes,
            tuple(s.shifted(lines) for s in self.spans) if self.spans else (),
            None if self.target is None else self.target + lines,
        )


# -- per chunk ---------------------------------------------------------------------


def _is_blank_text(tok: Token) -> bool:
    return tok[0] == TEXT and not tok[3].strip()


def _line_of(tok: Token, loc: Locator) -> int:
    """The line a token that ends the run of comment lines stands for.

    A PAR token starts at the end of line of the line before the blank ones
    (unless nothing precedes it on its line): the blank line is the next one.
    """
    line, col = loc.position(tok[1])
    if tok[0] == PAR and loc.text[tok[1] - col : tok[1]].strip():
        return line + 1
    return line


def first_content_line(tokens: Sequence[Token], loc: Locator) -> int | None:
    """The chunk's first line that is not a comment line, or None when every line is one.

    A ``disable-next-line`` on the chunk's last line applies there.
    """
    for tok in tokens:
        kind = tok[0]
        if kind in (COMMENT, EOL) or _is_blank_text(tok):
            continue
        return _line_of(tok, loc)
    return None


def _code_span(tok: Token, loc: Locator, offset: int, length: int) -> Span:
    """Where ``length`` characters at ``offset`` of a comment's value are in the source.

    The value is decoded (``^^`` notation); when it is not the source text as
    written, the whole comment is the best place there is.
    """
    start, end = tok[1], tok[2]
    if loc.text[start + 1 : end] == tok[3]:
        return loc.span(start + 1 + offset, start + 1 + offset + length)
    return loc.span(start, end)


def collect(
    tokens: Sequence[Token], loc: Locator, budget: Budget | None = None
) -> tuple[tuple[Directive, ...], tuple[Finding, ...]]:
    """The directives in a chunk's comments and the findings about them (TLX001, TLX002).

    Each directive is paid for in ``budget`` (which raises when it runs out)."""
    directives: list[Directive] = []
    findings: list[Finding] = []
    next_line_at: list[tuple[int, int]] = []  # (token index, directive index)
    for i, tok in enumerate(tokens):
        if tok[0] != COMMENT or "texlean" not in tok[3].lower():
            continue
        parsed = parse(tok[3])
        if parsed is None:
            continue
        if budget is not None:
            budget.spend(1 + len(parsed.items))
        span = loc.span(tok[1], tok[2])
        if not parsed.valid:
            where = _code_span(tok, loc, parsed.verb_offset, max(1, len(parsed.verb)))
            findings.append(Finding(MALFORMED, where, (("directive", parsed.verb),)))
            continue
        codes: list[str] = []
        spans: list[Span] = []
        for offset, item in parsed.items:
            where = _code_span(tok, loc, offset, len(item))
            code = resolve_code(item)
            if code is None:
                findings.append(Finding(UNKNOWN, where, (("name", item),)))
                continue
            if code not in codes:
                codes.append(code)
                spans.append(where)
        if parsed.items and not codes:
            continue  # only unknown codes: it suppresses nothing (TLX001 says why)
        if len(directives) >= MAX_DIRECTIVES:
            continue
        directive = Directive(
            verb=parsed.verb,
            span=span,
            codes=None if not parsed.items else tuple(codes),  # None: every rule
            spans=tuple(spans),
            target=span.line if parsed.verb == DISABLE_LINE else None,
        )
        if parsed.verb == DISABLE_NEXT_LINE:
            next_line_at.append((i, len(directives)))
        directives.append(directive)
    if next_line_at:
        _resolve_next_lines(tokens, loc, directives, next_line_at)
    return tuple(directives), tuple(findings[:MAX_FINDINGS])


def _resolve_next_lines(
    tokens: Sequence[Token],
    loc: Locator,
    directives: list[Directive],
    at: list[tuple[int, int]],
) -> None:
    """Set the target of each ``disable-next-line``: one backward pass over the tokens
    (linear however many directives follow each other)."""
    pending = dict(at)  # token index -> directive index
    following: int | None = None  # the next non-comment line after the current token
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i]
        kind = tok[0]
        if kind == COMMENT:
            k = pending.get(i)
            if k is not None and following is not None:
                directives[k] = replace(directives[k], target=following)
        elif kind != EOL and not _is_blank_text(tok):
            following = _line_of(tok, loc)


# -- per document ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Applied:
    kept: list[Finding]
    suppressed: list[Finding]
    unused: list[Finding]  # TLX003 findings


class _Uses:
    """Which (directive, code) pairs suppressed something; code None stands for 'every rule'."""

    def __init__(self) -> None:
        self.used: set[tuple[int, str | None]] = set()

    def mark(self, index: int, code: str | None) -> None:
        self.used.add((index, code))


def apply(
    findings: Sequence[Finding], directives: Sequence[Directive], report_unused: bool = True
) -> Applied:
    """Split a document's findings (sorted by position) by its directives (absolute lines).

    With ``report_unused`` a directive (or a code of one) that suppressed
    nothing is reported as TLX003; leave it off when the analysis did not read
    the whole document.
    """
    if not directives:
        return Applied(list(findings), [], [])
    ordered = sorted(range(len(directives)), key=lambda k: directives[k].position)
    regions = [k for k in ordered if directives[k].verb in (DISABLE, ENABLE)]
    by_line: dict[int, list[int]] = {}
    for k in ordered:
        d = directives[k]
        if d.verb in (DISABLE_LINE, DISABLE_NEXT_LINE) and d.target is not None:
            by_line.setdefault(d.target, []).append(k)

    uses = _Uses()
    # the region state: who disabled every rule (and the exceptions), who disabled each code
    all_by: int | None = None
    excepted: set[str] = set()
    code_by: dict[str, int] = {}
    r = 0
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for f in findings:
        position = (f.span.line, f.span.col)
        while r < len(regions) and directives[regions[r]].position <= position:
            k = regions[r]
            d = directives[k]
            if d.verb == DISABLE:
                if d.codes is None:
                    all_by, excepted = k, set()
                else:
                    for code in d.codes:
                        code_by[code] = k
                        excepted.discard(code)
            elif d.codes is None:
                all_by, excepted, code_by = None, set(), {}
            else:
                for code in d.codes:
                    code_by.pop(code, None)
                    if all_by is not None:
                        excepted.add(code)
            r += 1
        if f.code in NEVER_SUPPRESSED:
            kept.append(f)
            continue
        hit = False
        if all_by is not None and f.code not in excepted:
            uses.mark(all_by, None)
            hit = True
        k_code = code_by.get(f.code)
        if k_code is not None:
            uses.mark(k_code, f.code)
            hit = True
        for k in by_line.get(f.span.line, ()):
            codes = directives[k].codes
            if codes is None:
                uses.mark(k, None)
                hit = True
            elif f.code in codes:
                uses.mark(k, f.code)
                hit = True
        (suppressed if hit else kept).append(f)

    unused: list[Finding] = []
    if report_unused:
        for k in ordered:
            d = directives[k]
            if d.verb == ENABLE:
                continue
            if d.codes is None:
                if (k, None) not in uses.used:
                    unused.append(Finding(UNUSED, d.span, (("what_key", EVERY_RULE),)))
                continue
            for code, span in zip(d.codes, d.spans, strict=True):
                if (k, code) not in uses.used:
                    unused.append(Finding(UNUSED, span, (("what", code),)))
    return Applied(kept, suppressed, unused)
