"""The correctness guarantee of the incremental engine.

Whatever edits a document receives, the findings the engine reports for it
are exactly those of a fresh analysis of its final text.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from texlean.analysis.findings import Finding
from texlean.document.chunks import chunk_starts
from texlean.document.model import Document
from texlean.engine import Engine

PIECES = [
    "a",
    "word ",
    "\n",
    "\n",
    "\n\n",
    "\n  \n",
    "\r\n",
    "\r",
    "{",
    "}",
    "$",
    "$$",
    "\\[",
    "\\]",
    "\\(",
    "\\)",
    "%",
    "\\%",
    "\\begin{x}",
    "\\end{x}",
    "\\begin{y}",
    "\\end{y}",
    "\\begin{document}",
    "\\end{document}",
    "\\begin{verbatim}",
    "\\end{verbatim}",
    "\\makeatletter",
    "\\makeatother",
    "\\a@b",
    "\\catcode`\\@=11 ",
    "\\catcode`\\|=0 ",
    "|write18{x}",
    "\\catcode`\\$=12 ",
    "\\catcode`\\{=12 ",
    "\\begingroup",
    "\\endgroup",
    "\\write18{ls}",
    "\\immediate",
    '\\input|"cat"',
    "\\openout3=/etc/x",
    "\\directlua{os.exit()}",
    "\\verb|$|",
    "\\url{a%b}",
    "\\newcommand{\\be}{\\begin{equation}}",
    "\\def\\({$}",
    "^^5c",
    "^^",
    "𝔽",
    "😀",
    "  ",
]

texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
inserts = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


def fresh(text: str) -> list[Finding]:
    return list(Engine(timeout_seconds=60).analyse_text(text).findings)


def check_document(engine: Engine, doc: Document) -> None:
    got = list(engine.analyse(doc).findings)
    assert got == fresh(doc.text())
    # the chunk boundaries are those a fresh chunking finds
    assert [c.start for c in doc.chunked.chunks] == chunk_starts(doc.lines)
    # and every chunk was analysed in the state the chunk before it left
    prev = doc.chunked.initial
    for c in doc.chunked.chunks:
        assert c.result is not None and c.result.complete
        assert c.entry == prev
        prev = c.result.exit


def random_edit(data: st.DataObject, doc: Document) -> None:
    n = len(doc.lines)
    l1 = data.draw(st.integers(0, n), label="start line")
    l2 = data.draw(st.integers(l1, min(n, l1 + 6)), label="end line")
    c1 = data.draw(st.integers(0, 30), label="start column")
    c2 = data.draw(st.integers(0, 30), label="end column")
    new = data.draw(inserts, label="new text")
    doc.replace((l1, c1), (l2, c2), new)
    doc.version += 1


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.data())
def test_incremental_findings_equal_a_fresh_analysis(text: str, data: st.DataObject) -> None:
    engine = Engine(timeout_seconds=60)
    doc = engine.open("file:///doc.tex", text, 1)
    check_document(engine, doc)
    for _ in range(data.draw(st.integers(1, 8), label="edits")):
        random_edit(data, doc)
        check_document(engine, doc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.data())
def test_several_edits_between_analyses(text: str, data: st.DataObject) -> None:
    engine = Engine(timeout_seconds=60)
    doc = engine.open("file:///doc.tex", text, 1)
    engine.analyse(doc)
    for _ in range(data.draw(st.integers(1, 5), label="rounds")):
        for _ in range(data.draw(st.integers(1, 4), label="edits in the round")):
            random_edit(data, doc)
        check_document(engine, doc)


def _paragraph_doc(paras: list[str]) -> str:
    return "\n\n".join(paras) + "\n"


big_docs = st.lists(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join), min_size=5, max_size=25
).map(_paragraph_doc)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(big_docs, st.data())
def test_many_chunk_documents(text: str, data: st.DataObject) -> None:
    """Documents of many paragraphs, where reuse and early stopping matter."""
    engine = Engine(timeout_seconds=60)
    doc = engine.open("file:///doc.tex", text, 1)
    check_document(engine, doc)
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        random_edit(data, doc)
        check_document(engine, doc)


@settings(max_examples=60, deadline=None)
@given(texts, texts)
@example("\\makeatletter\n\n\\a@b\n\n\\makeatother\n\n\\a@b", "")
@example("\\begin{verbatim}\n\n$\n\n\\end{verbatim}\n\n$", "x")
def test_replacing_the_whole_text(first: str, second: str) -> None:
    engine = Engine(timeout_seconds=60)
    doc = engine.open("file:///doc.tex", first, 1)
    engine.analyse(doc)
    doc.set_text(second)
    doc.version += 1
    check_document(engine, doc)
    doc.set_text(first)
    doc.version += 1
    check_document(engine, doc)


def test_a_known_sequence() -> None:
    """A hand-written sequence touching state, verbatim and math across chunks."""
    engine = Engine(timeout_seconds=60)
    text = "\\makeatletter\n\n\\a@b $x$\n\n\\begin{verbatim}\n$\n\n\\end{verbatim}\n\n{\n\nend}\n"
    doc = engine.open("file:///k.tex", text, 1)
    check_document(engine, doc)
    steps = [
        ((0, 0), (0, 13), ""),  # drop \makeatletter
        ((4, 0), (4, 0), "%"),  # comment out \begin{verbatim}
        ((4, 0), (4, 1), ""),  # and back
        ((7, 0), (8, 0), ""),  # remove \end{verbatim}: verbatim runs to the end
        ((2, 0), (2, 0), "\\catcode`\\|=0 |write18{x}\n\n"),
        ((0, 0), (99, 0), ""),  # delete everything
    ]
    for start, end, new in steps:
        doc.replace(start, end, new)
        doc.version += 1
        check_document(engine, doc)
    assert doc.text() == ""


def test_running_out_of_budget_then_finishing() -> None:
    """A budget that runs out leaves chunks incomplete (one SEC900); the next
    update, with a fresh budget, finishes them and agrees with a fresh analysis."""
    from texlean.analysis.pipeline import analyse_chunk, assemble
    from texlean.budget import Budget
    from texlean.document.cache import SizedCache

    text = "\n\n".join(f"p{i} {{ $x$ }} \\write18{{c{i}}}" + " w" * 300 for i in range(200))
    doc = Document("file:///b.tex", text, 1)
    cache = SizedCache(1000, 10**8, lambda r: r.size)  # type: ignore[var-annotated]
    doc.chunked.update(doc.lines, analyse_chunk, cache, Budget(seconds=60, steps=200))
    results = doc.chunked.results()
    assert not all(r.complete for _, r in results)
    partial = assemble(results)
    assert [f.code for f in partial].count("SEC900") == 1
    assert len([f for f in partial if f.code == "SEC101"]) < 200
    stats = doc.chunked.update(doc.lines, analyse_chunk, cache, Budget.unlimited())
    assert stats.reanalysed > 0
    results = doc.chunked.results()
    assert all(r.complete for _, r in results)
    assert assemble(results) == fresh(text)
    assert len([f for f in assemble(results) if f.code == "SEC101"]) == 200


# Hostile one-line documents that used to take minutes: each construct made some
# part of the analysis scan to the end of the line (or the chunk) again.
HOSTILE = {
    "unclosed \\write18 groups": "\\write18{" * 20_000,
    "unclosed \\directlua groups": "\\directlua{" * 20_000,
    "\\def without bodies": "\\def\\a" * 20_000,
    "unclosed optional arguments": "\\newcommand\\x[" * 20_000,
    "unclosed \\url arguments": "\\url{a" * 20_000,
    "\\verb on one long line": "\\verb|a|" * 20_000,
    "unclosed \\lstinline options": "\\lstinline[" * 20_000,
    "catcode changes on a ^^ line": "\\makeatletter\\makeatother" * 20_000 + "^^41",
    "many \\input": "\\input " * 20_000,
}


def test_hostile_documents_stay_within_their_time_budget() -> None:
    import time

    for name, text in HOSTILE.items():
        started = time.perf_counter()
        Engine(timeout_seconds=0.5).analyse_text(text)
        elapsed = time.perf_counter() - started
        # each took from 5 to 140 seconds before; linear now, and the budget is
        # checked while lexing and while analysing
        assert elapsed < 4, f"{name}: {elapsed:.1f} s"


CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "stacks" / "algebra.tex"


@pytest.mark.skipif(not CORPUS.is_file(), reason="the Stacks corpus is not next to the checkout")
def test_edits_to_a_real_large_document() -> None:
    """algebra.tex of the Stacks project (1.8 MB): random edits, each checked against
    a fresh analysis, and each re-analysing a few chunks unless it changes a state."""
    rng = random.Random(20260726)
    snippets = ["$", "{", "}", "\\begin{lemma}", "\\end{proof}", "\n\n", "\\[", "%", "x"]
    engine = Engine(timeout_seconds=60)
    text = CORPUS.read_text(encoding="utf-8")
    doc = engine.open("file:///algebra.tex", text, 1)
    engine.analyse(doc)
    assert engine.last.chunks > 3000
    for _ in range(4):
        line = rng.randrange(len(doc.lines))
        new = "".join(rng.choice(snippets) for _ in range(rng.randrange(1, 3)))
        doc.replace((line, rng.randrange(30)), (line, rng.randrange(30)), new)
        doc.version += 1
        got = list(engine.analyse(doc).findings)
        assert engine.last.reanalysed <= 3
        assert got == fresh(doc.text())
