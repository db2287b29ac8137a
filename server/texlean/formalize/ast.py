"""The typed AST of translated mathematics.

One node class, :class:`Node`, with a ``kind`` among :data:`KINDS`.  ``start``/``end``
are offsets into the LaTeX that was translated (-1 when a node was synthesized, e.g. by
a phrase); ``ty`` is filled in by :mod:`.types`.

Kinds (children in ``args``; ``value`` as noted):

==========  =====================================================================
num         a numeral; value "12" (natural) or "7/2" (a decimal, as a fraction)
var         a variable; value its Lean name
const       a constant; value its Lean spelling (π, Complex.I); ty its type
op          binary arithmetic or set operator; value + - * / % ^ ∪ ∩ \\ ∘; args (a, b)
neg         unary minus; args (a,)
inv         a⁻¹; args (a,)
fact        a !; args (a,)
app         a named function applied; value the Lean name; args the arguments
call        a variable function applied; args (f, x1, …)
abs floor ceil  |a| ⌊a⌋ ⌈a⌉; args (a,)
rel         a relation; value = ≠ < > ≤ ≥ ∈ ∉ ⊆ ⊂ ⊇ ∣ ∤; args (a, b)
modeq       a ≡ b [MOD n]; args (a, b, n)
and or implies iff  args (a, b)
not         args (a,)
forall exists exists1  value the bound variable; args (body,) or (pred, body);
            bty the binder type ("" unknown)
sum prod    value the index; args (domain, body); domain kinds: icc (a, b), range (n),
            or any set-valued node
setbuilder  value the variable; args (pred,) or (pred, domain); bty
setlit tuple  args the items
interval    value Icc Ico Ioc Ioo Ici Ioi Iic Iio; args the bounds
numset      value ℕ ℤ ℚ ℝ ℂ
empty       ∅
ascr        type ascription (a : T); value T; args (a,)
card        the number of elements; args (S,)
lam         fun value => body; args (body,); bty
hole        something untranslated; value the LaTeX
dots        an ellipsis (only before series recognition)
==========  =====================================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

KINDS = frozenset(
    {
        "num", "var", "const", "op", "neg", "inv", "fact", "app", "call", "abs", "floor",
        "ceil", "rel", "modeq", "and", "or", "implies", "iff", "not", "forall", "exists",
        "exists1", "sum", "prod", "setbuilder", "setlit", "tuple", "interval", "numset",
        "empty", "ascr", "card", "lam", "hole", "dots", "icc", "range", "fntype",
    }
)  # fmt: skip

PROP_FUNCTIONS = frozenset({"Nat.Prime", "Even", "Odd", "Irrational", "IsLeast", "IsGreatest"})
PROP_KINDS = frozenset(
    {"rel", "modeq", "and", "or", "implies", "iff", "not", "forall", "exists", "exists1"}
)


@dataclass(slots=True)
class Node:
    kind: str
    args: tuple[Node, ...] = ()
    value: str = ""
    start: int = -1
    end: int = -1
    ty: str = ""  # Lean type once elaborated ("" unknown; "Prop" for propositions)
    bty: str = ""  # binder type for binders
    paren: bool = False  # written in parentheses (for series patterns and answers)
    meta: dict[str, str] = field(default_factory=dict)

    def is_prop(self) -> bool:
        if self.kind in PROP_KINDS:
            return True
        if self.kind == "app" and self.value in PROP_FUNCTIONS:
            return True
        return self.kind == "hole" and self.ty == "Prop"

    def walk(self) -> Iterator[Node]:
        """Pre-order traversal (iterative: deep trees do not exhaust the stack)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.args))

    def with_args(self, *args: Node) -> Node:
        return Node(
            self.kind, tuple(args), self.value, self.start, self.end, self.ty, self.bty,
            self.paren, dict(self.meta),
        )  # fmt: skip

    def copy(self) -> Node:
        return Node(
            self.kind, tuple(a.copy() for a in self.args), self.value, self.start, self.end,
            self.ty, self.bty, self.paren, dict(self.meta),
        )  # fmt: skip

    def key(self) -> tuple[object, ...]:
        """A structural key (kind, value, children) ignoring spans and types."""
        return (self.kind, self.value, self.bty, tuple(a.key() for a in self.args))

    def __repr__(self) -> str:
        inner = ", ".join(repr(a) for a in self.args)
        val = f"{self.value!r}" if self.value else ""
        sep = ", " if val and inner else ""
        return f"{self.kind}({val}{sep}{inner})"


def span(node: Node) -> tuple[int, int]:
    """The smallest span covering the node and its children (-1, -1 when unknown)."""
    lo, hi = node.start, node.end
    for n in node.walk():
        if n.start >= 0 and (lo < 0 or n.start < lo):
            lo = n.start
        if n.end >= 0 and n.end > hi:
            hi = n.end
    return lo, hi


def num(value: int | str, start: int = -1, end: int = -1) -> Node:
    return Node("num", (), str(value), start, end)


def var(name: str, start: int = -1, end: int = -1) -> Node:
    return Node("var", (), name, start, end)


def op(symbol: str, a: Node, b: Node) -> Node:
    return Node("op", (a, b), symbol, min_start(a, b), max(a.end, b.end))


def rel(symbol: str, a: Node, b: Node) -> Node:
    return Node("rel", (a, b), symbol, min_start(a, b), max(a.end, b.end))


def conj(items: list[Node]) -> Node | None:
    """a ∧ b ∧ … (right-nested), or None for no items."""
    if not items:
        return None
    out = items[-1]
    for item in reversed(items[:-1]):
        out = Node("and", (item, out), "", min_start(item, out), max(item.end, out.end))
    return out


def conjuncts(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "and":
            stack.append(n.args[1])
            stack.append(n.args[0])
        else:
            out.append(n)
    return out


def min_start(*nodes: Node) -> int:
    starts = [n.start for n in nodes if n.start >= 0]
    return min(starts) if starts else -1


def free_vars(node: Node) -> list[str]:
    """Variables occurring free, in order of first occurrence."""
    seen: dict[str, None] = {}
    _free(node, frozenset(), seen, 0)
    return list(seen)


def _free(node: Node, bound: frozenset[str], seen: dict[str, None], depth: int) -> None:
    if depth > 400:
        return
    k = node.kind
    if k == "var":
        if node.value not in bound:
            seen.setdefault(node.value, None)
        return
    if k in ("forall", "exists", "exists1", "setbuilder", "lam"):
        inner = bound | {node.value}
        if k == "setbuilder" and len(node.args) > 1:
            _free(node.args[1], bound, seen, depth + 1)
            _free(node.args[0], inner, seen, depth + 1)
            return
        for a in node.args:
            _free(a, inner, seen, depth + 1)
        return
    if k in ("sum", "prod"):
        _free(node.args[0], bound, seen, depth + 1)
        _free(node.args[1], bound | {node.value}, seen, depth + 1)
        return
    for a in node.args:
        _free(a, bound, seen, depth + 1)


def substitute(node: Node, name: str, repl: Node) -> Node:
    """node with free occurrences of variable ``name`` replaced by ``repl``."""
    if node.kind == "var":
        return repl.copy() if node.value == name else node
    if node.kind in ("forall", "exists", "exists1", "setbuilder", "lam") and node.value == name:
        return node
    if node.kind in ("sum", "prod") and node.value == name:
        return node.with_args(substitute(node.args[0], name, repl), node.args[1])
    if not node.args:
        return node
    return node.with_args(*(substitute(a, name, repl) for a in node.args))


def rename(node: Node, old: str, new: str) -> Node:
    return substitute(node, old, var(new))
