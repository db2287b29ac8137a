"""texlean.analysis.security.lua: what a Lua chunk reaches under LuaTeX.

The analysis must see through the usual disguises (aliases, computed names,
escapes in strings, ``load`` of constant code) and must not be fooled by
mentions in comments and strings.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texlean.analysis.security.lua import (
    EOF,
    KEYWORD,
    NAME,
    NUMBER,
    OP,
    STRING,
    Reach,
    analyse_lua,
    lex,
)

# -- the lexer ------------------------------------------------------------------------------


def shown(reaches: tuple[Reach, ...]) -> tuple[str, ...]:
    """What a verdict lists, as shown in English."""
    return tuple(r.english() for r in reaches)


def test_lexer_tokens() -> None:
    assert lex("local x = 0x1F + 1.5e3 .. 'a' -- comment\n") == [
        (KEYWORD, "local"),
        (NAME, "x"),
        (OP, "="),
        (NUMBER, "0x1F"),
        (OP, "+"),
        (NUMBER, "1.5e3"),
        (OP, ".."),
        (STRING, "a"),
        (EOF, ""),
    ]


@pytest.mark.parametrize(
    ("source", "value"),
    [
        (r'"\111\115"', "os"),
        (r'"\x6f\x73"', "os"),
        (r'"\u{6F}s"', "os"),
        (r'"a\z   b"', "ab"),
        (r'"a\"b"', 'a"b'),
        (r"'it\'s'", "it's"),
        (r'"tab\tnl\n"', "tab\tnl\n"),
        ('"line\\\nnext"', "line\nnext"),
        ("[[long]]", "long"),
        ("[[\nfirst newline dropped]]", "first newline dropped"),
        ("[==[a]]b]=]c]==]", "a]]b]=]c"),
        ('"unfinished\nx', "unfinished"),
        ("[[never closed", "never closed"),
    ],
)
def test_lexer_strings(source: str, value: str) -> None:
    assert lex(source)[0] == (STRING, value)


@pytest.mark.parametrize(
    "source",
    [
        "-- os.execute('x')\nx = 1",
        "--[[ os.execute('x') ]] x = 1",
        "--[==[ os.execute ]] still a comment ]==] x = 1",
        "--[[ unterminated os.execute",
    ],
)
def test_lexer_drops_comments(source: str) -> None:
    names = [v for k, v in lex(source) if k == NAME]
    assert "os" not in names


# -- compute only -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "",
        "print(2+3)",
        "tex.print(string.format('%d', 2^10))",
        "tex.sprint(math.floor(2.5)); texio.write_nl('log')",
        "local t = {} table.insert(t, 1) tex.print(table.concat(t, ','))",
        "local n = node.new('glyph'); token.get_macro('x'); font.getfont(1)",
        "for i = 1, 10 do tex.print(i) end",
        "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end",
        "-- os.execute('rm -rf /')\nprint(1)",
        "--[[ io.popen('x') ]] print(1)",
        "print('os.execute(\"rm -rf /\")')",
        "print([[io.open('/etc/passwd')]])",
        "local s = 'load' print(s)",
        "local x = ('os')",
        "local x = string.upper('os')",
        "os.date('%Y'); os.time(); os.clock()",
        "local ok = type(x) == 'table'",
        "local t = setmetatable({}, {__index = function(t, k) return k end})",
        "io.write('hello')",
        "local x <const> = 1",
        "goto done; ::done::",
        "local s = ('x'):rep(3) .. ('%s'):format('y')",
    ],
)
def test_compute_only(code: str) -> None:
    verdict = analyse_lua(code)
    assert verdict.computes_only, verdict
    assert verdict.shell == verdict.files == verdict.dynamic == ()


# -- shell ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "what"),
    [
        ("os.execute('rm -rf /')", "os.execute"),
        ("io.popen('ls'):read('a')", "io.popen"),
        ("os.exec({'sh'})", "os.exec"),
        ("os.spawn('x')", "os.spawn"),
        ("os.kpsepopen('kpsewhich x')", "os.kpsepopen"),
        ("local e = os.execute; e('x')", "os.execute"),
        ("local o = os; o.execute('x')", "os.execute"),
        ("local o = os\nlocal p = o\np.execute('x')", "os.execute"),
        ("os['execute']('x')", "os.execute"),
        ("os[ [[execute]] ]('x')", "os.execute"),
        ("_G['os']['execute']('x')", "os.execute"),
        ("_G.os.execute('x')", "os.execute"),
        ("_ENV.os.execute('x')", "os.execute"),
        ("_G['o'..'s'].execute('x')", "os.execute"),
        ("_G[('os')].execute('x')", "os.execute"),
        ('_G["\\111\\115"]["\\101xecute"]("x")', "os.execute"),
        ("_G[string.char(111, 115)].execute('x')", "os.execute"),
        ("_G[string.char(0x6f, 110 + 5)].execute('x')", "os.execute"),
        ("local c = string.char; _G[c(111,115)].execute('x')", "os.execute"),
        ("os[('etucexe'):reverse()]('x')", "os.execute"),
        ("os[('EXECUTE'):lower()]('x')", "os.execute"),
        ("os[('xexecutex'):sub(2, -2)]('x')", "os.execute"),
        ("os[('%s%s'):format('exe', 'cute')]('x')", "os.execute"),
        ("os[('%c%c%c%c%c%c%c'):format(101,120,101,99,117,116,101)]('x')", "os.execute"),
        ("os[table.concat({'exe', 'cute'})]('x')", "os.execute"),
        ("os[('eXecute'):gsub('X', 'x')]('x')", "os.execute"),
        ("io[({'popen'})[1]]('x')", "io.popen"),
        ("local k = 'exe' k = k .. 'cute' os[k]('x')", "os.execute"),
        ("load('return os')().execute('x')", "os.execute"),
        ("load('return os.execute')()('x')", "os.execute"),
        ("load('os.execute(\"x\")')()", "os.execute"),
        ("loadstring('os.execute(1)')()", "os.execute"),
        ("load([[load('return os')().execute(1)]])()", "os.execute"),
        ("load('return ' .. 'os')().execute('x')", "os.execute"),
        ("local f = load; f('os.execute(1)')()", "os.execute"),
        ("rawget(_G, 'os').execute('x')", "os.execute"),
        ("require('os').execute('x')", "os.execute"),
        ("require 'io' .popen('x')", "io.popen"),
        ("package.loaded.os.execute('x')", "os.execute"),
        ("package.loaded['io'].popen('x')", "io.popen"),
        ("local t = {o = os}; t.o.execute('x')", "os.execute"),
        ("local t = {}; t.o = os; t.o.execute('x')", "os.execute"),
        ("local function g() return os end g().execute('x')", "os.execute"),
        ("local function run(lib) lib.execute('x') end run(os)", "os.execute"),
        ("pcall(os.execute, 'x')", "os.execute"),
        ("select(2, pcall(load, 'return os')).execute('x')", "os.execute"),
        ("setmetatable({}, {__index = _G}).os.execute('x')", "os.execute"),
        ("x = os; x.execute('y')", "os.execute"),
        ("_G.x = os; x.execute('y')", "os.execute"),
        ("if true then do while true do os.execute('x') end end end", "os.execute"),
        ("function a.b:c() os.execute('x') end", "os.execute"),
        ("local t = {f = function() return io.popen('x') end}", "io.popen"),
        ("do local os = {} end os.execute('x')", "os.execute"),  # another scope's os
    ],
)
def test_shell(code: str, what: str) -> None:
    verdict = analyse_lua(code)
    assert what in shown(verdict.shell), verdict
    assert not verdict.computes_only


# -- files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "what"),
    [
        ("io.open('/etc/passwd'):read('a')", "io.open"),
        ("for l in io.lines('x') do end", "io.lines"),
        ("io.input('x'); io.read()", "io.input"),
        ("io.output('x'); io.write('y')", "io.output"),
        ("os.remove('x')", "os.remove"),
        ("os.rename('a', 'b')", "os.rename"),
        ("os.tmpname()", "os.tmpname"),
        ("lfs.mkdir('x')", "lfs.mkdir"),
        ("lfs.attributes('x')", "lfs.attributes"),
        ("for f in lfs.dir('.') do end", "lfs.dir"),
        ("dofile('x.lua')", "dofile"),
        ("loadfile('x.lua')()", "loadfile"),
        ("local f = loadfile; f('x')", "loadfile"),
        ("kpse.find_file('x.tex')", "kpse.find_file"),
        ("tex.print(os.getenv('AWS_SECRET_ACCESS_KEY'))", "os.getenv"),
        ("os.setenv('openout_any', 'a')", "os.setenv"),
        ("local l = lfs; l['touch']('x')", "lfs.touch"),
        ("_G[string.char(105,111)].open('x')", "io.open"),
    ],
)
def test_files(code: str, what: str) -> None:
    verdict = analyse_lua(code)
    assert what in shown(verdict.files), verdict
    assert not verdict.shell
    assert not verdict.computes_only


def test_texio_writes_to_the_log_only() -> None:
    assert analyse_lua("texio.write_nl('term and log', 'x')").computes_only


# -- dynamic ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "what"),
    [
        ("load(io.read())()", "load (code computed at run time)"),
        ("loadstring(x)()", "loadstring (code computed at run time)"),
        ("load(string.dump(f))", "string.dump"),
        ("load('\\27LuaS...')", "load (precompiled bytecode)"),
        ("require('socket')", 'require "socket"'),
        ("require(name)", "require (computed name)"),
        ("package.loadlib('x.so', 'f')()", "package.loadlib"),
        ("package.path = package.path .. ';/tmp/?.lua'", "package.path"),
        ("debug.getinfo(1)", "debug.getinfo"),
        ("debug.sethook(f, 'c')", "debug.sethook"),
        ("setfenv(1, {})", "setfenv"),
        ("getfenv().os.execute('x')", "getfenv"),
        ("string.dump(f)", "string.dump"),
        ("('').dump(f)", "string.dump"),
        ("getmetatable('').__index.dump(f)", "string.dump"),
        ("local k = io.read(); _G[k]('x')", "_G[computed]"),
        ("local k = f(); os[k]('x')", "os[computed]"),
        ("_ENV[name]()", "_G[computed]"),
        ("local x = string[name]", "string[computed]"),
        # a table of constants that changes is no longer constant
        ("local t = {'o'} t[2] = 's' _G[table.concat(t)].execute('x')", "_G[computed]"),
        ("local t = {'o'} table.insert(t, 's') _G[table.concat(t)].execute('x')", "_G[computed]"),
        ("local t = {'io'} t[1] = 'os' _G[t[1]].execute('x')", "_G[computed]"),
        ("f(os)", "os (used as a value)"),
        ("print(_G)", "_G (used as a value)"),
        ("for k, v in pairs(os) do v('x') end", "os (used as a value)"),
        ("local t = {io}", "io (used as a value)"),
        ("x = io", "io (used as a value)"),  # a global: other chunks can reach it
        ("pcall(load, s)", "load (code computed at run time)"),
        ("local l = {load}; l[1](s)()", "load (used as a value)"),
        ("local _ENV = {os = os}", "_ENV replaced"),
        (
            "callback.register('process_input_buffer', function(l) return l end)",
            "callback process_input_buffer",
        ),
        ("luatexbase.add_to_callback('open_read_file', f, 'x')", "callback open_read_file"),
        ("callback.register(name, f)", "callback (computed name)"),
        ("lua.setbytecode(1, f)", "lua.setbytecode"),
    ],
)
def test_dynamic(code: str, what: str) -> None:
    verdict = analyse_lua(code)
    assert what in shown(verdict.dynamic), verdict
    assert not verdict.computes_only


def test_harmless_callbacks_are_not_dynamic() -> None:
    code = "luatexbase.add_to_callback('pre_linebreak_filter', function(h) return h end, 'x')"
    assert analyse_lua(code).computes_only


def test_require_of_a_library_is_that_library() -> None:
    assert analyse_lua("local s = require('string'); s.format('%d', 1)").computes_only


def test_local_variable_named_like_a_parameter_is_not_computed_access() -> None:
    code = "local function f(s) return s end local s = 'os' tex.print(_G[s] == nil)"
    verdict = analyse_lua(code)
    assert "_G[computed]" in shown(verdict.dynamic)  # s may be the parameter: unknown
    assert analyse_lua("local s = 'os' tex.print(_G[s] == nil)").computes_only


# -- what reaches TeX and the PDF ----------------------------------------------------------------


def test_tex_output_keeps_constant_strings() -> None:
    verdict = analyse_lua("tex.print('\\\\immediate\\\\write18{' .. 'ls}'); tex.sprint(-2, 'x')")
    assert verdict.tex_output == ("\\immediate\\write18{ls}", "x")
    assert verdict.computes_only  # the caller analyses the TeX


def test_tex_output_of_computed_text() -> None:
    code = "tex.print(string.char(92) .. 'input{/etc/passwd}')"
    assert analyse_lua(code).tex_output == ("\\input{/etc/passwd}",)
    assert analyse_lua("tex.print(x)").tex_output == ()


def test_pdf_output() -> None:
    code = "pdf.setcatalog('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>')"
    verdict = analyse_lua(code)
    assert verdict.pdf_output == ("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",)


# -- no false alarms from look-alikes -----------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "local myos = {execute = print}; myos.execute('x')",
        "local t = {}; t.execute = 1; t.popen = 2",
        "local execute = 1; print(execute)",
        "x.open('y')",  # an unknown table's open, nothing escaped
        "local s = 'os.execute'",
        "print(\"_G['os']\")",
    ],
)
def test_look_alikes(code: str) -> None:
    assert analyse_lua(code).computes_only, analyse_lua(code)


def test_assignment_to_a_library_member_is_not_a_use() -> None:
    assert analyse_lua("os.execute = nil; io.popen = nil").computes_only


def test_order_and_no_duplicates() -> None:
    verdict = analyse_lua("io.popen('a') os.execute('b') io.popen('c') os.execute('d')")
    assert shown(verdict.shell) == ("io.popen", "os.execute")


# -- bounded work ------------------------------------------------------------------------------


def _nested_load(depth: int) -> str:
    code = "os.execute('x')"
    for _ in range(depth):
        code = f"load({code!r})()"
    return code


def test_nested_load_within_the_bound_is_followed() -> None:
    assert shown(analyse_lua(_nested_load(4)).shell) == ("os.execute",)


def test_nested_load_past_the_bound_is_dynamic() -> None:
    verdict = analyse_lua(_nested_load(12))
    assert "load (nested too deeply to follow)" in shown(verdict.dynamic)
    assert not verdict.computes_only


HOSTILE = [
    "[[" * 50_000,
    "[=" * 50_000,
    "--[==[" * 20_000,
    '"\\' * 50_000,
    "(" * 100_000,
    "{" * 50_000,
    "load(" * 20_000 + "'x'" + ")" * 20_000,
    "x = " + " .. ".join(["'a'"] * 20_000),
    "if x then " * 5_000 + "os.execute(1)" + " end" * 5_000,
    "function f() " * 5_000 + "os.execute(1)" + " end" * 5_000,
    "local x = 1\n" * 50_000 + "os.execute(1)",
    "local s = ('x'):rep(1e9); _G[s]()",
    "local s = 'a' for i = 1, 100 do s = s .. s end _G[s]()",
    "".join(f"a{i} = a{i - 1} .. 'x' " for i in range(1, 5_000)),
    "a = a or os " * 10_000,
    "x" * 600_000,
]


@pytest.mark.parametrize("code", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_code_is_quick(code: str) -> None:
    start = time.perf_counter()
    verdict = analyse_lua(code)
    assert time.perf_counter() - start < 4.0
    if "os.execute" in code:
        assert "os.execute" in shown(verdict.shell)  # found by the parser or the flat scan


def test_code_past_the_bound_is_scanned_as_written() -> None:
    verdict = analyse_lua("local x = 1\n" * 50_000 + "io.popen('x')")
    assert "io.popen" in shown(verdict.shell)
    assert any("too long" in d for d in shown(verdict.dynamic))


def test_too_deep_nesting_is_reported() -> None:
    verdict = analyse_lua("(" * 1_000 + "1" + ")" * 1_000)
    assert any("nested" in d for d in shown(verdict.dynamic))
    assert not verdict.computes_only


_LUA_PIECES = st.sampled_from(
    [
        "os", "io", "_G", "_ENV", "load", "require", "string", "char", "execute", "popen",
        "(", ")", "[", "]", "{", "}", ".", ":", "..", ",", "=", ";", "'os'", '"\\111"',
        "[[", "]]", "--", "--[[", "local", "function", "end", "return", "if", "then", "do",
        "while", "for", "in", "111", "0x73", " ", "\n", "x", "f", "+", "#", "...", "[=[", "]=]",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LUA_PIECES, max_size=80).map(" ".join))
def test_never_raises_on_lua_soup(code: str) -> None:
    start = time.perf_counter()
    verdict = analyse_lua(code)
    assert time.perf_counter() - start < 2.0
    assert verdict.computes_only == (not (verdict.shell or verdict.files or verdict.dynamic))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_on_any_text(code: str) -> None:
    analyse_lua(code)


@pytest.mark.parametrize(
    "code",
    [
        # a counter and an accumulated string in loops: the analysis must settle
        # instead of learning one more value per pass ("aliases not followed")
        'local n = 0 for line in io.lines("notes.txt") do n = n + 1 end tex.print(n)',
        'local s = "" for i = 1, 10 do s = s .. "x" end tex.print(s)',
        "local t = 1 while t < 1000 do t = t * 2 end tex.print(t)",
    ],
)
def test_loops_reach_a_fixed_point(code: str) -> None:
    assert analyse_lua(code).dynamic == ()
