"""The Lean printer: current Mathlib spelling, Lean's precedences, the declaration's
shape, the status and the holes for what was not translated."""

from __future__ import annotations

import re

import pytest

from texlean.formalize import Translation
from texlean.formalize.api import hole
from texlean.formalize.ast import Node, num, op, rel, var
from texlean.formalize.lean import binders, declaration, hole_text, ident, print_term

from .formalize_support import comments_balanced, goal, math, stmt, without_comments

a, b, c, n, k = var("a"), var("b"), var("c"), var("n"), var("k")

# -- terms (the printer alone, on hand-built trees) ----------------------------------------

TERMS = [
    (op("-", a, op("-", b, c)), "a - (b - c)"),
    (op("-", op("-", a, b), c), "a - b - c"),
    (op("/", a, op("*", b, c)), "a / (b * c)"),
    (op("*", op("+", a, b), c), "(a + b) * c"),
    (op("^", op("^", a, b), c), "(a ^ b) ^ c"),
    (op("^", a, op("^", b, c)), "a ^ b ^ c"),
    (op("^", Node("neg", (a,)), num(2)), "(-a) ^ 2"),
    (Node("neg", (op("^", a, num(2)),)), "-a ^ 2"),
    (Node("neg", (op("+", a, b),)), "-(a + b)"),
    (Node("neg", (Node("neg", (a,)),)), "-(-a)"),
    (Node("fact", (n,)), "n !"),
    (Node("fact", (op("+", n, num(1)),)), "(n + 1) !"),
    (Node("app", (n, k), "Nat.choose"), "Nat.choose n k"),
    (Node("app", (op("+", a, b),), "Real.sqrt"), "Real.sqrt (a + b)"),
    (Node("abs", (op("-", a, num(1)),)), "|a - 1|"),
    (Node("floor", (a,)), "Int.floor a"),
    (Node("ceil", (op("/", a, num(2)),)), "Int.ceil (a / 2)"),
    (rel("∣", num(3), n), "3 ∣ n"),
    (Node("not", (rel("∣", num(3), n),)), "¬3 ∣ n"),
    (Node("modeq", (a, b, n)), "a ≡ b [MOD n]"),
    (Node("modeq", (a, b, op("+", n, num(1))), meta={"mod": "ZMOD"}), "a ≡ b [ZMOD n + 1]"),
    (Node("and", (Node("or", (a, b)), c)), "(a ∨ b) ∧ c"),
    (Node("or", (a, Node("and", (b, c)))), "a ∨ b ∧ c"),
    (Node("implies", (Node("implies", (a, b)), c)), "(a → b) → c"),
    (Node("implies", (a, Node("implies", (b, c)))), "a → b → c"),
    (Node("not", (rel("=", a, b),)), "¬a = b"),
    (Node("app", (n,), "Nat.Prime"), "Nat.Prime n"),
    (Node("icc", (num(1), n)), "Finset.Icc 1 n"),
    (Node("range", (op("+", n, num(1)),)), "Finset.range (n + 1)"),
]


@pytest.mark.parametrize(("node", "lean"), TERMS)
def test_print_term(node: Node, lean: str) -> None:
    assert print_term(node) == lean


def test_big_operator_spelling_and_scope() -> None:
    s = Node("sum", (Node("icc", (num(1), n)), op("^", k, num(2))), "k")
    assert print_term(s) == "∑ k ∈ Finset.Icc 1 n, k ^ 2"
    # the body extends as far as possible: a sum inside a larger term is parenthesized
    assert print_term(op("+", s, num(1))) == "(∑ k ∈ Finset.Icc 1 n, k ^ 2) + 1"
    p = Node("prod", (Node("range", (n,)), k), "k")
    assert print_term(p) == "∏ k ∈ Finset.range n, k"


def test_quantifiers() -> None:
    body = rel("≥", op("^", var("x"), num(2)), num(0))
    assert print_term(Node("forall", (body,), "x", bty="ℝ")) == "∀ x : ℝ, x ^ 2 ≥ 0"
    guarded = Node("exists", (rel(">", var("x"), num(0)), body), "x", bty="ℝ")
    assert print_term(guarded) == "∃ x : ℝ, x > 0 ∧ x ^ 2 ≥ 0"


@pytest.mark.parametrize(
    ("value", "lean"), [("12", "12"), ("007", "7"), ("0.5", "1 / 2"), ("3.14", "157 / 50")]
)
def test_numerals_are_exact(value: str, lean: str) -> None:
    assert print_term(num(value)) == lean


def test_identifiers_are_valid_lean_names() -> None:
    assert ident("x") == "x"
    assert ident("x₁") == "x₁"
    assert ident("α") == "α"
    for reserved in ("λ", "fun", "by", "π", "sorry", "exp"):
        out = ident(reserved)
        assert out != reserved
        assert re.fullmatch(r"[^\W\d][\w']*", out), out


def test_binders_group_consecutive_variables_of_one_type() -> None:
    assert binders([("x", "ℝ"), ("y", "ℝ"), ("n", "ℕ"), ("z", "ℝ")]) == "(x y : ℝ) (n : ℕ) (z : ℝ)"


def test_declaration_shape() -> None:
    full, statement = declaration("theorem", "foo", [("x", "ℝ")], ["0 < x", "x < 1"], "x ^ 2 < x")
    assert full == "theorem foo (x : ℝ) (h₀ : 0 < x) (h₁ : x < 1) : x ^ 2 < x := by sorry"
    assert statement == "(x : ℝ) (h₀ : 0 < x) (h₁ : x < 1) : x ^ 2 < x"
    assert declaration("example", "foo", [], [], "1 < 2")[0] == "example : 1 < 2 := by sorry"


# -- whole translations ------------------------------------------------------------------------

DECLARATION = re.compile(r"^(theorem|lemma) (\w+) (.*) := by sorry$", re.DOTALL)


def test_translation_shape() -> None:
    t = stmt("Let $x$ be a positive real number. Show that $x^2 + 1 > 0$.", name="pos_sq")
    assert t.lean == "theorem pos_sq (x : ℝ) (h₀ : 0 < x) : x ^ 2 + 1 > 0 := by sorry"
    assert t.statement == "(x : ℝ) (h₀ : 0 < x) : x ^ 2 + 1 > 0"
    assert t.name == "pos_sq"
    m = DECLARATION.match(t.lean)
    assert m is not None and m.group(3) == t.statement


@pytest.mark.parametrize(
    ("latex", "must", "must_not"),
    [
        (r"\sum_{k=1}^{n} k = 10", "∑ k ∈ Finset.Icc 1 n, k", "∑ k in"),
        (r"\binom{n}{k} = 10", "Nat.choose n k", "binom"),
        (r"3 \mid n", "3 ∣ n", "3 | n"),
        (r"n! = 120", "n !", "factorial"),
        (r"|x| = 3", "|x|", "abs x"),
    ],
)
def test_current_mathlib_spelling(latex: str, must: str, must_not: str) -> None:
    g = goal(math(latex))
    assert must in g
    assert must_not not in g


def test_prime_is_nat_prime() -> None:
    g = stmt("Let $p$ be a prime. Then $p \\ge 2$.").statement
    assert "Nat.Prime p" in g
    assert "p.Prime" not in g


# -- status and holes ------------------------------------------------------------------------------


def test_complete_has_no_hole() -> None:
    t = math("x + 1 > x")
    assert t.status == "complete"
    assert t.untranslated == ()
    assert "sorry :" not in t.statement
    assert not any(h.code == "FRM009" for h in t.hazards)


def test_partial_keeps_the_rest_and_lists_the_hole() -> None:
    t = math(r"\weird{a} + x = 1")
    assert t.status == "partial"
    assert t.untranslated == (r"\weird{a}",)
    assert '(sorry : ℝ) /- untranslated: "\\weird{a}" -/' in t.statement
    assert t.statement.startswith("(x : ℝ) : ")  # what was understood is kept
    assert t.statement.endswith("+ x = 1")
    frm009 = [h for h in t.hazards if h.code == "FRM009"]
    assert frm009 and dict(frm009[0].params)["what"] == r"\weird{a}"
    assert (frm009[0].start, frm009[0].end) == (0, len(r"\weird{a}"))


def test_failed_is_a_single_prop_hole() -> None:
    t = stmt("Nothing mathematical here.")
    assert t.status == "failed"
    assert re.fullmatch(r': \(sorry : Prop\) /- untranslated: "[^"]*" -/', t.statement)
    assert t.lean == f"theorem t {t.statement} := by sorry"


def test_hole_format() -> None:
    assert hole("x  \n y") == '(sorry : Prop) /- untranslated: "x y" -/'
    assert hole_text("x", "ℝ") == '(sorry : ℝ) /- untranslated: "x" -/'
    long = hole("a" * 500)
    assert len(long) < 300 and comments_balanced(long)


@pytest.mark.parametrize("evil", ["-/", "/-", "a -/ b", "/- a", "-/-/", "/-/", "--"])
def test_comment_terminator_in_untranslated_text(evil: str) -> None:
    for lean in (hole(evil), hole_text(evil, "ℝ")):
        assert comments_balanced(lean), lean
        # nothing of the LaTeX leaks out of the comment
        assert without_comments(lean).strip() in {"(sorry : Prop)", "(sorry : ℝ)"}


@pytest.mark.parametrize(
    "latex",
    [r"\weird{a -/ b} = 1", r"\foo{/- x} = 1", r"x = \bar{y} -/", r"\zzz{-/} > \yyy{/-}"],
)
def test_comment_terminator_through_the_translator(latex: str) -> None:
    for t in (math(latex), stmt(f"Let $x$ be real. Show that ${latex}$.")):
        assert comments_balanced(t.lean), t.lean
        assert t.lean.endswith(":= by sorry")
        assert "untranslated" not in without_comments(t.lean)


def test_untranslated_keeps_the_latex_verbatim() -> None:
    t = math(r"\weird{a -/ b} = 1")
    assert t.untranslated == (r"\weird{a -/ b}",)


def test_translation_is_a_value() -> None:
    t = math("x = 1")
    assert isinstance(t, Translation)
    assert t == math("x = 1")
    assert hash(t) == hash(math("x = 1"))
