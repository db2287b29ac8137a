"""texlean._speedups.scan (C) must agree with prefilter.scan_python (its reference).

The C loop is only a faster way to run the prefilter's passes; the Python
reference is what the differential tests of test_prefilter.py check against the
full analysis.  Here the two are compared on generated texts (built from the
characters and constructs that matter: escapes, comments, braces, every math
delimiter, environments, ``^^``, control characters, ``texlean``), on every chunk
of the test documents, and on every paragraph of the Stacks corpus when it is
there.  The extension is optional (built when a C compiler is present); without
it these tests skip and say so.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texlean.analysis import prefilter
from texlean.document.chunks import chunk_starts
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
