"""Incremental analysis of a chunked document.

:class:`ChunkedDocument` keeps, for every chunk, its line range, the state it
was analysed in and the result.  An edit marks the chunks it touched dirty and
shifts the ones after it.  :meth:`ChunkedDocument.update` re-chunks the dirty
regions, analyses a chunk only when its text or its entry state changed (a
bounded cache answers for text it has seen before in that state), and stops
as soon as a chunk's entry state agrees with the one it was analysed in: from
there on nothing can differ.

The engine is generic: the state type, the result type and the analysis
function come from :mod:`texlean.analysis.pipeline`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from ..budget import Budget
from .cache import SizedCache, content_hash
from .chunks import chunk_end
from .lines import LineEdit


class ResultLike(Protocol):
    @property
    def exit(self) -> Hashable: ...

    @property
    def complete(self) -> bool: ...


S = TypeVar("S", bound=Hashable)
R = TypeVar("R", bound=ResultLike)


@dataclass(slots=True, eq=False)
class Chunk(Generic[S, R]):
    start: int
    end: int
    dirty: bool = False  # boundaries must be recomputed
    entry: S | None = None
    result: R | None = None


@dataclass(slots=True)
class UpdateStats:
    chunks: int = 0
    reused: int = 0
    reanalysed: int = 0
    cache_hits: int = 0


def _start(chunk: Chunk[S, R]) -> int:
    return chunk.start


class ChunkedDocument(Generic[S, R]):
    def __init__(self, initial: S, n_lines: int) -> None:
        self.initial = initial
        self.chunks: list[Chunk[S, R]] = []
        self._dirty: set[int] = set()  # ids of chunks whose boundaries must be recomputed
        self._incomplete: set[int] = set()  # ids of chunks whose analysis ran out of budget
        self._first_dirty: int | None = 0
        self.reset(n_lines)

    # -- edits ------------------------------------------------------------------

    def reset(self, n_lines: int) -> None:
        self.chunks = [Chunk(0, n_lines, dirty=True)]
        self._dirty = {id(self.chunks[0])}
        self._incomplete = set()
        self._first_dirty = 0

    def _forget(self, removed: Sequence[Chunk[S, R]]) -> None:
        for c in removed:
            self._dirty.discard(id(c))
            self._incomplete.discard(id(c))

    def edit(self, e: LineEdit) -> None:
        """Record that lines ``[e.start, e.old_end)`` became ``[e.start, e.new_end)``."""
        chunks = self.chunks
        i = max(0, bisect_right(chunks, e.start, key=_start) - 1)
        if i > 0 and chunks[i].start == e.start:
            i -= 1  # the boundary before the edit may move
        last = max(e.start, e.old_end - 1)
        j = max(i, bisect_right(chunks, last, key=_start) - 1)
        merged: Chunk[S, R] = Chunk(chunks[i].start, chunks[j].end + e.delta, dirty=True)
        self._forget(chunks[i : j + 1])
        chunks[i : j + 1] = [merged]
        self._dirty.add(id(merged))
        if e.delta:
            for c in chunks[i + 1 :]:
                c.start += e.delta
                c.end += e.delta
        self._first_dirty = i if self._first_dirty is None else min(self._first_dirty, i)

    # -- analysis ---------------------------------------------------------------

    def _rechunk(self, i: int, lines: Sequence[str]) -> None:
        """Recompute the boundaries of the dirty chunk at ``i`` (and whatever it spills into)."""
        chunks = self.chunks
        c = chunks[i]
        region_end = c.end
        n = len(lines)
        k = i + 1
        new: list[Chunk[S, R]] = []
        b = c.start
        while True:
            e = chunk_end(lines, b)
            new.append(Chunk(b, e))
            while k < len(chunks) and chunks[k].start < e:
                if chunks[k].dirty:
                    region_end = max(region_end, chunks[k].end)
                k += 1
            if e >= n:
                k = len(chunks)
                break
            if e >= region_end and k < len(chunks) and chunks[k].start == e:
                break
            b = e
        self._forget(chunks[i:k])
        chunks[i:k] = new

    def update(
        self,
        lines: Sequence[str],
        analyse: Callable[[str, S, Budget], R],
        cache: SizedCache[R],
        budget: Budget,
    ) -> UpdateStats:
        """Bring every chunk's result up to date with ``lines``."""
        stats = UpdateStats()
        chunks = self.chunks
        if self._first_dirty is None:
            stats.chunks = stats.reused = len(chunks)
            return stats
        i = self._first_dirty
        prev: S = self.initial
        if i > 0:
            before = chunks[i - 1].result
            assert before is not None
            prev = before.exit  # type: ignore[assignment]
        while i < len(chunks):
            c = chunks[i]
            if c.dirty:
                self._rechunk(i, lines)
                chunks = self.chunks
                c = chunks[i]
            result = c.result
            if result is None or not result.complete or not (c.entry is prev or c.entry == prev):
                text = "".join(lines[c.start : c.end])
                result = analyse_cached(text, prev, analyse, cache, budget, stats)
                c.entry = prev
                c.result = result
                if result.complete:
                    self._incomplete.discard(id(c))
                else:
                    self._incomplete.add(id(c))
            elif not self._dirty and not self._incomplete:
                break
            prev = result.exit  # type: ignore[assignment]
            i += 1
        # Chunks left incomplete are analysed again (with a fresh budget) next time.
        self._first_dirty = None
        if self._incomplete:
            self._first_dirty = next(
                idx for idx, c in enumerate(self.chunks) if id(c) in self._incomplete
            )
        stats.chunks = len(self.chunks)
        stats.reused = stats.chunks - stats.reanalysed
        return stats

    def results(self) -> list[tuple[int, R]]:
        """(start line, result) for every analysed chunk, in order."""
        return [(c.start, c.result) for c in self.chunks if c.result is not None]


def analyse_cached(
    text: str,
    entry: S,
    analyse: Callable[[str, S, Budget], R],
    cache: SizedCache[R],
    budget: Budget,
    stats: UpdateStats,
) -> R:
    """One chunk's result: the cache's (by content and entry state) or a fresh
    analysis, cached when complete."""
    key = content_hash(text)
    cached = cache.get((key, entry))
    if cached is not None:
        stats.cache_hits += 1
        return cached
    result = analyse(text, entry, budget)
    if result.complete:
        cache.put((key, entry), result)
    stats.reanalysed += 1
    return result
