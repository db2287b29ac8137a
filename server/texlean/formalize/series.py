"""Sums and products written with an ellipsis: ``1 + 3 + 5 + \\dots + 199``.

The terms before the ellipsis must share one shape in which some numerals change by a
constant step (or, for one of them, by a constant factor: ``\\sin 2x + \\sin 4x + \\dots +
\\sin 2^n x``); the last term fixes the upper bound.  Alternating signs become a factor
``(-1) ^ (k + c)``.  The result is ``∑ k ∈ Finset.Icc a b, t k`` (``Finset.range`` when the
index starts at 0).  Anything else is left alone (the ellipsis then becomes a hole).
"""

from __future__ import annotations

from dataclasses import dataclass

from .ast import Node, free_vars, num, op, var

INDEX_NAMES = ("k", "i", "j", "m", "r", "s")


@dataclass
class Slot:
    path: tuple[int, ...]
    values: list[int]
    geometric: bool = False


def recognize(node: Node, depth: int = 0) -> Node:
    """The node with every recognisable ellipsis pattern turned into a sum or product."""
    if depth > 200 or not node.args:
        return node
    if node.kind == "op" and node.value in ("+", "-", "*") and _has_dots(node):
        found = _series(node)
        if found is not None:
            return found
    args = tuple(recognize(a, depth + 1) for a in node.args)
    if all(x is y for x, y in zip(args, node.args, strict=True)):
        return node
    return node.with_args(*args)


def _has_dots(node: Node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "dots":
            return True
        if n.kind == "op" and n.value in ("+", "-", "*"):
            stack.extend(n.args)
    return False


def _flatten(node: Node, kind: str) -> list[tuple[int, Node]]:
    """Terms of a + / − chain with their signs (kind "+"), or factors of a product ("*")."""
    out: list[tuple[int, Node]] = []

    def go(n: Node, sign: int, depth: int) -> None:
        if depth > 500:
            out.append((sign, n))
            return
        if kind == "+" and n.kind == "op" and n.value in ("+", "-") and not n.paren:
            go(n.args[0], sign, depth + 1)
            go(n.args[1], sign if n.value == "+" else -sign, depth + 1)
        elif kind == "*" and n.kind == "op" and n.value == "*" and not n.paren:
            go(n.args[0], sign, depth + 1)
            go(n.args[1], sign, depth + 1)
        else:
            out.append((sign, n))

    if node.kind == "op" and (
        (kind == "+" and node.value in ("+", "-")) or (kind == "*" and node.value == "*")
    ):
        root = node.with_args(*node.args)
        root.paren = False
        go(root, 1, 0)
    else:
        go(node, 1, 0)
    return out


def _series(node: Node) -> Node | None:
    kind = "+" if node.value in ("+", "-") else "*"
    terms = _flatten(node, kind)
    dots = [i for i, (_, t) in enumerate(terms) if t.kind == "dots"]
    if not dots:
        return None
    first_dot, last_dot = dots[0], dots[-1]
    prefix = terms[:first_dot]
    suffix = terms[last_dot + 1 :]
    if not suffix or not prefix:
        return None
    # terms between two ellipses that name a general term (\frac{4n+4}{4n}) are dropped
    known = set()
    for _, t in prefix:
        known.update(free_vars(t))
    middle = terms[first_dot + 1 : last_dot]
    if any(t.kind != "dots" and not set(free_vars(t)) - known for _, t in middle):
        return None
    # use as many terms before the ellipsis as share one shape
    template = prefix[-1][1]
    j = 0
    while j + 1 < len(suffix) and _shape(suffix[j + 1][1]) == _shape(template):
        j += 1
    last_sign, last = suffix[j]
    rest = suffix[j + 1 :]
    run = [prefix[-1]]
    for item in reversed(prefix[:-1]):
        if _shape(item[1]) != _shape(template):
            break
        run.insert(0, item)
    before = prefix[: len(prefix) - len(run)]
    built = _build(run, last_sign, last, kind, known)
    if built is None:
        return None
    out = _absorb(built, before, kind)
    if before:
        head = _rebuild(before, kind)
        out = (
            op(node.value if kind == "*" else "+", head, out) if kind == "*" else op("+", head, out)
        )
    if rest:
        for sign, t in rest:
            out = op("*", out, t) if kind == "*" else op("+" if sign > 0 else "-", out, t)
    out.start, out.end = node.start, node.end
    return out


def _absorb(node: Node, before: list[tuple[int, Node]], kind: str) -> Node:
    """Extend the range downwards over earlier terms the general term also gives
    (i + 2i^2 + 3i^3 + … is the k = 1 term k i^k followed by the others)."""
    dom, body = node.args
    if dom.kind != "icc" or node.meta.get("alternating") == "1":
        return node
    lo = _int(dom.args[0])
    while before and lo is not None and lo > 0:
        sign, term = before[-1]
        if sign < 0 or (kind == "*" and sign != 1):
            break
        candidate = _simplify(substitute_index(body, node.value, lo - 1))
        if candidate.key() != _simplify(term).key():
            break
        before.pop()
        lo -= 1
    if lo is None or lo == _int(dom.args[0]):
        return node
    if lo == 0:
        upper = dom.args[1]
        upper_plus = (
            num(int(upper.value) + 1) if _int(upper) is not None else op("+", upper, num(1))
        )
        new_dom = Node("range", (upper_plus,))
    else:
        new_dom = Node("icc", (num(lo), dom.args[1]))
    out = node.with_args(new_dom, body)
    return out


def substitute_index(node: Node, name: str, value: int) -> Node:
    if node.kind == "var" and node.value == name:
        return num(value)
    if not node.args:
        return node
    return node.with_args(*(substitute_index(a, name, value) for a in node.args))


def _simplify(node: Node) -> Node:
    if not node.args:
        return node
    node = node.with_args(*(_simplify(a) for a in node.args))
    if node.kind == "op" and len(node.args) == 2:
        a, b = node.args
        va, vb = _int(a), _int(b)
        if va is not None and vb is not None and node.value in ("+", "*", "^") and vb < 64:
            value = va + vb if node.value == "+" else va * vb if node.value == "*" else va**vb
            return num(value)
        if node.value == "-" and va is not None and vb is not None and va >= vb:
            return num(va - vb)
        if node.value == "*" and va == 1:
            return b
        if node.value in ("*", "/") and vb == 1:
            return a
        if node.value == "^" and vb == 1:
            return a
        if node.value in ("+", "-") and vb == 0:
            return a
        if node.value == "+" and va == 0:
            return b
    return node


def _rebuild(items: list[tuple[int, Node]], kind: str) -> Node:
    sign, out = items[0]
    if sign < 0 and kind == "+":
        out = Node("neg", (out,))
    for s, t in items[1:]:
        out = op("*", out, t) if kind == "*" else op("+" if s > 0 else "-", out, t)
    return out


def _shape(node: Node) -> tuple[object, ...]:
    """The structure of a term with its numerals blanked out."""
    if node.kind == "num":
        return ("num",)
    return (node.kind, node.value, tuple(_shape(a) for a in node.args))


def _numerals(node: Node, path: tuple[int, ...] = ()) -> list[tuple[tuple[int, ...], Node]]:
    if node.kind == "num":
        return [(path, node)]
    out: list[tuple[tuple[int, ...], Node]] = []
    for i, a in enumerate(node.args):
        out.extend(_numerals(a, (*path, i)))
    return out


def _at(node: Node, path: tuple[int, ...]) -> Node | None:
    for i in path:
        if i >= len(node.args):
            return None
        node = node.args[i]
    return node


def _replace(node: Node, path: tuple[int, ...], repl: Node) -> Node:
    if not path:
        return repl
    i = path[0]
    args = list(node.args)
    args[i] = _replace(args[i], path[1:], repl)
    return node.with_args(*args)


def _int(node: Node) -> int | None:
    if node.kind == "num" and node.value.isdigit() and len(node.value) < 12:
        return int(node.value)
    return None


def _build(
    run: list[tuple[int, Node]], last_sign: int, last: Node, kind: str, known: set[str]
) -> Node | None:
    template = run[0][1]
    if any(_shape(t) != _shape(template) for _, t in run):
        return None
    positions = _numerals(template)
    slots: list[Slot] = []
    for path, _ in positions:
        values: list[int] = []
        for _, t in run:
            n = _at(t, path)
            v = _int(n) if n is not None else None
            if v is None:
                return None
            values.append(v)
        if len(set(values)) > 1:
            slots.append(Slot(path, values))
    if not slots:
        return None
    # each changing numeral is affine in the term number (or one is geometric)
    for slot in slots:
        vals = slot.values
        step = vals[1] - vals[0]
        if any(vals[i + 1] - vals[i] != step for i in range(len(vals) - 1)):
            if (
                vals[0] != 0
                and all(vals[i + 1] * vals[0] == vals[i] * vals[1] for i in range(len(vals) - 1))
                and vals[1] % vals[0] == 0
            ):
                slot.geometric = True
                continue
            return None
    if len(run) == 1:
        return None
    geometric = [s for s in slots if s.geometric]
    if len(geometric) > 1 or (geometric and len(slots) > 1):
        return None
    index = next((n for n in INDEX_NAMES if n not in known), "k")
    k = var(index)
    # where the last term sits: match it against the template
    matched = _match(template, last, {tuple(s.path) for s in slots})
    if matched is None:
        return None
    if geometric:
        slot = geometric[0]
        ratio = slot.values[1] // slot.values[0]
        first = slot.values[0]
        e0 = _log(first, ratio)
        if e0 is None:
            return None
        last_val = matched[slot.path]
        upper: Node
        if last_val.kind == "op" and last_val.value == "^" and _int(last_val.args[0]) == ratio:
            upper = last_val.args[1]
        elif (lv := _int(last_val)) is not None and (e1 := _log(lv, ratio)) is not None:
            upper = num(e1)
        else:
            return None
        body = _replace(template, slot.path, op("^", num(ratio), k))
        lower = num(e0)
        return _assemble(kind, index, lower, upper, body, run, last_sign)
    # choose the driver: a numeral whose step divides its first value (k starts at first/step)
    best: tuple[int, Slot, int] | None = None
    for slot in slots:
        step = slot.values[1] - slot.values[0]
        if step <= 0:
            continue
        start = slot.values[0] // step if slot.values[0] % step == 0 else None
        score = 0 if start == 1 else 1 if start == 0 else 2 if start is not None else 3
        if best is None or score < best[0]:
            best = (score, slot, step)
    if best is None:
        return None
    _, driver, step = best
    if driver.values[0] % step == 0:
        k0 = driver.values[0] // step
        offset = 0
    else:
        k0 = 0
        offset = driver.values[0]
    # upper bound from the driver's numeral in the last term
    last_driver = matched[driver.path]
    lv = _int(last_driver)
    if lv is not None:
        if (lv - offset) % step != 0:
            return None
        upper = num((lv - offset) // step)
    elif step == 1 and offset == 0:
        upper = last_driver
    else:
        return None
    body = template
    for slot in slots:
        s_step = slot.values[1] - slot.values[0]
        const = slot.values[0] - s_step * k0
        body = _replace(body, slot.path, _affine(s_step, k, const))
    # other numerals of the last term must agree with the formula
    return _assemble(kind, index, num(k0), upper, body, run, last_sign)


def _assemble(
    kind: str,
    index: str,
    lower: Node,
    upper: Node,
    body: Node,
    run: list[tuple[int, Node]],
    last_sign: int,
) -> Node | None:
    signs = [s for s, _ in run] + [last_sign]
    if kind == "+" and len(set(signs[:-1])) > 1:
        alternating = all(signs[i] != signs[i + 1] for i in range(len(signs) - 2))
        if not alternating:
            return None
        lo = _int(lower) if lower.kind == "num" else None
        if lo is None:
            return None
        c = (lo % 2) if signs[0] > 0 else ((lo + 1) % 2)
        exponent = op("+", var(index), num(1)) if c else var(index)
        sign_factor = op("^", Node("neg", (num(1),), paren=True), exponent)
        body = op("*", sign_factor, body)
    elif kind == "+" and signs[0] < 0:
        body = Node("neg", (body,))
    if lower.kind == "num" and lower.value == "0":
        upper_plus = num(int(upper.value) + 1) if upper.kind == "num" else op("+", upper, num(1))
        domain = Node("range", (upper_plus,))
    else:
        domain = Node("icc", (lower, upper))
    node = Node("sum" if kind == "+" else "prod", (domain, body), index)
    node.meta["series"] = "1"
    if kind == "+" and len(set(signs[:-1])) > 1:
        node.meta["alternating"] = "1"
    return node


def _affine(step: int, k: Node, const: int) -> Node:
    term: Node = k if step == 1 else op("*", num(step), k)
    if const > 0:
        return op("+", term, num(const))
    if const < 0:
        return op("-", term, num(-const))
    return term


def _log(value: int, base: int) -> int | None:
    if base < 2 or value < 1:
        return None
    e = 0
    while value % base == 0 and value > 1:
        value //= base
        e += 1
    return e if value == 1 else None


def _match(
    template: Node, term: Node, holes: set[tuple[int, ...]]
) -> dict[tuple[int, ...], Node] | None:
    out: dict[tuple[int, ...], Node] = {}

    def go(t: Node, n: Node, path: tuple[int, ...]) -> bool:
        if path in holes:
            out[path] = n
            return True
        if t.kind != n.kind or t.value != n.value or len(t.args) != len(n.args):
            return False
        return all(
            go(a, b, (*path, i)) for i, (a, b) in enumerate(zip(t.args, n.args, strict=True))
        )

    if not go(template, term, ()):
        return None
    return out
