"""Property: whatever the LaTeX, the translation is a syntactically valid Lean statement.

Generated inputs mix well-formed formulas (numbers, variables, operators, fractions,
powers, roots, relations) with what documents also contain: unknown commands, unbalanced
braces, comment delimiters, quotes, non-ASCII text.  Every output of formalize_math and
formalize_statement must parse with the shared Lean statement parser (``tools/leq.py``,
loaded from the shared folder; absent in a clean clone, where this module is skipped).
"""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texlean.formalize import Translation, formalize_math, formalize_statement

from .formalize_support import comments_balanced, load_leq

_LEQ = load_leq()
if _LEQ is None:
    pytest.skip(
        "the shared Lean parser tools/leq.py is not available (no /work/shared or "
        "$TEXLEAN_SHARED in this checkout)",
        allow_module_level=True,
    )
LEQ: ModuleType = _LEQ

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.sampled_from(["0.5", "3.14", "007", "1{,}000", "10^{100}", "2.", ".5"]),
)
VARIABLES = st.sampled_from(
    ["x", "y", "n", "k", "i", "e", "f(x)", "a_n", "x_{1}", r"\alpha", r"\lambda", r"\pi"]
)
GARBAGE = st.sampled_from(
    [
        r"\foo",
        r"\weird{-/}",
        r"\bar{x}",
        r"\mathbb{R}",
        r"\infty",
        r"\dots",
        r"\left(",
        r"\right)",
        "{",
        "}",
        "\\",
        "/-",
        "-/",
        "--",
        '"',
        "%",
        "&",
        "#1",
        "$",
        r"\\",
        r"\end{x}",
        r"\begin{y}",
        r"\text{ and }",
        r"\pmod",
        r"\sum_",
        "^",
        "_",
        "'",
        "!",
        ":",
        ":=",
    ]
)
UNICODE = st.sampled_from(
    ["é", "λ", "ℝ", "∑", "√", "∞", "≤", "→", "·", "\u200b", "日本", "😀", "‐"]
)
ATOMS = st.one_of(NUMBERS, VARIABLES, GARBAGE, UNICODE)
OPERATORS = st.sampled_from(["+", "-", r"\cdot", r"\times", "/", r"\div", "", " ", r"\circ"])
RELATIONS = st.sampled_from(
    [
        *("=", "<", r"\le", r"\geq", r"\neq", r"\mid", r"\nmid", r"\in", r"\subseteq"),
        *(r"\equiv", r"\land", r"\lor", r"\implies", r"\iff"),
    ]
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, o, b: f"{a} {o} {b}", children, OPERATORS, children),
        st.builds(lambda a, b: f"{{{a}}}^{{{b}}}", children, children),
        st.builds(lambda a, b: f"{a}^{b}", children, children),
        st.builds(lambda a, b: f"\\frac{{{a}}}{{{b}}}", children, children),
        st.builds(lambda a: f"\\sqrt{{{a}}}", children),
        st.builds(lambda a, b: f"\\sqrt[{a}]{{{b}}}", children, children),
        st.builds(lambda a: f"({a})", children),
        st.builds(lambda a: f"|{a}|", children),
        st.builds(lambda a: f"-{a}", children),
        st.builds(lambda a: f"{a}!", children),
        st.builds(lambda a: f"\\lfloor {a} \\rfloor", children),
        st.builds(lambda a, b: f"\\binom{{{a}}}{{{b}}}", children, children),
        st.builds(lambda a: f"\\sum_{{k=1}}^{{n}} {a}", children),
        st.builds(lambda a, r, b: f"{a} {r} {b}", children, RELATIONS, children),
        st.builds(lambda a: f"\\forall x \\in \\mathbb{{R}}, {a}", children),
        st.builds(lambda a: f"\\{{ x \\mid {a} \\}}", children),
    )


FORMULAS = st.recursive(ATOMS, _extend, max_leaves=10)
LATEX = st.lists(st.one_of(FORMULAS, GARBAGE, st.text(max_size=6)), min_size=1, max_size=4).map(
    " ".join
)
SENTENCES = st.builds(
    lambda lead, a, mid, b: f"{lead} ${a}$ {mid} ${b}$.",
    st.sampled_from(["Let", "Suppose", "If", "Given", "What is", "Show that", "", "Let $x$ be"]),
    LATEX,
    st.sampled_from(
        [". Show that", ". Then", ", then", " such that", " where", "? Show that it is", ""]
    ),
    LATEX,
)


def assert_valid(t: Translation) -> None:
    try:
        LEQ.parse_statement(t.lean)
    except LEQ.LeanParseError as exc:
        raise AssertionError(f"not valid Lean ({exc}):\n{t.lean}") from exc
    assert comments_balanced(t.lean), t.lean
    assert t.status in {"complete", "partial", "failed"}
    assert t.lean.endswith(":= by sorry")
    assert t.lean.endswith(f"{t.statement} := by sorry")
    if t.status == "complete":
        assert t.untranslated == ()


def test_the_parser_rejects_a_broken_hole() -> None:
    # the property below is not vacuous: a comment closed too early does not parse
    with pytest.raises(LEQ.LeanParseError):
        LEQ.parse_statement("theorem t : (sorry : Prop) /- untranslated: a -/ b -/ := by sorry")
    with pytest.raises(LEQ.LeanParseError):
        LEQ.parse_statement("theorem t (x : ℝ) : x + = 1 := by sorry")


@SETTINGS
@given(LATEX)
def test_formalize_math_is_valid_lean(latex: str) -> None:
    assert_valid(formalize_math(latex))


@SETTINGS
@given(SENTENCES)
def test_formalize_statement_is_valid_lean(text: str) -> None:
    assert_valid(formalize_statement(text, name="generated"))


@SETTINGS
@given(st.text(max_size=40))
def test_arbitrary_text_is_valid_lean(text: str) -> None:
    assert_valid(formalize_math(text))
    assert_valid(formalize_statement(text, name="generated"))
