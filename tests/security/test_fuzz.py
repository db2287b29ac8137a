"""Property tests: whatever TeX it is given, the engine answers, and within its budget.

Random TeX built from the fragments attackers use, and the corpus files mutated
by random insertions, deletions and duplications of such fragments, go through
``Engine(timeout_seconds=2).analyse_text`` and :func:`present`.  The analysis
must never raise, must return within about three seconds of wall time (the two
seconds of budget plus slack; a document it cannot finish ends in SEC900, which
is fine), and every finding must render under the default settings.  Macro
bombs, endless recursions and loops must finish within the budget as well: the
engine may not run them the way TeX would.

These tests are not expected to fail while the engine is written: they pin
robustness, not findings.
"""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texlean.analysis.present import present
from texlean.engine import Engine, Report
from texlean.settings import Settings

from .security_corpus import CaseTimeout, all_cases, deadline

BUDGET_SECONDS = 2.0
WALL_SECONDS = 3.0
HANG_SECONDS = 10.0  # an analysis still running then is interrupted, so the suite never hangs

# Token-ish pieces of hostile TeX: definitions, expansion control, braces and
# parameters, ^^ spellings, catcode tricks, loops, the dangerous primitives, and
# the constructs that switch the lexer into other modes (verbatim, Lua, comments).
FRAGMENTS = [
    "\\def",
    "\\edef",
    "\\gdef",
    "\\xdef",
    "\\let",
    "\\global",
    "\\long",
    "\\csname",
    "\\endcsname",
    "\\expandafter",
    "\\noexpand",
    "\\string",
    "\\detokenize",
    "\\romannumeral",
    "\\number",
    "\\jobname",
    "\\scantokens",
    "\\lowercase",
    "\\uppercase",
    "\\afterassignment",
    "{",
    "}",
    "#",
    "#1",
    "##1",
    "#2",
    "\\x",
    "\\y",
    "\\x{\\x}",
    "^^5c",
    "^^5cwrite18",
    "^^",
    "^^^^",
    "^^7b",
    "^^M",
    "\\catcode`\\|=0 ",
    "\\catcode`\\{=12 ",
    "\\catcode`\\%=12 ",
    "\\catcode`\\^^M=13 ",
    "\\catcode`\\~=13 ",
    "|",
    "~",
    "%",
    "\\loop",
    "\\repeat",
    "\\iftrue",
    "\\iffalse",
    "\\ifx",
    "\\else",
    "\\fi",
    "\\immediate",
    "\\write18",
    "\\write",
    "18",
    '"12',
    "'22",
    "\\input",
    '\\input|"touch marker"',
    "\\openin3=",
    "\\openout3=",
    "\\directlua{",
    "\\begin{luacode}",
    "\\end{luacode}",
    "\\begin{verbatim}",
    "\\end{verbatim}",
    "\\begin{filecontents}[overwrite]{x.tex}",
    "\\end{filecontents}",
    "\\begin{comment}",
    "\\end{comment}",
    "\\verb|",
    "\\url{",
    "\\href{javascript:",
    "\\pdfobj{<</S/JavaScript/JS(x)>>}",
    "\\special{ps: (x) (w) file}",
    "\\everypar{",
    "\\everyeof{",
    "\\end{document}",
    "\\begin{document}",
    "$",
    "$$",
    "\\[",
    "\\]",
    "\n",
    "\n\n",
    " ",
    "\r\n",
    "\t",
    "\x00",
    "é",
    "\U0001d400",
    "x",
]

CORPUS = [c.text for c in all_cases()]

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def analyse(text: str) -> Report:
    started = time.perf_counter()
    report = None
    try:
        with deadline(HANG_SECONDS):
            report = Engine(timeout_seconds=BUDGET_SECONDS).analyse_text(text)
    except CaseTimeout:
        pass  # reported below, outside the handler: the interrupted frames are of no use
    if report is None:
        pytest.fail(
            f"analysis of {len(text)} characters still running after {HANG_SECONDS:g} s "
            f"(budget {BUDGET_SECONDS:g} s): {text[:200]!r}",
            pytrace=False,
        )
    shown = present(report.findings, Settings())
    elapsed = time.perf_counter() - started
    assert elapsed < WALL_SECONDS, f"analysis took {elapsed:.2f} s for {len(text)} characters"
    assert len(shown) <= len(report.findings)
    for p in shown:
        assert p.message, p
        assert 0 <= p.span.line <= p.span.end_line
    return report


fragment = st.sampled_from(FRAGMENTS)
random_tex = st.lists(st.one_of(fragment, fragment, st.text(max_size=6)), max_size=300).map("".join)


@st.composite
def mutated_case(draw: st.DrawFn) -> str:
    """A corpus file after random insertions, deletions and duplications."""
    text: str = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(1, 12))):
        n = len(text)
        i = draw(st.integers(0, n))
        op = draw(st.sampled_from(["insert", "insert", "delete", "duplicate"]))
        if op == "insert":
            text = text[:i] + draw(fragment) * draw(st.integers(1, 6)) + text[i:]
        elif op == "delete":
            j = draw(st.integers(i, min(n, i + 40)))
            text = text[:i] + text[j:]
        else:
            j = draw(st.integers(i, min(n, i + 80)))
            text = text[:j] + text[i:j] * draw(st.integers(1, 8)) + text[j:]
    return text


@FUZZ
@given(random_tex)
def test_random_tex(text: str) -> None:
    analyse(text)


@settings(FUZZ, max_examples=200)
@given(mutated_case())
def test_mutated_corpus(text: str) -> None:
    analyse(text)


@settings(FUZZ, max_examples=40)
@given(st.text(max_size=3000))
def test_arbitrary_text(text: str) -> None:
    analyse(text)


def _names(n: int) -> list[str]:
    """``n`` distinct control word names made of letters only."""
    out = []
    for k in range(n):
        name = ""
        k += 1
        while k:
            k, r = divmod(k - 1, 26)
            name = chr(ord("a") + r) + name
        out.append("\\m" + name)
    return out


def macro_bomb(levels: int, width: int = 2, use: bool = True) -> str:
    names = _names(levels)
    lines = ["\\documentclass{article}", "\\def" + names[0] + "{" + "x" * width + "}"]
    for prev, name in itertools.pairwise(names):
        lines.append("\\def" + name + "{" + prev * width + "}")
    lines += ["\\begin{document}", names[-1] if use else "", "\\end{document}"]
    return "\n".join(lines) + "\n"


@settings(FUZZ, max_examples=15)
@given(st.integers(2, 120), st.integers(2, 12), st.booleans())
def test_generated_macro_bombs(levels: int, width: int, use: bool) -> None:
    analyse(macro_bomb(levels, width, use))


HOSTILE = {
    "self-recursion": "\\def\\x{\\x}\\x",
    "mutual-recursion": "\\def\\a{\\b}\\def\\b{\\a}\\a",
    "growing-recursion": "\\def\\x{\\x x}\\x",
    "doubling-recursion": "\\def\\x{\\x\\x}\\x",
    "recursion-with-argument": "\\def\\x#1{\\x{#1#1}}\\x{y}",
    "macro-bomb-30": macro_bomb(30),
    "macro-bomb-200": macro_bomb(200),
    "macro-bomb-wide": macro_bomb(12, width=10),
    "edef-doubling": "\\def\\x{x}" + "\\edef\\x{\\x\\x}" * 60,
    "edef-doubling-lines": "\\def\\x{x}\n" + "\\edef\\x{\\x\\x}\n" * 60,
    "loop-forever": "\\loop\\iftrue\\repeat",
    "loop-billion": "\\newcount\\n\\loop\\advance\\n1 \\ifnum\\n<1000000000 \\repeat",
    "romannumeral": "\\romannumeral 2000000000 " * 50,
    "input-jobname": "\\input\\jobname " * 20,
    "everypar": "\\everypar{\\par x}x\n\n" * 20,
    "csname-nest": "\\csname " * 3000 + "x" + "\\endcsname" * 3000,
    "expandafter-chain": "\\expandafter" * 20000 + "\\x",
    "brace-nest": "\\def\\x{" + "{" * 5000 + "}" * 5000 + "}\\x",
    "catcode-storm": "\\catcode`\\|=0 |catcode`|\\=0 " * 2000,
    "caret-storm": "^^5c^^5c^^5cwrite18" * 3000,
    "scantokens-nest": "\\scantokens{" * 500 + "\\x" + "}" * 500,
    "let-chain": "".join(f"\\let\\a{chr(97 + i % 26)}\\write " for i in range(3000)),
    "bomb-3000-levels": macro_bomb(3000),
    "luacode-unclosed": "\\begin{luacode}\n" + "os.execute('x')\n" * 5000,
    "directlua-huge": "\\directlua{" + "os.execute('x') " * 20000 + "}",
}


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_within_budget(text: str) -> None:
    analyse(text)
