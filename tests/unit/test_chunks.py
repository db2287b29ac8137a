"""Chunking (texlean.document.chunks) and chunk reuse (chunked.py, cache.py).

A chunk is a top-level paragraph or environment with the blank lines after
it.  After an edit only the chunks whose text or entry state changed are
analysed again; a state change (``\\makeatletter``) propagates forward until
the states agree again; text seen before in the same state comes from the
cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from texlean.analysis.pipeline import analyse_chunk
from texlean.budget import Budget
from texlean.document.cache import SizedCache, content_hash
from texlean.document.chunked import ChunkedDocument, UpdateStats
from texlean.document.chunks import HARD_MAX_LINES, MAX_LINES, chunk_end, chunk_starts
from texlean.document.lines import LineStore, split_lines
from texlean.document.model import Document
from texlean.engine import Engine


def starts(text: str) -> list[int]:
    return chunk_starts(split_lines(text))


# -- boundaries ---------------------------------------------------------------------


def test_paragraphs_are_chunks_with_their_blank_lines() -> None:
    text = "a\nb\n\nc\n\n\nd"
    assert starts(text) == [0, 3, 6]
    lines = split_lines(text)
    assert chunk_end(lines, 0) == 3  # "a", "b" and the blank line
    assert chunk_end(lines, 3) == 6  # "c" and both blank lines


def test_leading_blank_lines_belong_to_the_first_chunk() -> None:
    assert starts("\n\na\n\nb") == [0, 4]


def test_whitespace_only_lines_are_blank() -> None:
    assert starts("a\n  \t\nb") == [0, 2]
    assert starts("a\r\n\r\nb") == [0, 2]


def test_environment_with_blank_lines_is_one_chunk() -> None:
    text = "\\begin{proof}\na\n\nb\n\\end{proof}\n\nc"
    assert starts(text) == [0, 6]


def test_nested_environments() -> None:
    text = "\\begin{a}\\begin{b}\n\n\\end{b}\n\nx\\end{a}\n\ny"
    assert starts(text) == [0, 6]


def test_document_environment_does_not_hold_its_paragraphs_together() -> None:
    text = "\\begin{document}\na\n\nb\n\\end{document}\n"
    assert starts(text) == [0, 3]


def test_commented_begin_is_not_counted() -> None:
    assert starts("%\\begin{x}\na\n\nb") == [0, 3]
    # \% is a percent sign, not a comment: the \begin after it counts
    assert starts("\\%\\begin{x}\n\nb\n\\end{x}\n\nc") == [0, 5]


def test_unclosed_environment_ends_at_a_blank_line_after_max_lines() -> None:
    lines = ["\\begin{x}\n"] + ["a\n", "\n"] * 300
    end = chunk_end(lines, 0)
    assert end == MAX_LINES + 1  # the first blank line at or past MAX_LINES, taken whole
    assert lines[end - 1] == "\n" and lines[end] == "a\n"


def test_hard_limit_without_blank_lines() -> None:
    lines = ["a\n"] * (HARD_MAX_LINES + 500)
    assert chunk_end(lines, 0) == HARD_MAX_LINES
    assert chunk_starts(lines) == [0, HARD_MAX_LINES]


def test_hard_limit_takes_the_blank_lines_that_follow() -> None:
    # The chunk may not end between a line and the blank line after it: the
    # lexer sees the paragraph break only when both are in one chunk.
    lines = ["a\n"] * (HARD_MAX_LINES - 1) + ["$x\n", "\n", "\n", "b $ c\n"]
    assert chunk_end(lines, 0) == HARD_MAX_LINES + 2
    findings = Engine(timeout_seconds=60).analyse_text("".join(lines)).findings
    # TeX: the blank line ends the paragraph inside $x (Missing $ inserted);
    # the $ after b opens math that the end of the file leaves open
    assert [(f.code, f.span.line, f.span.col) for f in findings] == [
        ("STR006", HARD_MAX_LINES - 1, 0),
        ("STR006", HARD_MAX_LINES + 2, 2),
    ]


def test_chunk_starts_range() -> None:
    lines = split_lines("a\n\nb\n\nc\n\nd")
    assert chunk_starts(lines) == [0, 2, 4, 6]
    assert chunk_starts(lines, 2, 5) == [2, 4]


# -- reuse with the real analysis -----------------------------------------------------------


def paragraphs(n: int, first: str = "\\documentclass{article}") -> str:
    paras = [first] + [
        f"Paragraph {i} says $x_{{{i}}} + {i}$ and \\emph{{w{i}}}." for i in range(1, n)
    ]
    return "\n\n".join(paras) + "\n"


def open_doc(text: str) -> tuple[Engine, Document]:
    engine = Engine(timeout_seconds=60)
    doc = engine.open("file:///big.tex", text, 1)
    engine.analyse(doc)
    return engine, doc


def edit(engine: Engine, doc: Document, start: tuple[int, int], end: tuple[int, int], text: str):
    doc.replace(start, end, text)
    doc.version += 1
    report = engine.analyse(doc)
    return report, engine.last


def test_initial_analysis_analyses_every_chunk() -> None:
    engine, doc = open_doc(paragraphs(50))
    assert engine.last.chunks == 50
    assert engine.last.reanalysed == 50
    assert [c.start for c in doc.chunked.chunks] == [2 * i for i in range(50)]


def test_small_edit_reanalyses_only_the_touched_chunk() -> None:
    engine, doc = open_doc(paragraphs(300))
    _, last = edit(engine, doc, (300, 10), (300, 10), "now ")
    assert last.chunks == 300
    assert last.reanalysed == 1
    assert last.reused == last.chunks - 1
    # the edit changed the first line of its chunk, which could have become blank
    # and joined the chunk before: that one is re-chunked too, and its text,
    # unchanged, comes from the cache
    assert last.cache_hits == 1


def test_edit_inside_a_chunk_touches_no_other_chunk() -> None:
    text = "\n\n".join(f"First line {i}\nsecond line {i}." for i in range(200)) + "\n"
    engine, doc = open_doc(text)
    assert engine.last.chunks == 200
    _, last = edit(engine, doc, (301, 3), (301, 3), "X")  # second line of chunk 100
    assert (last.reanalysed, last.reused, last.cache_hits) == (1, 199, 0)


def test_update_stats_directly() -> None:
    engine, doc = open_doc(paragraphs(100))
    doc.replace((100, 3), (100, 3), "XYZ")
    stats = doc.chunked.update(doc.lines, analyse_chunk, engine.chunk_cache, Budget.unlimited())
    assert isinstance(stats, UpdateStats)
    assert (stats.chunks, stats.reanalysed, stats.reused) == (100, 1, 99)
    # nothing changed since: nothing to do
    stats = doc.chunked.update(doc.lines, analyse_chunk, engine.chunk_cache, Budget.unlimited())
    assert (stats.reanalysed, stats.reused) == (0, 100)


def test_edit_that_joins_two_paragraphs() -> None:
    engine, doc = open_doc(paragraphs(40))
    # delete the blank line between paragraphs 10 and 11 (lines 20 and 22)
    _, last = edit(engine, doc, (20, 9999), (21, 0), "")
    assert last.chunks == 39
    assert last.reanalysed == 1


def test_edit_that_splits_a_paragraph() -> None:
    engine, doc = open_doc(paragraphs(40))
    _, last = edit(engine, doc, (20, 9), (20, 9), "\n\n")
    assert last.chunks == 41
    assert last.reanalysed == 2  # both halves are new text


@pytest.mark.parametrize("change", ["\\makeatletter", "\\catcode`\\@=11 "])
def test_state_change_at_the_top_propagates_until_states_agree(change: str) -> None:
    paras = ["\\documentclass{article}"]
    paras += [f"Uses \\a@b{i} here {i}." for i in range(1, 10)]
    paras += ["\\makeatother"]
    paras += [f"Later \\c@d{i} text {i}." for i in range(11, 200)]
    text = "\n\n".join(paras) + "\n"
    engine, doc = open_doc(text)
    assert engine.last.chunks == 200
    report, last = edit(engine, doc, (0, 0), (0, 0), change)
    # chunks 0..10 see another @ (10 holds \makeatother); chunk 11 enters in the
    # state it was analysed in, and from there on nothing can differ
    assert last.reanalysed == 11
    assert last.reused == 189
    assert list(report.findings) == list(Engine().analyse_text(doc.text()).findings)
    # the chunks after \makeatother are in the default state
    assert doc.chunked.chunks[11].entry == doc.chunked.chunks[11].result.exit  # type: ignore[union-attr]
    # undoing the change: every chunk comes back from the cache
    _, last = edit(engine, doc, (0, 0), (0, len(change)), "")
    assert last.reanalysed == 0
    assert last.cache_hits == 11


def test_state_change_without_a_reset_reanalyses_to_the_end() -> None:
    paras = ["\\documentclass{article}"] + [f"p{i} \\x@y{i}" for i in range(1, 30)]
    engine, doc = open_doc("\n\n".join(paras))
    _, last = edit(engine, doc, (0, 0), (0, 0), "\\makeatletter")
    assert last.reanalysed == 30


def test_undo_is_served_from_the_cache() -> None:
    engine, doc = open_doc(paragraphs(100))
    original = doc.text()
    line = doc.lines[50]
    _, last = edit(engine, doc, (50, 0), (50, len(line)), "Replaced paragraph {")
    assert last.reanalysed == 1
    _, last = edit(engine, doc, (50, 0), (50, len("Replaced paragraph {")), line.rstrip("\n"))
    assert doc.text() == original
    assert last.reanalysed == 0
    assert last.cache_hits > 0


def test_full_text_replacement_reuses_cached_chunks() -> None:
    engine, doc = open_doc(paragraphs(60))
    text = doc.text()
    doc.set_text(text.replace("Paragraph 30 ", "Paragraph thirty "))
    doc.version += 1
    engine.analyse(doc)
    assert engine.last.reanalysed == 1
    assert engine.last.cache_hits == 59


def test_result_cache_is_per_version_and_text() -> None:
    engine, doc = open_doc("{\n")
    first = engine.analyse(doc)
    assert engine.last.from_result_cache
    # an edit that does not bump the version (a save that sends the text) is not
    # answered from the result cache
    doc.set_text("}\n")
    second = engine.analyse(doc)
    assert not engine.last.from_result_cache
    assert [f.code for f in first.findings] == ["STR002"]
    assert [f.code for f in second.findings] == ["STR001"]


def test_one_shot_analyses_never_share_results() -> None:
    engine = Engine()
    assert [f.code for f in engine.analyse_text("{").findings] == ["STR002"]
    assert [f.code for f in engine.analyse_text("}").findings] == ["STR001"]
    assert [f.code for f in engine.analyse_text("ok").findings] == []


def test_reopened_document_is_analysed_afresh() -> None:
    engine = Engine()
    doc = engine.open("file:///a.tex", "{", 1)
    assert [f.code for f in engine.analyse(doc).findings] == ["STR002"]
    del doc  # the new Document object may well get the old one's id()
    doc = engine.open("file:///a.tex", "$", 1)  # a second didOpen, same version
    assert [f.code for f in engine.analyse(doc).findings] == ["STR006"]


# -- the generic engine with a toy analysis -------------------------------------------------


@dataclass(frozen=True)
class Count:
    """The number of '+' up to the end of the chunk."""

    exit: int
    complete: bool = True


def test_generic_engine_with_incomplete_results() -> None:
    calls: list[str] = []
    fail_once = {"!"}

    def analyse(text: str, prev: int, budget: Budget) -> Count:
        calls.append(text)
        if "!" in text and "!" in fail_once:
            fail_once.clear()
            return Count(prev, complete=False)
        return Count(prev + text.count("+"))

    store = LineStore("+\n\n++\n\n!+++\n\n+")
    doc: ChunkedDocument[int, Count] = ChunkedDocument(0, len(store))
    cache: SizedCache[Count] = SizedCache(100, 10_000)
    stats = doc.update(store.lines, analyse, cache, Budget.unlimited())
    assert stats.chunks == 4
    exits = [r.exit for _, r in doc.results()]
    assert exits[:2] == [1, 3]
    assert not doc.results()[2][1].complete
    # the incomplete chunk and the ones after it are analysed again next time
    calls.clear()
    doc.update(store.lines, analyse, cache, Budget.unlimited())
    assert [r.exit for _, r in doc.results()] == [1, 3, 6, 7]
    assert calls[0].startswith("!")
    # incomplete results are never cached
    assert all(r.complete for _, r in doc.results())


def test_generic_engine_matches_a_fresh_run_after_edits() -> None:
    def analyse(text: str, prev: int, budget: Budget) -> Count:
        return Count(prev + text.count("+"))

    store = LineStore("+\n\n+\n\n+\n\n+\n")
    doc: ChunkedDocument[int, Count] = ChunkedDocument(0, len(store))
    cache: SizedCache[Count] = SizedCache(100, 10_000)
    doc.update(store.lines, analyse, cache, Budget.unlimited())
    doc.edit(store.replace((2, 0), (2, 1), "+++"))
    doc.edit(store.replace((0, 0), (0, 0), "\n\n"))
    doc.update(store.lines, analyse, cache, Budget.unlimited())
    fresh: ChunkedDocument[int, Count] = ChunkedDocument(0, len(store))
    fresh.update(store.lines, analyse, SizedCache(100, 10_000), Budget.unlimited())
    assert [(s, r.exit) for s, r in doc.results()] == [(s, r.exit) for s, r in fresh.results()]
    assert doc.results()[-1][1].exit == 6


# -- the cache ---------------------------------------------------------------------------------


def test_sized_cache_counts_hits_and_misses() -> None:
    cache: SizedCache[str] = SizedCache(10, 1000)
    assert cache.get("a") is None
    cache.put("a", "A")
    assert cache.get("a") == "A"
    assert (cache.hits, cache.misses) == (1, 1)


def test_sized_cache_bounds_entries_least_recently_used_first() -> None:
    cache: SizedCache[int] = SizedCache(3, 1000)
    for k in "abc":
        cache.put(k, 1)
    cache.get("a")  # a is now the most recently used
    cache.put("d", 1)
    assert len(cache) == 3
    assert cache.get("b") is None
    assert cache.get("a") == 1


def test_sized_cache_bounds_bytes() -> None:
    cache: SizedCache[str] = SizedCache(100, 10, size_of=len)
    cache.put("a", "xxxx")
    cache.put("b", "yyyy")
    cache.put("c", "zzzz")  # 12 bytes > 10: the oldest goes
    assert cache.get("a") is None
    assert cache.approx_bytes <= 10
    cache.put("huge", "x" * 11)  # larger than the whole cache: not stored
    assert cache.get("huge") is None
    assert cache.get("c") == "zzzz"


def test_sized_cache_discard_and_clear() -> None:
    cache: SizedCache[int] = SizedCache(10, 100)
    cache.put(("u1", 1), 1)
    cache.put(("u2", 1), 2)
    cache.discard(lambda k: isinstance(k, tuple) and k[0] == "u1")
    assert cache.get(("u1", 1)) is None
    assert cache.get(("u2", 1)) == 2
    cache.clear()
    assert len(cache) == 0


def test_content_hash() -> None:
    assert content_hash("abc") == content_hash("abc")
    assert content_hash("abc") != content_hash("abd")
    assert len(content_hash("\ud800")) == 16  # lone surrogates hash too
