"""Types: inference for the statement's variables, and the casts Lean needs.

Numbers live in the chain ℕ < ℤ < ℚ < ℝ < ℂ.  As in Lean's ``binop%`` elaborator (and in
``leq.py``'s model of it), an *arithmetic tree* — a maximal term built from + − × ÷ %,
unary minus and the base of ^, under a relation or as a function argument — is computed in
the largest type among its leaves and the type its context expects.  This module

* gives every free variable a type: what the text declared, else what the trees it sits
  in say (a leaf next to a real is real; an operand of %, ∣, ≡, gcd, ! is a natural; an
  exponent alone is a natural), else the statement's default;
* decides each tree's type: a fraction of naturals or integers is lifted to ℝ (the
  mathematical reading) unless the tree must stay integral (under %, ∣, ≡, gcd, an
  exponent, an index), where the rounding division is kept and flagged;
* inserts the ascriptions Lean needs (``(2 : ℝ)``, ``(n : ℝ)``) exactly where the tree type
  would not otherwise be reached — leq.py treats them as transparent — and
* reports the hazards of the literal Lean reading (FRM001–FRM006).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from .ast import Node, free_vars, num, op, span
from .vocabulary import Vocabulary

CHAIN = ("ℕ", "ℤ", "ℚ", "ℝ", "ℂ")
ARITH = frozenset({"+", "-", "*", "/", "%"})
INTEGRAL_FUNCS = frozenset(
    {"Nat.gcd", "Nat.lcm", "Nat.choose", "Nat.Prime", "Nat.divisors", "Nat.properDivisors",
     "Nat.totient", "Nat.sqrt", "Nat.digits", "Int.gcd", "Int.lcm", "Even", "Odd"}
)  # fmt: skip
REAL_FUNCS_RESULT = {"Int.floor": "ℤ", "Int.ceil": "ℤ", "Finset.card": "ℕ"}


def rank(ty: str) -> int:
    return CHAIN.index(ty) if ty in CHAIN else -1


def join(*types: str) -> str:
    best = ""
    for t in types:
        if t in CHAIN and (not best or rank(t) > rank(best)):
            best = t
    return best


def is_numeric(ty: str) -> bool:
    return ty in CHAIN


@dataclass
class VarInfo:
    """What is known of one variable (free, or bound by a binder)."""

    name: str
    ty: str = ""  # value type; for a function its codomain; for a set its element type
    dom: tuple[str, ...] = ()  # argument types of a function
    kind: str = "value"  # value | function | set
    declared: bool = False
    evidence: set[str] = field(default_factory=set)
    integral: bool = False  # used where an integer is needed
    exponent_only: bool = True
    set_kind: str = "Finset"

    def lean_type(self) -> str:
        if self.kind == "function":
            dom = self.dom or ("ℝ",)
            return " → ".join((*dom, self.ty or "ℝ"))
        if self.kind == "set":
            return f"{self.set_kind} {self.ty or 'ℕ'}"
        return self.ty or "ℝ"


@dataclass
class Issue:
    code: str
    params: tuple[tuple[str, str], ...]
    start: int
    end: int


class Scope:
    """Variables in scope: the free ones and a chain of binders."""

    def __init__(self, free: dict[str, VarInfo], binders: dict[int, VarInfo]) -> None:
        self.free = free
        self.binders = binders
        self.stack: list[VarInfo] = []

    def lookup(self, name: str) -> VarInfo | None:
        for info in reversed(self.stack):
            if info.name == name:
                return info
        return self.free.get(name)

    def push(self, node: Node, name: str) -> VarInfo:
        info = self.binders.get(id(node))
        if info is None:
            bty = node.bty
            if "→" in bty:
                parts = [t.strip() for t in bty.split("→")]
                info = VarInfo(
                    name=name, ty=parts[-1], dom=tuple(parts[:-1]), kind="function", declared=True
                )
            else:
                info = VarInfo(name=name, ty=bty, declared=bool(bty))
            self.binders[id(node)] = info
        self.stack.append(info)
        return info

    def pop(self) -> None:
        self.stack.pop()


class Elaborator:
    def __init__(
        self,
        variables: dict[str, VarInfo],
        default: str,
        vocab: Vocabulary,
        latex: Callable[[int, int], str],
        facts: list[Node] | None = None,
    ) -> None:
        self.vars = variables
        self.default = default
        self.vocab = vocab
        self.binders: dict[int, VarInfo] = {}
        self.latex = latex
        self.issues: list[Issue] = []
        self.facts = facts or []
        self._nonzero: set[tuple[object, ...]] = set()
        self._positive: set[tuple[object, ...]] = set()
        self._nonneg: set[tuple[object, ...]] = set()

    # -- inference -----------------------------------------------------------------------------
    def infer(self, props: list[Node]) -> None:
        """Give every variable occurring in ``props`` a type (fixpoint over the evidence)."""
        for prop in props:
            for name in free_vars(prop):
                if name not in self.vars:
                    self.vars[name] = VarInfo(name=name)
        for prop in props:
            self._shape(prop, Scope(self.vars, self.binders), 0)
        for _ in range(4):
            changed = False
            for prop in props:
                scope = Scope(self.vars, self.binders)
                changed |= self._evidence(prop, scope, "", False, 0)
            for info in [*self.vars.values(), *self.binders.values()]:
                if info.declared or info.kind == "set":
                    continue
                ev = join(*info.evidence)
                if ev and ev != info.ty and (not info.ty or rank(ev) > rank(info.ty)):
                    info.ty = ev
                    changed = True
            if not changed:
                break
        defaulted: set[int] = set()
        for info in [*self.vars.values(), *self.binders.values()]:
            if not info.ty:
                defaulted.add(id(info))
                if (
                    (info.kind == "function" and info.dom and info.dom[0] == "ℕ" and info.integral)
                    or info.integral
                    or (info.kind == "value" and info.exponent_only and info.evidence == {"exp"})
                ):
                    info.ty = "ℕ"
                else:
                    info.ty = self.default if info.kind != "set" else "ℕ"
            if info.kind == "function":
                fill = "ℕ" if self.default == "ℕ" else "ℝ"
                info.dom = tuple(d or fill for d in info.dom) or (fill,)
                if (
                    not info.declared
                    and info.dom[0] in ("ℝ", "ℂ")
                    and rank(info.ty) < rank(info.dom[0])
                ):
                    info.ty = info.dom[0]
        self._agree(props, defaulted)

    def _agree(self, props: list[Node], defaulted: set[int]) -> None:
        """A set and its elements agree: S = {x : ℝ | …} is a set of reals; in x ∈ S the
        one whose type is only a default takes the other's."""
        for prop in props:
            for n in prop.walk():
                if n.kind != "rel" or len(n.args) != 2:
                    continue
                a, b = n.args
                if n.value == "=" and a.kind == "var" and b.kind == "setbuilder":
                    info = self.vars.get(a.value)
                    binder = self.binders.get(id(b))
                    if info is not None and info.kind == "set" and not info.declared:
                        info.ty = (binder.ty if binder is not None else "") or self.default
                if n.value in ("∈", "∉") and a.kind == "var" and b.kind == "var":
                    x, sset = self.vars.get(a.value), self.vars.get(b.value)
                    if x is None or sset is None or x.kind != "value" or sset.kind != "set":
                        continue
                    if id(x) in defaulted and not x.declared and id(sset) not in defaulted:
                        x.ty = sset.ty
                    elif id(sset) in defaulted and not sset.declared:
                        sset.ty = x.ty

    def _shape(self, node: Node, scope: Scope, depth: int) -> None:
        """Which variables are functions (and their arity) and which are sets."""
        if depth > 300:
            return
        k = node.kind
        if k == "call" and node.args and node.args[0].kind == "var":
            info = scope.lookup(node.args[0].value)
            if info is not None:
                if info.kind != "function":
                    info.kind = "function"
                if not info.dom:
                    sub = node.meta.get("subscript") == "1"
                    info.dom = tuple("ℕ" if sub else "" for _ in node.args[1:])
        if (
            k == "app"
            and node.value == "Function.invFun"
            and node.args
            and node.args[0].kind == "var"
        ):
            info = scope.lookup(node.args[0].value)
            if info is not None:
                info.kind = "function"
        if k in ("and", "or", "implies", "iff", "not"):
            # p ∧ q → p: a variable standing as a statement is a proposition
            for side in node.args:
                info = scope.lookup(side.value) if side.kind == "var" else None
                if info is not None and info.kind == "value" and not info.declared:
                    info.ty = "Prop"
                    info.declared = True
        set_sides: tuple[Node, ...] = ()
        if k == "rel" and node.value in ("∈", "∉"):
            set_sides = node.args[1:]
        elif (k == "rel" and node.value in ("⊆", "⊂", "⊇")) or (
            k == "op" and node.value in ("∪", "∩", "\\")
        ):
            set_sides = node.args
        elif k == "rel" and node.value == "=" and any(_is_set_term(a) for a in node.args):
            set_sides = node.args  # S = {x | …}, C = A ∪ B
        for side in set_sides:
            if side.kind != "var":
                continue
            info = scope.lookup(side.value)
            if info is not None and info.kind == "value" and not info.declared:
                info.kind = "set"
                if (
                    k == "rel"
                    and node.value == "="
                    and any(a.kind == "setbuilder" for a in node.args)
                ):
                    info.set_kind = "Set"
        if k in ("sum", "prod", "card") and node.args[0].kind == "var":
            info = scope.lookup(node.args[0].value)
            if info is not None and info.kind == "value" and not info.declared:
                info.kind = "set"
        binder = k in ("forall", "exists", "exists1", "setbuilder", "lam", "sum", "prod")
        if binder:
            scope.push(node, node.value)
        for a in node.args:
            self._shape(a, scope, depth + 1)
        if binder:
            scope.pop()

    def type_of(self, node: Node, scope: Scope, depth: int = 0) -> str:
        """The type a node has on its own (its leaves' join); "" when unconstrained."""
        if depth > 300:
            return ""
        k = node.kind
        if k == "num":
            return "" if node.value.isdigit() else "ℝ"
        if k == "var":
            info = scope.lookup(node.value)
            if info is None:
                return ""
            if info.kind == "value":
                return info.ty
            return ""
        if k == "const":
            return node.ty
        if k == "ascr":
            return node.value
        if k == "op":
            if node.value == "^":
                return self.type_of(node.args[0], scope, depth + 1)
            if node.value in ARITH:
                return join(*(self.type_of(a, scope, depth + 1) for a in node.args))
            return ""
        if k in ("neg", "abs", "inv"):
            return self.type_of(node.args[0], scope, depth + 1)
        if k in ("floor", "ceil"):
            return "ℤ"
        if k in ("fact", "card"):
            return "ℕ"
        if k == "app":
            return self._app_result(node, scope, depth)
        if k == "call":
            head = node.args[0]
            if head.kind == "var":
                info = scope.lookup(head.value)
                if info is not None and info.kind == "function":
                    return info.ty
            if (
                head.kind == "app"
                and head.value == "Function.invFun"
                and head.args[0].kind == "var"
            ):
                info = scope.lookup(head.args[0].value)
                if info is not None and info.dom:
                    return info.dom[0]
            return ""
        if k in ("sum", "prod"):
            scope.push(node, node.value)
            try:
                body = node.args[1]
                t = join(*(self.type_of(x, scope, depth + 1) for x in self._leaves(body, [])))
                return self._tree_type(body, scope, t, False) if t else t
            finally:
                scope.pop()
        if k == "hole":
            return node.ty if node.ty != "Prop" else ""
        return ""

    def _app_result(self, node: Node, scope: Scope, depth: int) -> str:
        name = node.value
        if name in REAL_FUNCS_RESULT:
            return REAL_FUNCS_RESULT[name]
        for fn in self.vocab.functions.values():
            if fn.lean == name or fn.base == name or fn.integer == name:
                if fn.result:
                    if fn.integer == name:
                        return (
                            "ℤ"
                            if name.startswith("Int.") and "gcd" not in name and "lcm" not in name
                            else "ℕ"
                        )
                    return fn.result
                return join(*(self.type_of(a, scope, depth + 1) for a in node.args))
        if name in ("Nat.choose", "Nat.gcd", "Nat.lcm", "Nat.divisors"):
            return "ℕ"
        if name.startswith("Real."):
            return "ℝ"
        if name.startswith("Complex."):
            return "ℂ"
        return ""

    def _arg_types(self, node: Node) -> tuple[str, ...]:
        name = node.value
        if name in ("Nat.choose", "Nat.gcd", "Nat.lcm", "Nat.Prime", "Nat.divisors",
                    "Nat.properDivisors", "Nat.totient", "Nat.sqrt"):  # fmt: skip
            return ("ℕ",) * len(node.args)
        if name in ("Int.gcd", "Int.lcm"):
            return ("ℤ",) * len(node.args)
        if name in ("Real.logb",):
            return ("ℝ", "ℝ")
        for fn in self.vocab.functions.values():
            if fn.lean == name:
                return fn.args
        if name.startswith("Real."):
            return ("ℝ",) * len(node.args)
        return ("",) * len(node.args)

    def _leaves(self, node: Node, out: list[Node], depth: int = 0) -> list[Node]:
        """The leaves of the arithmetic tree rooted at ``node``."""
        if depth > 300:
            return out
        if node.kind == "op" and node.value in ARITH:
            self._leaves(node.args[0], out, depth + 1)
            self._leaves(node.args[1], out, depth + 1)
        elif (node.kind == "op" and node.value == "^") or node.kind == "neg":
            self._leaves(node.args[0], out, depth + 1)
        else:
            out.append(node)
        return out

    def _evidence(
        self, node: Node, scope: Scope, expected: str, integral: bool, depth: int
    ) -> bool:
        """Collect type evidence for variables; returns whether any evidence set grew."""
        if depth > 300:
            return False
        k = node.kind
        changed = False
        if k in ("rel",) and node.value in ("=", "≠", "<", ">", "≤", "≥", "∣"):
            is_dvd = node.value == "∣"
            leaves = self._leaves(node.args[0], []) + self._leaves(node.args[1], [])
            t = join(*(self.type_of(x, scope, depth + 1) for x in leaves))
            for side in node.args:
                changed |= self._tree(side, scope, t, is_dvd, depth + 1)
            return changed
        if k == "modeq":
            leaves = [x for a in node.args for x in self._leaves(a, [])]
            t = join(*(self.type_of(x, scope, depth + 1) for x in leaves))
            if t in ("", "ℕ") and any(_has_negative_literal(a) for a in node.args):
                t = "ℤ"  # -1 ≡ 6 (mod 7): a congruence of integers
            for side in node.args:
                changed |= self._tree(side, scope, t, True, depth + 1)
            return changed
        if k in ("rel",) and node.value in ("∈", "∉") and node.args[1].kind == "var":
            info = scope.lookup(node.args[1].value)
            elem = self.type_of(node.args[0], scope, depth + 1)
            if info is not None and info.kind == "set" and elem and not info.declared:
                if elem not in info.evidence:
                    info.evidence.add(elem)
                    changed = True
            elif info is not None and info.kind == "set" and info.ty and node.args[0].kind == "var":
                inner = scope.lookup(node.args[0].value)
                if inner is not None and not inner.declared and info.ty not in inner.evidence:
                    inner.evidence.add(info.ty)
                    changed = True
            return changed | self._tree(node.args[0], scope, "", False, depth + 1)
        if node.is_prop() or k in (
            "hole",
            "setbuilder",
            "lam",
            "tuple",
            "setlit",
            "numset",
            "empty",
        ):
            binder = k in ("forall", "exists", "exists1", "setbuilder", "lam")
            if binder:
                scope.push(node, node.value)
            for a in node.args:
                changed |= self._evidence(a, scope, "", False, depth + 1)
            if binder:
                scope.pop()
            return changed
        return self._tree(node, scope, expected, integral, depth + 1)

    def _tree(self, node: Node, scope: Scope, expected: str, integral: bool, depth: int) -> bool:
        """Evidence from one arithmetic tree computed in type ``expected``."""
        if depth > 300:
            return False
        changed = False
        leaves = self._leaves(node, [])
        tstar = join(expected, *(self.type_of(x, scope, depth + 1) for x in leaves))
        has_mod = any(n.kind == "op" and n.value == "%" for n in _tree_ops(node))
        for leaf in leaves:
            if leaf.kind == "var":
                info = scope.lookup(leaf.value)
                if info is None or info.declared:
                    continue
                if info.kind == "value":
                    info.exponent_only = False
                    if tstar and tstar not in info.evidence:
                        info.evidence.add(tstar)
                        changed = True
                    if (integral or has_mod) and not info.integral:
                        info.integral = True
                        changed = True
            else:
                changed |= self._leaf(leaf, scope, tstar, integral or has_mod, depth + 1)
        # exponents are trees of their own
        for sub in _tree_ops(node):
            if sub.kind == "op" and sub.value == "^":
                changed |= self._exponent(sub.args[1], scope, depth + 1)
        return changed

    def _exponent(self, node: Node, scope: Scope, depth: int) -> bool:
        changed = False
        leaves = self._leaves(node, [])
        known = join(*(self.type_of(x, scope, depth + 1) for x in leaves))
        for leaf in leaves:
            if leaf.kind == "var":
                info = scope.lookup(leaf.value)
                if info is None or info.declared or info.kind != "value":
                    continue
                if known and known not in info.evidence:
                    info.evidence.add(known)
                    changed = True
                elif not known and "exp" not in info.evidence:
                    info.evidence.add("exp")
                    changed = True
            else:
                changed |= self._leaf(leaf, scope, known, False, depth + 1)
        return changed

    def _leaf(self, leaf: Node, scope: Scope, tstar: str, integral: bool, depth: int) -> bool:
        k = leaf.kind
        changed = False
        if k == "call":
            head = leaf.args[0]
            info = scope.lookup(head.value) if head.kind == "var" else None
            if info is not None and info.kind == "function" and not info.declared:
                if tstar and tstar not in info.evidence:
                    info.evidence.add(tstar)
                    changed = True
                if integral and not info.integral:
                    info.integral = True
                    changed = True
            dom = info.dom if info is not None else ()
            for i, arg in enumerate(leaf.args[1:]):
                want = dom[i] if i < len(dom) else ""
                changed |= self._tree(arg, scope, want, want == "ℕ", depth + 1)
                if info is not None and not info.declared and i < len(dom) and not dom[i]:
                    t = join(*(self.type_of(x, scope) for x in self._leaves(arg, [])))
                    if t:
                        new = list(info.dom)
                        new[i] = t
                        info.dom = tuple(new)
                        changed = True
            return changed
        if k == "app":
            wants = self._arg_types(leaf)
            for i, arg in enumerate(leaf.args):
                w = wants[i] if i < len(wants) else ""
                changed |= self._tree(
                    arg, scope, w, w == "ℕ" or leaf.value in INTEGRAL_FUNCS, depth + 1
                )
            return changed
        if k in ("abs",):
            return self._tree(leaf.args[0], scope, tstar, integral, depth + 1)
        if k in ("floor", "ceil"):
            # the floor of an integer is itself: a variable floored alone is real
            # (⌊n / 2⌋ can be about an integer n)
            arg = leaf.args[0]
            return self._tree(arg, scope, "ℝ" if arg.kind == "var" else "", False, depth + 1)
        if k in ("fact",):
            return self._tree(leaf.args[0], scope, "ℕ", True, depth + 1)
        if k == "inv":
            return self._tree(leaf.args[0], scope, tstar, integral, depth + 1)
        if k in ("sum", "prod"):
            info = scope.push(leaf, leaf.value)
            try:
                domain = leaf.args[0]
                if domain.kind in ("icc", "range"):
                    for b in domain.args:
                        changed |= self._tree(b, scope, "", True, depth + 1)
                    t = join(*(self.type_of(b, scope) for b in domain.args))
                    if not info.declared:
                        info.ty = t if t in ("ℤ", "ℕ") else "ℕ"
                        info.declared = True
                elif domain.kind == "var":
                    sinfo = scope.lookup(domain.value)
                    if sinfo is not None and sinfo.kind == "set" and not info.declared and sinfo.ty:
                        info.ty = sinfo.ty
                        info.declared = True
                else:
                    changed |= self._evidence(domain, scope, "", False, depth + 1)
                    elem = self._domain_elem(domain)
                    if elem and not info.declared:
                        info.ty = elem
                        info.declared = True
                changed |= self._tree(leaf.args[1], scope, tstar, integral, depth + 1)
            finally:
                scope.pop()
            return changed
        if k in ("card",):
            return self._evidence(leaf.args[0], scope, "", False, depth + 1)
        if leaf.is_prop() or k in ("setbuilder", "lam"):
            return self._evidence(leaf, scope, "", False, depth + 1)
        for a in leaf.args:
            changed |= self._evidence(a, scope, "", False, depth + 1)
        return changed

    # -- elaboration: casts and hazards ----------------------------------------------------------
    def note_facts(self, hyps: list[Node]) -> None:
        """Remember which expressions the hypotheses say are non-zero / positive."""
        for h in hyps:
            for part in _conjuncts(h):
                if part.kind == "rel" and len(part.args) == 2:
                    a, b = part.args
                    sym = part.value
                    if sym == "≠":
                        if _is_zero(b):
                            self._nonzero.add(a.key())
                        elif _is_zero(a):
                            self._nonzero.add(b.key())
                    if sym in ("<", ">"):
                        lo, hi = (a, b) if sym == "<" else (b, a)
                        if _is_zero(lo):
                            self._positive.add(hi.key())
                            self._nonzero.add(hi.key())
                        if _is_zero(hi):
                            self._nonzero.add(lo.key())
                    if sym in ("≤", "≥"):
                        lo, hi = (a, b) if sym == "≤" else (b, a)
                        if _is_zero(lo):
                            self._nonneg.add(hi.key())
                if part.kind == "app" and part.value == "Nat.Prime" and part.args:
                    self._positive.add(part.args[0].key())
                    self._nonzero.add(part.args[0].key())

    def elaborate(self, node: Node, expected: str = "") -> Node:
        """A copy of a proposition (or term) with types, casts and hazards settled."""
        scope = Scope(self.vars, self.binders)
        return self._prop(node, scope, expected, 0)

    def _prop(self, node: Node, scope: Scope, expected: str, depth: int) -> Node:
        if depth > 300:
            return Node("hole", (), "(too deeply nested)", node.start, node.end, ty="Prop")
        k = node.kind
        if k == "rel" and node.value in ("=", "≠", "<", ">", "≤", "≥", "∣"):
            a, b = node.args
            leaves = self._leaves(a, []) + self._leaves(b, [])
            tstar = join(*(self.type_of(x, scope) for x in leaves))
            integral = node.value == "∣"
            tstar = self._tree_type([a, b], scope, tstar, integral)
            if node.value != "=" and node.value != "≠" and tstar == "ℂ":
                tstar = "ℝ"
            ea = self._arith(a, scope, tstar, integral, depth + 1)
            eb = self._arith(b, scope, tstar, integral, depth + 1)
            ea, eb = self._ascribe_pair(ea, eb, scope, tstar)
            out = node.with_args(ea, eb)
            out.ty = "Prop"
            return out
        if k == "modeq":
            leaves = [x for a in node.args for x in self._leaves(a, [])]
            tstar = join(*(self.type_of(x, scope) for x in leaves)) or "ℕ"
            if tstar not in ("ℕ", "ℤ") or any(_has_negative_literal(a) for a in node.args):
                tstar = "ℤ"
            args = [self._arith(a, scope, tstar, True, depth + 1) for a in node.args]
            out = node.with_args(*args)
            out.meta["mod"] = "MOD" if tstar == "ℕ" else "ZMOD"
            if tstar == "ℤ" and not any(self.type_of(x, scope) == "ℤ" for x in leaves):
                out = out.with_args(Node("ascr", (args[0],), "ℤ"), *args[1:])
            out.ty = "Prop"
            return out
        if k == "rel" and node.value in ("∈", "∉", "⊆", "⊂", "⊇"):
            a, b = node.args
            eb = self._set_term(b, scope, depth + 1)
            elem = self._elem_type(eb, scope)
            if node.value in ("⊆", "⊂", "⊇"):
                out = node.with_args(self._set_term(a, scope, depth + 1), eb)
                out.ty = "Prop"
                return out
            ea = self._arith(a, scope, elem, False, depth + 1)
            if elem and not self.type_of(ea, scope) and ea.kind in ("num", "op", "neg"):
                ea = Node("ascr", (ea,), elem)
            out = node.with_args(ea, eb)
            out.ty = "Prop"
            return out
        if k in ("and", "or", "implies", "iff", "not"):
            out = node.with_args(*(self._prop(a, scope, "", depth + 1) for a in node.args))
            out.ty = "Prop"
            return out
        if k in ("forall", "exists", "exists1"):
            info = scope.push(node, node.value)
            try:
                inner = [self._prop(a, scope, "", depth + 1) for a in node.args]
            finally:
                scope.pop()
            out = node.with_args(*inner)
            out.bty = info.lean_type() if info.ty or info.kind != "value" else self.default
            out.ty = "Prop"
            return out
        if k == "app" and node.value in ("Nat.Prime", "Even", "Odd", "Irrational"):
            want = "ℕ" if node.value == "Nat.Prime" else ""
            arg = self._arith(node.args[0], scope, want, want == "ℕ", depth + 1)
            out = node.with_args(arg)
            out.ty = "Prop"
            return out
        if k == "hole":
            out = node.with_args()
            out.ty = "Prop"
            return out
        if node.is_prop():
            out = node.with_args(*(self._prop(a, scope, "", depth + 1) for a in node.args))
            out.ty = "Prop"
            return out
        if expected == "Prop":
            self.issues.append(Issue("hole", (("what", self.latex(*span(node))),), *span(node)))
            return Node("hole", (), self.latex(*span(node)) or repr(node), *span(node), ty="Prop")
        return self._arith(node, scope, expected, False, depth + 1)

    def _tree_type(self, node: Node | list[Node], scope: Scope, tstar: str, integral: bool) -> str:
        """Lift a tree of naturals or integers that divides to ℝ (unless it must stay integral);
        give numeral-only trees the type their value needs."""
        sides = node if isinstance(node, list) else [node]
        ops = [n for side in sides for n in _tree_ops(side)]
        has_div = any(n.kind == "op" and n.value == "/" for n in ops)
        has_mod = any(n.kind == "op" and n.value == "%" for n in ops)
        if integral or has_mod:
            return tstar
        if tstar in ("", "ℕ", "ℤ", "ℚ") and any(
            n.kind == "op" and n.value == "^" and self._real_exponent(n) for n in ops
        ):
            return "ℝ"
        if has_div and tstar in ("", "ℕ", "ℤ"):
            if not tstar and all(_exact_integral(side) for side in sides):
                return tstar
            return "ℝ"
        if not tstar:
            values = [_evaluate(side) for side in sides]
            if any(v is None for v in values):
                if any(n.kind == "neg" or (n.kind == "op" and n.value == "-") for n in ops):
                    return "ℤ"
                return ""
            if any(v is not None and v.denominator != 1 for v in values):
                return "ℝ"
            if any(_has_negative_step(side) for side in sides):
                return "ℤ"
        if tstar == "ℕ" and any(_has_negative_literal(side) for side in sides):
            return "ℤ"
        return tstar

    def _real_exponent(self, node: Node) -> bool:
        """Whether a power needs a real exponent (x ^ y with y real, x ^ (3/2), a root)."""
        if node.meta.get("root") == "1":
            return True
        exponent = node.args[1]
        value = _evaluate(exponent)
        if value is not None:
            return value.denominator != 1
        scope = Scope(self.vars, self.binders)
        t = join(*(self.type_of(x, scope) for x in self._leaves(exponent, [])))
        return t in ("ℚ", "ℝ")

    def _ascribe_pair(self, a: Node, b: Node, scope: Scope, tstar: str) -> tuple[Node, Node]:
        """Make Lean reach ``tstar`` for a relation: ascribe the first leaf if no leaf has it."""
        if not tstar:
            return a, b
        if self._reaches(a, scope, tstar) or self._reaches(b, scope, tstar):
            return a, b
        if _ascribable(a):
            return _ascribe_first(a, tstar), b
        return a, _ascribe_first(b, tstar)

    def _reaches(self, node: Node, scope: Scope, tstar: str) -> bool:
        for leaf in self._leaves(node, []):
            if leaf.kind == "ascr" and leaf.value == tstar:
                return True
            if leaf.kind == "num" and not leaf.value.isdigit():
                continue  # a decimal is printed as a fraction of numerals: it needs the type
            if self.type_of(leaf, scope) == tstar:
                return True
        return False

    def _arith(self, node: Node, scope: Scope, tstar: str, integral: bool, depth: int) -> Node:
        """Elaborate an arithmetic tree computed in ``tstar``."""
        if depth > 300:
            return Node("hole", (), "(too deeply nested)", node.start, node.end, ty=tstar or "ℝ")
        k = node.kind
        if k == "op" and node.value in ARITH:
            a = self._arith(node.args[0], scope, tstar, integral, depth + 1)
            b = self._arith(node.args[1], scope, tstar, integral, depth + 1)
            out = node.with_args(a, b)
            out.ty = tstar
            self._arith_hazards(out, scope, tstar)
            return out
        if k == "neg":
            out = node.with_args(self._arith(node.args[0], scope, tstar, integral, depth + 1))
            out.ty = tstar
            return out
        if k == "op" and node.value == "^":
            return self._power(node, scope, tstar, integral, depth)
        if k == "num":
            out = node.with_args()
            out.ty = tstar
            return out
        if k == "var":
            out = node.with_args()
            info = scope.lookup(node.value)
            out.ty = info.lean_type() if info is not None else tstar
            return out
        if k == "app":
            return self._app(node, scope, tstar, depth)
        if k == "call":
            head = node.args[0]
            info = scope.lookup(head.value) if head.kind == "var" else None
            if (
                head.kind == "app"
                and head.value == "Function.invFun"
                and head.args[0].kind == "var"
            ):
                info_f = scope.lookup(head.args[0].value)
                dom: tuple[str, ...] = (info_f.ty or "ℝ",) if info_f is not None else ("ℝ",)
            else:
                dom = (info.dom if info is not None else ()) or ()
            args = []
            for i, arg in enumerate(node.args[1:]):
                want = dom[i] if i < len(dom) else ""
                args.append(self._arg_tree(arg, scope, want, depth + 1))
            out = node.with_args(head.with_args(*head.args), *args)
            out.ty = info.ty if info is not None else tstar
            return out
        if k == "abs":
            if not tstar:
                # |…| is an application: its argument is a tree of its own (a fraction of
                # numerals inside it is real even when nothing outside says so)
                inner = self._arg_tree(node.args[0], scope, "", depth + 1)
                out = node.with_args(inner)
                out.ty = inner.ty
                return out
            inner = self._arith(node.args[0], scope, tstar, integral, depth + 1)
            out = node.with_args(inner)
            out.ty = tstar
            return out
        if k in ("floor", "ceil"):
            arg = node.args[0]
            leaves = self._leaves(arg, [])
            t = join(*(self.type_of(x, scope) for x in leaves))
            t = self._tree_type(arg, scope, t, False) or "ℝ"
            if t in ("ℕ", "ℤ"):
                t = "ℝ"
            inner = self._arith(arg, scope, t, False, depth + 1)
            if not self._reaches(inner, scope, t):
                inner = _ascribe_first(inner, t)
            out = node.with_args(inner)
            out.ty = "ℤ"
            return out
        if k == "fact":
            inner = self._arg_tree(node.args[0], scope, "ℕ", depth + 1)
            out = node.with_args(inner)
            out.ty = "ℕ"
            return out
        if k == "inv":
            inner = self._arith(node.args[0], scope, tstar, integral, depth + 1)
            out = node.with_args(inner)
            out.ty = tstar
            return out
        if k in ("sum", "prod"):
            return self._big(node, scope, tstar, integral, depth)
        if k == "card":
            inner = self._set_term(node.args[0], scope, depth + 1)
            out = node.with_args(inner)
            out.ty = "ℕ"
            return out
        if k == "hole":
            out = node.with_args()
            out.ty = tstar or self.default
            return out
        if k == "const":
            return node.with_args()
        if node.is_prop():
            self.issues.append(Issue("hole", (("what", self.latex(*span(node))),), *span(node)))
            return Node("hole", (), self.latex(*span(node)), *span(node), ty=tstar or self.default)
        if k in (
            "setbuilder",
            "setlit",
            "interval",
            "empty",
            "numset",
            "tuple",
            "icc",
            "range",
            "lam",
        ):
            return self._set_term(node, scope, depth + 1)
        self.issues.append(Issue("hole", (("what", self.latex(*span(node))),), *span(node)))
        return Node("hole", (), self.latex(*span(node)) or k, *span(node), ty=tstar or self.default)

    def _arg_tree(self, arg: Node, scope: Scope, want: str, depth: int) -> Node:
        """A function argument: its own tree, computed in the argument type when known."""
        leaves = self._leaves(arg, [])
        t = join(want, *(self.type_of(x, scope) for x in leaves))
        integral = want in ("ℕ", "ℤ")
        t = self._tree_type(arg, scope, t, integral)
        if want and t and rank(t) > rank(want) and want in CHAIN:
            t = want  # the argument type wins (Lean would fail otherwise)
        out = self._arith(arg, scope, t, integral, depth)
        if not want and t and not self._reaches(out, scope, t) and _ascribable(out):
            out = _ascribe_first(out, t)
        return out

    def _app(self, node: Node, scope: Scope, tstar: str, depth: int) -> Node:
        name = node.value
        wants = self._arg_types(node)
        if name in ("max", "min", "abs"):
            wants = (tstar,) * len(node.args)
        args = [self._arg_tree(a, scope, wants[i] if i < len(wants) else "", depth + 1)
                for i, a in enumerate(node.args)]  # fmt: skip
        out = node.with_args(*args)
        out.ty = self._app_result(node, scope, depth) or tstar
        domain = node.meta.get("domain", "")
        if domain and args:
            target = args[-1]
            natural = domain == "nonneg" and self._natural_sum(node.args[-1], scope)
            if not natural and not self._known_sign(target, domain):
                code = "FRM005" if domain == "nonneg" else "FRM006"
                lo, hi = span(node)
                self.issues.append(Issue(code, (("expr", self.latex(lo, hi)),), lo, hi))
        if name in ("Nat.gcd", "Nat.lcm", "Nat.choose") and any(
            self.type_of(a, scope) == "ℤ" for a in node.args
        ):
            if name == "Nat.gcd":
                out.value = "Int.gcd"
            elif name == "Nat.lcm":
                out.value = "Int.lcm"
        return out

    def _natural_sum(self, node: Node, scope: Scope, depth: int = 0) -> bool:
        """Naturals and numerals joined by +, *, / and powers (no subtraction): ≥ 0."""
        if depth > 100:
            return False
        if node.kind == "num":
            return node.value.replace(".", "", 1).isdigit()
        if node.kind == "var":
            info = scope.lookup(node.value)
            return info is not None and info.kind == "value" and info.ty == "ℕ"
        if node.kind == "op" and node.value in ("+", "*", "/", "^"):
            return all(self._natural_sum(a, scope, depth + 1) for a in node.args)
        return False

    def _known_sign(self, node: Node, domain: str) -> bool:
        value = _evaluate(node)
        if value is not None:
            return value > 0 if domain == "pos" else value >= 0
        key = node.key()
        if key in self._positive or (domain == "nonneg" and key in self._nonneg):
            return True
        if domain == "nonneg" and _obviously_nonneg(node):
            return True
        # a sum or product of positives
        if (
            node.kind == "op"
            and node.value in ("+", "*", "/")
            and all(self._known_sign(a, "pos") for a in node.args)
        ):
            return True
        if node.kind == "op" and node.value == "^" and self._known_sign(node.args[0], "pos"):
            return True
        return node.kind == "app" and node.value in ("Real.sqrt", "Real.exp") and domain == "nonneg"

    def _power(self, node: Node, scope: Scope, tstar: str, integral: bool, depth: int) -> Node:
        base, exponent = node.args
        root = node.meta.get("root") == "1"
        leaves = self._leaves(exponent, [])
        et = join(*(self.type_of(x, scope) for x in leaves))
        value = _evaluate(exponent)
        if root or (value is not None and value.denominator != 1) or et in ("ℚ", "ℝ", "ℂ"):
            etype = "ℝ" if et != "ℂ" else "ℂ"
            if tstar in ("", "ℕ", "ℤ", "ℚ"):
                etype = "ℝ"
        elif (value is not None and value < 0) or et == "ℤ":
            etype = "ℤ"
        else:
            etype = "ℕ"
        if etype == "ℤ" and tstar in ("", "ℕ", "ℤ"):
            tstar = "ℝ"
        b = self._arith(base, scope, tstar, integral, depth + 1)
        if value is not None and value == -1 and etype == "ℤ":
            out = Node("inv", (b,), "", node.start, node.end, ty=tstar)
            if not self._known_sign(base, "pos") and base.key() not in self._nonzero:
                lo, hi = span(node)
                self.issues.append(Issue("FRM004", (("expr", self.latex(lo, hi)),), lo, hi))
            return out
        e = self._arith(exponent, scope, etype, etype == "ℕ", depth + 1)
        if etype != "ℕ" and not self._reaches(e, scope, etype):
            e = _ascribe_first(e, etype)
        if (
            value is not None
            and value < 0
            and not self._known_sign(base, "pos")
            and base.key() not in self._nonzero
        ):
            lo, hi = span(node)
            self.issues.append(Issue("FRM004", (("expr", self.latex(lo, hi)),), lo, hi))
        out = node.with_args(b, e)
        out.ty = tstar
        return out

    def _big(self, node: Node, scope: Scope, tstar: str, integral: bool, depth: int) -> Node:
        info = scope.push(node, node.value)
        try:
            dom = node.args[0]
            if dom.kind in ("icc", "range"):
                bounds = [self._arith(b, scope, info.ty or "ℕ", True, depth + 1) for b in dom.args]
                body_leaves = self._leaves(node.args[1], [])
                body_t = join(tstar, *(self.type_of(x, scope) for x in body_leaves))
                needs = body_t and body_t != (info.ty or "ℕ")
                if dom.kind == "icc" and needs and all(not self.type_of(b, scope) for b in bounds):
                    bounds[0] = Node("ascr", (bounds[0],), info.ty or "ℕ")
                edom = dom.with_args(*bounds)
            else:
                edom = self._set_term(dom, scope, depth + 1)
            body_leaves = self._leaves(node.args[1], [])
            body_t = join(tstar, *(self.type_of(x, scope) for x in body_leaves))
            body_t = self._tree_type(node.args[1], scope, body_t, integral)
            body = self._arith(node.args[1], scope, body_t, integral, depth + 1)
            if body_t and not self._reaches(body, scope, body_t) and body_t != (info.ty or "ℕ"):
                body = _ascribe_first(body, body_t)
        finally:
            scope.pop()
        out = node.with_args(edom, body)
        out.ty = body_t or tstar
        out.bty = info.ty
        return out

    def _set_term(self, node: Node, scope: Scope, depth: int) -> Node:
        k = node.kind
        if k == "tuple" and len(node.args) == 2:
            lo_open = node.meta.get("open", "(") == "("
            hi_open = node.meta.get("close", ")") == ")"
            lo, hi = node.args
            lo_inf = lo.kind == "neg" and lo.args[0].meta.get("infinity") == "1"
            hi_inf = hi.meta.get("infinity") == "1"
            if lo_inf and hi_inf:
                return Node("app", (), "Set.univ", node.start, node.end)
            if lo_inf:
                kind = "Iio" if hi_open else "Iic"
                args: tuple[Node, ...] = (hi,)
            elif hi_inf:
                kind = "Ioi" if lo_open else "Ici"
                args = (lo,)
            else:
                kind = "I" + ("o" if lo_open else "c") + ("o" if hi_open else "c")
                args = (lo, hi)
            t = (
                join(*(self.type_of(x, scope) for a in args for x in self._leaves(a, [])))
                or self.default
            )
            eargs = tuple(self._arith(a, scope, t, False, depth + 1) for a in args)
            if not any(self._reaches(a, scope, t) for a in eargs):
                eargs = (_ascribe_first(eargs[0], t), *eargs[1:])
            return Node("interval", eargs, kind, node.start, node.end, ty=f"Set {t}")
        if k == "numset":
            return Node("app", (), "Set.univ", node.start, node.end, ty=f"Set {node.value}")
        if k == "setbuilder":
            info = scope.push(node, node.value)
            try:
                pred = self._prop(node.args[0], scope, "Prop", depth + 1)
                extra = [self._set_term(a, scope, depth + 1) for a in node.args[1:]]
            finally:
                scope.pop()
            out = node.with_args(pred, *extra)
            out.bty = info.lean_type()
            return out
        if k == "setlit":
            items = [self._arith(a, scope, "", False, depth + 1) for a in node.args]
            return node.with_args(*items)
        if k == "var":
            return node.with_args()
        if k in ("icc", "range", "app", "empty"):
            return node.with_args(*(self._arith(a, scope, "ℕ", True, depth + 1) for a in node.args))
        if k == "op" and node.value in ("∪", "∩", "\\"):
            return node.with_args(*(self._set_term(a, scope, depth + 1) for a in node.args))
        self.issues.append(Issue("hole", (("what", self.latex(*span(node))),), *span(node)))
        return Node("hole", (), self.latex(*span(node)) or k, *span(node), ty="Set ℝ")

    def _domain_elem(self, node: Node) -> str:
        """The element type of a finset-valued application (Nat.divisors n : Finset ℕ)."""
        if node.kind == "app":
            for fn in self.vocab.functions.values():
                if fn.lean == node.value and fn.result.startswith(("Finset ", "Set ")):
                    return fn.result.split(" ", 1)[1]
            if node.value.startswith("Nat."):
                return "ℕ"
        return ""

    def _elem_type(self, node: Node, scope: Scope) -> str:
        if node.ty.startswith(("Set ", "Finset ")):
            return node.ty.split(" ", 1)[1]
        if node.kind == "var":
            info = scope.lookup(node.value)
            if info is not None and info.kind == "set":
                return info.ty
        if node.kind in ("icc", "range") or (node.kind == "app" and node.value.startswith("Nat.")):
            return "ℕ"
        return ""

    def _arith_hazards(self, node: Node, scope: Scope, tstar: str) -> None:
        sym = node.value
        _a, b = node.args
        lo, hi = span(node)
        if sym == "-" and tstar == "ℕ" and not _constant_nonneg(node):
            self.issues.append(Issue("FRM001", (("expr", self.latex(lo, hi)),), lo, hi))
        if sym == "/" and tstar in ("ℕ", "ℤ"):
            self.issues.append(
                Issue("FRM002", (("expr", self.latex(lo, hi)), ("type", tstar)), lo, hi)
            )
        if sym == "/" and _evaluate(b) is None and not self._nonzero_known(b):
            blo, bhi = span(b)
            self.issues.append(
                Issue(
                    "FRM003",
                    (("expr", self.latex(lo, hi)), ("divisor", self.latex(blo, bhi))),
                    lo, hi,
                )
            )  # fmt: skip

    def _nonzero_known(self, node: Node) -> bool:
        key = node.key()
        if key in self._nonzero or key in self._positive:
            return True
        if node.kind == "op" and node.value in ("*", "/"):
            return all(self._nonzero_known(a) for a in node.args)
        if node.kind == "op" and node.value == "^":
            return self._nonzero_known(node.args[0])
        if node.kind == "op" and node.value == "+":
            return self._known_sign(node, "pos")
        if node.kind == "app" and node.value == "Real.sqrt":
            return self._known_sign(node.args[0], "pos")
        if node.kind == "fact":
            return True
        value = _evaluate(node)
        return value is not None and value != 0


# -- helpers ---------------------------------------------------------------------------------
def _tree_ops(node: Node) -> list[Node]:
    """The operator nodes of an arithmetic tree (not descending into leaves)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if (n.kind == "op" and (n.value in ARITH or n.value == "^")) or n.kind == "neg":
            out.append(n)
            if n.kind == "op" and n.value == "^":
                stack.append(n.args[0])
            else:
                stack.extend(n.args)
    return out


def _conjuncts(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "and":
            stack.extend(n.args)
        else:
            out.append(n)
    return out


def _is_zero(node: Node) -> bool:
    return node.kind == "num" and node.value.strip("0") in ("", ".")


def _ascribable(node: Node) -> bool:
    return True


def _ascribe_first(node: Node, ty: str) -> Node:
    """The tree with its first leaf ascribed to ``ty`` (Lean then computes it in ``ty``)."""
    if node.kind == "op" and (node.value in ARITH or node.value == "^"):
        return node.with_args(_ascribe_first(node.args[0], ty), node.args[1])
    if node.kind == "neg":
        return node.with_args(_ascribe_first(node.args[0], ty))
    if node.kind == "ascr":
        return node
    if node.kind in ("sum", "prod"):
        return Node("ascr", (node,), ty, node.start, node.end, ty=ty)
    return Node("ascr", (node,), ty, node.start, node.end, ty=ty)


MAX_EVAL_DIGITS = 60


def _evaluate(node: Node, depth: int = 0) -> Fraction | None:
    """The exact value of a numeral expression (None if it has variables or is too big)."""
    if depth > 60:
        return None
    k = node.kind
    try:
        if k == "num":
            return Fraction(node.value)
        if k == "neg":
            v = _evaluate(node.args[0], depth + 1)
            return -v if v is not None else None
        if k == "ascr":
            return _evaluate(node.args[0], depth + 1)
        if k == "op" and node.value in ("+", "-", "*", "/", "^"):
            a = _evaluate(node.args[0], depth + 1)
            b = _evaluate(node.args[1], depth + 1)
            if a is None or b is None:
                return None
            if node.value == "+":
                r = a + b
            elif node.value == "-":
                r = a - b
            elif node.value == "*":
                r = a * b
            elif node.value == "/":
                if b == 0:
                    return None
                r = a / b
            else:
                if b.denominator != 1 or abs(b) > 64 or (a == 0 and b < 0):
                    return None
                r = a ** int(b)
            if abs(r.numerator) > 10**MAX_EVAL_DIGITS or r.denominator > 10**MAX_EVAL_DIGITS:
                return None
            return r
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return None


def _exact_integral(node: Node) -> bool:
    """Whether every division in a numeral tree is exact (and nothing goes negative)."""
    return all(
        (v := _evaluate(n)) is not None and v.denominator == 1 and v >= 0 for n in _tree_ops(node)
    )


def _has_negative_step(node: Node) -> bool:
    for n in _tree_ops(node):
        if n.kind == "neg":
            return True
        v = _evaluate(n)
        if v is not None and v < 0:
            return True
    return False


def _is_set_term(node: Node) -> bool:
    return node.kind in ("setbuilder", "setlit") or (
        node.kind == "op" and node.value in ("∪", "∩", "\\")
    )


def _has_negative_literal(node: Node) -> bool:
    return any(n.kind == "neg" and n.args[0].kind == "num" for n in _tree_ops(node))


def _constant_nonneg(node: Node) -> bool:
    v = _evaluate(node)
    return v is not None and v >= 0


def _obviously_nonneg(node: Node) -> bool:
    k = node.kind
    if k == "num":
        return True
    if k in ("abs",):
        return True
    if k == "app" and node.value in ("Real.sqrt", "Real.exp"):
        return True
    if k == "op" and node.value == "^":
        e = _evaluate(node.args[1])
        if e is not None and e.denominator == 1 and e.numerator % 2 == 0:
            return True
        return _obviously_nonneg(node.args[0])
    if k == "op" and node.value in ("+", "*", "/"):
        return all(_obviously_nonneg(a) for a in node.args)
    return False


def numeral(value: int) -> Node:
    return num(value)


def difference(a: Node, b: Node) -> Node:
    return op("-", a, b)
