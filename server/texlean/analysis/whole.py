"""A whole document in one pass, for ``texlean check``: clean stretches in few calls.

The server analyses chunk by chunk so that an edit costs what it touched.  A
batch reads each document once, so what matters there is the cost per byte.
:func:`analyse_document` cuts the document into the same chunks, but hands the
prefilter (:mod:`.prefilter`) whole *groups* of consecutive chunks: one call
over a few dozen paragraphs costs the passes over their bytes and not the
fixed cost of each call.  A group the prefilter cannot prove clean is taken
chunk by chunk again, and a chunk it cannot prove clean gets the full analysis
(through ``full``, which may cache).

The findings are the same as those of the chunk-by-chunk analysis: a clean
group is a run of chunks that each leave the state as they found it, with no
findings and no events, so one result standing for the run (at its first line,
with its first content line) assembles into the same report.  Chunks that
name a command the prefilter never accepts (found by one search over the
whole text) skip the attempt.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable, Sequence

from ..budget import Budget
from ..document.chunks import chunk_starts
from . import prefilter
from .pipeline import INITIAL, ChunkResult, ChunkState, clean_result

GROUP = 32  # chunks per prefilter call at most (a group that fails is re-read chunk by chunk)

Analyse = Callable[[str, ChunkState, Budget], ChunkResult]


def analyse_document(
    lines: Sequence[str], budget: Budget, full: Analyse
) -> tuple[list[tuple[int, ChunkResult]], int]:
    """(start line, result) of every chunk or clean group, and the number of chunks."""
    bounds = [*chunk_starts(lines), len(lines)]
    n = len(bounds) - 1
    offsets = [0, *itertools.accumulate(map(len, lines))]
    at = [offsets[b] for b in bounds]  # where each chunk starts in the text, and the end
    text = "".join(lines)
    blocked = _blocked(text, at) if prefilter.ENABLED else set(range(n))
    results: list[tuple[int, ChunkResult]] = []
    state: ChunkState = INITIAL
    i = 0
    while i < n:
        if i in blocked:
            result = full(text[at[i] : at[i + 1]], state, budget)
            results.append((bounds[i], result))
            state = result.exit
            i += 1
            continue
        j = min(n, i + GROUP)
        for k in range(i + 1, j):
            if k in blocked:
                j = k
                break
        group = clean_result(text[at[i] : at[j]], state, budget, True) if j - i > 1 else None
        if group is not None:
            results.append((bounds[i], group))
            i = j
            continue
        for k in range(i, j):  # chunk by chunk
            chunk = text[at[k] : at[k + 1]]
            result = clean_result(chunk, state, budget, True) or full(chunk, state, budget)
            results.append((bounds[k], result))
            state = result.exit
        i = j
    return results, n


def _blocked(text: str, at: list[int]) -> set[int]:
    """The chunks that name a command the prefilter never accepts."""
    _, pattern = prefilter.never_plain(False)
    return {bisect_right(at, m.start()) - 1 for m in pattern.finditer(text)}


__all__ = ["GROUP", "analyse_document"]
