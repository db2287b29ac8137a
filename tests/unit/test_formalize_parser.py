"""The math parser, through formalize_math: what a formula means in Lean.

Each expectation is the Lean goal a careful human would write for the formula (checked
by hand against Lean 4 / Mathlib precedences: + - 65 left, * / 70 left, unary - 75 so
that ``-x ^ 2`` is ``-(x ^ 2)``, ^ 75 right, ``¬`` looser than ``=``).  Only the goal is
compared: the variables and any side conditions the translator adds are another test's
business.  Where Lean accepts two spellings (``Real.sqrt x`` / ``√x``, a big operator
with or without parentheses before ``=``), both are accepted.
"""

from __future__ import annotations

import pytest

from texlean.formalize import Context

from .formalize_support import codes, goal, math, parts, stmt

# -- arithmetic and precedence --------------------------------------------------------

ARITHMETIC = [
    (r"a + b \cdot c = d", "a + b * c = d"),
    (r"(a + b) \cdot c = d", "(a + b) * c = d"),
    (r"a - b - c = 0", "a - b - c = 0"),
    (r"a - (b - c) = 0", "a - (b - c) = 0"),
    (r"a \times b / c = d", "a * b / c = d"),
    (r"a \div b = c", "a / b = c"),
    (r"a / (b / c) = 1", "a / (b / c) = 1"),
    (r"\frac{a+b}{c+d} = 1", "(a + b) / (c + d) = 1"),
    (r"\dfrac{1}{2} + \tfrac{x}{3} = 1", "1 / 2 + x / 3 = 1"),
    (r"x^2 + y^2 = z^2", "x ^ 2 + y ^ 2 = z ^ 2"),
    (r"-x^2 = y", "-x ^ 2 = y"),
    (r"-(x + 1) = y", "-(x + 1) = y"),
    (r"a^{b^c} = 1", "a ^ b ^ c = 1"),
    (r"(a^b)^c = 1", "(a ^ b) ^ c = 1"),
    (r"n! = 120", "n ! = 120"),
    (r"(n+1)! = m", "(n + 1) ! = m"),
    (r"(n+1)! = n! (n+1)", "(n + 1) ! = n ! * (n + 1)"),
    (r"\left( x + 1 \right)^2 = 4", "(x + 1) ^ 2 = 4"),
]


@pytest.mark.parametrize(("latex", "lean"), ARITHMETIC)
def test_arithmetic_precedence(latex: str, lean: str) -> None:
    t = math(latex)
    assert goal(t) == lean
    assert t.status == "complete"


def test_negative_base_keeps_its_parentheses() -> None:
    # (-2)^2 = 4 is true; -2^2 = -4 is -(2^2): the parentheses carry the meaning
    assert goal(math("(-2)^2 = 4")).startswith("(-")
    assert not goal(math("-2^2 = -4")).startswith("(-")


# -- named operations ----------------------------------------------------------------

NAMED = [
    (r"\binom{n}{k} = 10", {"Nat.choose n k = 10"}),
    (r"\binom{5}{2} = 10", {"Nat.choose 5 2 = 10"}),
    (r"\sqrt{x} = 2", {"Real.sqrt x = 2", "√x = 2"}),
    (r"\sqrt[3]{x} = 2", {"x ^ ((1 : ℝ) / 3) = 2"}),
    (r"|x - 1| < 2", {"|x - 1| < 2"}),
    (r"\lvert x \rvert = 3", {"|x| = 3"}),
    (r"\left| x \right| \ge 0", {"|x| ≥ 0"}),
    (r"\lfloor x \rfloor = 3", {"Int.floor x = 3", "⌊x⌋ = 3"}),
    (r"\lceil x \rceil = 3", {"Int.ceil x = 3", "⌈x⌉ = 3"}),
    (r"\lfloor \frac{7}{2} \rfloor = 3", {"Int.floor ((7 : ℝ) / 2) = 3", "⌊(7 : ℝ) / 2⌋ = 3"}),
    (r"\lfloor \pi \rfloor = 3", {"Int.floor π = 3", "⌊π⌋ = 3", "Int.floor Real.pi = 3"}),
]


@pytest.mark.parametrize(("latex", "leans"), NAMED)
def test_named_operations(latex: str, leans: set[str]) -> None:
    assert goal(math(latex)) in leans


def test_binomial_arguments_are_naturals() -> None:
    t = math(r"\binom{n}{k} = 10")
    assert parts(t).variables == {"n": "ℕ", "k": "ℕ"}


def test_decimal_under_floor_is_real() -> None:
    assert "ℝ" in goal(math(r"\lfloor 3.7 \rfloor = 3"))


# -- divisibility, congruences, relations ------------------------------------------------


def test_divides_uses_the_divides_sign() -> None:
    g = goal(math(r"3 \mid n"))
    assert g == "3 ∣ n"
    assert "|" not in g  # U+2223, not the ASCII bar (that would be abs)


def test_not_divides() -> None:
    assert goal(math(r"3 \nmid n")) in {"¬3 ∣ n", "¬(3 ∣ n)", "¬ 3 ∣ n"}


def test_congruence_of_naturals() -> None:
    t = math(r"a \equiv b \pmod{n}")
    assert goal(t) == "a ≡ b [MOD n]"
    assert parts(t).variables == {"a": "ℕ", "b": "ℕ", "n": "ℕ"}


def test_congruence_of_integers_is_zmod() -> None:
    t = stmt(r"Let $a$ and $b$ be integers. Show that $a \equiv b \pmod{5}$.")
    assert goal(t) == "a ≡ b [ZMOD 5]"


def test_congruence_to_a_residue() -> None:
    # a ≡ 3 [MOD 7] and a % 7 = 3 say the same for a natural a (3 < 7)
    assert goal(math(r"a \equiv 3 \pmod 7")) in {"a ≡ 3 [MOD 7]", "a % 7 = 3"}


def test_congruence_of_a_negative_literal_is_integral() -> None:
    assert "ℤ" in goal(math(r"-3 \equiv 4 \pmod 7")) or "ZMOD" in goal(math(r"-3 \equiv 4 \pmod 7"))


RELATIONS = [
    (r"a < b \le c", "a < b ∧ b ≤ c"),
    (r"a \le b < c \le d", "a ≤ b ∧ b < c ∧ c ≤ d"),
    (r"x \neq 0", "x ≠ 0"),
    (r"x \ne 0", "x ≠ 0"),
    (r"x \geq 0", "x ≥ 0"),
    (r"x \leq 1", "x ≤ 1"),
    (r"x > 0", "x > 0"),
]


@pytest.mark.parametrize(("latex", "lean"), RELATIONS)
def test_relations_and_chains(latex: str, lean: str) -> None:
    assert goal(math(latex)) == lean


# -- logic ---------------------------------------------------------------------------

LOGIC = [
    (r"x > 0 \land y > 0", "x > 0 ∧ y > 0"),
    (r"x > 0 \wedge y > 0", "x > 0 ∧ y > 0"),
    (r"x > 0 \lor y > 0", "x > 0 ∨ y > 0"),
    (r"\neg (x = 1)", "¬x = 1"),
    (r"x > 0 \implies x^2 > 0", "x > 0 → x ^ 2 > 0"),
    (r"x > 0 \iff x^3 > 0", "x > 0 ↔ x ^ 3 > 0"),
    (r"\forall x \in \mathbb{R}, x^2 \ge 0", "∀ x : ℝ, x ^ 2 ≥ 0"),
    (r"\forall x \in \R, x^2 \ge 0", "∀ x : ℝ, x ^ 2 ≥ 0"),
    (r"\forall n \in \mathbb{N}, n \ge 0", "∀ n : ℕ, n ≥ 0"),
    (r"\exists n \in \mathbb{N}, n > 5", "∃ n : ℕ, n > 5"),
    (r"\exists x \in \mathbb{Z}, x < 0", "∃ x : ℤ, x < 0"),
    (r"\neg \exists x, x < x", "¬(∃ x : ℝ, x < x)"),
]


@pytest.mark.parametrize(("latex", "lean"), LOGIC)
def test_logic(latex: str, lean: str) -> None:
    assert goal(math(latex)) == lean


def test_quantified_variable_is_not_a_theorem_variable() -> None:
    t = math(r"\forall x \in \mathbb{R}, x^2 \ge 0")
    assert "x" not in parts(t).variables


def test_propositional_variables_are_props() -> None:
    t = math(r"p \land q \implies p")
    assert parts(t).variables.get("p") == "Prop"


# -- sets ------------------------------------------------------------------------------

INTERVALS = [
    (r"x \in [0, 1]", "x ∈ Set.Icc (0 : ℝ) 1"),
    (r"x \in (0, 1)", "x ∈ Set.Ioo (0 : ℝ) 1"),
    (r"x \in [0, 1)", "x ∈ Set.Ico (0 : ℝ) 1"),
]


@pytest.mark.parametrize(("latex", "lean"), INTERVALS)
def test_intervals(latex: str, lean: str) -> None:
    t = math(latex)
    assert goal(t) == lean
    assert parts(t).variables["x"] == "ℝ"


def test_set_builder() -> None:
    assert "{x : ℝ | x > 0}" in goal(math(r"S = \{x \mid x > 0\}"))


def test_set_literal_and_membership() -> None:
    p = parts(stmt(r"Let $S = \{1, 2, 3\}$. Then $2 \in S$."))
    assert p.hyps == ["S = {1, 2, 3}"]
    assert p.variables["S"] in {"Finset ℕ", "Set ℕ"}
    assert p.goal in {"2 ∈ S", "(2 : ℕ) ∈ S"}


def test_not_in_and_empty_set() -> None:
    assert goal(math(r"x \notin S")) == "x ∉ S"
    assert goal(math(r"S = \emptyset")) == "S = ∅"


def test_set_variable_has_a_set_type() -> None:
    assert parts(math(r"S = \{x \mid x > 0\}")).variables["S"] == "Set ℝ"


def test_membership_element_type_matches_the_set() -> None:
    v = parts(math(r"x \in S")).variables
    assert v["S"].split()[-1] == v["x"]


@pytest.mark.parametrize(
    ("latex", "lean"),
    [
        (r"A \cup B \subseteq C", "A ∪ B ⊆ C"),
        (r"A \cap B \subseteq A", "A ∩ B ⊆ A"),
        (r"A \setminus B \subseteq A", "A \\ B ⊆ A"),
    ],
)
def test_set_operations(latex: str, lean: str) -> None:
    t = math(latex)
    assert goal(t) == lean
    assert t.status == "complete"


def test_subset() -> None:
    assert goal(math(r"A \subseteq B")) == "A ⊆ B"


def test_membership_in_a_number_set_declares() -> None:
    for latex, ty in ((r"\mathbb{R}", "ℝ"), (r"\R", "ℝ"), (r"\mathbb{Z}", "ℤ"), (r"\N", "ℕ")):
        t = stmt(f"Let $x \\in {latex}$. Then $x = x$.")
        assert parts(t).variables == {"x": ty}, latex
        assert goal(t) == "x = x"


# -- functions -------------------------------------------------------------------------

FUNCTIONS = [
    (r"\sin x = 0", {"Real.sin x = 0"}),
    (r"\sin(x) + \cos(x) = 1", {"Real.sin x + Real.cos x = 1"}),
    (r"\cos^2 x + \sin^2 x = 1", {"Real.cos x ^ 2 + Real.sin x ^ 2 = 1"}),
    (r"\sin^{-1}(x) = 0", {"Real.arcsin x = 0"}),
    (r"\log x = 2", {"Real.log x = 2"}),
    (r"\ln x = 1", {"Real.log x = 1"}),
    (r"\log_2 8 = 3", {"Real.logb 2 8 = 3"}),
    (r"\log_{10} 100 = 2", {"Real.logb 10 100 = 2"}),
    (r"\exp(x) = 1", {"Real.exp x = 1", "rexp x = 1"}),
    (r"e^x = 1", {"Real.exp x = 1", "rexp x = 1"}),
    (r"\gcd(a, b) = 1", {"Nat.gcd a b = 1"}),
    (r"\gcd(12, 18) = 6", {"Nat.gcd 12 18 = 6"}),
    (r"\operatorname{lcm}(a, b) = 12", {"Nat.lcm a b = 12"}),
    (r"\max(a, b) = 3", {"max a b = 3"}),
    (r"\min(2, 3) = 2", {"min 2 3 = 2"}),
    (r"f(x) = 2", {"f x = 2"}),
    (r"f^{-1}(x) = 2", {"Function.invFun f x = 2", "f⁻¹ x = 2"}),
    (r"(f \circ g)(x) = 1", {"(f ∘ g) x = 1"}),
]


@pytest.mark.parametrize(("latex", "leans"), FUNCTIONS)
def test_functions(latex: str, leans: set[str]) -> None:
    assert goal(math(latex)) in leans


def test_gcd_arguments_are_naturals_and_function_symbols_are_functions() -> None:
    assert parts(math(r"\gcd(a, b) = 1")).variables == {"a": "ℕ", "b": "ℕ"}
    assert parts(math(r"(f \circ g)(x) = 1")).variables == {
        "f": "ℝ → ℝ",
        "g": "ℝ → ℝ",
        "x": "ℝ",
    }


# -- big operators ----------------------------------------------------------------------


def _one_of(body: str, rhs: str) -> set[str]:
    # Mathlib parses a big operator's body at precedence 67: both spellings are the same
    return {f"({body}) = {rhs}", f"{body} = {rhs}"}


BIG = [
    (r"\sum_{k=1}^{n} k = 10", _one_of("∑ k ∈ Finset.Icc 1 n, k", "10")),
    (r"\sum_{k=1}^{n} k^2 = 10", _one_of("∑ k ∈ Finset.Icc 1 n, k ^ 2", "10")),
    (r"\sum_{1 \le k \le n} k = 10", _one_of("∑ k ∈ Finset.Icc 1 n, k", "10")),
    (r"\prod_{k=1}^{5} k = 120", _one_of("∏ k ∈ Finset.Icc 1 5, k", "120")),
    (r"\sum_{k \in S} k = 10", _one_of("∑ k ∈ S, k", "10")),
    (r"\sum_{k=0}^{n-1} k = 10", _one_of("∑ k ∈ Finset.range n, k", "10")),
    (r"\sum_{d \mid 12} d = 28", _one_of("∑ d ∈ Nat.divisors 12, d", "28")),
]


@pytest.mark.parametrize(("latex", "leans"), BIG)
def test_big_operators(latex: str, leans: set[str]) -> None:
    g = goal(math(latex))
    assert g in leans
    assert " in " not in g  # the deprecated `∑ x in s` spelling


def test_sum_of_reciprocals_is_real() -> None:
    # 1/k summed over naturals means the rational sum, not ℕ division
    g = goal(math(r"\sum_{k=1}^{10} \frac{1}{k} = s"))
    assert "(1 : ℝ) / k" in g or "1 / (k : ℝ)" in g


# -- constants, numbers -------------------------------------------------------------------


def test_pi() -> None:
    assert goal(math(r"\pi > 3")) in {"π > 3", "Real.pi > 3"}


def test_imaginary_unit() -> None:
    assert goal(math(r"i^2 = -1")) == "Complex.I ^ 2 = -1"
    t = math(r"z = 1 + 2i")
    assert goal(t) == "z = 1 + 2 * Complex.I"
    assert parts(t).variables == {"z": "ℂ"}


def test_i_as_an_index_is_a_variable() -> None:
    g = goal(math(r"\sum_{i=1}^{n} i = 10"))
    assert "Complex.I" not in g


DECIMALS = [
    (r"x = 3.14", "x = 157 / 50"),
    (r"0.5 x = 1", "1 / 2 * x = 1"),
    (r"50\% \cdot x = 10", "50 / 100 * x = 10"),
]


@pytest.mark.parametrize(("latex", "lean"), DECIMALS)
def test_decimals_and_percent_are_exact(latex: str, lean: str) -> None:
    t = math(latex)
    assert goal(t) == lean
    assert parts(t).variables["x"] == "ℝ"  # so that the fractions are not ℕ divisions


# -- juxtaposition ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "lean"),
    [(r"2x + 3y = 7", "2 * x + 3 * y = 7"), (r"xy = 1", "x * y = 1")],
)
def test_juxtaposition_of_values_is_a_product(latex: str, lean: str) -> None:
    t = math(latex)
    assert goal(t) == lean
    assert "FRM007" not in codes(t)


def test_undeclared_letter_before_parentheses_is_a_product_with_a_hazard() -> None:
    t = math(r"a(b+c) = 5")
    assert goal(t) == "a * (b + c) = 5"
    frm007 = [h for h in t.hazards if h.code == "FRM007"]
    assert frm007 and dict(frm007[0].params)["reading_key"] == "frag-reading-product"


def test_conventional_function_letter_is_applied_with_hazards() -> None:
    t = math(r"f(x+1) = 5")
    assert goal(t) == "f (x + 1) = 5"
    assert {"FRM007", "FRM008"} <= codes(t)


def test_declared_function_in_context_applies_without_hazard() -> None:
    declared = math(r"u(x+1) = 5", context=Context(functions=frozenset({"u"})))
    assert goal(declared) == "u (x + 1) = 5"
    assert parts(declared).variables["u"] == "ℝ → ℝ"
    assert not codes(declared) & {"FRM007", "FRM008"}
    undeclared = math(r"u(x+1) = 5")
    assert goal(undeclared) == "u * (x + 1) = 5"
    assert "FRM007" in codes(undeclared)


def test_function_defined_in_the_statement_applies() -> None:
    t = stmt(r"Let $f(x) = 2x+1$. Show that $f(3) = 7$.")
    p = parts(t)
    assert p.variables == {"f": "ℝ → ℝ"}
    assert p.hyps == ["∀ x : ℝ, f x = 2 * x + 1"]
    assert p.goal == "f 3 = 7"
    assert not codes(t) & {"FRM007", "FRM008"}


def test_function_declared_with_a_signature_applies() -> None:
    t = stmt(r"Let $g \colon \mathbb{R} \to \mathbb{R}$. Then $g(x+1) = 1$.")
    assert goal(t) == "g (x + 1) = 1"
    assert not codes(t) & {"FRM007", "FRM008"}


def test_value_seen_alone_makes_parentheses_a_product() -> None:
    t = stmt(r"Let $a$ be a real number. Then $a(a+1) = a^2 + a$.")
    assert goal(t) == "a * (a + 1) = a ^ 2 + a"
    assert "FRM007" not in codes(t)


def test_function_declared_in_words_applies_without_hazard() -> None:
    t = stmt(r"Let $g$ be a function. Then $g(x+1) = 1$.")
    assert goal(t) == "g (x + 1) = 1"
    assert not codes(t) & {"FRM007", "FRM008"}
