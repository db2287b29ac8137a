"""extract.py: the theorem-like environments of a document, their names, and the
document's macros, expanded before translation."""

from __future__ import annotations

import pytest

from texlean.formalize import Translation, formalize_statement
from texlean.formalize.extract import Extracted, Statement, extract, relevant, slug

from .formalize_support import goal, parts


def doc(body: str, preamble: str = "") -> str:
    return (
        f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )


def translate(found: Extracted, s: Statement) -> Translation:
    return formalize_statement(
        s.body, name=s.name, kind=s.kind, context=relevant(found.context, s.body)
    )


CLAIM = "Let $x$ be a real number. Then $x^2 \\ge 0$."

ENVIRONMENTS = [
    "theorem",
    "lemma",
    "proposition",
    "corollary",
    "claim",
    "conjecture",
    "definition",
    "example",
    "exercise",
    "problem",
    "theorem*",
    "lemma*",
]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_theorem_like_environments(env: str) -> None:
    found = extract(doc(f"\\begin{{{env}}}\n{CLAIM}\n\\end{{{env}}}"))
    assert [s.env for s in found.statements] == [env]
    s = found.statements[0]
    assert s.body.strip() == CLAIM
    assert goal(translate(found, s)) == "x ^ 2 ≥ 0"


@pytest.mark.parametrize("env", ["proof", "remark", "itemize", "equation", "center"])
def test_other_environments_are_not_statements(env: str) -> None:
    assert extract(doc(f"\\begin{{{env}}}\n{CLAIM}\n\\end{{{env}}}")).statements == ()


def test_newtheorem_declares_an_environment() -> None:
    text = doc(
        "\\begin{mythm}\n" + CLAIM + "\n\\end{mythm}\n\\begin{stmt}$1 < 2$\\end{stmt}",
        preamble="\\newtheorem{mythm}{Theorem}\n\\newtheorem{stmt}[mythm]{Statement}",
    )
    found = extract(text)
    assert [s.env for s in found.statements] == ["mythm", "stmt"]
    assert found.declarations.heading("mythm") == "Theorem"
    assert goal(translate(found, found.statements[0])) == "x ^ 2 ≥ 0"


def test_undeclared_unknown_environment_is_ignored() -> None:
    assert extract(doc("\\begin{mythm}\n" + CLAIM + "\n\\end{mythm}")).statements == ()


# -- names --------------------------------------------------------------------------------------


def test_name_from_lean_command_first() -> None:
    text = doc(
        "\\begin{lemma}[Title]\\label{lem:x}\\lean{real_sq_nonneg}\n" + CLAIM + "\n\\end{lemma}"
    )
    found = extract(text)
    s = found.statements[0]
    assert (s.lean, s.label, s.title) == ("real_sq_nonneg", "lem:x", "Title")
    assert s.name == "real_sq_nonneg"
    assert translate(found, s).lean.startswith("theorem real_sq_nonneg ")


@pytest.mark.parametrize("lean", ["Foo.bar", "sq_nonneg'"])
def test_blueprint_lean_name_is_kept_verbatim(lean: str) -> None:
    s = extract(doc(f"\\begin{{lemma}}\\lean{{{lean}}}\n" + CLAIM + "\n\\end{lemma}")).statements[0]
    assert s.name == lean


def test_name_from_label_then_title() -> None:
    labelled = extract(
        doc("\\begin{theorem}[Pythagoras]\\label{thm:py}\n" + CLAIM + "\n\\end{theorem}")
    )
    assert labelled.statements[0].name == "thm_py"
    titled = extract(doc("\\begin{theorem}[Pythagoras]\n" + CLAIM + "\n\\end{theorem}"))
    assert titled.statements[0].name == "Pythagoras"
    t = translate(labelled, labelled.statements[0])
    assert t.lean.startswith("theorem thm_py (x : ℝ)")


def test_label_is_not_translated() -> None:
    found = extract(doc("\\begin{theorem}\\label{thm:a}\n" + CLAIM + "\n\\end{theorem}"))
    s = found.statements[0]
    assert "\\label" not in s.body
    t = translate(found, s)
    assert t.status == "complete"
    assert "thm:a" not in t.statement


def test_slug_is_stable_and_depends_on_the_text() -> None:
    a = extract(doc("\\begin{lemma}\n" + CLAIM + "\n\\end{lemma}")).statements[0].name
    moved = extract(doc("Some text first.\n\n\\begin{lemma}\n" + CLAIM + "\n\\end{lemma}"))
    assert moved.statements[0].name == a
    assert a.startswith("lemma_")
    other = extract(doc("\\begin{lemma}\nThen $1 < 2$.\n\\end{lemma}")).statements[0].name
    assert other != a
    assert slug("lemma*", CLAIM) == slug("lemma", CLAIM)
    assert slug("lemma", CLAIM) == slug("lemma", "  " + CLAIM.replace(" ", "\n"))


def test_names_are_unique_in_a_document() -> None:
    body = "\n".join(f"\\begin{{lemma}}\\label{{same}}\n{CLAIM}\n\\end{{lemma}}" for _ in range(3))
    names = [s.name for s in extract(doc(body)).statements]
    assert names == ["same", "same_2", "same_3"]


def test_statements_in_document_order_with_positions() -> None:
    text = doc(
        "\\begin{lemma}\nThen $1 < 2$.\n\\end{lemma}\n\n\\begin{theorem}\n"
        + CLAIM
        + "\n\\end{theorem}"
    )
    found = extract(text)
    assert [s.env for s in found.statements] == ["lemma", "theorem"]
    lines = text.splitlines()
    first = found.statements[0]
    assert lines[first.span.line].startswith("\\begin{lemma}")
    assert found.at(first.span.line + 1, 3) == first


def test_commented_out_environment_is_ignored() -> None:
    text = doc("% \\begin{theorem}\n% " + CLAIM + "\n% \\end{theorem}\n")
    assert extract(text).statements == ()


# -- macros and declared functions ------------------------------------------------------------------


def test_newcommand_is_expanded_before_translation() -> None:
    text = doc(
        "\\begin{theorem}\nLet $x$ be a real number. Then $\\sq{x} \\ge 0$.\n\\end{theorem}",
        preamble="\\newcommand{\\sq}[1]{#1^2}",
    )
    found = extract(text)
    assert "\\sq" in found.declarations.macros
    assert goal(translate(found, found.statements[0])) == "x ^ 2 ≥ 0"


def test_newcommand_with_a_default_argument() -> None:
    text = doc(
        "\\begin{theorem}\nLet $x$ be a real number. Then $\\pw{x} \\ge 0$ and $\\pw[4]{x} \\ge 0$.\n\\end{theorem}",
        preamble="\\newcommand{\\pw}[2][2]{#2^{#1}}",
    )
    found = extract(text)
    m = found.declarations.macros["\\pw"]
    assert (m.arity, m.default) == (2, "2")
    g = goal(translate(found, found.statements[0]))
    assert "x ^ 2 ≥ 0" in g and "x ^ 4 ≥ 0" in g


def test_absolute_value_macro() -> None:
    text = doc(
        "\\begin{lemma}\nLet $x$ be a real number. Then $\\abs{x} \\ge 0$.\n\\end{lemma}",
        preamble="\\newcommand{\\abs}[1]{\\left|#1\\right|}",
    )
    found = extract(text)
    assert goal(translate(found, found.statements[0])) == "|x| ≥ 0"


def test_declare_math_operator() -> None:
    text = doc(
        "\\begin{lemma}\nShow that $\\Lcm(4, 6) = 12$.\n\\end{lemma}",
        preamble="\\DeclareMathOperator{\\Lcm}{lcm}",
    )
    found = extract(text)
    m = found.declarations.macros["\\Lcm"]
    assert m.operator and m.body == "lcm"
    assert goal(translate(found, found.statements[0])) == "Nat.lcm 4 6 = 12"


def test_macro_in_a_comment_is_not_declared() -> None:
    text = doc("", preamble="% \\newcommand{\\sq}[1]{#1^2}")
    assert "\\sq" not in extract(text).declarations.macros


def test_relevant_context_keeps_only_used_macros() -> None:
    text = doc(
        "\\begin{theorem}\nThen $\\sq{2} = 4$.\n\\end{theorem}",
        preamble="\\newcommand{\\sq}[1]{#1^2}\n\\newcommand{\\unused}{7}",
    )
    found = extract(text)
    ctx = relevant(found.context, found.statements[0].body)
    assert set(ctx.macros) == {"\\sq"}


def test_declared_function_reaches_the_translator() -> None:
    text = doc(
        "Let $u \\colon \\mathbb{R} \\to \\mathbb{R}$ be continuous.\n"
        "\\begin{lemma}\nThen $u(x+1) = u(x+1)$.\n\\end{lemma}"
    )
    found = extract(text)
    assert "u" in found.declarations.functions
    t = translate(found, found.statements[0])
    assert parts(t).variables.get("u") == "ℝ → ℝ"
    assert goal(t) == "u (x + 1) = u (x + 1)"
