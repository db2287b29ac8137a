"""texlean._speedups (C) must agree with its Python references.

scan must give what prefilter.scan_python gives, chunk_starts what
chunks.chunk_starts_python gives.  The C loops are only faster ways to run them; the Python
reference is what the differential tests of test_prefilter.py check against the
full analysis.  Here the two are compared on generated texts (built from the
characters and constructs that matter: escapes, comments, braces, every math
delimiter, environments, ``^^``, control characters, ``texlean``), on every chunk
of the test documents, and on every paragraph of the Stacks corpus when it is
there; the chunk boundaries on generated line lists (environments, comments,
escaped backslashes, blank lines of every kind, chunks past MAX_LINES and
HARD_MAX_LINES) and on the same documents.  The extension is optional (built when a C compiler is present); without
it these tests skip and say so.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texlean import native
from texlean.analysis import prefilter
from texlean.document.chunks import HARD_MAX_LINES, MAX_LINES, chunk_starts, chunk_starts_python
from texlean.document.lines import split_lines

speedups = pytest.importorskip(
    "texlean._speedups", reason="the C prefilter is not built (no C compiler at install)"
)

ROOT = Path(__file__).resolve().parents[2]
STACKS = Path("/work/shared/corpus/stacks")


def agree(text: str) -> None:
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        return  # the caller turns \r\n into \n and declines a lone \r before scanning
    for at in (False, True):
        c, python = speedups.scan(text, at), prefilter.scan_python(text, at)
        assert (c is None) == (python is None), (text, at, c, python)
        if c is not None and python is not None:
            assert sorted(c) == sorted(python), (text, at)


TURNED_OFF = pytest.mark.skipif(
    os.environ.get("TEXLEAN_SPEEDUPS") == "0", reason="TEXLEAN_SPEEDUPS=0 turns the C loops off"
)


@TURNED_OFF
def test_the_prefilter_uses_the_c_loop() -> None:
    assert prefilter.scan is speedups.scan


PIECES = [
    "a",
    "Z",
    "@",
    " ",
    "\t",
    "\n",
    "\n\n",
    "\n \t\n",
    "{",
    "}",
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\\\",
    "\\{",
    "\\}",
    "\\$",
    "\\%",
    "\\ ",
    "\\\n",
    "%",
    "% c {$\n",
    "\\x",
    "\\@x",
    "\\begin{e}",
    "\\end{e}",
    "\\begin{ f }",
    "\\end{f}",
    "\\begin {e}",
    "\\begin\n {e}",
    "\\begin\n\n{e}",
    "\\begin{}",
    "\\begin{ }",
    "\\begin{a{b}",
    "\\begin{a$}",
    "\\begin{" + "n" * 81 + "}",
    "\\begin{" + "n" * 80 + "}",
    "\\end{" + "n" * 80 + "}",
    "\\beginx",
    "\\begin@",
    "\\endgraf",
    "^",
    "^^",
    "\x0c",
    "\x7f",
    "\x00",
    "texlean",
    "TeXLean",
    "é",
    "𝔽",
    "\u00a0",
    "\\",
]


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_agrees_on_generated_texts(text: str) -> None:
    agree(text)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet="ab{}$\\()[]% \n\t@^", max_size=40))
def test_agrees_on_random_texts(text: str) -> None:
    agree(text)


def _chunks(path: Path) -> list[str]:
    lines = split_lines(path.read_text(encoding="utf-8", errors="replace"))
    bounds = [*chunk_starts(lines), len(lines)]
    return ["".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]


def test_agrees_on_every_chunk_of_the_test_documents() -> None:
    paths = [*ROOT.glob("tests/security/cases/**/*.tex"), *ROOT.glob("examples/*.tex")]
    assert paths
    for path in paths:
        for chunk in _chunks(path):
            agree(chunk)


@pytest.mark.skipif(not STACKS.is_dir(), reason="the Stacks corpus (../shared) is not here")
def test_agrees_on_every_chunk_of_the_stacks_corpus() -> None:
    for path in sorted(STACKS.glob("*.tex")):
        for chunk in _chunks(path):
            agree(chunk)


# -- chunk boundaries ------------------------------------------------------------------

LINE_PIECES = [
    "text",
    " ",
    "\t",
    "\\begin{a}",
    "\\end{a}",
    "\\begin {b}",
    "\\end\t{b}",
    "\\begin{document}",
    "\\end{document}",
    "\\begin{}",
    "\\begin{a b}",
    "\\beginning{a}",
    "\\\\begin{a}",
    "% \\begin{a}",
    "\\% \\begin{a}",
    "\\\\% \\end{a}",
    "%",
    "\u00a0",
    "{",
    "}",
]


def agree_on_lines(lines: list[str]) -> None:
    for start in (0, len(lines) // 2):
        expected = chunk_starts_python(lines, start)
        assert speedups.chunk_starts(lines, start, len(lines), MAX_LINES, HARD_MAX_LINES) == (
            expected
        ), (lines, start)


@TURNED_OFF
def test_chunk_starts_uses_the_c_loop() -> None:
    assert native.chunk_starts is speedups.chunk_starts


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["", "\n", " \n", "\t \r\n", "\r\n", "\r"]),
            st.lists(st.sampled_from(LINE_PIECES), min_size=1, max_size=6).map(
                lambda parts: "".join(parts) + "\n"
            ),
        ),
        max_size=60,
    )
)
def test_chunk_starts_agree_on_generated_lines(lines: list[str]) -> None:
    agree_on_lines(lines)


def test_chunk_starts_agree_on_long_chunks() -> None:
    # MAX_LINES and HARD_MAX_LINES: an environment that never closes, with and
    # without blank lines
    agree_on_lines(["\\begin{a}\n", *["x\n"] * 2500, "\n", *["y\n"] * 10])
    agree_on_lines(["\\begin{a}\n", *(["x\n", "\n"] * 700), "z"])
    agree_on_lines(["\n", "\n", *["x\n"] * 2100])


def test_chunk_starts_agree_on_the_test_documents_and_the_corpus() -> None:
    paths = [*ROOT.glob("tests/security/cases/**/*.tex"), *ROOT.glob("examples/*.tex")]
    if STACKS.is_dir():
        paths += sorted(STACKS.glob("*.tex"))
    for path in paths:
        agree_on_lines(split_lines(path.read_text(encoding="utf-8", errors="replace")))
