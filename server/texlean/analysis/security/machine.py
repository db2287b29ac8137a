"""A small symbolic TeX interpreter: just enough of TeX's mouth and stomach to see
what a document would do when compiled.

It reads a chunk's tokens the way TeX would, but acts only where it matters:

- it keeps a table of meanings (:mod:`.state`): ``\\def``, ``\\edef``, ``\\let``,
  ``\\newcommand`` and their kin, ``\\chardef``, counters, ``\\newif`` switches,
  with TeX's grouping (local unless ``\\global``);
- it expands what TeX would expand: user macros with their arguments,
  ``\\csname``, ``\\expandafter``, ``\\string``, ``\\number``, ``\\romannumeral``,
  ``\\jobname``, ``\\scantokens``, ``\\lowercase``/``\\uppercase``, conditionals
  (decided where the values are known, both branches taken where not);
- it hands the primitives and commands that reach the outside world to
  :mod:`.actions`, which report what would happen.

Ordinary text and unknown commands pass through a fast loop that looks only at
control sequences that could matter.  Everything runs under the analysis
budget, and expansion that makes no progress is recognised as non-termination
(:data:`PROGRESS_CHECK`) instead of being followed forever.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from ...budget import Budget
from ...tex import tokens as lt
from ...tex.lexer import lex
from ...tex.state import LexState
from ..findings import Finding, Span
from ..locate import Locator
from .state import (
    RELAX,
    Alias,
    CharMeaning,
    Const,
    Flag,
    Macro,
    MacroTable,
    Meaning,
    SecState,
    SetFlag,
    StoredToken,
)
from .stream import (
    ACTIVE,
    ARGUMENT,
    BEGIN,
    CSEQ,
    END,
    NO_VIA,
    OTHER,
    SENTINEL,
    SPACE,
    MTok,
    Stream,
    chars_of,
    key_of,
    render,
)

Handler = Callable[["Machine", MTok], None]

PROGRESS_CHECK = 1_000  # every so many expansions of one macro, look for progress
WINDOW_LIMIT = 150_000  # expansions of anything before the input moves on
MAX_ARG_TOKENS = 20_000
MAX_DEPTH = 400  # nested expansions (and nested definitions measured) followed
BOMB_LIMIT = 1_000_000  # tokens a single macro use may expand to before it is a bomb
HUGE_LOOP = 10_000_000  # iterations still to go that make a loop a denial of service
MAX_EXPANSION_TOKENS = 50_000
_ABSENT: Any = object()

# Conditionals TeX knows; the machine decides those it can.
CONDITIONALS = frozenset(
    {
        "if", "ifcat", "ifnum", "ifdim", "ifodd", "ifvmode", "ifhmode", "ifmmode",
        "ifinner", "ifvoid", "ifhbox", "ifvbox", "ifx", "ifeof", "iftrue", "iffalse",
        "ifcase", "ifdefined", "ifcsname", "iffontchar", "ifincsname", "ifpdfprimitive",
        "ifpdfabsnum", "ifpdfabsdim",
    }
)  # fmt: skip


class Abort(Exception):
    """Abandon the construct being executed (its input ended, or it never ends)."""


class Machine:
    handlers: ClassVar[dict[str, Handler]] = {}  # filled by register() (here and in .actions)
    expandable: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        lex_tokens: Sequence[lt.Token],
        text: str,
        loc: Locator,
        entry: SecState,
        lex_state: LexState,
        budget: Budget | None,
    ) -> None:
        self.s = Stream(lex_tokens, text)
        self.text = text
        self.loc = loc
        self.entry = entry
        self.lex_state = lex_state
        self.budget = budget
        self.table: MacroTable = entry.table
        self.overlay: dict[str, Meaning] = {}
        self.saves: list[tuple[int, str, Any]] = []
        self.depth = 0
        self.global_next = False
        self.conds: list[str] = []  # "true", "unknown" (both branches run) per open \if
        self.ended = entry.ended
        self.end_at_eol = False
        self.findings: list[Finding] = []
        self._reported: set[tuple[str, int, int]] = set()
        self._interesting: dict[str, bool] = {}
        self._sizes: dict[str, int] = {}
        self._measuring: set[str] = set()
        self._cyclic: set[str] = set()  # macros whose expansion reaches a cycle
        # progress tracking for non-termination
        self.window = 0
        self.window_counts: dict[str, int] = {}
        self.window_assignments = 0
        self.checkpoints: dict[str, tuple[int, int, tuple[int, int, str] | None]] = {}
        self.window_unknown = 0  # undecided conditionals met in the window
        self.last_compare: tuple[int, int, str] | None = None  # the last decided \ifnum
        self.loop_mark: tuple[int, int, str] | None = None
        self.assignments = 0
        self._ticks = 0
        self.trigger: MTok | None = None
        self.last_end = 0  # where the last token read ends: a construct's findings reach there
        self.nesting = 0  # expandable primitives running inside one another

    # -- meanings -------------------------------------------------------------------

    def lookup_key(self, key: str) -> Meaning | None:
        m = self.overlay.get(key, _ABSENT)
        if m is not _ABSENT:
            return m  # type: ignore[no-any-return]
        m = self.table.get(key)
        if m is not None:
            return m
        return BUILTIN_MEANINGS.get(key)

    def meaning(self, t: MTok) -> Meaning | None:
        if t[0] == CSEQ:
            return self.lookup_key(t[1])
        if t[0] == ACTIVE:
            return self.lookup_key("active:" + t[1])
        return None

    def define(self, key: str, meaning: Meaning, is_global: bool = False) -> None:
        is_global = is_global or self.global_next
        self.global_next = False
        old = self.lookup_key(key)
        if not is_global and self.depth > 0:
            self.saves.append((self.depth, key, self.overlay.get(key, _ABSENT)))
        self.overlay[key] = meaning
        if old != meaning:  # re-assigning the same meaning (\let\next\iterate) is no progress
            self.assignments += 1
            self.window_assignments += 1
            self._interesting.clear()
            self._sizes.clear()
            self._cyclic.clear()

    def begin_group(self) -> None:
        self.depth += 1

    def end_group(self) -> None:
        self.depth -= 1
        saves = self.saves
        while saves and saves[-1][0] > self.depth:
            _, key, old = saves.pop()
            if old is _ABSENT:
                self.overlay.pop(key, None)
            else:
                self.overlay[key] = old
            self._interesting.clear()
        if self.depth < 0:
            self.depth = 0

    def interesting(self, key: str) -> bool:
        """Whether using ``key`` can lead anywhere the analysis cares about."""
        known = self._interesting.get(key)
        if known is None:
            known = self._interesting_of(key, set())
        return known

    def _interesting_of(self, key: str, stack: set[str]) -> bool:
        known = self._interesting.get(key)
        if known is not None:
            return known
        if key in stack or len(stack) > 200:
            return True  # recursion: it may never end
        m = self.lookup_key(key)
        result = False
        if isinstance(m, Alias):
            result = m.target in self.handlers
        elif isinstance(m, (SetFlag, CharMeaning, Flag)):
            result = True
        elif (
            isinstance(m, Macro)
            and not m.arity
            and not m.spec
            and self.expansion_size(key) >= BOMB_LIMIT
        ):
            result = True  # a bomb, or a recursion: worth following
        elif isinstance(m, Macro):
            stack.add(key)
            for cat, value, *_ in m.body:
                if cat in (CSEQ, ACTIVE):
                    k = value if cat == CSEQ else "active:" + value
                    if k in TRIGGERS or self._interesting_of(k, stack):
                        result = True
                        break
            stack.discard(key)
        # a False found under a cycle assumption is still False: only True depends on it
        self._interesting[key] = result
        return result

    def expansion_size(self, key: str, depth: int = 0) -> int:
        """Tokens a macro without parameters expands to in the end (BOMB_LIMIT when more,
        or when it recurses: recursion is left to the progress check)."""
        known = self._sizes.get(key)
        if known is not None:
            if key in self._measuring:
                self._cyclic.add(key)
            return known
        self._sizes[key] = BOMB_LIMIT  # a cycle counts as unbounded while it is measured
        self._measuring.add(key)
        m = self.lookup_key(key)
        size = 1
        if isinstance(m, Macro) and not m.arity and not m.spec:
            size = 0
            for cat, value, *_ in m.body:
                if cat in (CSEQ, ACTIVE):
                    k = value if cat == CSEQ else "active:" + value
                    inner = self.lookup_key(k)
                    if isinstance(inner, Macro):
                        # past MAX_DEPTH nested definitions the size counts as unbounded
                        size += (
                            self.expansion_size(k, depth + 1) if depth < MAX_DEPTH else BOMB_LIMIT
                        )
                    else:
                        size += 1
                else:
                    size += 1
                if size >= BOMB_LIMIT:
                    size = BOMB_LIMIT
                    break
        self._measuring.discard(key)
        self._sizes[key] = size
        return size

    # -- reading ----------------------------------------------------------------------

    def tick(self) -> None:
        self._ticks += 1
        if self._ticks >= 256:
            self._ticks = 0
            if self.budget is not None:
                self.budget.spend(256)

    def next(self) -> MTok | None:
        self.tick()
        t = self.s.next()
        if t is None:
            return None
        if t[0] == SENTINEL:
            self.s.back(t)  # never read past the end of an expansion list
            return None
        if t[3] > self.last_end:
            self.last_end = t[3]
        return t

    def next_or_abort(self) -> MTok:
        t = self.next()
        if t is None:
            raise Abort
        return t

    def skip_spaces(self) -> MTok | None:
        t = self.next()
        while t is not None and t[0] == SPACE:
            t = self.next()
        return t

    def get_x(self) -> MTok | None:
        """The next unexpandable token (TeX's get_x_token): macros and expandable
        primitives on the way are expanded."""
        while True:
            t = self.next()
            if t is None:
                return None
            if t[0] != CSEQ and t[0] != ACTIVE:
                return t
            if "!" in t[4]:
                return (t[0], t[1], t[2], t[3], tuple(v for v in t[4] if v != "!"))
            if not self.expand(t):
                return t

    def expand(self, t: MTok) -> bool:
        """Expand ``t`` one level if it is expandable (its expansion is pushed back);
        False when it is not."""
        if t[0] not in (CSEQ, ACTIVE) or "!" in t[4]:
            return False
        m = self.meaning(t)
        if isinstance(m, Macro):
            self.expand_macro(t, m)
        elif isinstance(m, Alias) and m.target in self.expandable:
            self.nested_handler(m.target, self.with_alias(t, m))
        elif isinstance(m, Flag):
            self.conditional(t, m.value)
        else:
            return False
        return True

    def nested_handler(self, target: str, t: MTok) -> None:
        """Run an expandable primitive from inside another one (\\csname in \\csname,
        \\expandafter chains), bounded so that no nesting exhausts Python's stack."""
        self.nesting += 1
        try:
            if self.nesting > MAX_DEPTH:
                self.report_not_followed(
                    "frag-a-construct", "frag-nests-more-than", ("depth", str(MAX_DEPTH))
                )
                raise Abort
            self.handlers[target](self, t)
        finally:
            self.nesting -= 1

    def with_alias(self, t: MTok, m: Alias) -> MTok:
        if t[0] == ACTIVE:
            return (t[0], t[1], t[2], t[3], (*t[4], "active:" + t[1]))
        if t[1] != m.target and t[1] not in QUIET_ALIASES:
            return (t[0], t[1], t[2], t[3], (*t[4], "alias:" + t[1]))
        return t

    def read_group(self, first: MTok | None = None) -> list[MTok] | None:
        """The tokens of a ``{…}`` group, unexpanded (None when there is no group)."""
        mark = self.last_end
        t = first if first is not None else self.skip_spaces()
        if t is None:
            return None
        if t[0] != BEGIN and not self.is_char_meaning(t, BEGIN):
            self.s.back(t)
            self.last_end = mark  # nothing was taken
            return None
        out: list[MTok] = []
        depth = 1
        while True:
            u = self.next()
            if u is None:
                return out  # runaway: the group runs to the end of the chunk
            if u[0] == BEGIN:
                depth += 1
            elif u[0] == END:
                depth -= 1
                if depth == 0:
                    return out
            out.append(u)
            if len(out) > MAX_ARG_TOKENS:
                return out

    def read_group_or_token(self) -> list[MTok] | None:
        t = self.skip_spaces()
        if t is None:
            return None
        if t[0] == BEGIN:
            return self.read_group(t)
        return [t]

    def read_optional(self) -> list[MTok] | None:
        """A LaTeX optional argument ``[…]`` (brace-aware), or None when absent."""
        mark = self.last_end
        t = self.skip_spaces()
        if t is None:
            return None
        if not (t[0] == OTHER and t[1] == "["):
            self.s.back(t)
            self.last_end = mark
            return None
        out: list[MTok] = []
        depth = 0
        while True:
            u = self.next()
            if u is None:
                return out
            if u[0] == BEGIN:
                depth += 1
            elif u[0] == END:
                depth -= 1
            elif depth == 0 and u[0] == OTHER and u[1] == "]":
                return out
            out.append(u)
            if len(out) > MAX_ARG_TOKENS:
                return out

    def read_star(self) -> bool:
        mark = self.last_end
        t = self.skip_spaces()
        if t is not None and t[0] == OTHER and t[1] == "*":
            return True
        if t is not None:
            self.s.back(t)
        self.last_end = mark
        return False

    def is_char_meaning(self, t: MTok, cat: int) -> bool:
        if t[0] != CSEQ:
            return False
        m = self.meaning(t)
        return isinstance(m, CharMeaning) and m.cat == cat

    def read_equals(self) -> None:
        """TeX's optional ``=`` (with spaces around it)."""
        mark = self.last_end
        t = self.skip_spaces()
        if t is not None and not (t[0] == OTHER and t[1] == "="):
            self.s.back(t)
            self.last_end = mark
            return
        t = self.next()
        if t is not None and t[0] != SPACE:
            self.s.back(t)

    def expand_list(self, toks: Sequence[MTok]) -> list[MTok]:
        """Full expansion of a token list, as \\edef or \\directlua does (bounded)."""
        self.s.back((SENTINEL, "", 0, 0, NO_VIA))
        self.s.push(toks)
        out: list[MTok] = []
        try:
            while len(out) < MAX_EXPANSION_TOKENS:
                t = self.get_x()
                if t is None:
                    break
                if t[0] == CSEQ and self.lookup_key(t[1]) == Alias("unexpanded"):
                    group = self.read_group()
                    out.extend(group or ())
                    continue
                out.append(t)
        finally:
            self.drop_to_sentinel()
        return out

    def run_list(self, toks: Sequence[MTok]) -> None:
        """Execute a token list to its end (a loop body, say), then go on."""
        self.s.back((SENTINEL, "", 0, 0, NO_VIA))
        self.s.push(toks)
        try:
            while True:
                t = self.next()
                if t is None:
                    break
                self.execute(t)
        finally:
            self.drop_to_sentinel()

    def drop_to_sentinel(self) -> None:
        stack = self.s.stack
        while stack:
            top = stack[-1]
            while top:
                t = top.pop()
                self.s.pending -= 1
                if t[0] == SENTINEL:
                    if not top:
                        stack.pop()
                    return
            stack.pop()

    # -- numbers and names ----------------------------------------------------------------

    def scan_int(self) -> int | None:
        """A TeX <number>: signs, decimal/octal/hex/`char, \\chardef'd names,
        registers.  None when it cannot be known."""
        sign = 1
        t = self.get_x()
        while t is not None and (t[0] == SPACE or (t[0] == OTHER and t[1] in "+-")):
            if t[1] == "-":
                sign = -sign
            t = self.get_x()
        if t is None:
            return None
        if t[0] == OTHER and t[1] in "'\"`":
            if t[1] == "`":
                u = self.next()
                if u is None:
                    return None
                value = ord(u[1][0]) if u[0] != CSEQ or len(u[1]) == 1 else None
                self.skip_one_space()
                return None if value is None else sign * value
            digits = "01234567" if t[1] == "'" else "0123456789ABCDEF"
            text = self.scan_digits(digits)
            return sign * int(text, 8 if t[1] == "'" else 16) if text else None
        if t[0] == OTHER and t[1].isdigit():
            self.s.back(t)
            text = self.scan_digits("0123456789")
            return sign * int(text.lstrip("0")[:12] or "0") if text else None
        m = self.meaning(t)
        if isinstance(m, Const):
            return None if m.value is None else sign * m.value
        if isinstance(m, Alias) and m.target == "register":
            value = self.register_value(t)
            return None if value is None else sign * value
        if isinstance(m, Alias) and m.target == "count":
            n = self.scan_int()
            value = None if n is None else self.register(f"reg:{n}")
            return None if value is None else sign * value
        if isinstance(m, Alias) and m.target in INTEGER_PARAMETERS:
            value = self.register(f"reg:{m.target}")
            return None if value is None else sign * value
        if isinstance(m, Alias) and m.target == "numexpr":
            value = self.scan_numexpr()
            return None if value is None else sign * value
        if m is None and t[0] == CSEQ:
            return None  # a register or \chardef texlean has not seen defined: some number
        self.s.back(t)
        return None

    def scan_numexpr(self) -> int | None:
        """e-TeX's \\numexpr: + - * / and parentheses, to \\relax (integer division rounds)."""
        tokens: list[str] = []
        depth = 0
        while len(tokens) < 400:
            t = self.get_x()
            if t is None:
                break
            if t[0] == SPACE:
                continue
            if t[0] == OTHER and t[1] in "+-*/()":
                depth += (t[1] == "(") - (t[1] == ")")
                if depth < 0:
                    self.s.back(t)
                    break
                tokens.append(t[1])
                continue
            if t[0] == OTHER and t[1].isdigit():
                self.s.back(t)
                tokens.append(self.scan_digits("0123456789").lstrip("0") or "0")
                continue
            if t[0] == CSEQ:
                m = self.meaning(t)
                if isinstance(m, Alias) and m.target == "relax":
                    break
                if isinstance(m, (Const, Alias)):
                    self.s.back(t)
                    value = self.scan_int()
                    if value is None:
                        return None
                    tokens.append(str(value))
                    continue
            self.s.back(t)
            break
        return _evaluate(tokens)

    def scan_digits(self, allowed: str) -> str:
        out: list[str] = []
        while True:
            t = self.get_x()
            if t is None:
                break
            if t[0] == OTHER and t[1] in allowed and len(out) < 400:
                out.append(t[1])
                continue
            if t[0] != SPACE:  # one space ends the number and is eaten
                self.s.back(t)
            break
        return "".join(out)

    def skip_one_space(self) -> None:
        t = self.get_x()
        if t is not None and t[0] != SPACE:
            self.s.back(t)

    def register_key(self, t: MTok) -> str:
        return f"reg:{t[1]}"

    def register_value(self, t: MTok) -> int | None:
        return self.register(self.register_key(t))

    def register(self, key: str) -> int | None:
        """A register's value: TeX starts every register at 0."""
        m = self.lookup_key(key)
        if m is None:
            return PARAMETER_DEFAULTS.get(key, 0)
        return m.value if isinstance(m, Const) else None

    def scan_file_name(self) -> tuple[str, tuple[str, ...], MTok | None] | None:
        """A file name as TeX's \\input reads it (expanding as it goes): a braced
        name, a quoted one, or characters up to a space.  Returns the name, the
        ways its characters were reached, and the last token read."""
        t = self.get_x()
        while t is not None and t[0] == SPACE:
            t = self.get_x()
        if t is None:
            return None
        via: set[str] = set()
        chars: list[str] = []
        last: MTok | None = t
        if t[0] == BEGIN:
            group = self.read_group(t)
            expanded = self.expand_list(group or [])
            for u in expanded:
                via.update(u[4])
            return render(expanded).strip(), tuple(sorted(via)), group[-1] if group else t
        quoted = False
        while t is not None:
            if t[0] == CSEQ or t[0] == ACTIVE or t[0] < 0:
                # an active ~ ends an unbraced name: it expands to LaTeX's
                # \nobreakspace (checked: \input ~/.ssh/id_rsa reads nothing,
                # \input{~/.ssh/id_rsa} reads the key)
                self.s.back(t)
                break
            if t[0] == SPACE and not quoted:
                break
            if t[1] == '"':
                quoted = not quoted
            else:
                chars.append(t[1])
            via.update(t[4])
            last = t
            if len(chars) > 4096:
                break
            t = self.get_x()
        return "".join(chars), tuple(sorted(via)), last

    # -- macros -----------------------------------------------------------------------------

    def expand_macro(self, t: MTok, m: Macro) -> None:
        key = key_of(t)
        self.note_expansion(key)
        if m.opaque:
            return
        if (
            not m.arity
            and not m.spec
            and self.expansion_size(key) >= BOMB_LIMIT
            and not self._recursive(key)
        ):
            self.report(
                "SEC602",
                t[2],
                t[3],
                (("name", t[1]), ("count", f"more than {BOMB_LIMIT:,}")),
            )
            raise Abort
        args = self.read_args(m)
        if args is None:
            return
        via = t[4]
        if len(m.body) == 1 and m.body[0][0] in (CSEQ, ACTIVE) and not m.arity:
            # \def\x{\write}: \x is \write under another name
            via = (*via, ("active:" if t[0] == ACTIVE else "alias:") + t[1])
        else:
            via = (*via, "macro:" + t[1])
        a, b = t[2], t[3]
        out: list[MTok] = []
        for cat, value, *stored_via in m.body:
            if cat == 6 and value != "#":
                out.extend(args.get(int(value), ()))
            else:
                out.append((cat, value, a, b, (*via, *stored_via[0]) if stored_via else via))
        self.s.push(out)

    def read_args(self, m: Macro) -> dict[int, list[MTok]] | None:
        args: dict[int, list[MTok]] = {}
        if m.spec:
            for i, kind in enumerate(m.spec, 1):
                if kind == "s":
                    args[i] = [(OTHER, "*", 0, 0, NO_VIA)] if self.read_star() else []
                elif kind in "oO":
                    opt = self.read_optional()
                    args[i] = opt if opt is not None else []
                else:
                    arg = self.read_group_or_token()
                    if arg is None:
                        return None
                    args[i] = arg
            return args
        if m.optional is not None:
            opt = self.read_optional()
            args[1] = opt if opt is not None else [(d[0], d[1], 0, 0, NO_VIA) for d in m.optional]
            for i in range(2, m.arity + 1):
                arg = self.read_group_or_token()
                if arg is None:
                    return None
                args[i] = arg
            return args
        params = m.params
        i = 0
        while i < len(params) and params[i][0] != 6:  # text before #1 must match
            t = self.next()
            if t is None or (t[0], t[1]) != params[i][:2]:
                return None
            i += 1
        while i < len(params):
            k = params[i][1]
            i += 1
            j = i
            while j < len(params) and params[j][0] != 6:
                j += 1
            delim = params[i:j]
            arg = self.read_delimited(delim) if delim else self.read_group_or_token()
            if arg is None:
                return None
            if k.isdigit():
                args[int(k)] = arg
            i = j
        return args

    def read_delimited(self, delim: Sequence[StoredToken]) -> list[MTok] | None:
        out: list[MTok] = []
        depth = 0
        n = len(delim)
        while True:
            t = self.next()
            if t is None:
                return None
            out.append(t)
            if t[0] == BEGIN:
                depth += 1
            elif t[0] == END:
                depth -= 1
            elif (
                depth == 0
                and len(out) >= n
                and all((u[0], u[1]) == d for u, d in zip(out[-n:], delim, strict=True))
            ):
                del out[-n:]
                if len(out) >= 2 and out[0][0] == BEGIN and out[-1][0] == END:
                    inner = out[1:-1]
                    if _balanced(inner):
                        return inner
                return out
            if len(out) > MAX_ARG_TOKENS:
                return None

    def _recursive(self, key: str) -> bool:
        """Whether the macro's expansion runs into a cycle (a loop, not a bomb)."""
        self._sizes.clear()
        self._cyclic.clear()
        self.expansion_size(key)
        return bool(self._cyclic)

    def note_expansion(self, key: str) -> None:
        """Count an expansion; recognise expansion that can never end."""
        self.window += 1
        counts = self.window_counts
        c = counts.get(key, 0) + 1
        counts[key] = c
        if c % PROGRESS_CHECK == 0:
            # the same macro again and again: if nothing changed since the last
            # check and no pending input was used up, it can never end
            mark = (self.assignments, self.s.pending, self.last_compare)
            last = self.checkpoints.get(key)
            self.checkpoints[key] = mark
            if last is not None:
                if last[0] == mark[0] and mark[1] >= last[1]:
                    if self.window_unknown:
                        self.report_not_followed("frag-a-recursion", "frag-unknown-values")
                    else:
                        self.report_endless(key)
                    raise Abort
                self.check_loop_progress(key, last[2], mark[2])
        if self.window >= WINDOW_LIMIT:
            self.report_not_followed(
                "frag-expansion", "frag-more-than-expansions", ("count", f"{WINDOW_LIMIT:,}")
            )
            raise Abort

    def check_loop_progress(
        self, key: str, before: tuple[int, int, str] | None, now: tuple[int, int, str] | None
    ) -> None:
        """A loop that counts toward a bound: how many iterations are left?

        ``before`` and ``now`` are the last ``\\ifnum`` comparisons (value, bound,
        relation) seen at two progress checks of the same macro.
        """
        if before is None or now is None or before[1] != now[1] or before[2] != now[2]:
            return
        step = now[0] - before[0]
        if step == 0:
            return
        value, bound, rel = now
        if (rel == "<" and step < 0) or (rel == ">" and step > 0):
            self.report_loop(key, "frag-loop-counts-away")
            raise Abort
        left = abs(bound - value) // abs(step) * PROGRESS_CHECK if rel in "<>" else 0
        if left >= HUGE_LOOP:
            self.report_loop(key, "frag-loop-steps-left", ("steps", f"{left:,}"))
            raise Abort

    def report_loop(self, key: str, what: str, *params: tuple[str, str]) -> None:
        """SEC603: ``what`` is the message (messages.toml) saying what the loop does."""
        t = self.trigger
        start, end = (t[2], t[3]) if t is not None else (0, 0)
        self.report("SEC603", start, end, (("what_key", what), *params))

    def reset_window(self) -> None:
        self.window = 0
        self.window_counts.clear()
        self.window_assignments = 0
        self.window_unknown = 0
        self.checkpoints.clear()

    # -- conditionals ---------------------------------------------------------------------------

    def conditional(self, t: MTok, value: bool | None) -> None:
        """Enter a conditional: True/False decided, None unknown (both branches run)."""
        if value is None:
            self.conds.append("unknown")
            self.window_unknown += 1
        elif value:
            self.conds.append("true")
        else:
            self.conds.append("false")
            if self.skip_branch(stop_at_else=True) == "else":
                self.conds[-1] = "else"

    def skip_branch(self, stop_at_else: bool) -> str:
        """Skip tokens to the matching \\else/\\or (when asked) or \\fi, unexpanded."""
        depth = 0
        while True:
            t = self.next()
            if t is None:
                if self.conds:
                    self.conds.pop()
                return "end"
            if t[0] != CSEQ and t[0] != ACTIVE:
                continue
            m = self.meaning(t)
            target = m.target if isinstance(m, Alias) else None
            if isinstance(m, Flag) or target in CONDITIONALS:
                depth += 1
            elif target == "fi":
                if depth == 0:
                    if self.conds:
                        self.conds.pop()
                    return "fi"
                depth -= 1
            elif target in ("else", "or") and depth == 0 and stop_at_else:
                return "else"

    # -- driving ----------------------------------------------------------------------------

    def run(self) -> None:
        """Execute the chunk: a fast scan for tokens that matter, the interpreter for the rest."""
        toks = self.s.lex_tokens
        n = len(toks)
        s = self.s
        table = self.table.data
        overlay = self.overlay
        triggers = TRIGGERS
        CS, CSYM, LBEGIN, LEND = lt.CS, lt.CSYM, lt.BEGIN, lt.END
        LACTIVE, LVERB, LEOL, LPAR = lt.ACTIVE, lt.VERB, lt.EOL, lt.PAR
        budget = self.budget
        paid = s.pos
        while s.pos < n and not self.ended:
            t = toks[s.pos]
            kind = t[0]
            if kind == CS or kind == CSYM:
                name = t[3]
                if name in triggers or (
                    (name in overlay or name in table) and self.interesting(name)
                ):
                    self.slow()
                    continue
            elif kind == LBEGIN:
                self.depth += 1
            elif kind == LEND:
                if self.saves:
                    self.end_group()
                else:
                    self.depth = max(0, self.depth - 1)
            elif kind == LACTIVE:
                if self.interesting("active:" + t[3]):
                    self.slow()
                    continue
            elif kind == LVERB:
                self.verbatim(t)
            elif self.end_at_eol and (kind == LEOL or kind == LPAR):
                self.ended = True
                break
            s.pos += 1
            if budget is not None and s.pos - paid >= 4096:
                budget.spend(s.pos - paid)
                paid = s.pos

    def slow(self) -> None:
        """Run the interpreter from the current token until the pushed input is used up."""
        s = self.s
        self.trigger = None
        self.reset_window()
        try:
            while not self.ended:
                t = self.next()
                if t is None:
                    break
                if self.trigger is None:
                    self.trigger = t
                self.execute(t)
                if not s.stack:
                    break
                if s.pos != self._last_pos:
                    self._last_pos = s.pos
                    self.reset_window()
        except Abort:
            s.clear_pushed()
        s.clear_pushed()

    _last_pos = -1

    def execute(self, t: MTok) -> None:
        cat = t[0]
        if cat == BEGIN:
            self.begin_group()
            return
        if cat == END:
            self.end_group()
            return
        if cat != CSEQ and cat != ACTIVE:
            return
        if "!" in t[4]:
            return  # \noexpand'ed: acts as \relax
        m = self.meaning(t)
        if m is None:
            return
        if isinstance(m, Macro):
            self.expand_macro(t, m)
        elif isinstance(m, Alias):
            handler = self.handlers.get(m.target)
            if handler is not None:
                handler(self, self.with_alias(t, m))
        elif isinstance(m, Flag):
            self.conditional(t, m.value)
        elif isinstance(m, SetFlag):
            self.define(m.name, Flag(m.value))
        elif isinstance(m, CharMeaning):
            if m.cat == BEGIN:
                self.begin_group()
            elif m.cat == END:
                self.end_group()

    def verbatim(self, t: lt.Token) -> None:
        """A verbatim body met by the fast loop (a link target, say)."""
        handler = self.handlers.get("verbatim:" + t[3])
        if handler is not None:
            handler(self, (-1, t[3], t[1], t[2], NO_VIA))

    # -- reporting ------------------------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        return self.loc.span(start, max(start, end))

    def report(
        self, code: str, start: int, end: int, params: Sequence[tuple[str, str]] = ()
    ) -> None:
        key = (code, start, end)
        if key in self._reported:
            return
        self._reported.add(key)
        self.findings.append(Finding(code, self.span(start, end), tuple(params)))

    def report_endless(self, key: str) -> None:
        t = self.trigger
        start, end = (t[2], t[3]) if t is not None else (0, 0)
        name = key.removeprefix("active:")
        if name in ("iterate", "body", "@iwhilenum", "@whilenum"):
            self.report("SEC603", start, end, (("what_key", "frag-loop-repeats"),))
        else:
            self.report("SEC601", start, end, (("name", name), ("via", "")))

    def report_not_followed(self, what: str, reason: str, *params: tuple[str, str]) -> None:
        """SEC901: ``what`` and ``reason`` are messages (messages.toml), ``params`` theirs."""
        t = self.trigger
        start, end = (t[2], t[3]) if t is not None else (0, 0)
        self.report("SEC901", start, end, (("what_key", what), ("reason_key", reason), *params))

    # -- the result ---------------------------------------------------------------------------

    def exit_state(self) -> SecState:
        entry = self.entry
        if not self.overlay and self.ended == entry.ended:
            return entry
        table = self.table.updated(self.overlay)
        if table == entry.table and self.ended == entry.ended:
            return entry
        return SecState(table=table, ended=self.ended)

    def scan_tokens(self, text: str, start: int, end: int, via: tuple[str, ...]) -> list[MTok]:
        """Tokens of ``text`` read as a file (\\scantokens), placed at start..end."""
        lex_tokens, _ = lex(text[:20_000], self.lex_state, self.budget)
        inner = Stream(lex_tokens, text)
        out: list[MTok] = []
        while len(out) < MAX_EXPANSION_TOKENS:
            u = inner.next()
            if u is None:
                break
            out.append((u[0], u[1], start, end, (*via, *u[4])))
        return out


def _evaluate(tokens: list[str]) -> int | None:
    """An integer expression of \\numexpr (numbers, + - * /, parentheses)."""
    pos = 0

    def atom() -> int | None:
        nonlocal pos
        if pos < len(tokens) and tokens[pos] == "-":
            pos += 1
            v = atom()
            return None if v is None else -v
        if pos < len(tokens) and tokens[pos] == "(":
            pos += 1
            v = expr()
            pos += 1  # )
            return v
        if pos < len(tokens) and tokens[pos].lstrip("-").isdigit():
            pos += 1
            return int(tokens[pos - 1])
        return None

    def term() -> int | None:
        nonlocal pos
        v = atom()
        while v is not None and pos < len(tokens) and tokens[pos] in "*/":
            op = tokens[pos]
            pos += 1
            w = atom()
            if w is None:
                return None
            if op == "*":
                v *= w
            elif w:
                v = int(v / w + (0.5 if (v >= 0) == (w > 0) else -0.5))  # e-TeX rounds
            else:
                return None
            if abs(v) > 2**40:
                return None
        return v

    def expr() -> int | None:
        nonlocal pos
        v = term()
        while v is not None and pos < len(tokens) and tokens[pos] in "+-":
            op = tokens[pos]
            pos += 1
            w = term()
            if w is None:
                return None
            v = v + w if op == "+" else v - w
        return v

    return expr() if tokens else None


def _balanced(toks: Sequence[MTok]) -> bool:
    depth = 0
    for t in toks:
        if t[0] == BEGIN:
            depth += 1
        elif t[0] == END:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def register(
    *names: str, expandable: bool = False, dangerous: bool = False
) -> Callable[[Handler], Handler]:
    """Make a function the handler of the primitives or commands ``names``
    (``dangerous``: they reach the outside world)."""

    def decorate(fn: Handler) -> Handler:
        for name in names:
            Machine.handlers[name] = fn
        if expandable:
            Machine.expandable = Machine.expandable | frozenset(names)
        if dangerous:
            DANGEROUS.update(names)
        return fn

    return decorate


DANGEROUS: set[str] = set()


# Names whose built-in meaning is themselves (filled in as handlers register), the
# aliases that are not worth a word (\let\x\relax), and the names that send the fast
# loop to the interpreter.
BUILTIN_MEANINGS: dict[str, Meaning] = {}
QUIET_ALIASES = frozenset({"relax", "undefined"})
# Integer parameters the analysis reads (\\escapechar for \\string, say).
INTEGER_PARAMETERS = frozenset({"escapechar", "endlinechar", "newlinechar"})
PARAMETER_DEFAULTS = {"reg:escapechar": 92, "reg:endlinechar": 13, "reg:newlinechar": -1}
TRIGGERS: set[str] = set()


def finish_registration(extra_builtins: dict[str, Meaning]) -> None:
    for name in Machine.handlers:
        if ":" not in name:
            BUILTIN_MEANINGS[name] = Alias(name)
            TRIGGERS.add(name)
    for name in CONDITIONALS | {"else", "fi", "or"}:
        BUILTIN_MEANINGS[name] = Alias(name)
        TRIGGERS.add(name)
    BUILTIN_MEANINGS.update(extra_builtins)
    BUILTIN_MEANINGS["relax"] = RELAX
    TRIGGERS.update(k for k, v in extra_builtins.items() if isinstance(v, (Macro, CharMeaning)))


def chars(text: str, t: MTok, via: tuple[str, ...]) -> list[MTok]:
    return chars_of(text, t[2], t[3], (*t[4], *via))


__all__ = [
    "ARGUMENT",
    "BEGIN",
    "CONDITIONALS",
    "CSEQ",
    "END",
    "OTHER",
    "SPACE",
    "Abort",
    "Const",
    "MTok",
    "Machine",
    "chars",
    "register",
]
