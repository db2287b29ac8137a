"""The analysis engine behind every front end: open documents, caches, statistics.

The LSP server and the CLI both drive an :class:`Engine`; it never sees a
protocol type.  Results are cached at two levels: chunk analyses by (content
hash, entry state) and whole-document findings by (uri, version).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from .analysis.findings import Finding
from .analysis.formal import NONE as NO_HAZARDS
from .analysis.formal import FormalStage, without_premature_unused
from .analysis.pipeline import (
    INITIAL,
    ChunkResult,
    ChunkState,
    analyse_chunk_for_check,
    analyse_chunk_quick,
    assemble_all,
)
from .analysis.whole import analyse_document
from .budget import Budget
from .document.cache import SizedCache
from .document.chunked import UpdateStats, analyse_cached
from .document.model import Document

# An entry costs about 500 bytes of RSS (key, digest, result) and typing adds one
# per keystroke, so the entry bound is what keeps a long session's memory flat.
# It follows the open documents: room for every chunk twice (a state change and
# its undo), plus a margin for recent edits and closed documents.
CHUNK_CACHE_ENTRIES = 50_000
CHUNK_CACHE_MARGIN = 2_048
CHUNK_CACHE_BYTES = 24 * 1024 * 1024
RESULT_CACHE_ENTRIES = 64
RESULT_CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Report:
    uri: str
    version: int
    findings: tuple[Finding, ...]  # without the suppressed ones
    complete: bool
    suppressed: tuple[Finding, ...] = ()  # what the document's suppression comments hide
    formal_pending: int = 0  # statements whose formalization hazards are not in yet

    def visible(self, honour_suppressions: bool = True) -> tuple[Finding, ...]:
        """The findings to show: all of them when suppression comments are not honoured."""
        if honour_suppressions or not self.suppressed:
            return self.findings
        return tuple(
            sorted(
                self.findings + self.suppressed,
                key=lambda f: (f.span.line, f.span.col, f.code),
            )
        )


@dataclass
class LastAnalysis:
    uri: str = ""
    version: int = 0
    chunks: int = 0
    reused: int = 0
    reanalysed: int = 0
    cache_hits: int = 0
    seconds: float = 0.0
    from_result_cache: bool = False


@dataclass
class Engine:
    timeout_seconds: float = 1.0
    documents: dict[str, Document] = field(default_factory=dict)
    chunk_cache: SizedCache[ChunkResult] = field(
        default_factory=lambda: SizedCache(CHUNK_CACHE_ENTRIES, CHUNK_CACHE_BYTES, lambda r: r.size)
    )
    result_cache: SizedCache[Report] = field(
        default_factory=lambda: SizedCache(
            RESULT_CACHE_ENTRIES,
            RESULT_CACHE_BYTES,
            lambda r: 256 + 200 * (len(r.findings) + len(r.suppressed)),
        )
    )
    last: LastAnalysis = field(default_factory=LastAnalysis)
    # each open document's last analysis that did the work (a cached lookup repeats it)
    worked: dict[str, LastAnalysis] = field(default_factory=dict)
    # formalization hazards of theorem-like environments (None: not reported)
    formal: FormalStage | None = None
    # False: chunks are analysed without the formalization scan (texlean check has no
    # formal stage; the findings are the same)
    formal_scan: bool = True

    # -- documents --------------------------------------------------------------

    def open(self, uri: str, text: str, version: int, language_id: str = "latex") -> Document:
        doc = Document(uri, text, version, language_id)
        self.documents[uri] = doc
        return doc

    def close(self, uri: str) -> bool:
        self.result_cache.discard(lambda key: isinstance(key, tuple) and key[0] == uri)
        if self.formal is not None:
            self.formal.forget(uri)
        self.worked.pop(uri, None)
        return self.documents.pop(uri, None) is not None

    def get(self, uri: str) -> Document | None:
        return self.documents.get(uri)

    # -- analysis ---------------------------------------------------------------

    def analyse(self, doc: Document) -> Report:
        """The findings of ``doc`` at its current version (cached per version).

        The cache key holds the document's serial and revision besides the
        version: another document object under the same uri and version (a
        second didOpen, a one-shot :meth:`analyse_text`) or an edit that did not
        bump the version (a save that sends the text) never gets a stale report.
        """
        formal = self.formal
        key = (
            doc.uri,
            doc.version,
            doc.serial,
            doc.revision,
            formal.state() if formal is not None else None,
        )
        self.chunk_cache.max_entries = min(
            CHUNK_CACHE_ENTRIES,
            CHUNK_CACHE_MARGIN + 2 * sum(len(d.chunked.chunks) for d in self.documents.values()),
        )
        cached = self.result_cache.get(key)
        if cached is not None:
            # a lookup (a hover, the hazard pass) keeps the figures of the analysis it reuses
            last = self.worked.get(doc.uri)
            if last is not None and last.version == doc.version:
                self.last = dataclasses.replace(last, from_result_cache=True)
            else:
                self.last = LastAnalysis(doc.uri, doc.version, from_result_cache=True)
            return cached
        started = time.perf_counter()
        budget = Budget(seconds=self.timeout_seconds)
        if self.formal_scan:
            stats: UpdateStats = doc.chunked.update(
                doc.lines, analyse_chunk_quick, self.chunk_cache, budget
            )
            results = doc.chunked.results()
        else:
            # texlean check: read once, clean stretches proven clean in groups
            results, stats = self._analyse_whole(doc, budget)
        reported = formal is not None and formal.state()[0]
        pending = 0
        if formal is not None and reported:
            try:
                hazards = formal.hazards(
                    doc.uri, (doc.serial, doc.revision), doc.lines, doc.chunked.chunks
                )
            except Exception as exc:  # the formal stage must never cost the diagnostics
                formal.error = f"{type(exc).__name__}: {exc}"
                hazards = NO_HAZARDS
            pending = hazards.pending
            if hazards.findings:  # through the suppressions like any chunk's findings
                extra = ChunkResult(exit=INITIAL, findings=hazards.findings, first_content=None)
                results = [*results, (0, extra)]
        assembled = assemble_all(results)
        complete = all(r.complete for _, r in results)
        report = Report(
            doc.uri,
            doc.version,
            tuple(without_premature_unused(assembled.findings, reported, pending > 0)),
            complete,
            tuple(assembled.suppressed),
            formal_pending=pending,
        )
        if complete:
            self.result_cache.put(key, report)
        self.last = LastAnalysis(
            uri=doc.uri,
            version=doc.version,
            chunks=stats.chunks,
            reused=stats.reused,
            reanalysed=stats.reanalysed,
            cache_hits=stats.cache_hits,
            seconds=time.perf_counter() - started,
        )
        if doc.uri in self.documents:
            self.worked[doc.uri] = self.last
        return report

    def _analyse_whole(
        self, doc: Document, budget: Budget
    ) -> tuple[list[tuple[int, ChunkResult]], UpdateStats]:
        """The chunk results of a document read once (``texlean check``): see
        :mod:`texlean.analysis.whole`.  Chunks that need the full analysis still go
        through the chunk cache (a preamble shared by many files is analysed once)."""
        stats = UpdateStats()

        def full(text: str, entry: ChunkState, budget: Budget) -> ChunkResult:
            return analyse_cached(
                text, entry, analyse_chunk_for_check, self.chunk_cache, budget, stats
            )

        results, stats.chunks = analyse_document(doc.lines, budget, full)
        stats.reanalysed = stats.chunks - stats.cache_hits
        return results, stats

    def analyse_text(self, text: str, uri: str = "untitled:check") -> Report:
        """One-shot analysis of a text (the CLI's path)."""
        doc = Document(uri, text, 0)
        return self.analyse(doc)

    def status(self) -> dict[str, object]:
        return {
            "documents": [
                {
                    "uri": d.uri,
                    "version": d.version,
                    "lines": len(d.lines),
                    "chunks": len(d.chunked.chunks),
                }
                for d in self.documents.values()
            ],
            "cache": {
                "entries": len(self.chunk_cache),
                "maxEntries": self.chunk_cache.max_entries,
                "approxBytes": self.chunk_cache.approx_bytes,
                "hits": self.chunk_cache.hits,
                "misses": self.chunk_cache.misses,
                "documentResults": len(self.result_cache),
            },
            "lastAnalysis": {
                "uri": self.last.uri,
                "version": self.last.version,
                "chunks": self.last.chunks,
                "reused": self.last.reused,
                "reanalysed": self.last.reanalysed,
                "cacheHits": self.last.cache_hits,
                "milliseconds": round(self.last.seconds * 1000, 3),
                "fromResultCache": self.last.from_result_cache,
            },
            **({"formalize": self.formal.status()} if self.formal is not None else {}),
        }
