"""What the interpreter does with TeX's and LaTeX's own machinery.

Definitions and assignments (``\\def``, ``\\let``, ``\\newcommand`` …), grouping,
expansion primitives (``\\csname``, ``\\expandafter``, ``\\string`` …) and
conditionals.  None of these is dangerous by itself; together they are how a
document hides what it does, so the interpreter follows them faithfully and
records, on every token they produce, how it was made (the token's ``via``).
"""

from __future__ import annotations

from ..definitions import DEFINITION_COMMANDS
from .machine import (
    BEGIN,
    CONDITIONALS,
    CSEQ,
    DANGEROUS,
    END,
    MAX_EXPANSION_TOKENS,
    OTHER,
    SPACE,
    Abort,
    Machine,
    MTok,
    chars,
    register,
)
from .report import report_techniques
from .state import (
    RELAX,
    UNDEFINED,
    Alias,
    CharMeaning,
    Const,
    Flag,
    Macro,
    Meaning,
    SetFlag,
    StoredToken,
)
from .stream import ACTIVE, NO_VIA, key_of, render

# -- storing definitions -----------------------------------------------------------------------


def _techniques(via: tuple[str, ...]) -> tuple[str, ...]:
    """The entries of ``via`` worth keeping in a stored definition (not the macros it came
    through, which are a matter of position)."""
    return tuple(v for v in via if v != "!" and not v.startswith("macro:"))


def _store(toks: list[MTok]) -> tuple[StoredToken, ...]:
    """Body tokens as stored: #1 becomes (6, "1"), ## becomes (6, "#"); a token made by
    an obfuscation technique keeps the record of it."""
    out: list[StoredToken] = []
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if t[0] == 6 and i + 1 < n and (toks[i + 1][1].isdigit() or toks[i + 1][0] == 6):
            nxt = toks[i + 1]
            out.append((6, nxt[1][0] if nxt[1].isdigit() else "#"))
            i += 2
            continue
        kept = _techniques(t[4]) if t[4] else ()
        out.append((t[0], t[1], kept) if kept else (t[0], t[1]))
        i += 1
    return tuple(out)


def _name_token(m: Machine) -> MTok | None:
    t = m.skip_spaces()
    if t is None:
        return None
    if t[0] == BEGIN:  # \newcommand{\x}
        group = m.read_group(t)
        inner = [u for u in group or () if u[0] != SPACE]
        return inner[0] if inner and inner[0][0] in (CSEQ, ACTIVE) else None
    if t[0] in (CSEQ, ACTIVE):
        return t
    m.s.back(t)
    return None


def _define_tex(m: Machine, t: MTok, *, expand: bool, is_global: bool) -> None:
    """\\def, \\gdef, \\edef, \\xdef: name, parameter text, body."""
    name = m.next()
    if name is None or name[0] not in (CSEQ, ACTIVE):
        return
    params: list[MTok] = []
    while True:
        u = m.next()
        if u is None:
            return
        if u[0] == BEGIN:
            break
        params.append(u)
        if len(params) > 200:
            return
    body = m.read_group(u) or []
    if expand:
        body = m.expand_list(body)
        if len(body) >= MAX_EXPANSION_TOKENS:
            m.report(
                "SEC602",
                t[2],
                max(t[3], m.last_end),
                (("name", name[1]), ("count", f"more than {MAX_EXPANSION_TOKENS:,}")),
            )
            # what it stands for is too big to follow: later uses cost nothing
            m.define(key_of(name), Macro(params=(), body=(), opaque=True), is_global)
            return
    stored_params = _store(params)
    arity = sum(1 for p in stored_params if p[0] == 6 and p[1].isdigit())
    m.define(key_of(name), Macro(params=stored_params, body=_store(body), arity=arity), is_global)


@register("def")
def _def(m: Machine, t: MTok) -> None:
    _define_tex(m, t, expand=False, is_global=False)


@register("gdef")
def _gdef(m: Machine, t: MTok) -> None:
    _define_tex(m, t, expand=False, is_global=True)


@register("edef")
def _edef(m: Machine, t: MTok) -> None:
    _define_tex(m, t, expand=True, is_global=False)


@register("xdef")
def _xdef(m: Machine, t: MTok) -> None:
    _define_tex(m, t, expand=True, is_global=True)


@register("global")
def _global(m: Machine, t: MTok) -> None:
    m.global_next = True


@register("long", "outer", "protected")
def _prefix(m: Machine, t: MTok) -> None:
    pass  # prefixes that do not change what a definition does here


@register("let")
def _let(m: Machine, t: MTok) -> None:
    name = m.next()
    if name is None or name[0] not in (CSEQ, ACTIVE):
        return
    u = m.next()
    while u is not None and u[0] == SPACE:
        u = m.next()
    if u is not None and u[0] == OTHER and u[1] == "=":
        u = m.next()
        if u is not None and u[0] == SPACE:
            u = m.next()
    if u is None:
        return
    _let_to(m, name, u)


def _let_to(m: Machine, name: MTok, target: MTok) -> None:
    if target[0] in (CSEQ, ACTIVE):
        meaning = m.meaning(target)
        if meaning is None:
            meaning = UNDEFINED if target[0] == ACTIVE else Alias(target[1])
        if isinstance(meaning, Alias) and meaning.target in DANGEROUS and target[4]:
            # \let\x\csname write\endcsname: the name is built here, so the technique is reported here
            report_techniques(m, target, meaning.target)
        m.define(key_of(name), meaning)
    else:
        m.define(key_of(name), CharMeaning(target[0], target[1]))


@register("futurelet")
def _futurelet(m: Machine, t: MTok) -> None:
    name = m.next()
    first = m.next()
    second = m.next()
    if name is None or first is None or second is None:
        return
    _let_to(m, name, second)
    m.s.push([first, second])


def _latex_define(m: Machine, t: MTok, *, only_if_new: bool) -> None:
    """\\newcommand family: [*]{\\name}[n][default]{body}."""
    m.read_star()
    name = _name_token(m)
    if name is None:
        return
    arity_arg = m.read_optional()
    arity = 0
    if arity_arg:
        digits = "".join(u[1] for u in arity_arg if u[1].isdigit())
        arity = min(int(digits), 9) if digits else 0
    default = m.read_optional()
    body = m.read_group_or_token()
    if body is None:
        return
    if only_if_new and m.meaning(name) is not None:
        return
    params = tuple((6, str(i)) for i in range(1, arity + 1))
    m.define(
        key_of(name),
        Macro(
            params=params,
            body=_store(body),
            arity=arity,
            optional=None if default is None else _store(default),
        ),
    )


@register("newcommand", "renewcommand", "DeclareRobustCommand", "DeclareMathOperator")
def _newcommand(m: Machine, t: MTok) -> None:
    _latex_define(m, t, only_if_new=False)


@register("providecommand")
def _providecommand(m: Machine, t: MTok) -> None:
    _latex_define(m, t, only_if_new=True)


_XPARSE_KINDS = {"m": "m", "o": "o", "O": "o", "s": "s", "r": "m", "R": "m", "v": "m", "+": ""}


def _xparse_spec(toks: list[MTok]) -> str:
    spec = []
    skip = 0
    for u in toks:
        if u[0] == BEGIN:
            skip += 1
        elif u[0] == END:
            skip -= 1
        elif skip == 0 and u[1] in _XPARSE_KINDS:
            spec.append(_XPARSE_KINDS[u[1]])
    return "".join(spec)


@register(
    "NewDocumentCommand",
    "RenewDocumentCommand",
    "ProvideDocumentCommand",
    "DeclareDocumentCommand",
    "NewExpandableDocumentCommand",
)
def _newdocumentcommand(m: Machine, t: MTok) -> None:
    name = _name_token(m)
    spec = m.read_group()
    body = m.read_group()
    if name is None or spec is None or body is None:
        return
    kinds = _xparse_spec(spec)
    m.define(key_of(name), Macro(params=(), body=_store(body), arity=len(kinds), spec=kinds or "n"))


def _environment(m: Machine, *, xparse: bool) -> None:
    if not xparse:
        m.read_star()
    group = m.read_group()
    if group is None:
        return
    env = render(group).strip().lstrip("\\")
    if xparse:
        spec = _xparse_spec(m.read_group() or [])
        arity, default = len(spec), None
    else:
        arity_arg = m.read_optional()
        digits = "".join(u[1] for u in arity_arg or () if u[1].isdigit())
        arity = min(int(digits), 9) if digits else 0
        default = m.read_optional()
        spec = ""
    begin = m.read_group()
    end = m.read_group()
    if begin is None or end is None:
        return
    params = tuple((6, str(i)) for i in range(1, arity + 1))
    m.define(
        env,
        Macro(
            params=params,
            body=_store(begin),
            arity=arity,
            optional=None if default is None else _store(default),
            spec=spec,
        ),
    )
    m.define("end" + env, Macro(params=(), body=_store(end)))


@register("newenvironment", "renewenvironment")
def _newenvironment(m: Machine, t: MTok) -> None:
    _environment(m, xparse=False)


@register("NewDocumentEnvironment", "RenewDocumentEnvironment", "DeclareDocumentEnvironment")
def _newdocumentenvironment(m: Machine, t: MTok) -> None:
    _environment(m, xparse=True)


@register("csdef", "csgdef", "csedef", "csxdef")
def _csdef(m: Machine, t: MTok) -> None:
    name = m.read_group()
    body = m.read_group()
    if name is None or body is None:
        return
    expanded = m.expand_list(name)
    key = "".join(u[1] for u in expanded if u[0] != CSEQ)
    if t[1] in ("csedef", "csxdef"):
        body = m.expand_list(body)
    m.define(key, Macro(params=(), body=_store(body)), t[1] in ("csgdef", "csxdef"))


@register("newif")
def _newif(m: Machine, t: MTok) -> None:
    name = m.next()
    if name is None or name[0] != CSEQ or not name[1].startswith("if"):
        return
    base = name[1][2:]
    m.define(name[1], Flag(False), True)
    m.define(base + "true", SetFlag(name[1], True), True)
    m.define(base + "false", SetFlag(name[1], False), True)


@register("chardef", "mathchardef")
def _chardef(m: Machine, t: MTok) -> None:
    name = m.next()
    if name is None or name[0] not in (CSEQ, ACTIVE):
        return
    m.read_equals()
    m.define(key_of(name), Const(m.scan_int()))


@register("newwrite", "newread", "newbox", "newtoks", "newdimen", "newskip", "newmuskip")
def _allocate(m: Machine, t: MTok) -> None:
    name = m.next()
    if name is not None and name[0] in (CSEQ, ACTIVE):
        # \newwrite allocates 0..15: never the shell's 18
        m.define(key_of(name), Const(0 if t[1] in ("newwrite", "newread") else None), True)


@register("newcount", "countdef")
def _newcount(m: Machine, t: MTok) -> None:
    name = m.next()
    if name is None or name[0] not in (CSEQ, ACTIVE):
        return
    if t[1] == "countdef":
        m.read_equals()
        number = m.scan_int()
        m.define(key_of(name), Alias("register"))
        m.define(f"reg:{name[1]}", Const(None if number is None else _count_value(m, number)))
        return
    m.define(key_of(name), Alias("register"), True)
    m.define(f"reg:{name[1]}", Const(0), True)


def _count_value(m: Machine, number: int) -> int | None:
    known = m.lookup_key(f"reg:{number}")
    return known.value if isinstance(known, Const) else None


def _assign_register(m: Machine, key: str, value: int | None) -> None:
    m.define(key, Const(value))


@register("register")
def _register_assignment(m: Machine, t: MTok) -> None:
    m.read_equals()
    _assign_register(m, m.register_key(t), m.scan_int())


@register("count")
def _count(m: Machine, t: MTok) -> None:
    number = m.scan_int()
    m.read_equals()
    value = m.scan_int()
    if number is not None:
        _assign_register(m, f"reg:{number}", value)


@register("advance", "multiply", "divide")
def _arith(m: Machine, t: MTok) -> None:
    target = m.get_x()
    if target is None:
        return
    meaning = m.meaning(target)
    if isinstance(meaning, Alias) and meaning.target == "register":
        key = m.register_key(target)
    elif isinstance(meaning, Alias) and meaning.target == "count":
        number = m.scan_int()
        key = f"reg:{number}"
    else:
        return
    _skip_keyword(m, "by")
    amount = m.scan_int()
    old = m.register(key)
    if old is None or amount is None:
        _assign_register(m, key, None)
    elif t[1] == "advance":
        _assign_register(m, key, old + amount)
    elif t[1] == "multiply":
        _assign_register(m, key, old * amount if abs(old * amount) < 2**31 else None)
    else:
        _assign_register(m, key, int(old / amount) if amount else None)


def _skip_keyword(m: Machine, word: str) -> None:
    seen: list[MTok] = []
    t = m.get_x()
    while t is not None and t[0] == SPACE:
        t = m.get_x()
    while (
        t is not None and len(seen) < len(word) and t[0] != CSEQ and t[1].lower() == word[len(seen)]
    ):
        seen.append(t)
        t = m.get_x()
    if len(seen) < len(word):
        m.s.push([*seen, *([t] if t is not None else [])])
    elif t is not None:
        m.s.back(t)


# -- grouping and environments -----------------------------------------------------------------


@register("begingroup", "bgroup")
def _begingroup(m: Machine, t: MTok) -> None:
    m.begin_group()


@register("endgroup", "egroup")
def _endgroup(m: Machine, t: MTok) -> None:
    m.end_group()


@register("begin")
def _begin(m: Machine, t: MTok) -> None:
    group = m.read_group()
    if group is None:
        return
    env = render(group).strip()
    m.begin_group()
    env_handler = m.handlers.get("env:" + env)
    if env_handler is not None:
        env_handler(m, (t[0], env, t[2], t[3], t[4]))
        return
    meaning = m.lookup_key(env)
    if isinstance(meaning, Macro):
        m.expand_macro((CSEQ, env, t[2], t[3], t[4]), meaning)


@register("end")
def _end(m: Machine, t: MTok) -> None:
    group = m.read_group()
    if group is None:
        return
    env = render(group).strip()
    meaning = m.lookup_key("end" + env)
    if isinstance(meaning, Macro):
        m.expand_macro((CSEQ, "end" + env, t[2], t[3], t[4]), meaning)
    elif env == "document":
        m.ended = True  # LaTeX stops reading here
    m.end_group()


@register("endinput")
def _endinput(m: Machine, t: MTok) -> None:
    m.end_at_eol = True  # TeX finishes the current line, then stops reading the file


@register("enddocument", "@@end", "stop")
def _stop(m: Machine, t: MTok) -> None:
    m.ended = True


# -- expansion ----------------------------------------------------------------------------------


@register("csname", expandable=True)
def _csname(m: Machine, t: MTok) -> None:
    name: list[str] = []
    via: set[str] = set(t[4])
    end = t[3]
    while True:
        u = m.get_x()
        if u is None:
            raise Abort  # runaway \csname
        if u[0] == CSEQ:
            meaning = m.meaning(u)
            if isinstance(meaning, Alias) and meaning.target == "endcsname":
                end = u[3]
                break
            if meaning is None:
                # a macro from a package texlean does not read: the name cannot be known
                m.report(
                    "SEC901",
                    t[2],
                    u[3],
                    (
                        ("what", "\\csname"),
                        ("reason_key", "frag-unknown-macro"),
                        ("cs", u[1]),
                    ),
                )
                raise Abort
            m.s.back(u)  # TeX: "Missing \endcsname inserted"
            break
        if u[0] < 0:
            break
        name.append(u[1])
        via.update(u[4])
        end = max(end, u[3])
        if len(name) > 256:
            break
    built = "".join(name)
    via.discard("!")
    if "jobname" in via and JOBNAME in built:
        # the name depends on the file's name, which whoever submits the file chooses
        # (compiled as write.tex, \csname\jobname\endcsname is \write)
        _report_jobname_name(m, t, end, built)
        return
    made: MTok = (CSEQ, built, t[2], end, (*sorted(via), "csname"))
    if m.lookup_key(built) is None:
        m.define(built, RELAX)  # TeX makes an unknown \csname name mean \relax
    m.s.back(made)


def _report_jobname_name(m: Machine, t: MTok, end: int, built: str) -> None:
    """A command named after the file: report it, and what it most likely is."""
    shown = built.replace(JOBNAME, "\u2039jobname\u203a")
    follows: list[MTok] = []
    u = m.next()
    while u is not None and len(follows) < 3 and u[0] in (OTHER, SPACE):
        follows.append(u)
        u = m.next()
    if u is not None:
        follows.append(u)
    digits = "".join(v[1] for v in follows if v[0] == OTHER)
    if digits.startswith("18") and follows and follows[-1][0] == BEGIN:
        # \csname\jobname\endcsname18{…}: the one command this can be is \write18
        m.s.push(follows)
        m.handlers["write"](m, (CSEQ, "write", t[2], end, (*t[4], "csname", "jobname")))
        return
    m.s.push(follows)
    m.report(
        "SEC901",
        t[2],
        end,
        (
            ("what", f"\\csname {shown}"),
            ("reason_key", "frag-depends-on-jobname"),
        ),
    )


@register("endcsname")
def _endcsname(m: Machine, t: MTok) -> None:
    pass


@register("expandafter", expandable=True)
def _expandafter(m: Machine, t: MTok) -> None:
    first = m.next()
    second = m.next()
    if first is None or second is None:
        if first is not None:
            m.s.back(first)
        return
    expand_once(m, second)
    m.s.back((first[0], first[1], first[2], first[3], (*first[4], "expandafter")))


def expand_once(m: Machine, t: MTok) -> None:
    """One level of expansion of ``t`` (pushed back unchanged when not expandable)."""
    if not m.expand(t):
        m.s.back(t)


@register("noexpand", expandable=True)
def _noexpand(m: Machine, t: MTok) -> None:
    u = m.next()
    if u is not None:
        m.s.back((u[0], u[1], u[2], u[3], (*u[4], "!")))


@register("string", expandable=True)
def _string(m: Machine, t: MTok) -> None:
    u = m.next()
    if u is None:
        return
    text = u[1]
    if u[0] == CSEQ:
        escape = m.register("reg:escapechar")
        text = (chr(escape) if escape is not None and 0 <= escape < 0x110000 else "") + u[1]
    m.s.push(chars(text, (u[0], u[1], t[2], max(t[3], u[3]), t[4]), ("string",)))


@register("detokenize", expandable=True)
def _detokenize(m: Machine, t: MTok) -> None:
    group = m.read_group()
    if group is not None:
        m.s.push(chars(render(group), t, ("detokenize",)))


@register("number", expandable=True)
def _number(m: Machine, t: MTok) -> None:
    value = m.scan_int()
    if value is not None:
        m.s.push(chars(str(value), t, ("number",)))


_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip
ROMAN_LIMIT = 100_000_000  # \romannumeral of more makes 100,000 letters or more


def roman(n: int, limit: int = 2000) -> str:
    out: list[str] = []
    for value, letters in _ROMAN:
        while n >= value and len(out) < limit:
            out.append(letters)
            n -= value
    return "".join(out)


@register("romannumeral", expandable=True)
def _romannumeral(m: Machine, t: MTok) -> None:
    value = m.scan_int()
    if value is None:
        return
    if value >= ROMAN_LIMIT:
        m.report(
            "SEC605",
            t[2],
            t[3],
            (
                ("what_key", "frag-romannumeral"),
                ("value", f"{value:,}"),
                ("count", f"{value // 1000:,}"),
            ),
        )
    if value > 0:
        m.s.push(chars(roman(value), t, ("romannumeral",)))


JOBNAME = "jobname"  # what \\jobname stands for: analyses do not depend on the file's name


@register("jobname", expandable=True)
def _jobname(m: Machine, t: MTok) -> None:
    m.s.push(chars(JOBNAME, t, ("jobname",)))


@register("the", "showthe", expandable=True)
def _the(m: Machine, t: MTok) -> None:
    u = m.get_x()
    if u is None:
        return
    meaning = m.meaning(u)
    if isinstance(meaning, Alias) and meaning.target == "register":
        value = m.register_value(u)
    elif isinstance(meaning, Const):
        value = meaning.value
    elif isinstance(meaning, Alias) and meaning.target == "count":
        value = m.scan_int()
        value = None if value is None else _count_value(m, value)
    else:
        return
    if value is not None:
        m.s.push(chars(str(value), t, ("number",)))


@register("scantokens", expandable=True)
def _scantokens(m: Machine, t: MTok) -> None:
    group = m.read_group()
    if group is None:
        return
    end = max((u[3] for u in group), default=t[3])
    # the text is re-read from its characters: how its parts were written travels with it
    carried = tuple(dict.fromkeys(v for u in group for v in u[4] if not v.startswith("macro:")))
    m.s.push(m.scan_tokens(render(group), t[2], max(t[3], end), (*t[4], *carried, "scantokens")))


@register("lowercase", "uppercase")
def _case(m: Machine, t: MTok) -> None:
    group = m.read_group()
    if group is None:
        return
    lower = t[1] == "lowercase"
    table = "lc:" if lower else "uc:"
    out: list[MTok] = []
    for u in group:
        if u[0] in (CSEQ, ACTIVE) or u[0] < 0:
            out.append(u)
            continue
        c = u[1]
        code = m.lookup_key(table + c)
        if isinstance(code, Const):
            if code.value:  # a code of 0 leaves the character alone
                c = chr(code.value) if 0 < code.value < 0x110000 else c
        elif "A" <= c <= "Z" or "a" <= c <= "z":
            c = c.lower() if lower else c.upper()
        out.append((u[0], c, u[2], u[3], (*u[4], t[1]) if c != u[1] else u[4]))
    made = "".join(u[1] for u in out if u[0] not in (CSEQ, ACTIVE) and u[0] >= 0)
    hidden = next((name for name in DANGEROUS if len(name) > 3 and name in made), None)
    original = "".join(u[1] for u in group if u[0] not in (CSEQ, ACTIVE) and u[0] >= 0)
    if hidden is not None and made != original:
        # the case change spells the name of a dangerous command: report it where it
        # happens, and let the tokens say so (so the use does not report it again)
        m.report("SEC706", t[2], max(t[3], m.last_end), (("how", t[1]), ("name", hidden)))
        out = [
            (u[0], u[1], u[2], u[3], tuple("=" + v if v == t[1] else v for v in u[4])) for u in out
        ]
    m.s.push(out)


@register("lccode", "uccode")
def _casecode(m: Machine, t: MTok) -> None:
    code = m.scan_int()
    m.read_equals()
    value = m.scan_int()
    if code is not None and 0 <= code < 0x110000:
        m.define(("lc:" if t[1] == "lccode" else "uc:") + chr(code), Const(value))


@register("escapechar", "endlinechar", "newlinechar")
def _integer_parameter(m: Machine, t: MTok) -> None:
    m.read_equals()
    m.define(f"reg:{t[1]}", Const(m.scan_int()))


# -- conditionals -------------------------------------------------------------------------------


def _compare(m: Machine) -> bool | None:
    a = m.scan_int()
    rel = m.get_x()
    while rel is not None and rel[0] == SPACE:
        rel = m.get_x()
    b = m.scan_int()
    if a is None or b is None or rel is None or rel[1] not in "<=>":
        return None
    m.last_compare = (a, b, rel[1])
    return {"<": a < b, "=": a == b, ">": a > b}[rel[1]]


def _same_meaning(m: Machine, a: MTok, b: MTok) -> bool | None:
    if a[0] not in (CSEQ, ACTIVE) and b[0] not in (CSEQ, ACTIVE):
        return a[0] == b[0] and a[1] == b[1]
    ma, mb = m.meaning(a), m.meaning(b)
    if ma is None or mb is None:
        if a[0] == b[0] and a[1] == b[1]:
            return True
        return None  # a command texlean does not know
    return ma == mb


@register(*CONDITIONALS, expandable=True)
def _if(m: Machine, t: MTok) -> None:
    name = t[1] if t[0] == CSEQ else ""
    meaning = m.meaning(t)
    kind = meaning.target if isinstance(meaning, Alias) else name
    value: bool | None = None
    if kind == "iftrue":
        value = True
    elif kind == "iffalse":
        value = False
    elif kind in ("ifnum", "ifdim"):
        value = _compare(m) if kind == "ifnum" else None
    elif kind == "ifodd":
        n = m.scan_int()
        value = None if n is None else n % 2 == 1
    elif kind == "ifx":
        a, b = m.next(), m.next()
        value = None if a is None or b is None else _same_meaning(m, a, b)
    elif kind in ("if", "ifcat"):
        a, b = m.get_x(), m.get_x()
        if (
            a is not None
            and b is not None
            and a[0] not in (CSEQ, ACTIVE)
            and b[0] not in (CSEQ, ACTIVE)
        ):
            value = a[1] == b[1] if kind == "if" else a[0] == b[0]
    elif kind == "ifdefined":
        u = m.next()
        value = None if u is None or m.meaning(u) is None else True
    elif kind == "ifcsname":
        _csname(m, t)
        u = m.next()
        value = None if u is None or m.meaning(u) in (None, RELAX) else True
    elif kind == "ifcase":
        m.scan_int()
    m.conditional(t, value)


@register("else", "or", expandable=True)
def _else(m: Machine, t: MTok) -> None:
    state = m.conds[-1] if m.conds else "unknown"
    if state in ("true", "else"):
        m.skip_branch(stop_at_else=False)  # the branch taken ended: skip to \fi
    # unknown: both branches run


@register("fi", expandable=True)
def _fi(m: Machine, t: MTok) -> None:
    if m.conds:
        m.conds.pop()


@register("unless", expandable=True)
def _unless(m: Machine, t: MTok) -> None:
    u = m.next()
    if u is None:
        return
    before = len(m.conds)
    expand_once(m, u)
    if len(m.conds) > before and m.conds[-1] == "true":
        # the test was true: \unless makes it false
        m.conds[-1] = "false"
        if m.skip_branch(stop_at_else=True) == "else":
            m.conds[-1] = "else"
    elif len(m.conds) == before + 1 and m.conds[-1] == "else":
        m.conds[-1] = "true"


# Plain TeX's \loop, so that loops run as TeX runs them (and endless ones are caught).
LOOP_MACROS: dict[str, Meaning] = {
    "loop": Macro(
        params=((6, "1"), (CSEQ, "repeat")),
        body=(
            (CSEQ, "def"), (CSEQ, "body"), (BEGIN, "{"), (6, "1"), (END, "}"), (CSEQ, "iterate"),
        ),
        arity=1,
    ),
    "iterate": Macro(
        params=(),
        body=(
            (CSEQ, "body"), (CSEQ, "let"), (CSEQ, "next"), (CSEQ, "iterate"), (CSEQ, "else"),
            (CSEQ, "let"), (CSEQ, "next"), (CSEQ, "relax"), (CSEQ, "fi"), (CSEQ, "next"),
        ),
    ),
    "repeat": Alias("fi"),
    "bgroup": CharMeaning(BEGIN, "{"),
    "egroup": CharMeaning(END, "}"),
}  # fmt: skip


def _cs(name: str) -> StoredToken:
    return (CSEQ, name)


def _p(n: int) -> StoredToken:
    return (6, str(n))


# What the LaTeX kernel defines that documents use to build names and loops.
KERNEL_MACROS: dict[str, Meaning] = {
    "@gobble": Macro(params=(_p(1),), body=(), arity=1),
    "@gobbletwo": Macro(params=(_p(1), _p(2)), body=(), arity=2),
    "@firstofone": Macro(params=(_p(1),), body=(_p(1),), arity=1),
    "@iden": Macro(params=(_p(1),), body=(_p(1),), arity=1),
    "@firstoftwo": Macro(params=(_p(1), _p(2)), body=(_p(1),), arity=2),
    "@secondoftwo": Macro(params=(_p(1), _p(2)), body=(_p(2),), arity=2),
    "@empty": Macro(params=(), body=()),
    "z@": Const(0),
    "@ne": Const(1),
    "m@ne": Const(-1),
    "tw@": Const(2),
    "thr@@": Const(3),
    "sixt@@n": Const(16),
    "@cclv": Const(255),
    "@cclvi": Const(256),
    "@m": Const(1000),
    "@M": Const(10000),
    "@MM": Const(20000),
    "numexpr": Alias("numexpr"),
    # \@whilenum and \@iwhilenum as latex.ltx defines them
    "@whilenum": Macro(
        params=(_p(1), _cs("do"), _p(2)),
        body=(
            _cs("ifnum"), _p(1), _cs("relax"), _p(2), _cs("relax"), _cs("@iwhilenum"),
            (BEGIN, "{"), _p(1), _cs("relax"), _p(2), _cs("relax"), (END, "}"), _cs("fi"),
        ),
        arity=2,
    ),
    "@iwhilenum": Macro(
        params=(_p(1),),
        body=(
            _cs("ifnum"), _p(1), _cs("expandafter"), _cs("@iwhilenum"), _cs("else"),
            _cs("expandafter"), _cs("@gobble"), _cs("fi"), (BEGIN, "{"), _p(1), (END, "}"),
        ),
        arity=1,
    ),
}  # fmt: skip
LOOP_MACROS.update(KERNEL_MACROS)

LOOP_NAMES = frozenset({"iterate", "body", "@iwhilenum", "@whilenum", "whiledo"})


# -- LaTeX counters and ifthen's \whiledo ------------------------------------------------------


def _counter_key(m: Machine) -> str | None:
    group = m.read_group()
    if group is None:
        return None
    return "reg:c@" + render(m.expand_list(group)).strip()


@register("newcounter")
def _newcounter(m: Machine, t: MTok) -> None:
    key = _counter_key(m)
    m.read_optional()
    if key is not None:
        m.define(key[4:], Alias("register"), True)
        m.define(key, Const(0), True)


def _group_number(m: Machine) -> int | None:
    group = m.read_group()
    if group is None:
        return None
    m.s.back((CSEQ, "relax", 0, 0, NO_VIA))
    m.s.push(group)
    value = m.scan_int()
    u = m.get_x()
    while u is not None and not (u[0] == CSEQ and u[1] == "relax"):
        u = m.get_x()
    return value


@register("setcounter", "addtocounter")
def _setcounter(m: Machine, t: MTok) -> None:
    key = _counter_key(m)
    value = _group_number(m)
    if key is None:
        return
    if t[1] == "addtocounter":
        old = m.register(key)
        value = None if old is None or value is None else old + value
    m.define(key, Const(value), True)


@register("stepcounter", "refstepcounter")
def _stepcounter(m: Machine, t: MTok) -> None:
    key = _counter_key(m)
    if key is not None:
        old = m.register(key)
        m.define(key, Const(None if old is None else old + 1), True)


@register("value", expandable=True)
def _value(m: Machine, t: MTok) -> None:
    key = _counter_key(m)
    if key is not None:
        m.s.back((CSEQ, key[4:], t[2], t[3], t[4]))


@register("arabic", "roman", "Roman", "alph", "Alph", expandable=True)
def _arabic(m: Machine, t: MTok) -> None:
    key = _counter_key(m)
    value = None if key is None else m.register(key)
    if value is not None:
        m.s.push(chars(str(value), t, ("number",)))


MAX_LOOP_ROUNDS = 20_000


@register("whiledo")
def _whiledo(m: Machine, t: MTok) -> None:
    """ifthen's \\whiledo{test}{body}, for numeric tests: run while the test holds."""
    test = m.read_group()
    body = m.read_group()
    if test is None or body is None:
        return
    m.trigger = t
    for rounds in range(MAX_LOOP_ROUNDS):
        before = m.assignments
        m.s.back((CSEQ, "relax", 0, 0, NO_VIA))
        m.s.push(test)
        holds = _compare(m)
        u = m.get_x()
        while u is not None and not (u[0] == CSEQ and u[1] == "relax"):
            u = m.get_x()
        if not holds:
            return  # false, or a test texlean cannot decide: stop following
        m.run_list(body)
        if m.assignments == before:
            m.report_loop("whiledo", "frag-loop-repeats-forever")
            raise Abort
        if rounds and rounds % 1000 == 0:
            m.check_loop_progress("whiledo", m.loop_mark, m.last_compare)
            m.loop_mark = m.last_compare


# LaTeX's definition commands are all handled above; the structure analysis reads the same table.
assert {"def", "newcommand", "newenvironment"} <= set(DEFINITION_COMMANDS)

__all__ = ["LOOP_MACROS", "NO_VIA", "expand_once", "roman"]
