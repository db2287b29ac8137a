"""Formalization hazards of theorem-like environments: the engine's formal stage.

Each chunk's analysis (:mod:`.pipeline`) already holds what the formalizer needs
from it, context-free: its :class:`~texlean.formalize.extract.ChunkScan`.  This
stage puts the document together around them and maps each statement's
:class:`~texlean.formalize.api.Translation` hazards (offsets into the LaTeX that
was translated) to findings (FRM001–FRM009) at document positions.

Cost is what keeps this usable on a 1.8 MB document:

- what a chunk's scan yields under a document context (its statements, their
  translation keys, their findings) is memoized on the scan itself, so an
  unchanged chunk costs one lookup per analysis;
- translations are cached by what they depend on (declaration kind, name, the
  body, the macros and functions it uses, the vocabulary): an edit elsewhere
  costs nothing, a macro edit re-translates only the statements that use it;
- with ``deferred`` (the server), :meth:`FormalStage.hazards` never translates:
  it reports what is cached and how much is pending, and the server calls
  :meth:`FormalStage.advance` in slices after the first publish (the CLI
  translates at once).

Nothing here knows about LSP; positions are code points.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..document.cache import SizedCache
from ..formalize import api
from ..formalize.extract import (
    ChunkScan,
    Declarations,
    Extracted,
    Part,
    Statement,
    across,
    build,
    context_key,
    declarations,
    kind_of,
    relevant,
    statements_in,
)
from .findings import Finding, Severity
from .rules import catalog
from .suppress import EVERY_RULE, UNUSED

if TYPE_CHECKING:
    from ..document.chunked import Chunk

MAX_TRANSLATIONS = 8192
# the translations kept: room for every open statement twice (an edit and its undo)
# plus a margin, so that typing in a statement does not grow memory without bound
TRANSLATION_MARGIN = 256
TRANSLATION_BYTES = 16 * 1024 * 1024
MAX_HAZARDS = 50  # hazard findings reported per document (formalize.maxHazards)
FRM_PREFIX = "FRM"

Key = tuple[Any, ...]


def translate(statement: Statement, context: api.Context) -> api.Translation:
    """The translator's answer for a statement; an honest failed hole should it raise."""
    try:
        return api.formalize_statement(
            statement.body, name=statement.name, kind=statement.kind, context=context
        )
    except Exception:  # the translator's bug must not take the analysis with it
        text = statement.informal
        hole = api.hole(text)
        return api.Translation(
            name=statement.name,
            lean=f"theorem {statement.name} : {hole} := by sorry",
            status="failed",
            untranslated=(text,),
            statement=f": {hole}",
        )


def translation_key(statement: Statement, context: api.Context) -> Key:
    return (statement.kind, statement.name, statement.body, context_key(context))


def hazard_findings(statement: Statement, translation: api.Translation) -> tuple[Finding, ...]:
    """The translation's hazards as findings at the statement's positions (a hazard of
    the whole statement is reported at its ``\\begin{…}``)."""
    out = []
    for h in translation.hazards:
        if not isinstance(h.code, str) or not h.code.startswith(FRM_PREFIX):
            continue
        start = h.start if isinstance(h.start, int) else None
        end = h.end if isinstance(h.end, int) else None
        params = tuple((str(k), str(v)) for k, v in h.params)
        out.append(Finding(h.code, statement.span_of(start, end), params))
    return tuple(out)


@dataclass(slots=True)
class Work:
    """A statement and what its translation depends on."""

    statement: Statement  # chunk-relative in a memo, absolute for spanning ones
    context: api.Context
    key: Key
    edited: int = 0  # > 0: translated after the document had settled (an edit), in order


def _information(f: Finding) -> bool:
    """Whether a hazard is reported at information level or above by default (the rest,
    FRM009's partial translations, are hints)."""
    rule = catalog().get(f.code)
    return rule is None or rule.severity("restricted", "any").rank >= Severity.INFORMATION.rank


@dataclass(slots=True)
class _Memo:
    """What one chunk's scan yields under one document context."""

    work: list[Work]
    results: list[tuple[Finding, ...] | None]  # per work, chunk-relative; None: pending
    pending: list[int] = field(default_factory=list)  # indices into work
    edited: int = 0  # the latest of its works' ``edited``
    # the findings (chunk-relative) split into information and hints; None: to make again
    split: tuple[list[Finding], list[Finding]] | None = None

    def relative(self) -> tuple[list[Finding], list[Finding]]:
        if self.split is None:
            found = [f for r in self.results if r for f in r]
            self.split = (
                [f for f in found if _information(f)],
                [f for f in found if not _information(f)],
            )
        return self.split


@dataclass(frozen=True, slots=True)
class Hazards:
    findings: tuple[Finding, ...] = ()  # absolute positions, at most max_hazards
    pending: int = 0  # statements whose translation is not there yet
    statements: int = 0
    left_out: int = 0  # hazards not reported (past max_hazards)


NONE = Hazards()


@dataclass
class _DocState:
    stamp: Any = None
    declaring: tuple[int, ...] = ()  # ids of the scans that declare something
    declaring_refs: tuple[Any, ...] = ()  # ... kept alive, so the ids stay theirs
    declarations: Declarations | None = None
    vocabulary: tuple[tuple[str, str], ...] = ()
    statements: int = 0  # in the document at the last walk
    context_id: int = -1
    context: api.Context = api.EMPTY_CONTEXT
    pending: deque[Work] = field(default_factory=deque)
    settled: bool = False  # every statement was translated once: later work is an edit
    extracted: tuple[Any, Extracted] | None = None
    # per block of BLOCK consecutive chunks, keyed by the ids of its chunk results
    scans: dict[tuple[int, ...], _BlockScans] = field(default_factory=dict)
    memos: dict[tuple[int, ...], _BlockMemos] = field(default_factory=dict)


# Blocks of chunks end where a chunk result's id says so (about one in BLOCK, at most
# MAX_BLOCK chunks): boundaries move with the chunks, so a keystroke that adds or
# removes a chunk changes one block, not the alignment of every later one.
BLOCK = 64
MAX_BLOCK = 4 * BLOCK


def _boundaries(ids: Sequence[int]) -> list[int]:
    """Where the blocks of chunks begin (content-defined: by the results' ids)."""
    n = len(ids)
    cuts = [k + 1 for k, i in enumerate(ids) if not (((i >> 4) * 2654435761) >> 16) % BLOCK]
    starts = [0]
    for cut in cuts:
        while cut - starts[-1] > MAX_BLOCK:
            starts.append(starts[-1] + MAX_BLOCK)
        if cut < n:
            starts.append(cut)
    while n - starts[-1] > MAX_BLOCK:
        starts.append(starts[-1] + MAX_BLOCK)
    return starts


@dataclass(slots=True)
class _BlockScans:
    """What a block of chunks holds for the formal stage (independent of the context)."""

    refs: tuple[Any, ...]  # the chunk results, kept alive so that their ids stay theirs
    declaring: list[ChunkScan]
    spanning: list[ChunkScan]
    statements: list[int]  # positions in the block of chunks with whole statements


@dataclass(slots=True)
class _BlockMemos:
    """A block's statements under one context: counts, pending work, hazards."""

    context_id: int
    revision: int  # the translations it saw (it is made again if it had pending work)
    count: int
    total: int
    pending: list[Work]
    edited: list[tuple[_Memo, int]]  # (memo, position in the block)
    plain: list[tuple[_Memo, int]]


class FormalStage:
    """Hazard findings for a document's theorem-like environments, cached.

    At most ``max_hazards()`` findings per document are reported (the hover shows
    every hazard of a statement): those of the statements edited last first, then
    information before hints, each in document order.  A document of a thousand
    statements would otherwise bury its other findings (and cost every keystroke the
    publishing of thousands of diagnostics).
    """

    def __init__(
        self,
        enabled: Callable[[], bool] = lambda: True,
        vocabulary: Callable[[], Mapping[str, str]] = dict,
        deferred: bool = True,
        max_translations: int = MAX_TRANSLATIONS,
        max_hazards: Callable[[], int] = lambda: MAX_HAZARDS,
    ) -> None:
        self.enabled = enabled
        self.vocabulary = vocabulary
        self.deferred = deferred
        self.max_hazards = max_hazards
        self.max_translations = max_translations
        self.translations: SizedCache[api.Translation] = SizedCache(
            min(max_translations, TRANSLATION_MARGIN), TRANSLATION_BYTES, _translation_size
        )
        self.revision = 0  # bumped whenever translations are added
        self.translated = 0  # translator calls
        self.seconds = 0.0  # spent in the translator
        self._contexts: dict[Any, int] = {}  # interned document contexts
        self._ids = itertools.count(1)
        self._edits = itertools.count(1)
        self._docs: dict[str, _DocState] = {}
        self._token = object()  # this stage's part of a memo key
        self.error: str | None = None  # the last failure of the stage itself (a bug)

    # -- bookkeeping ----------------------------------------------------------------

    def state(self) -> tuple[bool, int, int]:
        """What a cached report depends on besides the text."""
        return bool(self.enabled()), self.revision, self.max_hazards()

    def forget(self, uri: str) -> None:
        self._docs.pop(uri, None)
        self._bound()

    def _bound(self) -> None:
        statements = sum(st.statements for st in self._docs.values())
        self.translations.max_entries = min(
            self.max_translations, TRANSLATION_MARGIN + 2 * statements
        )

    def pending(self, uri: str) -> int:
        st = self._docs.get(uri)
        return len(st.pending) if st is not None else 0

    def status(self) -> dict[str, Any]:
        return {
            "enabled": bool(self.enabled()),
            "translations": len(self.translations),
            "maxTranslations": self.translations.max_entries,
            "translatorCalls": self.translated,
            "translatorMilliseconds": round(self.seconds * 1000, 3),
            "pending": {uri: len(st.pending) for uri, st in self._docs.items() if st.pending},
            "error": self.error,
        }

    # -- the document context -------------------------------------------------------

    def _context(self, uri: str, scans: Sequence[ChunkScan]) -> _DocState:
        """The document's state, its context from the scans that declare something."""
        st = self._docs.get(uri)
        if st is None:
            st = self._docs[uri] = _DocState()
        ids = tuple(map(id, scans))
        vocabulary = tuple(sorted(self.vocabulary().items()))
        if ids == st.declaring and vocabulary == st.vocabulary and st.declarations is not None:
            return st
        decls = declarations(scans)
        value = (decls.key(), vocabulary)
        context_id = self._contexts.get(value)
        if context_id is None:
            if len(self._contexts) > 256:
                self._contexts.clear()
            context_id = self._contexts[value] = next(self._ids)
        st.declaring, st.declaring_refs = ids, tuple(scans)
        st.vocabulary = vocabulary
        st.declarations = decls
        if context_id != st.context_id:
            st.context_id = context_id
            st.context = decls.context(dict(vocabulary))
            st.extracted = None
        return st

    def _declaring(self, chunks: Sequence[Chunk[Any, Any]]) -> list[ChunkScan]:
        return [
            r.formal
            for c in chunks
            if (r := c.result) is not None and r.formal is not None and r.formal.declares
        ]

    # -- per chunk ------------------------------------------------------------------

    def _memo(self, st: _DocState, chunk: Chunk[Any, Any], lines: Sequence[str]) -> _Memo:
        scan = chunk.result.formal if chunk.result is not None else None
        assert scan is not None
        key = (self._token, st.context_id)
        memo: _Memo | None = scan.memo.get(key)
        if memo is None:
            assert st.declarations is not None
            text = "".join(lines[chunk.start : chunk.end])
            work = []
            for s in statements_in(scan, text, st.declarations.kinds):
                ctx = relevant(st.context, s.body)
                work.append(Work(s, ctx, translation_key(s, ctx)))
            memo = _Memo(work, [None] * len(work), pending=list(range(len(work))))
            scan.memo.clear()  # one context at a time
            scan.memo[key] = memo
        if memo.pending:
            still = []
            for k in memo.pending:
                w = memo.work[k]
                tr = self.translations.get(w.key)
                if tr is None:
                    still.append(k)
                    continue
                memo.results[k] = hazard_findings(w.statement, tr)
                memo.edited = max(memo.edited, w.edited)
                memo.split = None  # the findings are sorted again
            memo.pending = still
        return memo

    def hazards(
        self, uri: str, stamp: Any, lines: Sequence[str], chunks: Sequence[Chunk[Any, Any]]
    ) -> Hazards:
        """The hazard findings of a document's statements whose translation is cached
        (all of them, translated now, unless ``deferred``)."""
        if not self.enabled():
            return NONE
        found = self._walk(uri, stamp, lines, chunks)
        if found.pending and not self.deferred:
            self.advance(uri, None)
            found = self._walk(uri, stamp, lines, chunks)
        return found

    def _walk(
        self, uri: str, stamp: Any, lines: Sequence[str], chunks: Sequence[Chunk[Any, Any]]
    ) -> Hazards:
        # The chunks go in blocks of BLOCK, each looked up by the ids of its results: a
        # keystroke changes one result, so one block is walked again and the others
        # cost a lookup (a walk over every statement would cost every keystroke).
        st = self._docs.get(uri)
        if st is None:
            st = self._docs[uri] = _DocState()
        results = [c.result for c in chunks]
        ids = tuple(map(id, results))
        blocks: list[tuple[int, tuple[int, ...], _BlockScans]] = []
        declaring: list[ChunkScan] = []
        spanning: list[ChunkScan] = []
        scans_seen: dict[tuple[int, ...], _BlockScans] = {}
        starts = _boundaries(ids)
        for a, b in zip(starts, [*starts[1:], len(ids)], strict=True):
            bkey = ids[a:b]
            scans = st.scans.get(bkey) or self._block_scans(results[a:b])
            scans_seen[bkey] = scans
            blocks.append((a, bkey, scans))
            declaring.extend(scans.declaring)
            spanning.extend(scans.spanning)
        st.scans = scans_seen  # only the blocks of this version are kept
        st = self._context(uri, declaring)
        st.stamp = stamp
        kinds = st.declarations.kinds if st.declarations is not None else {}
        # only the findings reported (at most max_hazards) are moved to absolute
        # positions: a keystroke costs a walk over the chunks, not over every hazard
        edited: list[tuple[_Memo, int]] = []
        plain: list[tuple[int, _BlockMemos]] = []  # (first chunk, block), in order
        information: list[Finding] = []  # of statements spanning chunks (absolute)
        hints: list[Finding] = []
        pending: deque[Work] = deque()
        count = 0
        total = 0
        memos_seen: dict[tuple[int, ...], _BlockMemos] = {}
        for a, bkey, scans in blocks:
            if not scans.statements:
                continue
            memos = st.memos.get(bkey)
            if (
                memos is None
                or memos.context_id != st.context_id
                or (memos.pending and memos.revision != self.revision)
            ):
                memos = self._block_memos(st, chunks, a, scans, lines)
            memos_seen[bkey] = memos
            count += memos.count
            total += memos.total
            pending.extend(memos.pending)
            edited.extend((m, chunks[a + k].start) for m, k in memos.edited)
            if memos.plain:
                plain.append((a, memos))
        st.memos = memos_seen
        if any(_spans_theorem(scan, kinds) for scan in spanning):
            parts = [Part(c.start, c.end, c.result.formal if c.result else None) for c in chunks]
            for s in across(parts, lines, kinds)[0]:
                ctx = relevant(st.context, s.body)
                w = Work(s, ctx, translation_key(s, ctx))
                count += 1
                tr = self.translations.get(w.key)
                if tr is None:
                    pending.append(w)
                else:
                    for f in hazard_findings(s, tr):
                        (information if _information(f) else hints).append(f)
                        total += 1
        st.pending = pending
        if count != st.statements:
            st.statements = count
            self._bound()
        if not pending:
            st.settled = True
        limit = max(0, self.max_hazards())
        chosen: list[Finding] = []

        def take(found: Sequence[Finding], start: int = 0) -> None:
            room = limit - len(chosen)
            if room > 0 and found:
                chosen.extend(f.shifted(start) if start else f for f in found[:room])

        for memo, start in sorted(edited, key=lambda e: -e[0].edited):
            take(memo.relative()[0], start)
            take(memo.relative()[1], start)
        for which, spanning_found in ((0, information), (1, hints)):
            for a, memos in plain:
                if len(chosen) >= limit:
                    break
                for memo, k in memos.plain:
                    if len(chosen) >= limit:
                        break
                    take(memo.relative()[which], chunks[a + k].start)
            take(spanning_found)
        return Hazards(tuple(chosen), len(pending), count, left_out=max(0, total - len(chosen)))

    @staticmethod
    def _block_scans(results: Sequence[Any]) -> _BlockScans:
        declaring: list[ChunkScan] = []
        spanning: list[ChunkScan] = []
        statements: list[int] = []
        for k, r in enumerate(results):
            scan = r.formal if r is not None else None
            if scan is None:
                continue
            if scan.closed:
                statements.append(k)
            if scan.declares:
                declaring.append(scan)
            if scan.closes or scan.open_marks:
                spanning.append(scan)
        return _BlockScans(tuple(results), declaring, spanning, statements)

    def _block_memos(
        self,
        st: _DocState,
        chunks: Sequence[Chunk[Any, Any]],
        a: int,
        scans: _BlockScans,
        lines: Sequence[str],
    ) -> _BlockMemos:
        out = _BlockMemos(st.context_id, self.revision, 0, 0, [], [], [])
        key = (self._token, st.context_id)
        for k in scans.statements:
            c = chunks[a + k]
            assert c.result is not None and c.result.formal is not None  # a statement's
            memo = c.result.formal.memo.get(key)
            if memo is None or memo.pending:
                memo = self._memo(st, c, lines)
            if not memo.work:
                continue
            out.count += len(memo.work)
            info, hint = memo.relative()
            if info or hint:
                out.total += len(info) + len(hint)
                (out.edited if memo.edited else out.plain).append((memo, k))
            if memo.pending:
                out.pending.extend(memo.work[j] for j in memo.pending)
        return out

    # -- translating ----------------------------------------------------------------

    def _translate(self, work: Work) -> api.Translation:
        started = time.perf_counter()
        tr = translate(work.statement, work.context)
        self.seconds += time.perf_counter() - started
        self.translated += 1
        self.translations.put(work.key, tr)
        return tr

    def advance(self, uri: str, seconds: float | None) -> int:
        """Translate the document's pending statements for about ``seconds`` (all of
        them with None); the number still pending."""
        st = self._docs.get(uri)
        if st is None:
            return 0
        deadline = None if seconds is None else time.perf_counter() + seconds
        done = 0
        while st.pending:
            work = st.pending.popleft()
            if self.translations.get(work.key) is not None:
                continue
            if st.settled:
                work.edited = next(self._edits)
            self._translate(work)
            done += 1
            if deadline is not None and time.perf_counter() >= deadline:
                break
        if done:
            self.revision += 1
        return len(st.pending)

    def translation(self, statement: Statement, context: api.Context) -> api.Translation:
        """The translation of a statement (cached; translated now when it is not)."""
        ctx = relevant(context, statement.body)
        key = translation_key(statement, ctx)
        tr = self.translations.get(key)
        if tr is None:
            tr = self._translate(Work(statement, ctx, key))
            self.revision += 1
        return tr

    # -- the whole document (hover, code actions) ----------------------------------

    def extracted(
        self, uri: str, stamp: Any, lines: Sequence[str], chunks: Sequence[Chunk[Any, Any]]
    ) -> Extracted:
        """The document's statements at absolute positions, names unique (cached per
        text and context)."""
        st = self._context(uri, self._declaring(chunks))
        if st.extracted is not None and st.extracted[0] == (stamp, st.context_id):
            return st.extracted[1]
        parts = [Part(c.start, c.end, c.result.formal if c.result else None) for c in chunks]
        by_start = {c.start: c for c in chunks}

        def local(part: Part, kinds: Mapping[str, str]) -> list[Statement]:
            return [w.statement for w in self._memo(st, by_start[part.start], lines).work]

        found = build(parts, lines, dict(st.vocabulary), local)
        st.extracted = ((stamp, st.context_id), found)
        return found


def _translation_size(tr: api.Translation) -> int:
    """Approximate bytes of a cached translation."""
    return 600 + 2 * (len(tr.lean) + len(tr.statement)) + 100 * len(tr.untranslated)


def _spans_theorem(scan: Any, kinds: Mapping[str, str]) -> bool:
    """Whether a scan opens or closes a theorem-like environment beyond its chunk."""
    return any(kind_of(m.name, kinds) is not None for m in scan.open_marks) or any(
        kind_of(name, kinds) is not None for name, _, _ in scan.closes
    )


def without_premature_unused(
    findings: Sequence[Finding], reported: bool, pending: bool
) -> list[Finding]:
    """The findings without the unused-suppression reports (TLX003) that hazards not
    computed would make wrong: those of an FRM code when hazards are not reported
    (``reported`` false) or some are pending, those of every rule while some are
    pending (they come back once the hazards are in, if still unused)."""
    out = []
    for f in findings:
        if f.code == UNUSED:
            what = f.param("what")
            if what.startswith(FRM_PREFIX) and (pending or not reported):
                continue
            if f.param("what_key") == EVERY_RULE and pending:
                continue
        out.append(f)
    return out
