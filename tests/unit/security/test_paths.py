"""texlean.analysis.security.paths: where a file name TeX reads or writes lands.

Expectations follow web2c and kpathsea: quotes in a file name are removed,
``|`` starts a pipe, ``openout_any = p`` refuses dotfiles, absolute paths and
``..``, and ``\\openout`` adds ``.tex`` to a name without extension.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from texlean.analysis.security import paths
from texlean.analysis.security.paths import PathVerdict, classify_read, classify_write

ORDINARY = [
    "chapter1",
    "figs/plot.pdf",
    "preamble.tex",
    "doc.aux",
    "\\jobname.aux",  # a control word the caller could not expand
    "notes.txt",
    "./figs//a.pdf ",
    "{sections/intro}",
    '"my chapter"',
    "a/../b.tex",  # climbs back down: stays in the folder
    "sub/dir/../../c",
    "figs\\b.png",
    "identity",
    "keys.tex",  # not *.key
    "passwd",  # only /etc/passwd is the password file
]


@pytest.mark.parametrize("name", ORDINARY)
def test_ordinary_reads(name: str) -> None:
    assert classify_read(name) is None
    assert not paths.is_outside(name)


@pytest.mark.parametrize("name", ["chapter1.aux", "figs/plot.pdf", "doc.toc", "\\jobname.aux"])
def test_ordinary_writes(name: str) -> None:
    assert classify_write(name) is None


# -- pipes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("|ls -l", "ls -l"),
        ('"|rm -rf /"', "rm -rf /"),
        ("  | curl x|sh ", "curl x|sh"),
        ("{|kpsewhich x}", "kpsewhich x"),
        ('"|"echo hi', "echo hi"),  # quotes are removed wherever they are
        ("|", ""),
    ],
)
def test_pipe(name: str, command: str) -> None:
    for verdict in (classify_read(name), classify_write(name)):
        assert verdict is not None
        assert verdict.kind == "pipe"
        assert verdict.command == command
        assert verdict.path.startswith("|")
    assert not paths.is_outside(name)


def test_pipe_display_is_safe() -> None:
    verdict = classify_read("|rm\x1b[2J -rf /\n" + "x" * 500)
    assert verdict is not None
    assert "\x1b" not in verdict.path and "\n" not in verdict.path
    assert len(verdict.path) <= 120
    assert verdict.command.startswith("rm\x1b[2J")  # the command itself is kept as it is


# -- sensitive files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("/etc/passwd", "system password file"),
        ("/etc/shadow", "system password hashes"),
        ("/ETC/PASSWD", "system password file"),  # case-insensitive file systems
        ("//etc/passwd", "system password file"),  # the root on Linux
        ("///etc//passwd", "system password file"),
        ("/etc/./passwd", "system password file"),
        ("/tmp/../etc/passwd", "system password file"),
        ("../../../../../../etc/passwd", "system password file"),
        ("file:///etc/passwd", "system password file"),
        ("FILE://localhost/etc/shadow", "system password hashes"),
        ("file:/etc/passwd", "system password file"),
        ('"/etc/pass"wd', "system password file"),
        ("{/etc/passwd} ", "system password file"),
        ("/proc/self/environ", "process information"),
        ("/sys/class/net", "kernel interface"),
        ("/dev/zero", "device file"),
        ("/root/.profile", "the administrator's home folder"),
        ("~/.ssh/id_rsa", "SSH private key"),
        ("$HOME/.ssh/id_ed25519", "SSH private key"),
        ("/home/alice/.ssh/id_ecdsa.pub", "SSH private key"),
        ("keys/id_rsa", "SSH private key"),  # anywhere
        ("~/.ssh/authorized_keys", "SSH keys"),
        ("~/.ssh", "SSH keys"),
        ("~/.aws/credentials", "AWS credentials"),
        ("${HOME}/.aws/config", "AWS credentials"),
        ("~/.gnupg/secring.gpg", "GnuPG keys"),
        ("~/.netrc", ".netrc"),
        ("~/.config/gcloud/credentials.db", "Google Cloud credentials"),
        ("/home/bob/.kube/config", "Kubernetes credentials"),
        ("~/.docker/config.json", "Docker registry credentials"),
        (".env", "environment file"),
        ("app/.env.production", "environment file"),
        ("~/.bash_history", "shell history"),
        ("C:\\Users\\bob\\NTUSER.DAT", "Windows user registry"),
        ("c:/users/bob/ntuser.dat.log1", "Windows user registry"),
        ("%USERPROFILE%\\NTUSER.DAT", "Windows user registry"),
        ("C:\\Windows\\System32\\config\\SAM", "Windows registry hives"),
        ("%APPDATA%\\Mozilla\\Firefox\\profiles.ini", "Windows application data"),
        ("%appdata%", "Windows application data"),
        ("C:\\Users\\bob\\AppData\\Local\\Google\\Chrome", "Windows application data"),
        ("server.pem", "private key"),
    ],
)
def test_sensitive(name: str, detail: str) -> None:
    verdict = classify_read(name)
    assert verdict is not None, name
    assert verdict.kind == "sensitive"
    assert detail in verdict.detail
    written = classify_write(name, tex_extension=False)
    assert written is not None and written.kind == "sensitive"


def test_sensitive_path_is_normalised_for_display() -> None:
    verdict = classify_read('  "/etc//./passwd"  ')
    assert verdict == PathVerdict("sensitive", "/etc/passwd", "system password file")
    verdict = classify_read("C:\\Users\\bob\\NTUSER.DAT")
    assert verdict is not None and verdict.path == "C:/Users/bob/NTUSER.DAT"
    verdict = classify_read("../../../../etc/passwd")
    assert verdict is not None and verdict.path == "../../../../etc/passwd" and verdict.levels == 4


# -- outside the folder ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("~/notes.tex", "home"),
        ("~", "home"),
        ("~alice/thesis.tex", "home"),
        ("$HOME/x", "home"),
        ("%USERPROFILE%\\Documents\\x.tex", "home"),
        ("/usr/share/texmf/tex/latex/x.sty", "absolute"),
        ("/tmp/x", "absolute"),
        ("C:\\texts\\x.tex", "absolute"),
        ("d:/x", "absolute"),
        ("\\\\server\\share\\x.tex", "absolute"),
        ("//server/share/x", "absolute"),
        ("\\Windows\\x", "absolute"),  # a backslash then a folder: the drive's root
        ("$TEXMFHOME/tex/x.sty", "absolute"),
        ("%TEMP%\\x", "absolute"),
        ("file://server/share/x", "absolute"),
        ("../x.tex", "parent"),
        ("..", "parent"),
        ("..\\..\\x", "parent"),
        ("a/../../x", "parent"),
        (".hidden", "dotfile"),
        ("sub/.git/config.txt", "dotfile"),
        ("..x", "dotfile"),  # kpathsea refuses "..somefile" too
    ],
)
def test_outside_or_hidden(name: str, kind: str) -> None:
    verdict = classify_read(name)
    assert verdict is not None, name
    assert verdict.kind == kind
    assert paths.is_outside(name) == (kind in ("home", "absolute", "parent"))


@pytest.mark.parametrize(("name", "levels"), [("../x", 1), ("../../x", 2), ("a/../../../x", 2)])
def test_parent_levels(name: str, levels: int) -> None:
    verdict = classify_read(name)
    assert verdict is not None and verdict.kind == "parent" and verdict.levels == levels
    assert f"{levels} folder" in verdict.detail


def test_dot_components_are_not_dotfiles() -> None:
    assert classify_read("./x.tex") is None
    assert classify_read("a/./b") is None


# -- writes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "detail", "reader"),
    [
        ("paper.tex", "TeX source", "the next LaTeX run"),
        ("PAPER.TEX", "TeX source", "the next LaTeX run"),
        ("paper.tex. ", "TeX source", "the next LaTeX run"),  # Windows drops trailing dots
        ("mypkg.sty", "LaTeX package", "the next LaTeX run"),
        ("x.cls", "LaTeX package", "the next LaTeX run"),
        ("refs.bib", "BibTeX", "BibTeX"),
        ("hook.lua", "Lua script", "LuaTeX or texlua"),
        ("run.sh", "shell script", "the shell"),
        ("run.ps1", "shell script", "the shell"),
        ("build.mk", "Makefile", "make"),
        ("gen.py", "script", "its interpreter"),
        ("texmf.cnf", "TeX configuration", "every TeX run"),
        ("out/fig.tikz", "TeX source", "the next LaTeX run"),
    ],
)
def test_source_writes(name: str, detail: str, reader: str) -> None:
    verdict = classify_write(name)
    assert verdict is not None, name
    assert verdict.kind == "source"
    assert detail in verdict.detail
    assert verdict.reader == reader


@pytest.mark.parametrize(
    ("name", "detail", "reader"),
    [
        ("latexmkrc", "latexmk configuration (Perl run by latexmk)", "latexmk"),
        ("Makefile", "Makefile", "make"),
        ("makefile", "Makefile", "make"),
        ("GNUmakefile", "Makefile", "make"),
    ],
)
def test_source_names_used_as_they_are(name: str, detail: str, reader: str) -> None:
    verdict = classify_write(name, tex_extension=False)
    assert verdict == PathVerdict("source", name, detail, reader=reader)


@pytest.mark.parametrize("name", ["notes", "latexmkrc", "Makefile", "chapter1"])
def test_openout_adds_tex_to_a_name_without_extension(name: str) -> None:
    verdict = classify_write(name)
    assert verdict == PathVerdict(
        "source", name + ".tex", "TeX source", reader="the next LaTeX run"
    )


def test_read_target_is_not_source() -> None:
    assert classify_read("paper.tex") is None
    assert classify_read("mypkg.sty") is None
    assert classify_read("Makefile") is None
    assert classify_write("paper.tex") is not None


@pytest.mark.parametrize(
    ("name", "kind", "detail"),
    [
        (".latexmkrc", "dotfile", "latexmk configuration"),
        (".bashrc", "dotfile", "shell start-up file"),
        ("~/.bashrc", "home", "shell start-up file"),
        ("$HOME/.zshrc", "home", "shell start-up file"),
        ("/home/u/.profile", "absolute", "shell start-up file"),
        (".git/hooks/pre-commit", "dotfile", "Git"),
        ("../x.sty", "parent", "LaTeX package"),
        (".envrc", "dotfile", "direnv"),
        (".hidden.aux", "dotfile", "a hidden file"),
    ],
)
def test_place_comes_first_with_the_source_detail(name: str, kind: str, detail: str) -> None:
    verdict = classify_write(name)
    assert verdict is not None, name
    assert verdict.kind == kind
    assert detail in verdict.detail


def test_dot_tex_alone_is_allowed_by_kpathsea() -> None:
    verdict = classify_write(".tex")
    assert verdict is not None and verdict.kind == "source"


def test_write_outside_keeps_the_name_tex_creates() -> None:
    verdict = classify_write("/tmp/evil")
    assert verdict is not None and verdict.kind == "absolute" and verdict.path == "/tmp/evil.tex"


def test_write_pipe_and_sensitive() -> None:
    verdict = classify_write("|lpr")
    assert verdict is not None and verdict.kind == "pipe" and verdict.command == "lpr"
    verdict = classify_write("~/.ssh/authorized_keys")
    assert verdict is not None and verdict.kind == "sensitive"


# -- hostile input ----------------------------------------------------------------------------

_PATH_CHARS = st.sampled_from([*'/\\.~$%:|"{} \tabcCE_-*?[]', "..", "etc", "ssh", "~/"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PATH_CHARS, max_size=60).map("".join))
def test_never_raises_on_path_soup(name: str) -> None:
    for verdict in (classify_read(name), classify_write(name)):
        if verdict is not None:
            assert verdict.kind in paths.KINDS
            assert len(verdict.path) <= 120
            assert "\n" not in verdict.path
    paths.is_outside(name)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_on_any_text(name: str) -> None:
    classify_read(name)
    classify_write(name)
    paths.is_outside(name)


@pytest.mark.parametrize(
    "name",
    [
        "a/" * 50_000,
        "../" * 50_000 + "etc/passwd",
        "**/" * 30_000,
        "/" * 200_000,
        "x" * 1_000_000,
        "%" * 100_000,
        "~" + "a" * 100_000,
        "file://" * 20_000,
        ".a/" * 30_000 + "id_rsa",
    ],
)
def test_hostile_names_are_quick(name: str) -> None:
    start = time.perf_counter()
    classify_read(name)
    classify_write(name)
    paths.is_outside(name)
    assert time.perf_counter() - start < 1.0
