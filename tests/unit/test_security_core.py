"""Dangerous constructs as TeX reads them (texlean.analysis.security).

The obfuscation findings (SEC7xx) that accompany hidden constructs are
checked in tests/unit/security/test_machine.py; here only what a construct
does is checked.

The expectations follow what TeX (web2c) does: ``\\write18`` with stream
number 18 hands its text to the shell; a file name starting with ``|`` is a
pipe; ``openout_any = p`` refuses absolute paths and ``..``.  Comments,
verbatim bodies and ``\\verb`` are never executed.
"""

from __future__ import annotations

import pytest

from texlean.analysis.findings import Finding, Severity, Span
from texlean.analysis.present import present
from texlean.engine import Engine
from texlean.settings import Settings


def findings(text: str) -> list[Finding]:
    return [
        f
        for f in Engine(timeout_seconds=60).analyse_text(text).findings
        if f.code[:3] == "SEC" and not f.code.startswith("SEC7")
    ]


def one(text: str, code: str) -> Finding:
    found = findings(text)
    assert [f.code for f in found] == [code], found
    return found[0]


def message(f: Finding, **settings: str) -> str:
    s = Settings(**settings)  # type: ignore[arg-type]
    return present([f], s)[0].message


# -- \write18 -------------------------------------------------------------------------


def test_write18() -> None:
    f = one("\\write18{rm -rf /}", "SEC101")
    assert f.span == Span(0, 0, 0, 18)
    assert f.param("command") == "rm -rf /"
    assert "`rm -rf /`" in message(f)


def test_immediate_write18_span_starts_at_immediate() -> None:
    f = one("x \\immediate\\write18{ls -l}", "SEC101")
    assert f.span == Span(0, 2, 0, 27)
    assert f.param("command") == "ls -l"
    # across a line end and spaces too
    f = one("\\immediate  \n  \\write18{ls}", "SEC101")
    assert (f.span.line, f.span.col, f.span.end_line, f.span.end_col) == (0, 0, 1, 14)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("\\write 18 {ls}", "ls"),  # spaces around the number
        ("\\write18 {ls}", "ls"),
        ("\\write\n18{ls}", "ls"),  # an end of line after a control word is skipped
        ("\\write%\n18{ls}", "ls"),  # so is a comment and its line end
        ("\\write018{ls}", "ls"),  # TeX reads 018 as 18
        ('\\write"12{ls}', "ls"),  # hexadecimal 12
        ("\\write'22{ls}", "ls"),  # octal 22
        ("\\write--18{ls}", "ls"),  # two minus signs make a plus
        ("\\write+18{ls}", "ls"),
        ("\\write`\\^^R{ls}", "ls"),  # the character code of ^^R is 18
        ("\\write18{ls % a comment\n -l}", "ls -l"),
        ("\\write18{ls\n-l}", "ls -l"),
        ("\\write18", ""),  # no argument in sight: still a \write18
        ("\\write" + " " * 40 + "18{ls}", "ls"),
        ("\\write" + "+ " * 20 + "18{ls}", "ls"),
        ("\\write" + "0" * 40 + "18{ls}", "ls"),
        ("\\write" + "%\n" * 30 + "18{ls}", "ls"),
    ],
)
def test_write18_spellings(text: str, command: str) -> None:
    assert one(text, "SEC101").param("command") == command


@pytest.mark.parametrize(
    "text",
    [
        "^^5cwrite18{ls}",  # ^^5c is the backslash
        "\\wr^^69te18{ls}",
        "\\write^^31^^38{ls}",  # ^^31^^38 is 18
        "\\write18{^^6cs}",  # the command is decoded too
        "\\catcode`\\|=0 |write18{ls}",  # | made an escape character
        "\\catcode`\\|=0 |immediate|write18{ls}",
    ],
)
def test_write18_read_as_tex_reads_it(text: str) -> None:
    f = one(text, "SEC101")
    assert f.param("command") == "ls"
    assert f.span.end_col == len(text)


def test_write18_span_with_hat_hat_number() -> None:
    text = "\\write^^31^^38 x"
    f = one(text, "SEC101")
    # to the end of ^^38 and the one space TeX takes as the end of the number
    assert f.span == Span(0, 0, 0, 15)


@pytest.mark.parametrize(
    "text",
    [
        "\\write-18{ls}",  # negative: the log only
        "\\write180{ls}",
        "\\write1{ls}",
        "\\write1 8{ls}",  # the number ends at the space: stream 1
        "\\write\\@auxout{x}",
        "\\write\n\n18{ls}",  # a blank line is \par, not 18
        "\\write 12{ls}",
    ],
)
def test_other_streams_are_not_write18(text: str) -> None:
    assert findings(text) == []


# -- pipes ------------------------------------------------------------------------------------


def test_pipe_input() -> None:
    f = one('\\input|"ls /"', "SEC102")
    assert f.span == Span(0, 0, 0, 13)
    assert f.param("command") == "ls /"
    assert "`ls /`" in message(f)


def test_pipe_input_latex_form() -> None:
    f = one('\\input{|"curl x"}', "SEC102")
    assert f.param("command") == "curl x"
    assert f.span == Span(0, 0, 0, 17)


def test_pipe_input_of_a_restricted_command_runs_by_default() -> None:
    # kpsewhich is in TeX Live's shell_escape_commands: it runs without -shell-escape
    f = one('\\input{|"kpsewhich x"}', "SEC105")
    assert f.param("command") == "kpsewhich x"


@pytest.mark.parametrize(
    "text",
    [
        '\\input |"ls"',
        '\\input\n|"ls"',
        "\\input{|ls}",
        '\\input^^7c"ls"',  # ^^7c is |
        '\\makeatletter\\@@input|"ls"',  # \@@input: LaTeX's name for the primitive
        "\\input" + " " * 40 + '|"ls"',
        "\\input{" + " " * 40 + '|"ls"}',
    ],
)
def test_pipe_input_spellings(text: str) -> None:
    assert one(text, "SEC102").param("command") == "ls"


def test_openin_pipe() -> None:
    # TeX's file name ends at the space (checked with pdfTeX 1.40.24, TeX Live 2022:
    # \openin3=|echo hello world reads an empty line): the command is "cat"
    f = one("\\openin3=|cat /etc/passwd", "SEC103")
    assert f.span == Span(0, 0, 0, 14)
    assert f.param("command") == "cat"
    f = one('\\openin3=|"cat /etc/passwd"', "SEC103")
    assert f.param("command") == "cat /etc/passwd"


def test_openout_pipe() -> None:
    f = one("\\openout3=|cmd", "SEC104")
    assert f.span == Span(0, 0, 0, 14)
    assert f.param("command") == "cmd"
    f = one('\\immediate\\openout\\myfile = |"sh -c x"', "SEC104")
    assert f.param("command") == "sh -c x"


# -- files outside the folder -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path"),
    [
        # TeX adds .tex to a name without extension (pdfTeX: "Not writing to
        # /tmp/x/abs.tex (openout_any = p)")
        ("\\openout5=/etc/x", "/etc/x.tex"),
        ("\\openout5=../x", "../x.tex"),
        ("\\openout5=a/../../x", "../x.tex"),
        # an active ~ would end the name (it expands to \\nobreakspace): \\string~ is a ~
        ("\\openout5=\\string~/.bashrc", "~/.bashrc"),
        ("\\openout5={/etc/x}", "/etc/x.tex"),
        ('\\openout5="../x y"', "../x y.tex"),
        ("\\openout5=C:/Users/x", "C:/Users/x.tex"),
        ("\\openout5={\\jobname/../../x}", "../x.tex"),
    ],
)
def test_openout_outside(text: str, path: str) -> None:
    f = one(text, "SEC301")
    assert f.param("path") == path
    assert path in message(f)


def test_openout_span() -> None:
    assert one("\\openout5=/etc/x", "SEC301").span == Span(0, 0, 0, 16)


@pytest.mark.parametrize(
    "text",
    [
        "\\openout5=notes.txt",
        "\\openout5=sub/notes.txt",
        "\\openout\\f={out.aux}",
        "\\openout5",
        # a control sequence is expanded by TeX: \jobname is the document's own name
        "\\immediate\\openout\\f={\\jobname.tmp}",
        "\\openout\\f=\\jobname-out.tex",
    ],
)
def test_openout_inside_is_fine(text: str) -> None:
    assert findings(text) == []


# -- Lua --------------------------------------------------------------------------------------


def test_directlua_reaching_os() -> None:
    f = one('\\directlua{os.execute("ls")}', "SEC401")
    assert f.span == Span(0, 0, 0, 28)
    assert message(f).startswith("runs programs from Lua (os.execute)")


def test_directlua_reaching_several() -> None:
    codes = [f.code for f in findings('\\directlua{local f = io.open("x") require("lfs")}')]
    assert codes == ["SEC402"]  # io.open reaches files (require "lfs" loads a built-in library)


def test_directlua_computing_only() -> None:
    f = one("\\directlua{tex.print(1+1)}", "SEC404")
    assert message(f).endswith("it only computes")


def test_directlua_spelled_with_hat_hat() -> None:
    f = one('\\directlua{^^6fs.execute("id")}', "SEC401")  # ^^6f is o
    assert f.param("what:") == "os.execute"  # the name, worded when shown


# -- benign -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "% \\write18{ls}",
        "a % \\immediate\\write18{ls}\n",
        '\\begin{verbatim}\n\\write18{ls}\n\\input|"ls"\n\\end{verbatim}',
        "\\begin{lstlisting}\n\\directlua{os.exit()}\n\\end{lstlisting}",
        "\\begin{comment}\n\\openout5=/etc/x\n\\end{comment}",
        "\\verb|\\write18{ls}|",
        "\\verb+\\input|ls+",
        "\\url{\\write18{ls}}",
        "\\input{chapter1}",
        "\\input chapter1",
        "\\include{chapter2}",
        "\\texttt{\\textbackslash write18}",
        "write18{ls}",
    ],
)
def test_benign(text: str) -> None:
    assert findings(text) == []


# -- severity under the settings -------------------------------------------------------------------


def test_severity_depends_on_the_assumed_shell_escape() -> None:
    f = one("\\write18{ls}", "SEC101")
    assert present([f], Settings())[0].severity == Severity.WARNING
    assert present([f], Settings(assume_shell_escape="enabled"))[0].severity == Severity.ERROR
    assert present([f], Settings(rules={"SEC101": "off"})) == []
    assert present([f], Settings(ignore=("SEC101",))) == []
