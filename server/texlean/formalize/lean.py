"""AST → Lean 4 text (current Mathlib syntax), with Lean's precedences.

The printer only parenthesizes where Lean's grammar needs it, so that the output reads
like a hand-written statement: ``∑ k ∈ Finset.Icc 1 n, k ^ 2``, ``a ≡ b [MOD n]``,
``|x - 1|``, ``Real.sqrt 2``, ``n !``, ``(2 : ℝ) ^ x``.  A node it cannot print becomes an
explicit hole (``(sorry : T)`` followed by a comment with the LaTeX), so the text is always
a well-formed term.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .ast import Node

MAX = 1024
APP = 1000
_KEYWORDS = frozenset(
    {
        "at", "by", "do", "fun", "if", "in", "let", "then", "else", "from", "have", "show",
        "with", "end", "open", "where", "match", "theorem", "lemma", "def", "example", "sorry",
        "import", "namespace", "section", "variable", "universe", "instance", "structure",
        "class", "deriving", "mutual", "calc", "suffices", "obtain", "using", "this", "Type",
        "Prop", "Sort", "λ", "Π", "Σ", "π", "abs", "exp", "log", "sqrt", "sin", "cos", "tan",
        "cot", "choose", "gcd", "lcm", "floor", "ceil", "max", "min", "id", "pi", "rexp",
    }
)  # fmt: skip
_IDENT = re.compile(r"^[^\W\d]['\w₀-₉!?]*$")
_SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_BINARY = {
    "+": (65, 65, 66),
    "-": (65, 65, 66),
    "*": (70, 70, 71),
    "/": (70, 70, 71),
    "%": (70, 70, 71),
    "^": (75, 76, 75),
    "∪": (65, 65, 66),
    "∩": (70, 70, 71),
    "\\": (70, 70, 71),
    "∘": (90, 91, 90),
}


def ident(name: str) -> str:
    """A valid Lean identifier for a variable name (keywords and odd characters renamed)."""
    if _IDENT.match(name) and name not in _KEYWORDS:
        return name
    cleaned = re.sub(r"[^\w']", "", name)
    if not cleaned or cleaned[0].isdigit() or cleaned in _KEYWORDS:
        cleaned = "v" + cleaned
    return cleaned + "'" if cleaned in _KEYWORDS else cleaned


def hyp_name(i: int) -> str:
    return "h" + str(i).translate(_SUBSCRIPT_DIGITS)


def hole_text(latex: str, ty: str = "Prop") -> str:
    text = " ".join(latex.split()).replace("-/", "- /").replace("/-", "/ -")
    if len(text) > 200:
        text = text[:197] + "..."
    text = text.replace('"', "'")
    return f'(sorry : {ty}) /- untranslated: "{text}" -/'


def numeral(value: str) -> tuple[str, int]:
    """Lean text and precedence of a numeral (decimals become exact fractions)."""
    if value.isdigit():
        return str(int(value)) if len(value) < 400 else value.lstrip("0") or "0", MAX
    try:
        frac = Fraction(value)
    except (ValueError, ZeroDivisionError):
        return hole_text(value, "ℝ"), MAX
    if frac.denominator == 1:
        return str(frac.numerator), MAX
    return f"{frac.numerator} / {frac.denominator}", 70


class Printer:
    def __init__(self) -> None:
        self.depth = 0

    def term(self, node: Node, prec: int = 0) -> str:
        self.depth += 1
        try:
            if self.depth > 400:
                return hole_text("(too deeply nested)", node.ty or "Prop")
            text, own = self._term(node)
        finally:
            self.depth -= 1
        if own < prec:
            return f"({text})"
        return text

    def _term(self, node: Node) -> tuple[str, int]:
        k = node.kind
        a = node.args
        if k == "num":
            return numeral(node.value)
        if k == "var":
            return ident(node.value), MAX
        if k == "const":
            return node.value, MAX if " " not in node.value else APP
        if k == "op":
            sym = node.value
            if sym not in _BINARY or len(a) != 2:
                return hole_text(repr(node), node.ty or "ℝ"), MAX
            own, lp, rp = _BINARY[sym]
            left = self.term(a[0], lp)
            right = self.term(a[1], rp)
            if sym == "^" and right.startswith("-"):
                right = f"({right})"
            return f"{left} {sym} {right}", own
        if k == "neg":
            inner = self.term(a[0], 75)
            if inner.startswith("-"):
                inner = f"({inner})"
            return f"-{inner}", 75
        if k == "inv":
            return self.term(a[0], MAX) + "⁻¹", MAX
        if k == "fact":
            return self.term(a[0], MAX) + " !", APP
        if k == "app":
            return self._app(node)
        if k == "call":
            head = self.term(a[0], APP if a[0].kind in ("app", "call") else MAX)
            args = " ".join(self.term(x, MAX) for x in a[1:])
            return f"{head} {args}", APP
        if k == "abs":
            inner = self.term(a[0], 0)
            if inner.startswith("|") or inner.endswith("|") or inner.startswith("-"):
                inner = f"({inner})"
            return f"|{inner}|", MAX
        if k in ("floor", "ceil"):
            name = "Int.floor" if k == "floor" else "Int.ceil"
            return f"{name} {self.term(a[0], MAX)}", APP
        if k == "rel":
            sym = node.value
            if sym == ":":
                return hole_text("type judgement", "Prop"), MAX
            return f"{self.term(a[0], 51)} {sym} {self.term(a[1], 51)}", 50
        if k == "modeq":
            kind = node.meta.get("mod", "MOD")
            return (
                f"{self.term(a[0], 51)} ≡ {self.term(a[1], 51)} [{kind} {self.term(a[2], 0)}]",
                50,
            )
        if k == "and":
            return f"{self.term(a[0], 36)} ∧ {self.term(a[1], 35)}", 35
        if k == "or":
            return f"{self.term(a[0], 31)} ∨ {self.term(a[1], 30)}", 30
        if k == "implies":
            return f"{self.term(a[0], 26)} → {self.term(a[1], 25)}", 25
        if k == "iff":
            return f"{self.term(a[0], 21)} ↔ {self.term(a[1], 21)}", 20
        if k == "not":
            return "¬" + self.term(a[0], 40), 40
        if k in ("forall", "exists", "exists1"):
            return self._quantifier(node), 0
        if k in ("sum", "prod"):
            sym = "∑" if k == "sum" else "∏"
            dom = self.term(a[0], 0)
            body = self.term(a[1], 67)
            return f"{sym} {ident(node.value)} ∈ {dom}, {body}", 0
        if k == "icc":
            return f"Finset.Icc {self.term(a[0], MAX)} {self.term(a[1], MAX)}", APP
        if k == "range":
            return f"Finset.range {self.term(a[0], MAX)}", APP
        if k == "interval":
            args = " ".join(self.term(x, MAX) for x in a)
            return f"Set.{node.value} {args}", APP
        if k == "setbuilder":
            v = ident(node.value)
            ty = f" : {node.bty}" if node.bty else ""
            pred = self.term(a[0], 0)
            if len(a) > 1:
                pred = f"{v} ∈ {self.term(a[1], 51)} ∧ {self.term(a[0], 36)}"
            return f"{{{v}{ty} | {pred}}}", MAX
        if k == "setlit":
            return "{" + ", ".join(self.term(x, 0) for x in a) + "}", MAX
        if k == "tuple":
            return "(" + ", ".join(self.term(x, 0) for x in a) + ")", MAX
        if k == "numset":
            return node.value, MAX
        if k == "empty":
            return "∅", MAX
        if k == "ascr":
            return f"({self.term(a[0], 0)} : {node.value})", MAX
        if k == "card":
            target = a[0]
            if target.kind == "var":
                return f"{ident(target.value)}.card", MAX
            return f"Finset.card {self.term(target, MAX)}", APP
        if k == "lam":
            ty = f" : {node.bty}" if node.bty else ""
            return f"fun {ident(node.value)}{ty} => {self.term(a[0], 0)}", 0
        if k == "hole":
            return hole_text(node.value, node.ty or "Prop"), MAX
        if k == "fntype":
            return f"{self.term(a[0], 26)} → {self.term(a[1], 25)}", 25
        return hole_text(node.value or k, node.ty or "Prop"), MAX

    def _app(self, node: Node) -> tuple[str, int]:
        name = node.value
        args = node.args
        if name == "abs" and len(args) == 1:
            return self._term(Node("abs", args))
        if name == "Nat.Prime" and len(args) == 1:
            return f"Nat.Prime {self.term(args[0], MAX)}", APP
        if not args:
            return name, MAX if " " not in name else APP
        parts = " ".join(self.term(x, MAX) for x in args)
        return f"{name} {parts}", APP

    def _quantifier(self, node: Node) -> str:
        sym = {"forall": "∀", "exists": "∃", "exists1": "∃!"}[node.kind]
        v = ident(node.value)
        binder = f"{v} : {node.bty}" if node.bty else v
        if len(node.args) == 2:
            pred, body = node.args
            joiner = "→" if node.kind == "forall" else "∧"
            lp = 26 if joiner == "→" else 36
            rp = 25 if joiner == "→" else 35
            return f"{sym} {binder}, {self.term(pred, lp)} {joiner} {self.term(body, rp)}"
        return f"{sym} {binder}, {self.term(node.args[0], 0)}"


def print_term(node: Node, prec: int = 0) -> str:
    return Printer().term(node, prec)


def binders(variables: list[tuple[str, str]]) -> str:
    """``(x y : ℝ) (n : ℕ)``: consecutive variables of one type share a binder."""
    groups: list[tuple[list[str], str]] = []
    for name, ty in variables:
        if groups and groups[-1][1] == ty:
            groups[-1][0].append(ident(name))
        else:
            groups.append(([ident(name)], ty))
    return " ".join(f"({' '.join(names)} : {ty})" for names, ty in groups)


def declaration(
    kind: str, name: str, variables: list[tuple[str, str]], hyps: list[str], goal: str
) -> tuple[str, str]:
    """(full declaration, the part after the name) for ``theorem name binders hyps : goal``."""
    parts: list[str] = []
    if variables:
        parts.append(binders(variables))
    for i, h in enumerate(hyps):
        parts.append(f"({hyp_name(i)} : {h})")
    statement = " ".join(parts)
    statement = f"{statement} : {goal}" if statement else f": {goal}"
    head = "example" if kind == "example" else f"{kind} {name}"
    return f"{head} {statement} := by sorry", statement
