"""The statement reader: which sentences are hypotheses, which is the claim, questions
with their answer, multiple choice, and names.  The vocabulary is data
(``grammars/phrases.toml``); these tests go through :func:`formalize_statement`."""

from __future__ import annotations

import pytest

from texlean.formalize import formalize_statement
from texlean.formalize.api import lean_name
from texlean.formalize.phrases import phrases

from .formalize_support import goal, parts, stmt

# -- hypotheses and claims ------------------------------------------------------------

HYPOTHESES = [
    "Suppose $x > 2$. Then $x^2 > 4$.",
    "Suppose that $x > 2$. Then $x^2 > 4$.",
    "Assume $x > 2$. Show that $x^2 > 4$.",
    "Assume that $x > 2$. Prove that $x^2 > 4$.",
    "If $x > 2$, then $x^2 > 4$.",
    "Given $x > 2$, show that $x^2 > 4$.",
    "Given that $x > 2$, prove that $x^2 > 4$.",
    "Let $x > 2$. Then $x^2 > 4$.",
    "Let $x$ be a real number such that $x > 2$. Show that $x^2 > 4$.",
    "Show that $x^2 > 4$, where $x > 2$.",
    "Prove that $x^2 > 4$ if $x > 2$.",
    "Show that $x^2 > 4$ whenever $x > 2$.",
    "Prove that if $x > 2$ then $x^2 > 4$.",
]


@pytest.mark.parametrize("text", HYPOTHESES)
def test_hypothesis_and_claim(text: str) -> None:
    t = stmt(text)
    p = parts(t)
    assert p.variables == {"x": "ℝ"}
    # (h : A) : B and : A → B are the same statement
    assert (tuple(p.hyps), p.goal) in {(("x > 2",), "x ^ 2 > 4"), ((), "x > 2 → x ^ 2 > 4")}
    assert t.status == "complete"
    assert t.untranslated == ()


def test_several_hypotheses_keep_their_order() -> None:
    p = parts(stmt("Let $x$ be a real number such that $x^2 = 4$ and $x > 0$. Show that $x = 2$."))
    assert p.hyps == ["x ^ 2 = 4", "x > 0"]
    assert p.goal == "x = 2"


def test_where_clause_after_the_claim() -> None:
    p = parts(stmt("Show that $x + y = 5$, where $x = 2$ and $y = 3$."))
    assert p.hyps == ["x = 2", "y = 3"]
    assert p.goal == "x + y = 5"


def test_hypotheses_are_numbered_h0_h1() -> None:
    t = stmt("Let $a > 0$ and $b > 0$ where $a + b = 1$. Show that $ab \\le \\frac{1}{4}$.")
    assert "(h₀ : a > 0) (h₁ : b > 0) (h₂ : a + b = 1)" in t.statement
    assert goal(t) == "a * b ≤ 1 / 4"


@pytest.mark.parametrize("marker", ["Then", "Show that", "Prove that", "We have", "Hence"])
def test_claim_markers(marker: str) -> None:
    t = stmt(f"Let $x$ be a real number. {marker} $x^2 \\ge 0$.")
    assert goal(t) == "x ^ 2 ≥ 0"
    assert parts(t).hyps == []


def test_chain_in_the_claim() -> None:
    t = stmt("Let $x$ and $y$ be real numbers with $x < y$. Then $x < \\frac{x+y}{2} < y$.")
    assert parts(t).hyps == ["x < y"]
    assert goal(t) == "x < (x + y) / 2 ∧ (x + y) / 2 < y"


def test_lone_formula_is_the_claim() -> None:
    t = stmt("$1 + 1 = 2$.")
    assert goal(t) == "1 + 1 = 2"
    assert parts(t).hyps == []


def test_universal_sentence_is_the_claim() -> None:
    t = stmt("For every real number $x$, $x^2 \\ge 0$.")
    p = parts(t)
    assert p.hyps == []
    assert p.goal == "∀ x : ℝ, x ^ 2 ≥ 0" or (p.variables, p.goal) == ({"x": "ℝ"}, "x ^ 2 ≥ 0")


def test_for_every_natural_in_set_is_a_binder() -> None:
    p = parts(stmt(r"For every $n \in \mathbb{N}$, $n + 0 = n$."))
    assert (p.variables, p.hyps, p.goal) == ({"n": "ℕ"}, [], "n + 0 = n")


def test_for_all_list_in_set_keeps_the_order() -> None:
    p = parts(stmt(r"For all $x, y \in \mathbb{R}$, $|x + y| \le |x| + |y|$."))
    assert list(p.variables) == ["x", "y"]
    assert p.hyps == []
    assert p.goal == "|x + y| ≤ |x| + |y|"


def test_for_all_positive_integers_become_binders_and_facts() -> None:
    p = parts(stmt(r"For all positive integers $a$ and $b$, $a + b \ge 2$."))
    assert p.variables == {"a": "ℕ", "b": "ℕ"}
    assert p.hyps == ["0 < a", "0 < b"]
    assert p.goal == "a + b ≥ 2"


def test_for_some_is_an_existential() -> None:
    t = stmt(r"A natural number $n$ is even if $n = 2 m$ for some $m \in \mathbb{N}$.")
    p = parts(t)
    assert p.variables == {"n": "ℕ"}
    assert "∃ m : ℕ, n = 2 * m" in p.goal
    assert t.status == "complete"


# -- questions ------------------------------------------------------------------------------


def test_question_with_its_answer() -> None:
    t = stmt("What is $2 + 3$? Show that it is 5.")
    assert t.statement == ": 2 + 3 = 5"
    assert t.status == "complete"


def test_question_about_a_defined_expression() -> None:
    p = parts(stmt("What is $E = 3 \\cdot 4$? Show that it is 12."))
    assert p.goal == "E = 12"
    assert p.hyps == ["E = 3 * 4"]


def test_question_about_a_function_value() -> None:
    p = parts(stmt("Let $f(x) = 2x+1$. What is $f(3)$? Show that it is 7."))
    assert p.hyps == ["∀ x : ℝ, f x = 2 * x + 1"]
    assert p.goal == "f 3 = 7"


def test_multiple_choice_answer_letter() -> None:
    t = stmt(
        "What is $1 + 1$? $\\textbf{(A)}\\ 1 \\qquad \\textbf{(B)}\\ 2 \\qquad "
        "\\textbf{(C)}\\ 3$ Show that it is \\textbf{(B)}."
    )
    assert goal(t) == "1 + 1 = 2"  # (B), not (A) or (C)


def test_multiple_choice_which_of_the_following() -> None:
    t = stmt(
        "Which of the following is equal to $2 \\cdot 3$? $\\textbf{(A)}\\ 5 \\qquad "
        "\\textbf{(B)}\\ 6 \\qquad \\textbf{(C)}\\ 7$ Show that it is \\textbf{(B)} 6."
    )
    assert goal(t) == "2 * 3 = 6"


def test_multiple_choice_picks_the_named_choice() -> None:
    text = (
        "What is $2 \\cdot 5$? $\\textbf{(A)}\\ 7 \\qquad \\textbf{(B)}\\ 10 \\qquad "
        "\\textbf{(C)}\\ 25$ Show that it is \\textbf{(%s)}."
    )
    assert goal(stmt(text % "B")) == "2 * 5 = 10"
    assert goal(stmt(text % "C")) == "2 * 5 = 25"


# -- what cannot be read ------------------------------------------------------------------------


def test_unread_claim_is_an_honest_hole() -> None:
    t = stmt("Prove that $\\sqrt{2}$ is irrational.")
    assert t.status in {"partial", "failed"}
    assert "sorry" in t.statement
    assert t.untranslated
    assert any(h.code == "FRM009" for h in t.hazards)


def test_empty_statement_fails_honestly() -> None:
    t = stmt("")
    assert t.status == "failed"
    assert t.lean.startswith("theorem t ")
    assert t.lean.endswith(":= by sorry")


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("thm:main", "thm_main"),
        ("lem:a-b.c", "lem_a_b_c"),
        ("Pythagoras' theorem", "Pythagoras_theorem"),
        ("1st", "s_1st"),
        ("", "statement"),
        ("  ", "statement"),
        ("foo_bar", "foo_bar"),
    ],
)
def test_lean_name(raw: str, name: str) -> None:
    assert lean_name(raw) == name
    assert formalize_statement("Then $1 < 2$.", name=raw).lean.startswith(f"theorem {name} ")


@pytest.mark.parametrize("keyword", ["end", "by", "fun", "theorem", "where", "sorry"])
def test_lean_name_avoids_keywords(keyword: str) -> None:
    assert lean_name(keyword) != keyword


def test_same_input_same_output() -> None:
    text = "Let $n$ be a positive integer. Prove that $\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$."
    first = formalize_statement(text, name="sum")
    for _ in range(3):
        assert formalize_statement(text, name="sum") == first


@pytest.mark.parametrize(("kind", "head"), [("lemma", "lemma t "), ("theorem", "theorem t ")])
def test_declaration_kind(kind: str, head: str) -> None:
    assert stmt("Then $1 < 2$.", kind=kind).lean.startswith(head)


def test_example_kind_has_no_name() -> None:
    t = stmt("Then $1 < 2$.", kind="example")
    assert t.lean == "example : 1 < 2 := by sorry"


def test_theorem_like_environments_map_to_declarations() -> None:
    envs = phrases().environments
    for env in (
        "theorem",
        "proposition",
        "corollary",
        "claim",
        "conjecture",
        "exercise",
        "problem",
    ):
        assert envs[env] == "theorem"
    assert stmt("Then $1 < 2$.", kind="Proposition").lean.startswith("theorem t ")
    assert stmt("Then $1 < 2$.", kind="no such kind").lean.startswith("theorem t ")
