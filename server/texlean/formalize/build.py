"""A :class:`~.statement.Problem` → Lean declaration text, status, holes and hazards.

Here the goal is made from the question and the answer (``E = answer``, ``answer ≤ E`` for
a least value, ``IsLeast {x | …} answer``, a finset and its card for "how many"), the
hypotheses get their local quantifiers (``f(x) = …`` defines f for every x; a recurrence
holds for every index), the type words become hypotheses (``0 < x``), and the types module
settles types and casts before the printer writes the declaration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .ast import Node, conj, conjuncts, free_vars, rel, span, substitute, var
from .lean import declaration, print_term
from .mathparse import ParseEnv, parse_items
from .mathtokens import Tokenizer
from .phrases import phrases
from .statement import Decl, Problem, Question
from .types import Elaborator, Issue, VarInfo
from .vocabulary import Vocabulary


@dataclass
class Built:
    lean: str
    statement: str
    status: str
    untranslated: list[tuple[str, int, int]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


class Builder:
    def __init__(self, problem: Problem, vocab: Vocabulary, src: str) -> None:
        self.p = problem
        self.vocab = vocab
        self.src = src
        self.tokenizer = Tokenizer(vocab)
        self.untranslated: list[tuple[str, int, int]] = list(problem.untranslated)

    def latex(self, lo: int, hi: int) -> str:
        if 0 <= lo <= hi <= len(self.src):
            return self.src[lo:hi]
        return ""

    def template(self, latex: str, slots: dict[str, Node]) -> Node | None:
        env = ParseEnv(functions=set(self.p.functions), slots=slots)
        toks = self.tokenizer.tokenize(latex, 0)
        for t in toks:
            t.start = t.end = -1
        items = parse_items(toks, self.vocab, env, "", 0)
        if len(items) != 1 or items[0].kind == "hole":
            return None
        return items[0]

    def fact(self, name: str, x: str) -> Node | None:
        latex = phrases().facts.get(name)
        if not latex:
            return None
        return self.template(latex, {"x": var(x)})

    # -- the goal ---------------------------------------------------------------------------
    def goal(self) -> Node | None:
        p = self.p
        qs = [q for q in p.questions if q.kind]
        if qs:
            p.hyps.extend(p.claims)
            p.claims = []
            q = _pick(qs)
            return self.question_goal(q)
        if p.claims:
            return conj(p.claims)
        return None

    def question_goal(self, q: Question) -> Node | None:
        p = self.p
        ans = p.answer
        if q.kind in ("value", "lower", "upper") and q.term is not None:
            e = q.term
            if p.answer_words:
                return self.template(phrases().answer_words[p.answer_words], {"E": e})
            if ans is None:
                return None
            if ans.is_prop():
                return ans
            if q.kind == "lower":
                return rel("≤", ans, e)
            if q.kind == "upper":
                return rel("≤", e, ans)
            if e.kind == "tuple" and ans.kind == "tuple" and len(e.args) == len(ans.args):
                return conj([rel("=", a, b) for a, b in zip(e.args, ans.args, strict=True)])
            return rel("=", e, ans)
        if q.kind == "solve":
            names = [n for n in q.var.split(",") if n] or self.unknowns()
            if ans is None or not names:
                return None
            return solved(names, ans)
        if q.kind in ("least", "greatest", "count"):
            return self.set_goal(q)
        return None

    def unknowns(self) -> list[str]:
        """The variable a "solve" question asks for: the free variable of the last equation."""
        for h in reversed(self.p.hyps):
            names = [v for v in free_vars(h) if v not in self.p.functions]
            if len(names) == 1:
                return names
        for h in reversed(self.p.hyps):
            names = [v for v in free_vars(h) if v not in self.p.functions]
            if names:
                return names[:1]
        return []

    def set_goal(self, q: Question) -> Node | None:
        p = self.p
        x = q.var.split(",")[0]
        if not x:
            return None
        ty = q.var_type.type if q.var_type is not None and q.var_type.type else ""
        decl = p.decls.get(x)
        if not ty and decl is not None:
            ty = decl.ty
        if not ty:
            ty = "ℕ"
        facts: list[Node] = []
        names = list(q.var_type.facts) if q.var_type is not None else []
        if decl is not None:
            names.extend(f for f in decl.facts if f not in names)
            p.decls.pop(x, None)
        for f in names:
            node = self.fact(f, x)
            if node is not None:
                facts.append(node)
        conds = facts + q.conditions
        # hypotheses about x alone are conditions too ("n is a multiple of 5, and …")
        keep: list[Node] = []
        for h in p.hyps:
            if x in free_vars(h) and q.kind != "solve":
                conds.append(h)
            else:
                keep.append(h)
        p.hyps = keep
        pred = conj(conds) or Node("rel", (var(x), var(x)), "=")
        ans = p.answer
        if q.kind == "count":
            if ans is None:
                return None
            s = _fresh("S", p)
            p.decls[s] = Decl(s, f"Finset {ty}", (), "theorem", -1)
            member = rel("∈", var(x), var(s))
            body = Node("iff", (member, pred))
            p.hyps.append(Node("forall", (body,), x, bty=ty))
            return rel("=", Node("card", (var(s),)), ans)
        if ans is None:
            return None
        builder = Node("setbuilder", (pred,), x, bty=ty)
        head = "IsLeast" if q.kind == "least" else "IsGreatest"
        return Node("app", (builder, ans), head)

    # -- local quantifiers --------------------------------------------------------------------
    def generalize(self, goal: Node | None) -> None:
        p = self.p
        goal_vars = set(free_vars(goal)) if goal is not None else set()
        out: list[Node] = []
        for h in p.hyps:
            out.append(self.generalize_one(h, goal_vars))
        p.hyps = out

    def generalize_one(self, h: Node, goal_vars: set[str]) -> Node:
        p = self.p
        if h.meta.get("fixed") == "1":
            return h
        local: list[str] = []
        definition = _definition_args(h)
        args_vars = _argument_vars(h)
        if h.meta.get("identity") == "1":
            args_vars |= {v for v in free_vars(h) if v not in p.decls and v not in goal_vars}
        for v in free_vars(h):
            if v in p.functions:
                continue
            decl = p.decls.get(v)
            if v in definition:
                local.append(v)
                continue
            if decl is not None and decl.scope == "theorem":
                continue
            if v in goal_vars:
                continue
            if decl is not None and decl.scope == "forall":
                local.append(v)
                continue
            if v in args_vars and decl is None:
                local.append(v)
        out = h
        if definition:
            # f(x) = 6/x defines f where the denominator is not zero
            conds: list[Node] = []
            for n in _outside_binders([h]):
                if n.kind == "op" and n.value == "/":
                    for c in _nonzero(
                        n.args[1], lambda x: x.kind == "var" and x.value in definition
                    ):
                        if not any(c.key() == d.key() for d in conds):
                            conds.append(c)
            cond = conj(conds)
            if cond is not None:
                out = Node("implies", (cond, out), "", h.start, h.end)
        for v in reversed(local):
            decl = p.decls.get(v)
            facts = [f for f in (decl.facts if decl is not None else ()) if f != "distinct"]
            body = out
            for name in reversed(facts):
                fact = self.fact(name, v)
                if fact is not None:
                    body = Node("implies", (fact, body), "", -1, -1)
            out = Node(
                "forall",
                (body,),
                v,
                h.start,
                h.end,
                bty=decl.ty if decl is not None and "→" not in decl.ty else "",
            )
            if decl is not None and decl.scope == "forall" and v not in definition:
                decl.scope = "used"
        return out

    # -- complex numbers and e ----------------------------------------------------------------
    def constants(self) -> None:
        p = self.p
        nodes = [*p.hyps, *p.claims, *(q.term for q in p.questions if q.term is not None)]
        if p.answer is not None:
            nodes.append(p.answer)
        uses_i = any(n.kind == "var" and n.value == "i" for node in nodes for n in node.walk())
        if uses_i and "i" not in p.decls and not _index_use(nodes, "i"):
            # i that is never declared, bound or used as an index is the imaginary unit
            imag = Node("const", (), "Complex.I", ty="ℂ")
            p.hyps = [substitute(h, "i", imag) for h in p.hyps if not _defines_i(h)]
            p.claims = [substitute(h, "i", imag) for h in p.claims]
            for q in p.questions:
                if q.term is not None:
                    q.term = substitute(q.term, "i", imag)
                q.conditions = [substitute(c, "i", imag) for c in q.conditions]
            if p.answer is not None:
                p.answer = substitute(p.answer, "i", imag)
        if "e" not in p.decls:
            p.hyps = [_euler(h) for h in p.hyps]
            p.claims = [_euler(h) for h in p.claims]
            for q in p.questions:
                if q.term is not None:
                    q.term = _euler(q.term)

    # -- everything -------------------------------------------------------------------------
    def build(self, kind: str, name: str) -> Built:
        p = self.p
        self.constants()
        goal = self.goal()
        self.generalize(goal)
        p.hyps = [remainders(h) for h in p.hyps]
        if goal is not None:
            goal = remainders(goal)
        hyps: list[Node] = []
        theorem_facts: list[Node] = []
        for decl in sorted(p.decls.values(), key=lambda d: d.order):
            if decl.scope == "used":
                continue
            for f in decl.facts:
                if f == "distinct":
                    continue
                node = self.fact(f, decl.name)
                if node is not None:
                    theorem_facts.append(node)
        hyps = theorem_facts + p.hyps
        variables: dict[str, VarInfo] = {}
        for decl in sorted(p.decls.values(), key=lambda d: d.order):
            if decl.scope == "used":
                continue
            variables[decl.name] = _var_info(decl)
        if goal is None:
            _lo, _hi = p.answer_span
            what = "the claim" if not p.questions else "the answer to the question"
            goal = Node("hole", (), what, -1, -1, ty="Prop")
        default = p.default_type
        el = Elaborator(variables, default, self.vocab, self.latex)
        for fname in p.functions:
            info = variables.get(fname)
            if info is not None and info.kind == "value" and not info.declared:
                info.kind = "function"
        for fname in p.functions:
            if fname not in variables:
                variables[fname] = VarInfo(fname, kind="function")
        el.infer([*hyps, goal])
        hyps = domain_conditions(hyps, goal, variables) + hyps
        el.note_facts(hyps)
        e_hyps = [el.elaborate(h, "Prop") for h in hyps]
        e_goal = el.elaborate(goal, "Prop")
        # variables actually used, in declaration order then first use
        used: list[str] = []
        for node in [*e_hyps, e_goal]:
            for v in free_vars(node):
                if v not in used:
                    used.append(v)
        ordered = [
            d.name for d in sorted(p.decls.values(), key=lambda d: d.order) if d.name in used
        ]
        ordered += [v for v in used if v not in ordered]
        binders = []
        for v in ordered:
            info = variables.get(v)
            ty = info.lean_type() if info is not None else default
            binders.append((v, ty))
        printed_hyps = [print_term(h) for h in e_hyps]
        printed_goal = print_term(e_goal)
        lean, statement = declaration(kind, name, binders, printed_hyps, printed_goal)
        holes = [n for node in [*e_hyps, e_goal] for n in node.walk() if n.kind == "hole"]
        for h in holes:
            if h.value and not any(h.value == u[0] for u in self.untranslated):
                self.untranslated.append((h.value, h.start, h.end))
        if e_goal.kind == "hole":
            status = "failed" if not e_hyps else "partial"
        elif holes or self.untranslated:
            status = "partial"
        else:
            status = "complete"
        return Built(lean, statement, status, self.untranslated, el.issues)


def remainders(node: Node, depth: int = 0) -> Node:
    """a ≡ r (mod n) with numerals 0 ≤ r < n is stated as a % n = r (outside set-builders,
    where the congruence is kept)."""
    if depth > 200 or node.kind in ("setbuilder", "app"):
        return node
    if node.kind == "modeq":
        a, b, n = node.args
        if (
            b.kind == "num"
            and n.kind == "num"
            and b.value.isdigit()
            and n.value.isdigit()
            and int(b.value) < int(n.value)
            and free_vars(a)
        ):
            return rel("=", Node("op", (a, n), "%", a.start, n.end), b)
        return node
    if not node.args:
        return node
    return node.with_args(*(remainders(a, depth + 1) for a in node.args))


FIELDS = frozenset({"ℝ", "ℚ", "ℂ"})


def domain_conditions(hyps: list[Node], goal: Node, variables: dict[str, VarInfo]) -> list[Node]:
    """x ≠ c for each simple denominator (x, k·x, xⁿ, x − c, x + c, x − k·y) over the
    statement's real, rational or complex variables, unless a hypothesis already says where
    x lies (0 < x, x ≠ 0, …): dividing by zero would make the statement say something else."""

    def field_var(n: Node) -> bool:
        info = variables.get(n.value) if n.kind == "var" else None
        return info is not None and info.kind == "value" and info.ty in FIELDS

    constrained: set[str] = set()
    for h in hyps:
        if h.meta.get("fixed") == "1":
            constrained.update(free_vars(h))  # a root of a given polynomial
        for c in conjuncts(h):
            if c.kind == "rel" and c.value in ("<", ">", "≠"):
                a, b = c.args
                for x, y in ((a, b), (b, a)):
                    if x.kind == "var" and y.kind == "num" and y.value == "0":
                        constrained.add(x.value)
    out: list[Node] = []
    seen: set[tuple[object, ...]] = set()
    nodes = _outside_binders([*hyps, goal])
    # a logarithm of a monomial (log x, log(x y³)) or to a variable base: 0 < x
    for n in nodes:
        if n.kind != "app" or n.meta.get("domain") != "pos" or not n.args:
            continue
        positive = _monomial_vars(n.args[-1], field_var)
        if n.value == "Real.logb" and len(n.args) == 2 and field_var(n.args[0]):
            positive.append(n.args[0].value)
        for name in positive:
            if name in constrained:
                continue
            constrained.add(name)
            out.append(rel("<", Node("num", (), "0"), var(name)))
    for n in nodes:
        if n.kind == "op" and n.value == "/":
            d = n.args[1]
        elif n.kind == "inv":
            d = n.args[0]
        else:
            continue
        for c in _nonzero(d, field_var):
            if c.args[0].value in constrained or c.key() in seen:
                continue
            seen.add(c.key())
            out.append(c)
    return out


def _outside_binders(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    stack = list(reversed(nodes))
    while stack and len(out) < 5000:
        n = stack.pop()
        out.append(n)
        if n.kind not in ("forall", "exists", "exists1", "setbuilder", "lam", "sum", "prod"):
            stack.extend(reversed(n.args))
    return out


def _monomial_vars(e: Node, field_var: Callable[[Node], bool]) -> list[str]:
    """The variables of a monomial c·x·y³ (none when e is not one)."""
    if field_var(e):
        return [e.value]
    if e.kind == "op" and e.value == "^" and e.args[1].kind == "num" and field_var(e.args[0]):
        return [e.args[0].value]
    if e.kind == "op" and e.value == "*":
        if e.args[0].kind == "num":
            return _monomial_vars(e.args[1], field_var)
        a = _monomial_vars(e.args[0], field_var)
        b = _monomial_vars(e.args[1], field_var)
        if a and b:
            return list(dict.fromkeys(a + b))
    return []


def _nonzero(d: Node, field_var: Callable[[Node], bool]) -> list[Node]:
    while d.kind == "neg" or (d.kind == "op" and d.value == "*" and d.args[0].kind == "num"):
        d = d.args[-1]
    if d.kind == "op" and d.value == "*":
        return _nonzero(d.args[0], field_var) + _nonzero(d.args[1], field_var)
    if d.kind == "op" and d.value == "^" and d.args[1].kind == "num":
        d = d.args[0]
    if field_var(d):
        return [rel("≠", var(d.value), Node("num", (), "0"))]
    if d.kind == "op" and d.value in ("+", "-") and field_var(d.args[0]):
        x, t = d.args
        if t.kind == "num":
            return [rel("≠", var(x.value), t if d.value == "-" else Node("neg", (t,)))]
        if d.value == "-" and (
            field_var(t)
            or (
                t.kind == "op"
                and t.value == "*"
                and t.args[0].kind == "num"
                and field_var(t.args[1])
            )
        ):
            return [rel("≠", var(x.value), t)]
    return []


def _pick(qs: list[Question]) -> Question:
    """The question the answer answers: the last one with something to ask."""
    for q in reversed(qs):
        if q.kind != "solve" or q.var:
            return q
    return qs[-1]


def solved(names: list[str], ans: Node) -> Node | None:
    """x = answer; (x, y) = (a, b); x ∈ [a, b] / an interval as bounds."""
    if ans.kind == "rel" and ans.value == "=" and ans.args[0].kind in ("var", "tuple"):
        lhs, rhs = ans.args
        if lhs.kind == "tuple" and rhs.kind == "tuple" and len(lhs.args) == len(rhs.args):
            return conj([rel("=", a, b) for a, b in zip(lhs.args, rhs.args, strict=True)])
        return ans
    if ans.kind == "rel" and ans.value == "∈" and ans.args[0].kind == "var":
        return _interval(ans.args[0].value, ans.args[1]) or ans
    if ans.kind == "tuple" and len(names) == len(ans.args) and len(names) > 1:
        return conj([rel("=", var(n), a) for n, a in zip(names, ans.args, strict=True)])
    if ans.kind == "tuple" and len(names) == 1 and len(ans.args) == 2 and "open" in ans.meta:
        return _interval(names[0], ans)
    if ans.is_prop():
        return ans
    if len(names) == 1:
        return rel("=", var(names[0]), ans)
    return None


def _interval(x: str, node: Node) -> Node | None:
    if node.kind != "tuple" or len(node.args) != 2:
        return None
    lo, hi = node.args
    lo_rel = "<" if node.meta.get("open", "(") == "(" else "≤"
    hi_rel = "<" if node.meta.get("close", ")") == ")" else "≤"
    parts = []
    if not (lo.kind == "neg" and lo.args[0].meta.get("infinity")):
        parts.append(rel(lo_rel, lo, var(x)))
    if hi.meta.get("infinity") != "1":
        parts.append(rel(hi_rel, var(x), hi))
    return conj(parts)


def _fresh(base: str, p: Problem) -> str:
    taken = set(p.decls) | p.functions
    for node in [*p.hyps, *p.claims]:
        taken.update(free_vars(node))
    name = base
    i = 0
    while name in taken:
        i += 1
        name = f"{base}{i}"
    return name


def _var_info(decl: Decl) -> VarInfo:
    ty = decl.ty
    if "→" in ty:
        parts = [t.strip() for t in ty.split("→")]
        return VarInfo(
            decl.name, ty=parts[-1], dom=tuple(parts[:-1]), kind="function", declared=True
        )
    if ty.startswith(("Finset ", "Set ")):
        kind, _, elem = ty.partition(" ")
        return VarInfo(decl.name, ty=elem, kind="set", declared=True, set_kind=kind)
    return VarInfo(decl.name, ty=ty, declared=bool(ty))


def _definition_args(h: Node) -> set[str]:
    """f(x, y) = …: the variables x, y (bound by the definition)."""
    node = h
    while node.kind == "implies" and node.meta.get("cases") == "1":
        node = node.args[1]
    if node.kind == "rel" and node.value == "=":
        lhs = node.args[0]
        if lhs.kind == "call" and lhs.args[0].kind == "var" and lhs.meta.get("subscript") != "1":
            args = lhs.args[1:]
            names = [a.value for a in args if a.kind == "var"]
            if len(names) == len(args) and len(set(names)) == len(names):
                return set(names)
    return set()


def _argument_vars(h: Node) -> set[str]:
    """Variables a hypothesis states something for all values of: they occur in the
    arguments of function or sequence applications, in two different arguments
    (a_n = a_{n-1} + 1) or also outside them (f(x + 3) = x^2); f(x) = 10 alone is an
    equation for x, not a statement about every x."""
    counts: dict[str, int] = {}
    for n in h.walk():
        if n.kind == "call":
            for a in n.args[1:]:
                for v in set(free_vars(a)):
                    counts[v] = counts.get(v, 0) + 1
    outside = set(free_vars(_strip_calls(h)))
    return {v for v, c in counts.items() if c >= 2 or v in outside}


def _strip_calls(node: Node) -> Node:
    if node.kind == "call":
        return Node("num", (), "0")
    if not node.args:
        return node
    return node.with_args(*(_strip_calls(a) for a in node.args))


def _index_use(nodes: list[Node], name: str) -> bool:
    """Whether ``name`` is bound by a binder or used as an argument or index anywhere."""
    for node in nodes:
        for n in node.walk():
            if (
                n.kind in ("sum", "prod", "forall", "exists", "exists1", "setbuilder", "lam")
                and n.value == name
            ):
                return True
            if n.kind == "call" and any(name in free_vars(a) for a in n.args[1:]):
                return True
    return False


def _defines_i(h: Node) -> bool:
    """i^2 = -1, i = √-1: the text says what i is."""
    if h.kind != "rel" or h.value != "=":
        return False
    a, b = h.args
    text = repr(a) + repr(b)
    return "'i'" in text and ("neg(num('1'))" in text.replace(" ", "")) and len(free_vars(h)) == 1


def _euler(node: Node) -> Node:
    """e^x with e never declared: Real.exp x."""
    if (
        node.kind == "op"
        and node.value == "^"
        and node.args[0].kind == "var"
        and node.args[0].value == "e"
    ):
        return Node("app", (_euler(node.args[1]),), "Real.exp", node.start, node.end)
    if not node.args:
        return node
    return node.with_args(*(_euler(a) for a in node.args))


_BALANCE = {")": "(", "]": "[", "}": "{", "⌋": "⌊", "⌉": "⌈"}


def balanced(text: str) -> bool:
    """A cheap guard: brackets outside comments balance (the printer should ensure it)."""
    body = re.sub(r"/-.*?-/", "", text, flags=re.S)
    stack: list[str] = []
    for c in body:
        if c in "([{⌊⌈":
            stack.append(c)
        elif c in _BALANCE and (not stack or stack.pop() != _BALANCE[c]):
            return False
    return not stack


def hole_spans(issues: list[Issue]) -> list[tuple[str, int, int]]:
    return [(dict(i.params).get("what", ""), i.start, i.end) for i in issues if i.code == "hole"]


def build(problem: Problem, vocab: Vocabulary, src: str, kind: str, name: str) -> Built:
    return Builder(problem, vocab, src).build(kind, name)


LatexFn = Callable[[int, int], str]
__all__ = ["Built", "balanced", "build", "span"]
