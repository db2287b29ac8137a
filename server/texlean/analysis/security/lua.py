"""Lua source (``\\directlua``, ``luacode``): what a chunk reaches under LuaTeX.

:func:`analyse_lua` reads the chunk with a Lua lexer (names, strings with
their escapes, long brackets, comments, numbers) and a recursive-descent
parser, and follows values abstractly:

* a value is a path into the global environment (``os``, ``os.execute``; ``_G``
  and ``_ENV`` are the root), a constant string or number, a table of
  constants, a chunk made by ``load`` of a constant string, or unknown;
* constants are folded: ``'o'..'s'``, ``"\\111\\115"``, ``string.char(111,
  115)``, ``("so"):reverse()``, ``string.format``, ``table.concat``,
  ``gsub`` with plain patterns; ``load("return os")()`` is analysed as Lua
  (recursively, bounded) and gives what its chunk returns;
* names are followed flow-insensitively: every value assigned to a name
  anywhere is a value of it everywhere (``local o = os; o.execute(…)``), so
  the parser makes passes until nothing new is learnt;
* a library table that escapes where the analysis cannot follow it (passed to
  a function, stored in a table or a global, returned from a function) is
  reported as dynamic, and from then on a member of it read from an unknown
  value is taken to be that member (``t.o.execute`` after ``t = {o = os}``);
* indexing ``_G``/``_ENV`` or a library table with a key that cannot be
  computed is dynamic: that is where any name can be reached.

What is reached is sorted by the tables of ``grammars/security.toml``
(``[lua]``): ``shell`` (``os.execute``, ``io.popen``…), ``files`` (``io.open``,
``lfs.*``, ``dofile``…), ``dynamic`` (``load`` of code that cannot be
computed, ``require``, ``debug.*``, ``package.*``, ``string.dump``…). A mention
of ``os.execute`` in a string or a comment is not a use.

The work is bounded (``[limits.lua]``): when the code is too long, too deeply
nested or costs too many steps, the rest is read by a flat scan of its tokens
(``os . execute`` as written) and a dynamic entry says that it was not followed.

Note for callers: ``\\directlua`` receives its argument as one line (TeX turns
line ends into spaces), so a ``--`` comment there runs to the end of the
code. Given the lines as written, this analysis ends such a comment at the line
end and so sees more code than Lua runs, never less.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ...messages import templates
from ...tables import load

_TABLES = load("security")
_LUA = _TABLES["lua"]
_LIM = _TABLES["limits"]["lua"]
_MAX_CODE: int = int(_LIM["code"])
_MAX_RAW: int = int(_LIM["raw"])
_MAX_TOKENS: int = int(_LIM["tokens"])
_MAX_STEPS: int = int(_LIM["steps"])
_MAX_NESTING: int = int(_LIM["nesting"])
_MAX_LOAD_DEPTH: int = int(_LIM["load_depth"])
_MAX_PASSES: int = int(_LIM["passes"])
_MAX_VALUES: int = int(_LIM["values"])
_MAX_STRING: int = int(_LIM["string"])
_MAX_EMITTED: int = int(_LIM["emitted"])
_MAX_PATH = 6
_MAX_NUMBER = 2**53


class Reach(NamedTuple):
    """One thing a Lua chunk reaches: a name as written (``os.execute``), and when
    that is not all there is to say, a note — the key of a message
    (``frag-lua-…`` in messages.toml) of which the name is the ``{arg}``, such as
    ``os (used as a value)``.  The note is worded when the finding is shown, in the
    language of the moment."""

    name: str
    note: str = ""

    def english(self) -> str:
        """As shown in English (tests, debugging)."""
        return templates()[self.note].format(arg=self.name) if self.note else self.name


@dataclass(frozen=True, slots=True)
class LuaVerdict:
    """What a Lua chunk reaches.

    ``shell``: functions that run programs; ``files``: functions that reach
    the file system or the environment; ``dynamic``: ways to run code that the
    document does not show (each entry names the function or the construct,
    such as ``_G[computed]`` or ``os (used as a value)``: see :class:`Reach`);
    ``computes_only``:
    none of these. ``tex_output`` and ``pdf_output`` are the constant strings
    the chunk hands to ``tex.print`` & co. (TeX code run next) and to the
    ``pdf.*`` functions that write raw PDF, for the caller to analyse.
    """

    shell: tuple[Reach, ...] = ()
    files: tuple[Reach, ...] = ()
    dynamic: tuple[Reach, ...] = ()
    computes_only: bool = True
    tex_output: tuple[str, ...] = ()
    pdf_output: tuple[str, ...] = ()


# -- the tables ---------------------------------------------------------------------------


def _names(key: str) -> tuple[frozenset[str], frozenset[str]]:
    """(exact names, table names whose every member counts) of a ``[lua]`` list."""
    exact = {n for n in _LUA[key] if not n.endswith(".*")}
    star = {n[:-2] for n in _LUA[key] if n.endswith(".*")}
    return frozenset(exact), frozenset(star)


_CATEGORIES: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = tuple(
    (key, *_names(key)) for key in ("shell", "files", "dynamic")
)
_LIBRARIES = frozenset(_LUA["libraries"])
_INPUT_CALLBACKS = frozenset(_LUA["input_callbacks"])
_TEX_PRINTERS = frozenset(tuple(n.split(".")) for n in _LUA["tex_printers"])
_PDF_WRITERS = frozenset(tuple(n.split(".")) for n in _LUA["pdf_writers"])
_STRING_META = ("<string metatable>",)


def _classify(path: tuple[str, ...]) -> tuple[str, str] | None:
    """(category, name) when the value at ``path`` is dangerous in itself."""
    if not path:
        return None
    name = ".".join(path)
    for key, exact, star in _CATEGORIES:
        if name in exact:
            return key, name
        for k in range(1, len(path)):
            if ".".join(path[:k]) in star:
                return key, ".".join(path[: k + 1])
    return None


# -- lexing ------------------------------------------------------------------------------

NAME, KEYWORD, STRING, NUMBER, OP, EOF = range(6)
_Token = tuple[int, str]

_KEYWORDS = frozenset(
    "and break do else elseif end false for function goto if in local nil not or repeat "  # noqa: SIM905
    "return then true until while".split()
)
_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n\f\v]+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<num>0[xX][0-9A-Fa-f]*(?:\.[0-9A-Fa-f]*)?(?:[pP][+-]?[0-9]+)?"
    r"|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<comment>--)"
    r"|(?P<long>\[=*\[)"
    r"|(?P<quote>[\"'])"
    r"|(?P<op>\.\.\.|\.\.|==|~=|<=|>=|<<|>>|//|::|[-+*/%^#&~|<>=(){}\[\];:,.])"
)
_LONG_OPEN = re.compile(r"\[(=*)\[")
_QUOTED_STOP = {'"': re.compile(r'[\\\n\r"]'), "'": re.compile(r"[\\\n\r']")}
_SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "\n": "\n",
    "\r": "\n",
}
_HEX = frozenset("0123456789abcdefABCDEF")


def _long_bracket(src: str, pos: int, level: int) -> tuple[str, int]:
    """The body of a long bracket whose opening ends at ``pos``, and the offset after it."""
    close = "]" + "=" * level + "]"
    if src.startswith("\r\n", pos) or src.startswith("\n\r", pos):
        pos += 2
    elif src.startswith(("\n", "\r"), pos):
        pos += 1
    end = src.find(close, pos)
    if end < 0:
        return src[pos:], len(src)
    return src[pos:end], end + len(close)


def _escape(src: str, j: int) -> tuple[str, int]:
    """The character(s) of the escape whose backslash is at ``j``, and the offset after it."""
    e = src[j + 1 : j + 2]
    if e in _SIMPLE_ESCAPES:
        k = j + 2
        if (e == "\r" and src.startswith("\n", k)) or (e == "\n" and src.startswith("\r", k)):
            k += 1
        return _SIMPLE_ESCAPES[e], k
    if e == "x":
        digits = src[j + 2 : j + 4]
        if len(digits) == 2 and _HEX.issuperset(digits):
            return chr(int(digits, 16)), j + 4
        return "", j + 2
    if e == "z":
        k = j + 2
        while k < len(src) and src[k] in " \t\r\n\f\v":
            k += 1
        return "", k
    if e.isdigit() and e.isascii():
        k = j + 1
        while k < j + 4 and k < len(src) and src[k].isascii() and src[k].isdigit():
            k += 1
        return chr(min(int(src[j + 1 : k]), 255)), k
    if e == "u" and src.startswith("{", j + 2):
        end = src.find("}", j + 3, j + 16)
        digits = src[j + 3 : end] if end > 0 else ""
        if digits and _HEX.issuperset(digits):
            return chr(min(int(digits, 16), 0x10FFFF)), end + 1
        return "", j + 2
    return e, j + 2


def _quoted(src: str, pos: int) -> tuple[str, int]:
    """The value of the string whose quote is at ``pos``, and the offset after it."""
    quote = src[pos]
    stop = _QUOTED_STOP[quote]
    out: list[str] = []
    i = pos + 1
    while True:
        m = stop.search(src, i)
        if m is None:
            out.append(src[i:])
            return "".join(out), len(src)
        j = m.start()
        out.append(src[i:j])
        c = src[j]
        if c == quote:
            return "".join(out), j + 1
        if c != "\\":  # an unfinished string ends at the end of its line
            return "".join(out), j
        piece, i = _escape(src, j)
        out.append(piece)


def lex(code: str) -> list[_Token]:
    """The tokens of Lua source ``code`` (comments dropped, strings decoded), EOF last."""
    tokens: list[_Token] = []
    n = len(code)
    i = 0
    while i < n:
        m = _TOKEN.match(code, i)
        if m is None:
            i += 1  # a character Lua does not know: skipped
            continue
        kind = m.lastgroup
        end = m.end()
        if kind == "name":
            word = m.group()
            tokens.append((KEYWORD if word in _KEYWORDS else NAME, word))
        elif kind == "num":
            tokens.append((NUMBER, m.group()))
        elif kind == "op":
            tokens.append((OP, m.group()))
        elif kind == "quote":
            value, end = _quoted(code, i)
            tokens.append((STRING, value))
        elif kind == "long":
            value, end = _long_bracket(code, end, len(m.group()) - 2)
            tokens.append((STRING, value))
        elif kind == "comment":
            long = _LONG_OPEN.match(code, end)
            if long is not None:
                _, end = _long_bracket(code, long.end(), len(long.group(1)))
            else:
                newline = code.find("\n", end)
                end = n if newline < 0 else newline
        i = end
    tokens.append((EOF, ""))
    return tokens


# -- abstract values -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Lib:
    path: tuple[str, ...]  # () is the global environment


@dataclass(frozen=True, slots=True)
class _Str:
    value: str


@dataclass(frozen=True, slots=True)
class _Num:
    value: int


@dataclass(frozen=True, slots=True)
class _Tab:
    items: tuple[_Str | _Num, ...]


@dataclass(frozen=True, slots=True)
class _Chunk:
    returns: frozenset[_Value]


@dataclass(frozen=True, slots=True)
class _Opaque:
    pass


_Value = _Lib | _Str | _Num | _Tab | _Chunk | _Opaque
_Vals = frozenset[_Value]
_UNKNOWN = _Opaque()
_UNKNOWNS: _Vals = frozenset({_UNKNOWN})
_ROOT = _Lib(())


def _shown(path: tuple[str, ...]) -> str:
    return ".".join(path) if path else "_G"


def _text_of(v: _Value) -> str | None:
    if isinstance(v, _Str):
        return v.value
    if isinstance(v, _Num):
        return str(v.value)
    return None


def _number_of(token: str) -> _Vals:
    try:
        if token[:2] in ("0x", "0X"):
            if "." in token or "p" in token.lower():
                return _UNKNOWNS
            value = int(token[2:] or "0", 16)
        else:
            f = float(token)
            if f != int(f):
                return _UNKNOWNS
            value = int(f)
    except (ValueError, OverflowError):
        return _UNKNOWNS
    return frozenset({_Num(value)}) if value < _MAX_NUMBER else _UNKNOWNS


def _cap(vals: Iterable[_Value]) -> _Vals:
    out = frozenset(vals)
    if len(out) <= _MAX_VALUES:
        return out
    kept = {v for v in out if isinstance(v, (_Lib, _Chunk))}
    return frozenset(kept | {_UNKNOWN})


def _product(args: Sequence[_Vals]) -> list[tuple[_Value, ...]] | None:
    """Every combination of the arguments' values, or None when there are too many."""
    combos: list[tuple[_Value, ...]] = [()]
    for vals in args:
        combos = [(*c, v) for c in combos for v in vals]
        if len(combos) > _MAX_VALUES:
            return None
    return combos


# -- the shared state of an analysis -----------------------------------------------------------


class _OutOfBudget(Exception):
    """The analysis used up its steps or its nesting."""


class _Context:
    """What all passes, and chunks made by ``load``, share."""

    def __init__(self) -> None:
        self.names: dict[str, _Vals] = {}
        self.locals: set[str] = set()
        self.escaped: set[tuple[str, ...]] = set()
        self.mutated: set[_Tab] = set()  # tables of constants that code changes or hands on
        self.found: dict[str, dict[Reach, None]] = {"shell": {}, "files": {}, "dynamic": {}}
        self.tex_output: dict[str, None] = {}
        self.pdf_output: dict[str, None] = {}
        self.steps = 0
        self.changed = False
        self.lexed: dict[str, list[_Token]] = {}

    def report(self, category: str, what: str, note: str = "") -> None:
        self.found[category].setdefault(Reach(what, note), None)

    def report_path(self, path: tuple[str, ...]) -> None:
        hit = _classify(path)
        if hit is not None:
            self.report(*hit)

    def assign(self, name: str, vals: _Vals) -> None:
        old = self.names.get(name, frozenset())
        scalar = (_Num, _Str)
        if _UNKNOWN in old:
            # already widened: a constant adds nothing to "unknown" (keeps passes monotone)
            vals = frozenset(v for v in vals if not isinstance(v, scalar))
        new = _cap(old | vals)
        numbers = sum(isinstance(v, _Num) for v in old)
        strings = sum(isinstance(v, _Str) for v in old)
        grows = new - old
        if (numbers and any(isinstance(v, _Num) for v in grows)) or (
            strings >= 2 and any(isinstance(v, _Str) for v in grows)
        ):
            # a constant that keeps changing (n = n + 1, s = s .. "x" in a loop): widen
            # it to unknown, or each pass would learn one more value, never settling (a
            # string gets two values first: k = 'exe'; k = k .. 'cute' is still followed)
            new = frozenset(v for v in new if not isinstance(v, scalar)) | {_UNKNOWN}
        if new != old:
            self.names[name] = new
            self.changed = True

    def emit(self, into: dict[str, None], text: str) -> None:
        if len(into) < _MAX_EMITTED:
            into.setdefault(text[:_MAX_STRING], None)


# Functions the analysis models, by the name of the method that does it.
_MODELLED: dict[tuple[str, ...], str] = {}


def _sensitive_paths() -> frozenset[tuple[str, ...]]:
    """Tables with dangerous members (and the root): escaping or a computed key is dynamic."""
    out: set[tuple[str, ...]] = {(), ("package", "loaded"), _STRING_META}
    for _, exact, star in _CATEGORIES:
        for name in exact | star:
            parts = tuple(name.split("."))
            out.update(parts[:k] for k in range(1, len(parts)))
        out.update(tuple(name.split(".")) for name in star)
    return frozenset(out)


_SENSITIVE = _sensitive_paths()


# -- the parser ------------------------------------------------------------------------------

_BLOCK_END = frozenset({"end", "else", "elseif", "until"})
_UNARY = frozenset({"not", "-", "#", "~"})
_UNARY_PRIORITY = 12
_BINARY: dict[str, tuple[int, int]] = {
    "or": (1, 1),
    "and": (2, 2),
    "<": (3, 3),
    ">": (3, 3),
    "<=": (3, 3),
    ">=": (3, 3),
    "~=": (3, 3),
    "==": (3, 3),
    "|": (4, 4),
    "~": (5, 5),
    "&": (6, 6),
    "<<": (7, 7),
    ">>": (7, 7),
    "..": (9, 8),
    "+": (10, 10),
    "-": (10, 10),
    "*": (11, 11),
    "/": (11, 11),
    "//": (11, 11),
    "%": (11, 11),
    "^": (14, 13),
}
_ARITHMETIC: dict[str, Callable[[int, int], int | None]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "//": lambda a, b: a // b if b else None,
    "%": lambda a, b: a % b if b else None,
}
_LUA_MAGIC = frozenset("^$()%.[]*+-?")


@dataclass(slots=True)
class _Ref:
    """A suffixed expression not yet read: a name, a field, or a value already computed."""

    kind: str  # "name", "index" or "value"
    name: str = ""
    base: _Vals = frozenset()
    key: _Vals = frozenset()
    vals: _Vals = frozenset()
    call: bool = False


class _Parser:
    def __init__(self, tokens: list[_Token], ctx: _Context, depth: int, load_depth: int) -> None:
        self.tokens = tokens
        self.ctx = ctx
        self.pos = 0
        self.depth = depth
        self.load_depth = load_depth
        self.function_depth = 0
        self.returns: set[_Value] = set()

    # ---- tokens

    @property
    def tok(self) -> _Token:
        return self.tokens[self.pos]

    def advance(self) -> _Token:
        tok = self.tokens[self.pos]
        if tok[0] != EOF:
            self.pos += 1
        self.ctx.steps += 1
        if self.ctx.steps > _MAX_STEPS:
            raise _OutOfBudget
        return tok

    def at(self, kind: int, value: str) -> bool:
        tok = self.tokens[self.pos]
        return tok[0] == kind and tok[1] == value

    def at_op(self, value: str) -> bool:
        return self.at(OP, value)

    def at_kw(self, value: str) -> bool:
        return self.at(KEYWORD, value)

    def accept(self, kind: int, value: str) -> bool:
        if self.at(kind, value):
            self.advance()
            return True
        return False

    def name(self) -> str | None:
        if self.tok[0] == NAME:
            return self.advance()[1]
        return None

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise _OutOfBudget

    # ---- blocks and statements

    def chunk(self) -> None:
        while self.tok[0] != EOF:
            self.block()
            if self.tok[0] != EOF:
                self.advance()  # a stray end, else or until

    def block(self) -> None:
        self.enter()
        while True:
            kind, value = self.tok
            if kind == EOF or (kind == KEYWORD and value in _BLOCK_END):
                break
            start = self.pos
            self.statement()
            if self.pos == start:
                self.advance()
        self.depth -= 1

    def statement(self) -> None:
        kind, value = self.tok
        if kind == KEYWORD:
            handler = _STATEMENTS.get(value)
            if handler is not None:
                self.advance()
                handler(self)
            return
        if kind == OP and value == "::":
            self.advance()
            self.name()
            self.accept(OP, "::")
        elif kind == NAME or (kind == OP and value == "("):
            self.expression_statement()
        elif kind != OP or value != ";":
            self.escape(self.expression())  # not a statement: read it as a value
        else:
            self.advance()

    def stat_local(self) -> None:
        if self.accept(KEYWORD, "function"):
            name = self.name()
            if name is not None:
                self.ctx.locals.add(name)
                self.ctx.assign(name, _UNKNOWNS)
            self.function_body()
            return
        names: list[str] = []
        while True:
            name = self.name()
            if name is None:
                break
            names.append(name)
            self.ctx.locals.add(name)
            if self.accept(OP, "<"):  # <const>, <close>
                self.name()
                self.accept(OP, ">")
            if not self.accept(OP, ","):
                break
        if self.accept(OP, "="):
            values = self.expression_list()
            for i, name in enumerate(names):
                self.assign_name(name, values[i] if i < len(values) else _UNKNOWNS)

    def stat_function(self) -> None:
        name = self.name()
        fields = 0
        while self.at_op(".") or self.at_op(":"):
            self.advance()
            self.name()
            fields += 1
        if name is not None and fields == 0:
            self.assign_name(name, _UNKNOWNS)
        self.function_body()

    def stat_if(self) -> None:
        self.expression()
        self.accept(KEYWORD, "then")
        self.block()
        while self.at_kw("elseif"):
            self.advance()
            self.expression()
            self.accept(KEYWORD, "then")
            self.block()
        if self.accept(KEYWORD, "else"):
            self.block()
        self.accept(KEYWORD, "end")

    def stat_while(self) -> None:
        self.expression()
        self.accept(KEYWORD, "do")
        self.block()
        self.accept(KEYWORD, "end")

    def stat_do(self) -> None:
        self.block()
        self.accept(KEYWORD, "end")

    def stat_for(self) -> None:
        while True:
            name = self.name()
            if name is None:
                break
            self.ctx.locals.add(name)
            self.ctx.assign(name, _UNKNOWNS)
            if not self.accept(OP, ","):
                break
        if self.accept(OP, "="):
            self.expression_list()
        elif self.accept(KEYWORD, "in"):
            for vals in self.expression_list():
                self.escape(vals)  # next, t: the loop hands t's content around
        self.accept(KEYWORD, "do")
        self.block()
        self.accept(KEYWORD, "end")

    def stat_repeat(self) -> None:
        self.block()
        if self.accept(KEYWORD, "until"):
            self.expression()

    def stat_return(self) -> None:
        kind, value = self.tok
        if kind == EOF or (kind == KEYWORD and value in _BLOCK_END) or (kind, value) == (OP, ";"):
            return
        values = self.expression_list()
        if self.function_depth == 0:
            for vals in values[:1]:
                self.returns.update(vals)
        else:
            for vals in values:
                self.escape(vals)

    def stat_goto(self) -> None:
        self.name()

    def stat_nothing(self) -> None:
        pass

    def function_body(self) -> None:
        self.enter()
        if self.accept(OP, "("):
            while not self.at_op(")") and self.tok[0] != EOF:
                name = self.name()
                if name is not None:
                    self.ctx.locals.add(name)
                    self.ctx.assign(name, _UNKNOWNS)
                elif not (self.accept(OP, "...") or self.accept(OP, ",")):
                    break
            self.accept(OP, ")")
        self.function_depth += 1
        self.block()
        self.function_depth -= 1
        self.accept(KEYWORD, "end")
        self.depth -= 1

    def expression_statement(self) -> None:
        targets = [self.suffixed()]
        if not (self.at_op("=") or self.at_op(",")):
            if not targets[0].call:
                self.escape(self.read(targets[0]))
            return
        while self.accept(OP, ","):
            targets.append(self.suffixed())
        if not self.accept(OP, "="):
            return
        values = self.expression_list()
        for i, target in enumerate(targets):
            self.store(target, values[i] if i < len(values) else _UNKNOWNS)

    # ---- names and stores

    def assign_name(self, name: str, vals: _Vals) -> None:
        if name == "_ENV":
            self.ctx.report("dynamic", "_ENV", "frag-lua-replaced")
        self.ctx.assign(name, vals)
        if name not in self.ctx.locals:
            self.escape(vals)  # a global: other chunks of the document can reach it

    def store(self, target: _Ref, vals: _Vals) -> None:
        if target.kind == "name":
            self.assign_name(target.name, vals)
        elif target.kind == "index":
            for base in target.base:
                if isinstance(base, _Tab):
                    self.mutate(base)
            if _ROOT in target.base:
                for key in target.key:
                    if isinstance(key, _Str):
                        self.ctx.assign(key.value, vals)
            self.escape(vals)

    def lookup(self, name: str) -> _Vals:
        """The values of a name: what the code assigns to it, and a library's own value.

        Other globals hold what other chunks put there: unknown.
        """
        assigned = self.ctx.names.get(name, frozenset())
        if name in ("_G", "_ENV"):
            return _cap(assigned | {_ROOT})
        if name in _KNOWN_GLOBALS:
            self.ctx.report_path((name,))
            return _cap(assigned | {_Lib((name,))})
        return assigned or _UNKNOWNS

    def escape(self, vals: Iterable[_Value]) -> None:
        """``vals`` go where the analysis cannot follow them."""
        for v in vals:
            if isinstance(v, _Chunk):
                self.escape(v.returns)
            elif isinstance(v, _Tab):
                self.mutate(v)
            elif isinstance(v, _Lib) and v.path in _WATCHED:
                if v.path not in self.ctx.escaped:
                    self.ctx.escaped.add(v.path)
                    self.ctx.changed = True
                self.ctx.report("dynamic", _shown(v.path), "frag-lua-as-value")

    def mutate(self, table: _Tab) -> None:
        """``table`` may change: its items are no longer known."""
        if table not in self.ctx.mutated:
            self.ctx.mutated.add(table)
            self.ctx.changed = True

    def read(self, ref: _Ref) -> _Vals:
        if ref.kind == "name":
            return self.lookup(ref.name)
        if ref.kind == "index":
            return self.index(ref.base, ref.key)
        return ref.vals

    # ---- expressions

    def expression_list(self) -> list[_Vals]:
        values = [self.expression()]
        while self.accept(OP, ","):
            values.append(self.expression())
        return values

    def expression(self, limit: int = 0) -> _Vals:
        self.enter()
        kind, value = self.tok
        if (kind == KEYWORD and value == "not") or (kind == OP and value in _UNARY):
            self.advance()
            operand = self.expression(_UNARY_PRIORITY)
            vals = self.unary(value, operand)
        else:
            vals = self.simple()
        while True:
            kind, value = self.tok
            if kind not in (OP, KEYWORD) or value not in _BINARY:
                break
            left, right = _BINARY[value]
            if left <= limit:
                break
            self.advance()
            vals = self.binary(value, vals, self.expression(right))
        self.depth -= 1
        return vals

    def unary(self, op: str, vals: _Vals) -> _Vals:
        if op == "-":
            return _cap(_Num(-v.value) if isinstance(v, _Num) else _UNKNOWN for v in vals)
        return _UNKNOWNS

    def binary(self, op: str, a: _Vals, b: _Vals) -> _Vals:
        if op in ("or", "and"):
            return _cap(a | b)
        combos = _product([a, b])
        if combos is None:
            return _UNKNOWNS
        if op == "..":
            return _cap(self.concat(x, y) for x, y in combos)
        arithmetic = _ARITHMETIC.get(op)
        if arithmetic is None:
            return _UNKNOWNS
        out: set[_Value] = set()
        for x, y in combos:
            r = (
                arithmetic(x.value, y.value)
                if isinstance(x, _Num) and isinstance(y, _Num)
                else None
            )
            out.add(_Num(r) if r is not None and abs(r) < _MAX_NUMBER else _UNKNOWN)
        return _cap(out)

    @staticmethod
    def concat(x: _Value, y: _Value) -> _Value:
        tx, ty = _text_of(x), _text_of(y)
        if tx is None or ty is None or len(tx) + len(ty) > _MAX_STRING:
            return _UNKNOWN
        return _Str(tx + ty)

    def simple(self) -> _Vals:
        kind, value = self.tok
        if kind == NUMBER:
            self.advance()
            return _number_of(value)
        if kind == STRING:
            return self.read(self.suffixed())  # ("os"):upper() and "x":rep(2) go on
        if kind == KEYWORD:
            if value == "function":
                self.advance()
                self.function_body()
            elif value in ("nil", "true", "false"):
                self.advance()
            return _UNKNOWNS
        if kind == OP and value == "...":
            self.advance()
            return _UNKNOWNS
        if kind == OP and value == "{":
            return self.table()
        if kind == NAME or (kind == OP and value == "("):
            return self.read(self.suffixed())
        return _UNKNOWNS

    def primary(self) -> _Ref:
        kind, value = self.tok
        if kind == NAME:
            self.advance()
            return _Ref("name", name=value)
        if kind == STRING:
            self.advance()
            return _Ref("value", vals=frozenset({_Str(value)}))
        if self.accept(OP, "("):
            vals = self.expression()
            self.accept(OP, ")")
            return _Ref("value", vals=vals)
        return _Ref("value", vals=_UNKNOWNS)

    def suffixed(self) -> _Ref:
        self.enter()
        ref = self.primary()
        while True:
            kind, value = self.tok
            if kind == OP and value == ".":
                self.advance()
                key = self.name()
                base = self.read(ref)
                ref = _Ref("index", base=base, key=frozenset({_Str(key)}) if key else _UNKNOWNS)
            elif kind == OP and value == "[":
                self.advance()
                key_vals = self.expression()
                self.accept(OP, "]")
                ref = _Ref("index", base=self.read(ref), key=key_vals)
            elif kind == OP and value == ":":
                self.advance()
                method = self.name() or ""
                receiver = self.read(ref)
                function = self.index(receiver, frozenset({_Str(method)}))
                args = self.arguments()
                ref = _Ref("value", vals=self.call(function, [receiver, *args]), call=True)
            elif (kind == OP and value in ("(", "{")) or kind == STRING:
                function = self.read(ref)
                ref = _Ref("value", vals=self.call(function, self.arguments()), call=True)
            else:
                break
        self.depth -= 1
        return ref

    def arguments(self) -> list[_Vals]:
        kind, value = self.tok
        if kind == STRING:
            self.advance()
            return [frozenset({_Str(value)})]
        if kind == OP and value == "{":
            return [self.table()]
        if not self.accept(OP, "("):
            return []
        if self.accept(OP, ")"):
            return []
        args = self.expression_list()
        self.accept(OP, ")")
        return args

    def table(self) -> _Vals:
        self.enter()
        self.advance()  # {
        items: list[_Str | _Num] = []
        constant = True
        while not self.at_op("}") and self.tok[0] != EOF:
            start = self.pos
            if self.at_op("["):
                self.advance()
                self.expression()
                self.accept(OP, "]")
                self.accept(OP, "=")
                self.escape(self.expression())
                constant = False
            elif self.tok[0] == NAME and self.tokens[self.pos + 1] == (OP, "="):
                self.advance()
                self.advance()
                self.escape(self.expression())
                constant = False
            else:
                vals = self.expression()
                self.escape(vals)
                only = next(iter(vals)) if len(vals) == 1 else None
                if isinstance(only, (_Str, _Num)):
                    items.append(only)
                else:
                    constant = False
            if not (self.accept(OP, ",") or self.accept(OP, ";")) and self.pos == start:
                break
        self.accept(OP, "}")
        self.depth -= 1
        return frozenset({_Tab(tuple(items))}) if constant else _UNKNOWNS

    # ---- indexing and calls

    def index(self, base: _Vals, key: _Vals) -> _Vals:
        combos = _product([base, key])
        if combos is None:
            for b in base:
                if isinstance(b, _Lib) and b.path in _SENSITIVE:
                    self.ctx.report("dynamic", _shown(b.path), "frag-lua-computed-index")
            return _UNKNOWNS
        out: set[_Value] = set()
        for b, k in combos:
            out.update(self.index_one(b, k))
        return _cap(out)

    def index_one(self, base: _Value, key: _Value) -> Iterable[_Value]:
        if isinstance(base, _Lib):
            if isinstance(key, _Str):
                return self.member(base.path, key.value)
            if base.path in _SENSITIVE and not isinstance(key, _Num):
                self.ctx.report("dynamic", _shown(base.path), "frag-lua-computed-index")
            return (_UNKNOWN,)
        if isinstance(base, _Str):
            if isinstance(key, _Str):
                return self.member(("string",), key.value)
            if not isinstance(key, _Num):
                self.ctx.report("dynamic", "string", "frag-lua-computed-index")
            return (_UNKNOWN,)
        if isinstance(base, _Tab) and isinstance(key, _Num) and base not in self.ctx.mutated:
            if 1 <= key.value <= len(base.items):
                return (base.items[key.value - 1],)
            return (_UNKNOWN,)
        if isinstance(key, _Str):
            return self.escaped_member(key.value)
        return (_UNKNOWN,)

    def member(self, path: tuple[str, ...], key: str) -> Iterable[_Value]:
        if not path:
            new: tuple[str, ...] = () if key in ("_G", "_ENV") else (key,)
        elif path == ("package", "loaded"):
            new = () if key == "_G" else (key,)
        elif path == _STRING_META:
            if key != "__index":
                return (_UNKNOWN,)
            new = ("string",)
        else:
            new = (*path, key)
        if len(new) > _MAX_PATH:
            return (_UNKNOWN,)
        self.ctx.report_path(new)
        return (_Lib(new),)

    def escaped_member(self, key: str) -> Iterable[_Value]:
        """What ``x.key`` may be when ``x`` is unknown: a member of a table that escaped."""
        out: list[_Value] = [_UNKNOWN]
        for path in list(self.ctx.escaped):
            new = (*path, key)
            known = _classify(new) is not None or new in _MODELLED or new in _SENSITIVE
            if known or (not path and key in _LIBRARIES):
                out.extend(self.member(path, key))
        return out

    def call(self, function: _Vals, args: list[_Vals]) -> _Vals:
        out: set[_Value] = set()
        escape_args = False
        for f in function:
            if isinstance(f, _Lib) and f.path in _MODELLED:
                out.update(getattr(self, _MODELLED[f.path])(args))
            elif isinstance(f, _Lib) and (f.path in _TEX_PRINTERS or f.path in _PDF_WRITERS):
                self.emit(f.path, args)
                out.add(_UNKNOWN)
            elif isinstance(f, _Chunk):
                out.update(f.returns)
                escape_args = True
            else:
                out.add(_UNKNOWN)
                escape_args = True
        if escape_args:
            for vals in args:
                self.escape(vals)
        return _cap(out)

    def emit(self, path: tuple[str, ...], args: list[_Vals]) -> None:
        into = self.ctx.tex_output if path in _TEX_PRINTERS else self.ctx.pdf_output
        for vals in args:
            for v in vals:
                if isinstance(v, _Str):
                    self.ctx.emit(into, v.value)
            self.escape(vals)

    # ---- modelled functions (named in _MODELLED)

    def m_loadstring(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_load(args, "loadstring")

    def m_load(self, args: list[_Vals], name: str = "load") -> Iterable[_Value]:
        for vals in args[3:4]:
            self.escape(vals)  # the environment the chunk runs in
        out: list[_Value] = []
        for v in args[0] if args else _UNKNOWNS:
            if not isinstance(v, _Str):
                self.ctx.report("dynamic", name, "frag-lua-run-time-code")
                out.append(_UNKNOWN)
            elif v.value.startswith("\x1b"):
                self.ctx.report("dynamic", name, "frag-lua-bytecode")
                out.append(_UNKNOWN)
            elif self.load_depth >= _MAX_LOAD_DEPTH:
                self.ctx.report("dynamic", name, "frag-lua-too-deep")
                out.append(_UNKNOWN)
            else:
                out.append(_Chunk(_cap(self.loaded(v.value))))
        return out

    def loaded(self, code: str) -> set[_Value]:
        tokens = self.ctx.lexed.get(code)
        if tokens is None:
            tokens = lex(code[:_MAX_CODE])
            self.ctx.lexed[code] = tokens
        parser = _Parser(tokens, self.ctx, self.depth, self.load_depth + 1)
        parser.chunk()
        return parser.returns

    def m_rawget(self, args: list[_Vals]) -> Iterable[_Value]:
        if len(args) < 2:
            return (_UNKNOWN,)
        return self.index(args[0], args[1])

    def m_require(self, args: list[_Vals]) -> Iterable[_Value]:
        out: list[_Value] = []
        for v in args[0] if args else _UNKNOWNS:
            if isinstance(v, _Str) and v.value in _LIBRARIES:
                out.extend(self.member((), v.value))
            elif isinstance(v, _Str):
                self.ctx.report("dynamic", f'require "{v.value[:60]}"')
                out.append(_UNKNOWN)
            else:
                self.ctx.report("dynamic", "require", "frag-lua-computed-name")
                out.append(_UNKNOWN)
        return out

    def m_getmetatable(self, args: list[_Vals]) -> Iterable[_Value]:
        if args and any(isinstance(v, _Str) for v in args[0]):
            return (_Lib(_STRING_META), _UNKNOWN)
        return (_UNKNOWN,)

    def m_pcall(self, args: list[_Vals]) -> Iterable[_Value]:
        if args:  # what the call returns comes out of pcall, among its other results
            self.escape(self.call(args[0], args[1:]))
        return (_UNKNOWN,)

    def m_callback(self, args: list[_Vals]) -> Iterable[_Value]:
        for v in args[0] if args else _UNKNOWNS:
            if not isinstance(v, _Str):
                self.ctx.report("dynamic", "callback", "frag-lua-computed-name")
            elif v.value in _INPUT_CALLBACKS:
                self.ctx.report("dynamic", f"callback {v.value}")
        return (_UNKNOWN,)

    def m_string(self, args: list[_Vals], function: Callable[..., str | None]) -> Iterable[_Value]:
        combos = _product(args)
        if combos is None:
            return (_UNKNOWN,)
        out: list[_Value] = []
        for combo in combos:
            try:
                text = function(*combo)
            except (TypeError, ValueError, IndexError, OverflowError):
                text = None
            out.append(_UNKNOWN if text is None or len(text) > _MAX_STRING else _Str(text))
        return out

    def m_char(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args, _char)

    def m_utf8_char(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args, _utf8_char)

    def m_tostring(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args[:1], _text_of)

    def m_reverse(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args[:1], lambda s: _arg_text(s)[::-1])

    def m_upper(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args[:1], lambda s: _arg_text(s).upper())

    def m_lower(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args[:1], lambda s: _arg_text(s).lower())

    def m_sub(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args[:3], _sub)

    def m_rep(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args[:3], _rep)

    def m_format(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args, _format)

    def m_gsub(self, args: list[_Vals]) -> Iterable[_Value]:
        return self.m_string(args[:3], _gsub)

    def m_concat(self, args: list[_Vals]) -> Iterable[_Value]:
        known = [
            frozenset(_UNKNOWN if v in self.ctx.mutated else v for v in vals) for vals in args[:2]
        ]
        return self.m_string(known, _table_concat)


_STATEMENTS: dict[str, Callable[[_Parser], None]] = {
    "local": _Parser.stat_local,
    "function": _Parser.stat_function,
    "if": _Parser.stat_if,
    "while": _Parser.stat_while,
    "do": _Parser.stat_do,
    "for": _Parser.stat_for,
    "repeat": _Parser.stat_repeat,
    "return": _Parser.stat_return,
    "goto": _Parser.stat_goto,
    "break": _Parser.stat_nothing,
}

_MODELLED.update(
    {
        ("load",): "m_load",
        ("loadstring",): "m_loadstring",
        ("rawget",): "m_rawget",
        ("require",): "m_require",
        ("getmetatable",): "m_getmetatable",
        ("pcall",): "m_pcall",
        ("xpcall",): "m_pcall",
        ("callback", "register"): "m_callback",
        ("luatexbase", "add_to_callback"): "m_callback",
        ("string", "char"): "m_char",
        ("utf8", "char"): "m_utf8_char",
        ("unicode", "utf8", "char"): "m_utf8_char",
        ("tostring",): "m_tostring",
        ("string", "reverse"): "m_reverse",
        ("string", "upper"): "m_upper",
        ("string", "lower"): "m_lower",
        ("string", "sub"): "m_sub",
        ("string", "rep"): "m_rep",
        ("string", "format"): "m_format",
        ("string", "gsub"): "m_gsub",
        ("table", "concat"): "m_concat",
    }
)
# Modelled functions that reach code or the environment: when one escapes, what
# is done with it cannot be followed (pcall and the string functions are harmless).
_WATCHED: frozenset[tuple[str, ...]] = _SENSITIVE | {
    ("load",),
    ("loadstring",),
    ("rawget",),
    ("require",),
    ("getmetatable",),
    ("callback", "register"),
    ("luatexbase", "add_to_callback"),
}


_KNOWN_GLOBALS: frozenset[str] = (
    _LIBRARIES
    | {path[0] for path in _MODELLED}
    | {path[0] for path in _WATCHED if path and path != _STRING_META}
    | {name.split(".")[0] for _, exact, star in _CATEGORIES for name in exact | star}
)


# -- the constant folding of the string library ------------------------------------------------


def _arg_text(v: object) -> str:
    if isinstance(v, (_Str, _Num)):
        text = _text_of(v)
        if text is not None:
            return text
    raise TypeError


def _arg_int(v: object) -> int:
    if isinstance(v, _Num):
        return v.value
    if isinstance(v, _Str):
        return int(v.value.strip(), 0)
    raise TypeError


def _char(*codes: _Value) -> str:
    return "".join(chr(_byte(_arg_int(c))) for c in codes)


def _byte(code: int) -> int:
    if not 0 <= code <= 255:
        raise ValueError
    return code


def _utf8_char(*codes: _Value) -> str:
    return "".join(chr(_arg_int(c)) for c in codes)


def _sub(s: _Value, i: _Value | None = None, j: _Value | None = None) -> str:
    text = _arg_text(s)
    n = len(text)
    start = 1 if i is None else _arg_int(i)
    end = -1 if j is None else _arg_int(j)
    start = n + start + 1 if start < 0 else max(start, 1)
    end = n + end + 1 if end < 0 else min(end, n)
    return text[max(start, 1) - 1 : end] if start <= end else ""


def _rep(s: _Value, count: _Value, sep: _Value | None = None) -> str | None:
    text, times = _arg_text(s), _arg_int(count)
    glue = "" if sep is None else _arg_text(sep)
    if times <= 0:
        return ""
    if times * (len(text) + len(glue)) > _MAX_STRING:
        return None
    return glue.join([text] * times)


def _format(fmt: _Value, *args: _Value) -> str | None:
    text = _arg_text(fmt)
    out: list[str] = []
    arg = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        conversion = text[i + 1 : i + 2]
        i += 2
        if conversion == "%":
            out.append("%")
            continue
        if conversion not in ("s", "d", "i", "c", "q") or arg >= len(args):
            return None  # widths, precisions, floats: not folded
        value = args[arg]
        arg += 1
        if conversion == "c":
            out.append(chr(_byte(_arg_int(value))))
        elif conversion in ("d", "i"):
            out.append(str(_arg_int(value)))
        else:
            out.append(_arg_text(value))
        if sum(map(len, out)) > _MAX_STRING:
            return None
    return "".join(out)


def _gsub(s: _Value, pattern: _Value, replacement: _Value) -> str | None:
    text, pat, repl = _arg_text(s), _arg_text(pattern), _arg_text(replacement)
    if not pat or not _LUA_MAGIC.isdisjoint(pat) or "%" in repl:
        return None  # Lua patterns and captures: not folded
    return text.replace(pat, repl)


def _table_concat(t: _Value, sep: _Value | None = None) -> str:
    if not isinstance(t, _Tab):
        raise TypeError
    glue = "" if sep is None else _arg_text(sep)
    return glue.join(_arg_text(v) for v in t.items)


# -- the flat scan --------------------------------------------------------------------------


def _flat_scan(tokens: Sequence[_Token], ctx: _Context) -> None:
    """What the tokens reach as written: ``os.execute``, ``io["open"]``, ``load``."""
    n = len(tokens)
    for i, (kind, value) in enumerate(tokens):
        if kind != NAME:
            continue
        path: tuple[str, ...] = () if value in ("_G", "_ENV") else (value,)
        ctx.report_path(path)
        if path in _MODELLED and path[0] in ("load", "loadstring", "require", "rawget"):
            ctx.report("dynamic", value, "frag-lua-not-followed")
        j = i + 1
        while j + 1 < n and len(path) < _MAX_PATH:
            op = tokens[j]
            if op in ((OP, "."), (OP, ":")) and tokens[j + 1][0] == NAME:
                path = (*path, tokens[j + 1][1])
                j += 2
            elif op == (OP, "[") and tokens[j + 1][0] == STRING and j + 2 < n:
                if tokens[j + 2] != (OP, "]"):
                    break
                path = (*path, tokens[j + 1][1])
                j += 3
            else:
                if op == (OP, "[") and (path in _SENSITIVE):
                    ctx.report("dynamic", _shown(path), "frag-lua-computed-index")
                break
            ctx.report_path(path)


# -- the entry point --------------------------------------------------------------------------


_RAW_NAME = re.compile(r"\b([A-Za-z_]\w*)(?:\s*[.:]\s*([A-Za-z_]\w*))?")


def _raw_scan(text: str, ctx: _Context) -> None:
    """What text past the lexed part names as written (``os.execute``, ``io . popen``)."""
    for m in _RAW_NAME.finditer(text):
        name, member = m.group(1), m.group(2)
        if name in _KNOWN_GLOBALS:
            ctx.report_path((name,) if member is None else (name, member))


def _follow(tokens: list[_Token], ctx: _Context) -> None:
    for _ in range(_MAX_PASSES):
        ctx.changed = False
        _Parser(tokens, ctx, 0, 0).chunk()
        if not ctx.changed:
            return
    ctx.report("dynamic", "", "frag-lua-aliases")


def analyse_lua(code: str) -> LuaVerdict:
    """What the Lua chunk ``code`` reaches under LuaTeX (see the module's documentation)."""
    ctx = _Context()
    if len(code) > _MAX_CODE:
        ctx.report("dynamic", str(_MAX_CODE), "frag-lua-code-longer")
        _raw_scan(code[_MAX_CODE : _MAX_CODE + _MAX_RAW], ctx)
    tokens = lex(code[:_MAX_CODE])
    head = tokens[:_MAX_TOKENS]
    if len(tokens) > _MAX_TOKENS:
        head.append((EOF, ""))
        ctx.report("dynamic", "", "frag-lua-too-long")
        _flat_scan(tokens[_MAX_TOKENS:], ctx)
    try:
        _follow(head, ctx)
    except (_OutOfBudget, RecursionError):
        ctx.report("dynamic", "", "frag-lua-too-large")
        _flat_scan(head, ctx)
    shell, files, dynamic = (tuple(ctx.found[k]) for k in ("shell", "files", "dynamic"))
    return LuaVerdict(
        shell=shell,
        files=files,
        dynamic=dynamic,
        computes_only=not (shell or files or dynamic),
        tex_output=tuple(ctx.tex_output),
        pdf_output=tuple(ctx.pdf_output),
    )
