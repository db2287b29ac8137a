"""LaTeX math → AST: a Pratt parser over :mod:`.mathtokens` tokens.

Precedences follow mathematical reading (they coincide with Lean's where both exist):
logic 20–40, relations 50 (chains a < b ≤ c become a < b ∧ b ≤ c), + − 65, × ÷ and
juxtaposition 70, unary minus 75, powers 80, ! 90, subscripts 100, application 1000.

Juxtaposition is a product unless the left-hand side is known to be a function (declared
in the statement, in :attr:`Context.functions`, or a standard function), in which case
``f(x)`` is an application; undecidable cases are recorded as hazards (FRM007, FRM008).

Nothing raises: a piece that cannot be read becomes a ``hole`` node carrying its LaTeX,
and nesting deeper than :data:`MAX_DEPTH` is cut into a hole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .ast import Node, conj, min_start, num, op, rel, var
from .mathtokens import Tok
from .vocabulary import Function, Vocabulary

MAX_DEPTH = 120
MAX_TREE_DEPTH = 150
CONVENTIONAL_FUNCTIONS = frozenset("fghFGHPQ")
ORDINALS = frozenset({"th", "st", "nd", "rd", "text{th}"})
ARITH_FUNCTIONS_NEEDING_PARENS = frozenset({"Nat.gcd", "Nat.lcm", "max", "min"})


class ParseError(Exception):
    pass


@dataclass
class ParseNote:
    """Something the parser decided or could not do (turned into hazards/holes later)."""

    code: str  # FRM007 FRM008 or "hole"
    params: tuple[tuple[str, str], ...]
    start: int
    end: int


@dataclass
class ParseEnv:
    """What the statement knows while parsing: function symbols and plain values."""

    functions: set[str] = field(default_factory=set)  # variables known to be functions
    values: set[str] = field(default_factory=set)  # variables seen standing alone
    slots: dict[str, Node] = field(default_factory=dict)
    notes: list[ParseNote] = field(default_factory=list)


_REL_SYMS = {"=": "=", "<": "<", ">": ">"}
_SEPARATORS = frozenset({",", ";"})
_TEXT_LOGIC = {"and": "and", "or": "or", "und": "and"}
_TEXT_COND = frozenset({"for", "if", "when", "whenever", "for all", "where", "provided"})
_STARTS_ATOM = frozenset({"num", "letter", "open", "numset", "slot"})


class MathParser:
    def __init__(self, toks: list[Tok], vocab: Vocabulary, env: ParseEnv, src: str, base: int):
        self.toks = toks
        self.i = 0
        self.vocab = vocab
        self.env = env
        self.src = src
        self.base = base
        self.depth = 0
        self.abs_depth = 0
        self.set_depth = 0
        self.operand_mode = 0
        self.in_script = 0
        self._next_bar: list[int] | None = None

    # -- token helpers -----------------------------------------------------------------------
    @property
    def t(self) -> Tok:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def adv(self) -> Tok:
        tok = self.toks[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.t
        return t.kind == kind and (text is None or t.text == text)

    def expect(self, kind: str, text: str | None = None) -> Tok:
        if not self.at(kind, text):
            raise ParseError(f"expected {text or kind}, found {self.t.text or self.t.kind}")
        return self.adv()

    def latex(self, start: int, end: int) -> str:
        lo, hi = start - self.base, end - self.base
        if 0 <= lo <= hi <= len(self.src):
            return self.src[lo:hi]
        return ""

    def hole(self, start: int, end: int, text: str | None = None) -> Node:
        body = text if text is not None else self.latex(start, end)
        self.env.notes.append(ParseNote("hole", (("what", body),), start, end))
        return Node("hole", (), body, start, end)

    # -- entry points ------------------------------------------------------------------------
    def items(self) -> list[Node]:
        """The top-level items: expressions separated by commas, semicolons or ``\\\\``."""
        out: list[Node] = []
        while not self.at("eof"):
            if self._at_separator():
                self.adv()
                continue
            start_i = self.i
            try:
                node = self.expr(0)
            except (ParseError, RecursionError):
                node = None
            if node is None or not (self._at_separator() or self.at("eof")):
                # skip to the next top-level separator and make the whole item a hole
                self.i = start_i
                self._skip_item()
                first, last = self.toks[start_i], self.toks[max(start_i, self.i - 1)]
                if self.i > start_i:
                    out.append(self.hole(first.start, last.end))
                else:
                    self.adv()
                continue
            out.append(node)
        return out

    def _at_separator(self) -> bool:
        t = self.t
        if t.kind == "sym" and t.text in _SEPARATORS:
            return True
        if t.kind == "sym" and t.text == ".":
            nxt = self.peek()
            return nxt.kind == "eof" or (nxt.kind == "cmd" and nxt.text in ("\\\\", "\\newline"))
        if t.kind == "cmd" and t.text in ("\\\\", "\\newline"):
            return True
        return t.kind == "text" and t.text.lower() in ("and", ", and", "und")

    def _skip_item(self) -> None:
        depth = 0
        while not self.at("eof"):
            t = self.t
            if t.kind == "open" or (t.kind == "sym" and t.text in "(["):
                depth += 1
            elif t.kind == "close" or (t.kind == "sym" and t.text in ")]"):
                depth = max(0, depth - 1)
            elif depth == 0 and self._at_separator():
                return
            self.adv()

    # -- Pratt core --------------------------------------------------------------------------
    def expr(self, rbp: int = 0) -> Node:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ParseError("nesting too deep")
            left = self.nud()
            while True:
                lbp = self.lbp(left)
                if lbp <= rbp:
                    break
                left = self.led(left, lbp)
            return left
        finally:
            self.depth -= 1

    def lbp(self, left: Node) -> int:
        t = self.t
        k = t.kind
        if k == "eof" or k == "close":
            return -1
        if k == "sym":
            s = t.text
            if s in "+-":
                return 65
            if s in "*/":
                return 70
            if s in _REL_SYMS:
                return 50
            if s == "!":
                return 90
            if s == "'":
                return 90
            if s == ":":
                return -1 if self.set_depth else 15
            if s == "|":
                if self.abs_depth > 0:
                    return -1
                if self.set_depth:
                    return -1
                return 71 if self._more_bars() else 50
            if s == "(":
                return 1000 if self._is_function(left) else 70
            if s == "[":
                return 1000 if self._is_function(left) else -1
            if s in ")],;.?&":
                return -1
            return -1
        if k == "sup":
            return 80
        if k == "sub":
            return 100
        if k == "cmd":
            s = t.text
            if s in self.vocab.operators:
                return self.vocab.operators[s].prec
            if s in self.vocab.relations:
                if s == "\\mid" and self.set_depth:
                    return -1
                return 50
            if s == "\\to":
                return 25
            if s in ("\\pmod", "\\mod"):
                return 45
            if s == "\\%":
                return 90
            if s in ("\\rfloor", "\\rceil", "\\}", "\\|", "\\\\", "\\newline", "\\end"):
                return -1
            if s == "\\dots":
                return 70
            if s in ("\\pm", "\\mp"):
                return 65
            return 70 if self._starts_atom(t) else -1
        if k == "text":
            word = t.text.lower().strip(" ,")
            if word in _TEXT_LOGIC:
                return 35 if _TEXT_LOGIC[word] == "and" else 30
            if word in _TEXT_COND or word.startswith(("for ", "if ", "when ")):
                return 5
            if self._text_function(t.text) is not None or _single_letter(t.text):
                return 70 + (1 if self.operand_mode else 0)
            return 95  # a unit or remark: read as a postfix and recorded as untranslated
        if k in _STARTS_ATOM:
            return 70 + (1 if self.operand_mode else 0)
        return -1

    def _more_bars(self) -> bool:
        """Whether another | follows in this item (then | opens an absolute value)."""
        if self._next_bar is None:
            self._next_bar = _next_bars(self.toks)
        return self._next_bar[self.i] >= 0

    def _starts_atom(self, t: Tok) -> bool:
        if t.kind in _STARTS_ATOM:
            return True
        if t.kind == "sym":
            return t.text in "(|"
        if t.kind == "cmd":
            s = t.text
            if self.operand_mode and (s in self.vocab.functions or s in ("\\sum", "\\prod")):
                return False
            return (
                s
                in ("\\frac", "\\sqrt", "\\binom", "\\sum", "\\prod", "\\lfloor", "\\lceil", "\\{")
                or s in self.vocab.functions
                or s in self.vocab.constants
                or s in self.vocab.identifiers
                or s in self.vocab.user
            )
        if t.kind == "text":
            return self._text_function(t.text) is not None or _single_letter(t.text)
        return False

    def _is_function(self, node: Node) -> bool:
        if node.kind == "var":
            return node.value in self.env.functions or node.meta.get("function") == "1"
        if node.kind in ("call", "app") and node.meta.get("function") == "1":
            return True
        return node.kind == "op" and node.value == "∘"

    def _text_function(self, text: str) -> Function | None:
        word = text.strip()
        fn = self.vocab.functions.get(word)
        if fn is None:
            fn = self.vocab.functions.get(word.lower())
        return fn

    # -- nud ---------------------------------------------------------------------------------
    def nud(self) -> Node:
        t = self.adv()
        k = t.kind
        if k == "num":
            return Node("num", (), t.text, t.start, t.end)
        if k == "letter":
            return self._letter(t)
        if k == "slot":
            bound = self.env.slots.get(t.text)
            if bound is None:
                return self.hole(t.start, t.end, "@" + t.text)
            return bound.copy()
        if k == "numset":
            return Node("numset", (), t.text, t.start, t.end)
        if k == "open":
            inner = self._until_close(t)
            inner.paren = inner.paren or inner.kind in ("op", "neg")
            return inner
        if k == "text":
            return self._text_atom(t)
        if k == "sym":
            return self._sym_nud(t)
        if k == "cmd":
            return self._cmd_nud(t)
        raise ParseError(f"unexpected {t.text or t.kind}")

    def _letter(self, t: Tok) -> Node:
        node = var(t.text, t.start, t.end)
        if t.text in self.env.functions:
            node.meta["function"] = "1"
        return node

    def _until_close(self, opener: Tok) -> Node:
        if self.at("close"):
            self.adv()
            return self.hole(opener.start, opener.end + 1, "{}")
        saved = (self.abs_depth, self.set_depth, self.operand_mode)
        self.abs_depth = self.set_depth = self.operand_mode = 0
        try:
            inner = self.expr(0)
            while self.at("sym", ",") and self.in_script:
                self.adv()
                more = self.expr(0)
                inner = Node("tuple", (*_items(inner), more), "", inner.start, more.end)
        finally:
            self.abs_depth, self.set_depth, self.operand_mode = saved
        self.expect("close")
        return inner

    def _text_atom(self, t: Tok) -> Node:
        word = t.text.strip()
        fn = self._text_function(word)
        if fn is not None:
            return self._function(fn, t)
        if _single_letter(word):
            return var(word, t.start, t.end)
        if word.isidentifier() and word.isascii() and len(word) <= 12 and self.at("sym", "("):
            node = var(word, t.start, t.end)
            node.meta["function"] = "1"
            self.env.functions.add(word)
            return node
        if word.replace(".", "").isdigit():
            return Node("num", (), word, t.start, t.end)
        return self.hole(t.start, t.end)

    def _sym_nud(self, t: Tok) -> Node:
        s = t.text
        if s == "-":
            inner = self.expr(75)
            if (
                inner.kind == "op"
                and inner.value == "/"
                and inner.meta.get("frac")
                and inner.args[0].kind == "num"
            ):
                # -\frac{1}{2} is written -1 / 2 in Lean statements
                neg = Node("neg", (inner.args[0],), "", t.start, inner.args[0].end)
                return Node("op", (neg, inner.args[1]), "/", t.start, inner.end, meta={"frac": "1"})
            return Node("neg", (inner,), "", t.start, inner.end)
        if s == "+":
            return self.expr(75)
        if s in "([":
            return self._paren(t)
        if s == "|":
            self.abs_depth += 1
            try:
                inner = self.expr(0)
            finally:
                self.abs_depth -= 1
            close = self.expect("sym", "|")
            return Node("abs", (inner,), "", t.start, close.end)
        raise ParseError(f"unexpected {s}")

    def _paren(self, t: Tok) -> Node:
        saved = (self.abs_depth, self.set_depth, self.operand_mode)
        self.abs_depth = self.set_depth = self.operand_mode = 0
        try:
            items = [self.expr(0)]
            while self.at("sym", ","):
                self.adv()
                items.append(self.expr(0))
        finally:
            self.abs_depth, self.set_depth, self.operand_mode = saved
        close = self.t
        if not (close.kind == "sym" and close.text in ")]"):
            raise ParseError("unclosed parenthesis")
        self.adv()
        if len(items) == 1 and t.text + close.text in ("()", "[]"):
            node = items[0]
            node.paren = True
            return node
        node = Node("tuple", tuple(items), "", t.start, close.end)
        node.meta["open"] = t.text
        node.meta["close"] = close.text
        return node

    def _cmd_nud(self, t: Tok) -> Node:
        s = t.text
        vocab = self.vocab
        if s == "\\frac":
            a = self.argument()
            b = self.argument()
            node = op("/", a, b)
            node.start, node.end = t.start, max(b.end, t.end, self._consumed_end())
            node.meta["frac"] = "1"
            return node
        if s == "\\sqrt":
            index = None
            if self.at("sym", "["):
                self.adv()
                index = self.expr(0)
                self.expect("sym", "]")
            arg = self.argument()
            if index is None:
                node = Node("app", (arg,), "Real.sqrt", t.start, max(arg.end, self._consumed_end()))
                node.meta["domain"] = "nonneg"
                return node
            root = op("/", num(1), index)
            root.paren = True
            node = op("^", arg, root)
            node.start = t.start
            node.end = max(node.end, self._consumed_end())
            node.meta["root"] = "1"
            return node
        if s == "\\binom":
            a = self.argument()
            b = self.argument()
            return Node("app", (a, b), "Nat.choose", t.start, max(b.end, self._consumed_end()))
        if s in vocab.big_operators:
            return self._big(t)
        if s in ("\\lfloor", "\\lceil"):
            closer = "\\rfloor" if s == "\\lfloor" else "\\rceil"
            saved = self.abs_depth
            self.abs_depth = 0
            try:
                inner = self.expr(0)
            finally:
                self.abs_depth = saved
            end = self.expect("cmd", closer)
            return Node("floor" if s == "\\lfloor" else "ceil", (inner,), "", t.start, end.end)
        if s in vocab.functions:
            return self._function(vocab.functions[s], t)
        if s in vocab.user:
            node = Node("const", (), vocab.user[s], t.start, t.end)
            node.meta["user"] = "1"
            if self.at("sym", "(") or self.at("open"):
                args = self._call_args() if self.at("sym", "(") else [self.argument()]
                return Node("app", tuple(args), vocab.user[s], t.start, args[-1].end)
            return node
        if s in vocab.constants:
            lean, ty = vocab.constants[s]
            if lean == "∅":
                return Node("empty", (), "", t.start, t.end)
            if lean == "⊤":
                node = Node("const", (), "⊤", t.start, t.end)
                node.meta["infinity"] = "1"
                return node
            return Node("const", (), lean, t.start, t.end, ty=ty)
        if s in vocab.identifiers:
            return var(vocab.identifiers[s], t.start, t.end)
        if s == "\\{":
            return self._set(t)
        if s == "\\neg":
            inner = self.expr(40)
            return Node("not", (inner,), "", t.start, inner.end)
        if s in ("\\forall", "\\exists", "\\nexists"):
            return self._quantifier(t)
        if s == "\\dots":
            return Node("dots", (), "", t.start, t.end)
        if s in ("\\pm", "\\mp"):
            inner = self.expr(75)
            return self.hole(t.start, inner.end)
        if s == "\\|":
            raise ParseError("norm")
        # an unknown command: a hole covering it and its brace arguments
        stop = t.end
        while self.at("open"):
            start_i = self.i
            self._skip_group()
            stop = self.toks[max(start_i, self.i - 1)].end
        return self.hole(t.start, stop)

    def _skip_group(self) -> None:
        depth = 0
        while not self.at("eof"):
            tok = self.adv()
            if tok.kind == "open":
                depth += 1
            elif tok.kind == "close":
                depth -= 1
                if depth <= 0:
                    return

    def _consumed_end(self) -> int:
        """Where the last token read ends (the closing brace of an argument)."""
        if 0 < self.i <= len(self.toks):
            return self.toks[self.i - 1].end
        return -1

    def argument(self) -> Node:
        """A macro argument: a brace group or a single token (the first digit of a number)."""
        t = self.t
        if t.kind == "open":
            self.adv()
            self.in_script += 1
            try:
                return self._until_close(t)
            finally:
                self.in_script -= 1
        if t.kind == "num" and len(t.text) > 1 and "." not in t.text:
            head = Tok("num", t.text[0], t.start, t.start + 1)
            rest = Tok("num", t.text[1:], t.start + 1, t.end)
            self.toks[self.i : self.i + 1] = [head, rest]
        t = self.t
        if t.kind in ("num", "letter", "numset", "slot"):
            return self.nud()
        if t.kind == "cmd" and (
            t.text in self.vocab.identifiers
            or t.text in self.vocab.constants
            or t.text in ("\\frac", "\\sqrt", "\\binom")
        ):
            return self.nud()
        if t.kind == "text":
            return self.nud()
        if t.kind == "sym" and t.text == "-":  # x^-1
            self.adv()
            inner = self.argument()
            return Node("neg", (inner,), "", t.start, inner.end)
        raise ParseError("missing argument")

    def _call_args(self) -> list[Node]:
        opener = self.adv()
        closer = ")" if opener.text == "(" else "]"
        saved = (self.abs_depth, self.set_depth, self.operand_mode)
        self.abs_depth = self.set_depth = self.operand_mode = 0
        try:
            args = [self.expr(0)]
            while self.at("sym", ","):
                self.adv()
                args.append(self.expr(0))
        finally:
            self.abs_depth, self.set_depth, self.operand_mode = saved
        if not (self.at("sym", closer) or self.at("sym", ")") or self.at("sym", "]")):
            raise ParseError("unclosed argument list")
        self.adv()
        return args

    def _function(self, fn: Function, t: Tok) -> Node:
        power: Node | None = None
        base: Node | None = None
        for _ in range(2):
            if self.at("sup") and power is None:
                self.adv()
                power = self.argument()
            elif self.at("sub") and base is None:
                self.adv()
                base = self.argument()
        if self.at("sym", "(") or (self.at("sym", "[") and fn.arity > 1):
            args = self._call_args()
        else:
            self.operand_mode += 1
            try:
                args = [self.expr(70)]
            finally:
                self.operand_mode -= 1
        end = args[-1].end if args else t.end
        name = fn.lean
        if (
            power is not None
            and _is_minus_one(power)
            and fn.lean in ("Real.sin", "Real.cos", "Real.tan")
        ):
            name = "Real.arc" + fn.lean[5:]
            power = None
        if fn.reciprocal:
            inner = Node("app", tuple(args[:1]), fn.reciprocal, t.start, end)
            node = op("/", num(1), inner)
            node.start = t.start
        elif base is not None:
            if not fn.base:
                raise ParseError("subscript on a function")
            node = Node("app", (base, *args[:1]), fn.base, t.start, end)
        elif fn.arity == 2 and len(args) > 2 and name in ("max", "min", "Nat.gcd", "Nat.lcm"):
            node = Node("app", (args[0], args[1]), name, t.start, end)
            for extra in args[2:]:
                node = Node("app", (node, extra), name, t.start, end)
        elif len(args) != fn.arity:
            if len(args) == 1 and args[0].kind == "tuple" and len(args[0].args) == fn.arity:
                args = list(args[0].args)
            else:
                raise ParseError(f"{name} takes {fn.arity} arguments")
            node = Node("app", tuple(args), name, t.start, end)
        else:
            node = Node("app", tuple(args), name, t.start, end)
        if fn.domain:
            node.meta["domain"] = fn.domain
        if power is not None:
            node = op("^", node, power)
        return node

    def _big(self, t: Tok) -> Node:
        lower: Node | None = None
        upper: Node | None = None
        for _ in range(2):
            if self.at("sub") and lower is None:
                self.adv()
                lower = self.argument()
            elif self.at("sup") and upper is None:
                self.adv()
                upper = self.argument()
        if lower is None:
            raise ParseError("big operator without index")
        kind = "sum" if self.vocab.big_operators[t.text] == "∑" else "prod"
        index: str
        domain: Node
        if lower.kind == "rel" and lower.value == "=" and lower.args[0].kind == "var":
            index = lower.args[0].value
            lo = lower.args[1]
            if upper is None:
                raise ParseError("big operator without upper bound")
            domain = _range_domain(lo, upper)
        elif lower.kind == "rel" and lower.value == "∈" and lower.args[0].kind == "var":
            index = lower.args[0].value
            domain = lower.args[1]
        elif lower.kind == "rel" and lower.value == "∣" and lower.args[0].kind == "var":
            index = lower.args[0].value
            domain = Node("app", (lower.args[1],), "Nat.divisors", lower.start, lower.end)
        elif lower.kind == "and":
            parts = _split_bounds(lower)
            if parts is None:
                raise ParseError("big operator bounds")
            index, domain = parts
        else:
            raise ParseError("big operator index")
        self.env.values.discard(index)
        body = self.expr(65)
        node = Node(kind, (domain, body), index, t.start, body.end)
        return node

    def _set(self, t: Tok) -> Node:
        if self.at("cmd", "\\}"):
            end = self.adv()
            return Node("empty", (), "", t.start, end.end)
        self.set_depth += 1
        saved_abs = self.abs_depth
        self.abs_depth = 0
        try:
            first = self.expr(0)
        finally:
            self.set_depth -= 1
            self.abs_depth = saved_abs
        if self.at("sym", ":") or self.at("sym", "|") or self.at("cmd", "\\mid"):
            self.adv()
            pred = self.expr(0)
            end = self.expect("cmd", "\\}")
            if first.kind == "var":
                return Node("setbuilder", (pred,), first.value, t.start, end.end)
            if first.kind == "rel" and first.value == "∈" and first.args[0].kind == "var":
                return Node(
                    "setbuilder", (pred, first.args[1]), first.args[0].value, t.start, end.end
                )
            return self.hole(t.start, end.end)
        items = [first]
        while self.at("sym", ","):
            self.adv()
            items.append(self.expr(0))
        end = self.expect("cmd", "\\}")
        if any(item.kind == "dots" for item in items):
            return self.hole(t.start, end.end)
        return Node("setlit", tuple(items), "", t.start, end.end)

    def _quantifier(self, t: Tok) -> Node:
        kind = {"\\forall": "forall", "\\exists": "exists", "\\nexists": "nexists"}[t.text]
        if kind == "exists" and self.at("sym", "!"):
            self.adv()
            kind = "exists1"
        binder = self.expr(16)
        names: list[Node] = []
        pred: Node | None = None
        bty = ""
        if binder.kind == "var":
            names = [binder]
        elif binder.kind == "rel" and binder.args[0].kind in ("var", "tuple"):
            names = list(_items(binder.args[0]))
            if binder.value == "∈" and binder.args[1].kind == "numset":
                bty = binder.args[1].value
            else:
                pred = binder
        elif binder.kind == "and":
            head = binder
            while head.kind == "and":
                head = head.args[0]
            if head.kind == "rel" and head.args[0].kind == "var":
                names = [head.args[0]]
                pred = binder
        if not names or any(n.kind != "var" for n in names):
            raise ParseError("quantifier binder")
        while self.at("sym", ",") and self.peek().kind == "letter" and self._binder_list_follows():
            self.adv()
            names.append(self._letter(self.adv()))
        if self.at("sym", ",") or self.at("sym", ":") or self.at("sym", "."):
            self.adv()
        elif self.at("sym", "(") or self.at("open"):
            pass
        body = self.expr(24)
        node = body
        if kind == "nexists":
            inner = self._quantifier_node("exists", names, bty, pred, body, t)
            return Node("not", (inner,), "", t.start, body.end)
        return self._quantifier_node(kind, names, bty, pred, node, t)

    def _binder_list_follows(self) -> bool:
        nxt = self.peek(2)
        return (nxt.kind == "sym" and nxt.text == ",") or (nxt.kind == "cmd" and nxt.text == "\\in")

    def _quantifier_node(
        self, kind: str, names: list[Node], bty: str, pred: Node | None, body: Node, t: Tok
    ) -> Node:
        out = body
        for i, name in enumerate(reversed(names)):
            args = (pred, out) if (pred is not None and i == len(names) - 1) else (out,)
            out = Node(kind, args, name.value, t.start, body.end, bty=bty)
        return out

    # -- led ---------------------------------------------------------------------------------
    def led(self, left: Node, lbp: int) -> Node:
        t = self.t
        k = t.kind
        if k == "sup":
            self.adv()
            return self._power(left, t)
        if k == "sub":
            self.adv()
            return self._subscript(left, t)
        if k == "sym":
            s = t.text
            if s in "+-":
                self.adv()
                right = self.expr(65)
                return op(s, left, right)
            if s in "*/":
                self.adv()
                right = self.expr(70)
                return op(s, left, right)
            if s in _REL_SYMS:
                return self._relation_chain(left)
            if s == "!":
                self.adv()
                return Node("fact", (left,), "", left.start, t.end)
            if s == "'":
                raise ParseError("derivative")
            if s == ":":
                self.adv()
                right = self.expr(15)
                return rel(":", left, right)
            if s == "|":
                if lbp == 50:
                    return self._relation_chain(left)
                return self._juxtapose(left)
            if s == "(" and lbp == 1000:
                return self._apply(left)
            if s == "[" and lbp == 1000:
                return self._apply(left)
            if s == "(":
                return self._juxtapose(left)
            raise ParseError(f"unexpected {s}")
        if k == "cmd":
            s = t.text
            if s in self.vocab.operators:
                o = self.vocab.operators[s]
                self.adv()
                right = self.expr(o.prec - 1 if o.right else o.prec)
                if o.lean == "∧":
                    return Node("and", (left, right), "", min_start(left, right), right.end)
                if o.lean == "∨":
                    return Node("or", (left, right), "", min_start(left, right), right.end)
                if o.lean == "→":
                    return Node("implies", (left, right), "", min_start(left, right), right.end)
                if o.lean == "↔":
                    return Node("iff", (left, right), "", min_start(left, right), right.end)
                return op(o.lean, left, right)
            if s in self.vocab.relations:
                return self._relation_chain(left)
            if s == "\\to":
                self.adv()
                right = self.expr(24)
                if left.kind == "numset" and right.kind in ("numset", "fntype"):
                    return Node("fntype", (left, right), "→", left.start, right.end)
                return Node("implies", (left, right), "", min_start(left, right), right.end)
            if s in ("\\pmod", "\\mod"):
                self.adv()
                modulus = self.argument() if s == "\\pmod" else self.expr(70)
                return op("%", left, modulus)
            if s == "\\%":
                self.adv()
                node = op("/", left, num(100))
                node.end = t.end
                node.meta["percent"] = "1"
                return node
            if s in ("\\pm", "\\mp"):
                self.adv()
                right = self.expr(65)
                return self.hole(left.start, right.end)
            return self._juxtapose(left)
        if k == "text":
            word = t.text.lower().strip(" ,")
            if word in _TEXT_LOGIC:
                self.adv()
                right = self.expr(lbp)
                kind = _TEXT_LOGIC[word]
                return Node(kind, (left, right), "", min_start(left, right), right.end)
            if lbp == 5:
                self.adv()
                right = self.expr(5)
                node = Node("implies", (right, left), "", min_start(left, right), right.end)
                node.meta["cond"] = "1"
                return node
            if lbp == 95:
                self.adv()
                self.env.notes.append(ParseNote("hole", (("what", t.text),), t.start, t.end))
                return left
            return self._juxtapose(left)
        return self._juxtapose(left)

    def _juxtapose(self, left: Node) -> Node:
        t = self.t
        lbp = 71 if self.operand_mode else 70
        if t.kind == "sym" and t.text == "(" and left.kind == "var" and not self._is_function(left):
            decided = self._decide_application(left)
            if decided:
                return self._apply(left)
        right = self.expr(lbp)
        if (
            left.kind == "op"
            and left.value == "*"
            and left.meta.get("juxt") == "1"
            and left.args[0].kind == "num"
            and not left.paren
            and not left.args[1].paren
            and not right.paren
        ):
            # 2ab is the coefficient 2 times the monomial ab: 2 * (a * b)
            inner = op("*", left.args[1], right)
            inner.meta["juxt"] = "1"
            node = op("*", left.args[0], inner)
        else:
            node = op("*", left, right)
        node.meta["juxt"] = "1"
        return node

    def _decide_application(self, left: Node) -> bool:
        """f(…) with f undeclared: an application when f is never a plain value."""
        name = left.value
        if name in self.env.values:
            return False
        if name in CONVENTIONAL_FUNCTIONS:
            self.env.functions.add(name)
            left.meta["function"] = "1"
            self.env.notes.append(
                ParseNote("FRM008", (("name", name), ("type", "ℝ → ℝ")), left.start, left.end)
            )
            self.env.notes.append(
                ParseNote(
                    "FRM007",
                    (("expr", self.latex(left.start, left.end) + "(…)"),
                     ("reading_key", "frag-reading-application"), ("name", name)),
                    left.start, left.end,
                )
            )  # fmt: skip
            return True
        self.env.notes.append(
            ParseNote(
                "FRM007",
                (("expr", self.latex(left.start, left.end) + "(…)"),
                 ("reading_key", "frag-reading-product")),
                left.start, left.end,
            )
        )  # fmt: skip
        return False

    def _apply(self, head: Node) -> Node:
        args = self._call_args()
        end = self.toks[self.i - 1].end
        node = Node("call", (head, *args), "", head.start, end)
        return node

    def _power(self, left: Node, t: Tok) -> Node:
        if self.at("open") and self.peek().kind == "close":
            self.adv()
            self.adv()
            return left
        if self.at("cmd", "\\circ"):
            end = self.adv()
            deg = op("/", op("*", left, Node("const", (), "π", t.start, end.end, ty="ℝ")), num(180))
            deg.meta["degrees"] = "1"
            return deg
        if self.at("text") and self.t.text.strip() in ORDINALS:
            self.adv()
            return left
        if self.at("cmd", "\\prime"):
            raise ParseError("derivative")
        if self.at("open") and self.peek().kind == "cmd" and self.peek().text == "\\prime":
            raise ParseError("derivative")
        self.in_script += 1
        try:
            exponent = self.argument()
        finally:
            self.in_script -= 1
        if exponent.kind == "var" and exponent.value in ("th", "st", "nd", "rd"):
            return left
        if _is_minus_one(exponent) and self._is_function(left):
            node = Node("app", (left,), "Function.invFun", left.start, exponent.end)
            node.meta["function"] = "1"
            return node
        if exponent.kind == "op" and exponent.value == "*" and _ordinal(exponent):
            return left
        if exponent.kind == "hole" and exponent.value in ORDINALS:
            return left
        node = op("^", left, exponent)
        node.end = max(node.end, self._consumed_end())
        return node

    def _subscript(self, left: Node, t: Tok) -> Node:
        if self.at("open") and self.peek().kind == "close":
            self.adv()
            self.adv()
            return left
        self.in_script += 1
        try:
            index = self.argument()
        finally:
            self.in_script -= 1
        if left.kind == "num" and left.value.isdigit():
            return _base_digits(left, index)
        if left.kind == "var":
            left.meta["function"] = "1"
            left.meta["sequence"] = "1"
            self.env.functions.add(left.value)
            args = index.args if index.kind == "tuple" else (index,)
            node = Node("call", (left, *args), "", left.start, index.end)
            node.meta["subscript"] = "1"
            return node
        raise ParseError("subscript")

    def _relation_chain(self, left: Node) -> Node:
        operands = [left]
        ops: list[str] = []
        while True:
            t = self.t
            sym = self._relation_symbol(t)
            if sym is None:
                break
            self.adv()
            if sym == "∈" and self.at("cmd", "\\notin"):
                pass
            operands.append(self.expr(50))
            ops.append(sym)
        modulus: Node | None = None
        if "≡" in ops:
            modulus = self._modulus()
        parts: list[Node] = []
        for i, sym in enumerate(ops):
            a, b = operands[i], operands[i + 1]
            if sym == "≡":
                m = modulus
                if m is None and b.kind == "op" and b.value == "%":
                    b, m = b.args[0], b.args[1]
                if m is None:
                    parts.append(rel("=", a, b))
                else:
                    parts.append(Node("modeq", (a, b, m), "", min_start(a, b), max(b.end, m.end)))
            elif sym == "∤":
                parts.append(Node("not", (rel("∣", a, b),), "", min_start(a, b), b.end))
            else:
                parts.append(rel(sym, a, b))
        out = conj(parts)
        if out is None:
            raise ParseError("relation")
        return out

    def _relation_symbol(self, t: Tok) -> str | None:
        if t.kind == "sym":
            if t.text in _REL_SYMS:
                return _REL_SYMS[t.text]
            if t.text == "|" and self.abs_depth == 0 and not self.set_depth:
                return "∣"
            return None
        if t.kind == "cmd" and t.text in self.vocab.relations:
            if t.text == "\\mid" and self.set_depth:
                return None
            return self.vocab.relations[t.text]
        return None

    def _modulus(self) -> Node | None:
        if self.at("cmd", "\\pmod"):
            self.adv()
            return self.argument()
        if self.at("cmd", "\\mod") or self.at("cmd", "\\bmod"):
            self.adv()
            return self.expr(70)
        if self.at("sym", "(") and (
            (self.peek().kind == "text" and self.peek().text.strip().lower() in ("mod", "modulo"))
            or (self.peek().kind == "cmd" and self.peek().text in ("\\bmod", "\\mod"))
        ):
            self.adv()
            self.adv()
            m = self.expr(0)
            self.expect("sym", ")")
            return m
        return None


def _next_bars(toks: list[Tok]) -> list[int]:
    """For each token, the index of a later | in the same top-level item (-1 if none)."""
    out = [-1] * len(toks)
    nxt = -1
    for i in range(len(toks) - 1, -1, -1):
        out[i] = nxt
        t = toks[i]
        if t.kind == "sym" and t.text in ",;":
            nxt = -1
        elif t.kind == "sym" and t.text == "|":
            nxt = i
    return out


def tree_depth(node: Node, limit: int) -> int:
    """The depth of a tree, computed without recursion (stops counting past ``limit``)."""
    best = 0
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        if d > best:
            best = d
            if best > limit:
                return best
        stack.extend((a, d + 1) for a in n.args)
    return best


def _items(node: Node) -> tuple[Node, ...]:
    return node.args if node.kind == "tuple" else (node,)


def _single_letter(text: str) -> bool:
    return len(text.strip()) == 1 and text.strip().isalpha() and text.strip().isascii()


def _is_minus_one(node: Node) -> bool:
    return node.kind == "neg" and node.args[0].kind == "num" and node.args[0].value == "1"


def _ordinal(node: Node) -> bool:
    letters = [n.value for n in node.walk() if n.kind == "var"]
    return "".join(letters) in ORDINALS and all(n.kind in ("op", "var") for n in node.walk())


def _range_domain(lo: Node, hi: Node) -> Node:
    """The finset of k with lo ≤ k ≤ hi: Finset.range m when lo = 0 and hi = m - 1."""
    if lo.kind == "num" and lo.value == "0":
        if (
            hi.kind == "op"
            and hi.value == "-"
            and hi.args[1].kind == "num"
            and hi.args[1].value == "1"
        ):
            return Node("range", (hi.args[0],), "", lo.start, hi.end)
        if hi.kind == "num" and hi.value.isdigit():
            return Node("range", (num(int(hi.value) + 1, hi.start, hi.end),), "", lo.start, hi.end)
        upper = op("+", hi, num(1))
        return Node("range", (upper,), "", lo.start, hi.end)
    return Node("icc", (lo, hi), "", lo.start, hi.end)


def _split_bounds(node: Node) -> tuple[str, Node] | None:
    """1 \\le k \\le n (parsed as a chain) → (k, Icc 1 n)."""
    if node.kind != "and":
        return None
    a, b = node.args
    if (
        a.kind == "rel"
        and b.kind == "rel"
        and a.args[1].kind == "var"
        and a.args[1].key() == b.args[0].key()
        and a.value == "≤"
        and b.value == "≤"
    ):
        return a.args[1].value, Node("icc", (a.args[0], b.args[1]), "", node.start, node.end)
    return None


def _base_digits(number: Node, base: Node) -> Node:
    """321_b → 3 * b ^ 2 + 2 * b + 1 (digits in base b); decimal subscripts stay as written."""
    digits = [int(c) for c in number.value]
    if base.kind == "num" and base.value == "10":
        return number
    terms: list[Node] = []
    top = len(digits) - 1
    for i, d in enumerate(digits):
        power = top - i
        if d == 0:
            continue
        b = base.copy()
        if power == 0:
            terms.append(num(d))
            continue
        pw = b if power == 1 else op("^", b, num(power))
        terms.append(pw if d == 1 else op("*", num(d), pw))
    if not terms:
        return num(0, number.start, number.end)
    out = terms[0]
    for term in terms[1:]:
        out = op("+", out, term)
    out.start, out.end = number.start, base.end
    return out


def parse_items(
    toks: list[Tok],
    vocab: Vocabulary,
    env: ParseEnv,
    src: str,
    base: int,
    *,
    post: Callable[[Node], Node] | None = None,
) -> list[Node]:
    """The top-level items of a tokenized math segment (never raises)."""
    parser = MathParser(toks, vocab, env, src, base)
    try:
        items = parser.items()
    except RecursionError:
        items = [Node("hole", (), src, base, base + len(src))]
    out: list[Node] = []
    for item in items:
        if tree_depth(item, MAX_TREE_DEPTH) > MAX_TREE_DEPTH:
            text = parser.latex(item.start, item.end) if item.start >= 0 else "(too deeply nested)"
            env.notes.append(ParseNote("hole", (("what", text),), item.start, item.end))
            out.append(Node("hole", (), text, item.start, item.end))
            continue
        out.append(post(item) if post is not None else item)
    return out
