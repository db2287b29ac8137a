"""Types: what the statement declares, what the formulas imply, the casts Lean needs,
and the hazards of ℕ/ℤ arithmetic (FRM001–FRM006, see ``texlean rules``)."""

from __future__ import annotations

import pytest

from .formalize_support import codes, goal, math, parts, stmt

# -- declared in words -------------------------------------------------------------------

NOUNS = [
    ("a real number", "ℝ", []),
    ("an integer", "ℤ", []),
    ("a natural number", "ℕ", []),
    ("a complex number", "ℂ", []),
    ("a rational number", "ℚ", []),
    ("a positive integer", "ℕ", ["0 < n"]),
    ("a positive real number", "ℝ", ["0 < n"]),
    ("a prime", "ℕ", ["Nat.Prime n"]),
    ("a prime number", "ℕ", ["Nat.Prime n"]),
    ("an odd integer", "ℤ", ["Odd n"]),
]


@pytest.mark.parametrize(("noun", "ty", "facts"), NOUNS)
def test_type_from_words(noun: str, ty: str, facts: list[str]) -> None:
    t = stmt(f"Let $n$ be {noun}. Show that $n = n$.")
    p = parts(t)
    assert p.variables == {"n": ty}
    assert p.hyps == facts
    assert p.goal == "n = n"
    assert t.status == "complete"


def test_positive_integer_in_z_needs_its_positivity() -> None:
    # either ℕ with 0 < n (which Mathlib prefers) or ℤ with 0 < n: never a bare ℕ or ℤ
    p = parts(stmt("Let $n$ be a positive integer. Prove that $n^2 \\ge n$."))
    assert p.variables["n"] in {"ℕ", "ℤ"}
    assert "0 < n" in p.hyps or "n > 0" in p.hyps


def test_non_negative_integer_is_a_natural_without_a_redundant_fact() -> None:
    p = parts(stmt("Let $n$ be a non-negative integer. Then $n \\ge 0$."))
    assert p.variables == {"n": "ℕ"}
    assert p.hyps == []


def test_several_variables_share_a_declaration() -> None:
    p = parts(stmt("Let $a, b, c$ be positive real numbers. Prove that $a + b + c > 0$."))
    assert p.variables == {"a": "ℝ", "b": "ℝ", "c": "ℝ"}
    assert sorted(p.hyps) == ["0 < a", "0 < b", "0 < c"]


def test_second_declaration_in_a_sentence_keeps_its_noun() -> None:
    p = parts(stmt("Let $p$ be a prime number and $a$ an integer. Then $a^p \\equiv a \\pmod p$."))
    assert p.variables["a"] == "ℤ"


# -- declared by membership -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "ty"),
    [
        (r"\mathbb{R}", "ℝ"),
        (r"\mathbb{Z}", "ℤ"),
        (r"\mathbb{Q}", "ℚ"),
        (r"\mathbb{C}", "ℂ"),
        (r"\N", "ℕ"),
    ],
)
def test_type_from_membership(latex: str, ty: str) -> None:
    p = parts(stmt(f"Let $x \\in {latex}$. Then $x = x$."))
    assert p.variables == {"x": ty}
    assert p.hyps == []  # a declaration, not a hypothesis x ∈ Set.univ


def test_two_memberships_in_one_sentence() -> None:
    p = parts(stmt(r"Let $x \in \mathbb{R}$ and $n \in \mathbb{N}$. Then $x^n \ge 0$."))
    assert p.variables == {"x": "ℝ", "n": "ℕ"}
    assert p.goal == "x ^ n ≥ 0"


def test_binders_follow_the_order_of_the_text() -> None:
    p = parts(stmt(r"Let $x, y \in \mathbb{R}$. Then $x^2 + y^2 \ge 2xy$."))
    assert list(p.variables) == ["x", "y"]


# -- inferred from the formulas -----------------------------------------------------------


def test_default_is_real() -> None:
    assert parts(math("x + y = 1")).variables == {"x": "ℝ", "y": "ℝ"}


def test_operands_of_divisibility_and_factorial_are_naturals() -> None:
    assert parts(math(r"3 \mid n")).variables == {"n": "ℕ"}
    assert parts(math(r"n! = 120")).variables == {"n": "ℕ"}


def test_sum_bound_is_a_natural() -> None:
    assert parts(math(r"\sum_{k=1}^{n} k = 10")).variables == {"n": "ℕ"}


def test_exponent_alone_is_a_natural() -> None:
    p = parts(math(r"(a^b)^c = 1"))
    assert p.variables == {"a": "ℝ", "b": "ℕ", "c": "ℕ"}


def test_argument_of_a_ceiling_is_real() -> None:
    assert parts(math(r"\lceil x \rceil \geq x")).variables == {"x": "ℝ"}


# -- casts ----------------------------------------------------------------------------------


def test_real_exponent_makes_the_base_real() -> None:
    # 2 ^ x with x : ℝ needs the base in ℝ (rpow); a bare 2 would be a natural
    assert goal(stmt("Let $x$ be a real number. Then $2^x > 0$.")) == "(2 : ℝ) ^ x > 0"


def test_natural_exponent_needs_no_cast() -> None:
    assert goal(stmt("Let $n$ be a natural number. Then $2^n > n$.")) == "2 ^ n > n"


def test_fraction_of_naturals_is_real() -> None:
    g = goal(stmt("Let $n$ be a positive integer. Then $\\frac{1}{n} \\le 1$."))
    assert g in {"(1 : ℝ) / n ≤ 1", "1 / (n : ℝ) ≤ 1"}
    g = goal(stmt("Let $n$ be a natural number. Show that $\\frac{n}{2} \\le n$."))
    assert g in {"(n : ℝ) / 2 ≤ n", "(n : ℝ) / 2 ≤ (n : ℝ)"}


def test_fraction_of_integers_is_real() -> None:
    g = goal(stmt("Let $a$ and $b$ be integers. Then $\\frac{a}{b} = 2$."))
    assert g in {"(a : ℝ) / b = 2", "(a : ℝ) / (b : ℝ) = 2"}


def test_no_cast_where_the_type_is_already_reached() -> None:
    assert goal(stmt("Let $x$ be a real number. Then $\\frac{x}{2} = 1$.")) == "x / 2 = 1"


def test_root_exponent_is_real() -> None:
    # x ^ (1 / 3) with a natural exponent would be x ^ 0
    assert "((1 : ℝ) / 3)" in goal(math(r"\sqrt[3]{27} = 3"))


def test_negative_literal_in_absolute_value_is_typed() -> None:
    # |-3| with no type would be elaborated in ℕ, which has no negation
    g = goal(math(r"|-3| = 3"))
    assert "ℤ" in g or "ℝ" in g


def test_sum_with_real_right_hand_side_casts_the_body() -> None:
    t = stmt(r"Let $n \ge 1$. Then $\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$.")
    g = goal(t)
    # the sum must be computed in ℝ (or the right-hand side's ℕ division would round)
    assert "(k : ℝ)" in g or "(n : ℝ)" in g


# -- hazards ----------------------------------------------------------------------------------


def test_natural_subtraction_is_flagged() -> None:
    t = stmt("Let $n$ be a natural number. Then $n - 1 < n$.")
    assert goal(t) == "n - 1 < n"
    h = next(h for h in t.hazards if h.code == "FRM001")
    text = "Let $n$ be a natural number. Then $n - 1 < n$."
    assert h.start is not None and h.end is not None
    assert text[h.start : h.end] == "n - 1"


def test_subtraction_of_two_naturals_is_flagged() -> None:
    assert "FRM001" in codes(stmt("Let $n$ and $m$ be natural numbers. Then $n - m \\ge 0$."))


def test_real_subtraction_is_not_flagged() -> None:
    assert "FRM001" not in codes(stmt("Let $x$ be a real number. Then $x - 1 < x$."))


def test_natural_division_that_stays_integral_is_flagged() -> None:
    t = stmt("Let $n$ be a natural number. Then $3 \\mid n / 2$.")
    assert goal(t) == "3 ∣ n / 2"
    assert ("type", "ℕ") in next(h for h in t.hazards if h.code == "FRM002").params


def test_fraction_lifted_to_real_is_not_integer_division() -> None:
    assert "FRM002" not in codes(stmt("Let $n$ be a natural number. Then $\\frac{n}{2} \\le n$."))


def test_division_by_a_variable_is_flagged_or_guarded() -> None:
    # x / b with b possibly 0: either a hazard or an explicit b ≠ 0 hypothesis
    t = math(r"\frac{a}{b} + c = 1")
    assert "FRM003" in codes(t) or "b ≠ 0" in parts(t).hyps


def test_division_by_a_constant_is_not_flagged() -> None:
    assert "FRM003" not in codes(math(r"\frac{x}{3} = 1"))


def test_square_root_of_a_variable_is_flagged() -> None:
    assert "FRM005" in codes(math(r"\sqrt{x} = 2"))
    assert "FRM005" not in codes(math(r"\sqrt{16} = 4"))


def test_square_root_of_a_positive_variable_is_not_flagged() -> None:
    t = stmt("Let $x$ be a positive real number. Then $\\sqrt{x} > 0$.")
    assert "FRM005" not in codes(t)


def test_square_root_of_a_natural_is_not_flagged() -> None:
    assert "FRM005" not in codes(stmt("Let $n$ be a natural number. Then $\\sqrt{n} \\ge 0$."))


def test_logarithm_of_a_variable_is_flagged_or_guarded() -> None:
    t = math(r"\log x = 2")
    assert "FRM006" in codes(t) or "0 < x" in parts(t).hyps
    assert "FRM006" not in codes(math(r"\log_2 8 = 3"))


def test_inverse_of_a_variable_is_flagged_or_guarded() -> None:
    t = math(r"x^{-1} = y")
    assert goal(t) == "x⁻¹ = y"
    assert "FRM004" in codes(t) or "x ≠ 0" in parts(t).hyps


@pytest.mark.parametrize(
    ("latex", "code", "piece"),
    [(r"\sqrt{x} = 2", "FRM005", r"\sqrt{x}"), (r"x^{-1} = y", "FRM004", "x^{-1}")],
)
def test_hazard_range_covers_the_expression(latex: str, code: str, piece: str) -> None:
    h = next(h for h in math(latex).hazards if h.code == code)
    assert h.start is not None and h.end is not None
    assert latex[h.start : h.end] == piece
    assert dict(h.params)["expr"] == piece
