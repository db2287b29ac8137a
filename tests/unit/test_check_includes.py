"""``texlean check`` follows \\input, \\include, \\subfile … inside the project root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from texlean.batch import includes
from texlean.batch.project import Builder, find_root

from .check_support import codes, run, write

PREAMBLE_ALIAS = (
    "\\documentclass{article}\n\\let\\x\\write\n\\begin{document}\n"
    "\\include{chapters/one}\n\\end{document}\n"
)
CHAPTER = "Some text.\n\\x18{rm -rf ~}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_alias_in_the_preamble_reaches_an_included_chapter(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(project, {"main.tex": PREAMBLE_ALIAS, "chapters/one.tex": CHAPTER})
    status, out, err = run(capsys, str(project))
    assert status == 1 and err == ""
    found = codes(out)
    # reported in the chapter, at its own line, once
    assert ("one.tex:2", "SEC101") in found
    assert found.count(("one.tex:2", "SEC101")) == 1
    assert "(under the name \\x)" in out
    # the chapter alone has no alias: no finding without includes
    status, out, _ = run(capsys, "--no-includes", str(project / "chapters" / "one.tex"))
    assert "SEC101" not in out


def test_a_chapter_given_alone_is_still_checked_standalone(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(project, {"main.tex": PREAMBLE_ALIAS, "chapters/one.tex": "}\n"})
    status, out, _ = run(capsys, str(project / "chapters" / "one.tex"))
    assert status == 1
    assert codes(out) == [("one.tex:1", "STR001")]


def test_an_included_file_given_too_is_reported_once(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(project, {"main.tex": PREAMBLE_ALIAS, "chapters/one.tex": CHAPTER + "}\n"})
    # the chapter first on the command line: still analysed as part of main.tex
    _, out, _ = run(capsys, str(project / "chapters" / "one.tex"), str(project / "main.tex"))
    found = codes(out)
    assert found.count(("one.tex:3", "STR001")) == 1
    assert ("one.tex:2", "SEC101") in found


def test_a_file_two_documents_include_is_reported_once(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(
        project,
        {
            "a.tex": "\\input{shared}\n",
            "b.tex": "\\input{shared}\n",
            "shared.tex": "\\write18{ls}\n",
        },
    )
    _, out, _ = run(capsys, str(project / "a.tex"), str(project / "b.tex"))
    assert codes(out) == [("shared.tex:1", "SEC101")]


def test_include_outside_the_root_is_refused_with_a_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    write(project, {".latexmkrc": "", "main.tex": "\\input{../secret}\n"})
    write(tmp_path, {"secret.tex": "\\write18{ls}\n"})
    _status, out, _ = run(capsys, str(project / "main.tex"))
    assert ("main.tex:1", "SEC901") in codes(out)
    assert "outside the project root" in out
    assert "SEC101" not in out  # the outside file was never read


def test_symlink_out_of_the_root_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    write(project, {".git/HEAD": "", "main.tex": "\\input{link}\n"})
    write(tmp_path, {"secret.tex": "\\write18{ls}\n"})
    os.symlink(tmp_path / "secret.tex", project / "link.tex")
    _, out, _ = run(capsys, str(project / "main.tex"))
    assert "outside the project root" in out
    assert "SEC101" not in out


def test_include_loop_is_skipped_with_a_note(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(
        project,
        {
            "main.tex": "\\documentclass{article}\n\\input{a}\n",
            "a.tex": "\\input{b}\n",
            "b.tex": "\\input{a}\n\\input{main}\n",
        },
    )
    status, out, _ = run(capsys, str(project))
    notes = [line for line in out.splitlines() if "SEC901" in line]
    assert len(notes) == 2 and all("include loop" in n for n in notes)
    assert all(n.startswith(str(project / "b.tex")) for n in notes)
    assert status == 0  # notes are information


def test_missing_include_is_a_note_not_an_error(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(
        project,
        {"main.tex": "\\input{nowhere}\n\\InputIfFileExists{optional}{}{}\n\\write18{ls}\n"},
    )
    status, out, err = run(capsys, str(project / "main.tex"))
    assert status == 1 and err == ""
    assert codes(out) == [("main.tex:1", "SEC901"), ("main.tex:3", "SEC101")]
    assert "no such file" in out


def test_positions_after_a_spliced_file_map_back(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(
        project,
        {
            "main.tex": "a \\input{mid} b\n}\n\\input{mid}\n\\write18{x}\n",
            "mid.tex": "one\ntwo\nthree\n",
        },
    )
    _, out, _ = run(capsys, "--format", "json", str(project / "main.tex"))
    import json

    items = json.loads(out)
    assert [(Path(i["path"]).name, i["range"]["start"]["line"], i["code"]) for i in items] == [
        ("main.tex", 1, "STR001"),
        ("main.tex", 3, "SEC101"),
    ]


def test_subfile_body_only_and_commented_includes_ignored(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(
        project,
        {
            "main.tex": "\\documentclass{article}\n\\let\\y\\write\n\\begin{document}\n"
            "% \\input{commented}\n\\subfile{sub}\n\\end{document}\n",
            "sub.tex": "\\documentclass[main]{subfiles}\n\\begin{document}\n"
            "\\y18{ls}\n\\end{document}\n",
            "commented.tex": "}\n",
        },
    )
    _status, out, _ = run(capsys, str(project / "main.tex"))
    # no STR findings from the subfile's own document environment, the alias applies
    assert codes(out) == [("sub.tex:3", "SEC101"), ("sub.tex:3", "SEC704")]
    assert "STR001" not in out


def test_scan_finds_include_forms() -> None:
    text = (
        "\\input{a}\\include{b}\n\\input c.tex\n\\subfile{d}\n\\import{dir/}{e}\n"
        '\\subimport{sub/}{f}\n\\input|"ls"\n\\input{\\jobname}\n\\includegraphics{g}\n'
        "\\begin{verbatim}\n\\input{h}\n\\end{verbatim}\n\\\\% \\input{i}\n"
    )
    found = [(i.command, i.directory, i.target, i.line) for i in includes.scan(text)]
    assert found == [
        ("input", "", "a", 0),
        ("include", "", "b", 0),
        ("input", "", "c.tex", 1),
        ("subfile", "", "d", 2),
        ("import", "dir/", "e", 3),
        ("subimport", "sub/", "f", 4),
    ]


def test_find_root(tmp_path: Path) -> None:
    write(tmp_path, {"repo/.git/HEAD": "", "repo/a/b/c.tex": "", "plain/d.tex": ""})
    assert find_root(tmp_path / "repo/a/b/c.tex") == (tmp_path / "repo").resolve()
    write(tmp_path, {"repo/a/latexmkrc": ""})
    assert find_root(tmp_path / "repo/a/b/c.tex") == (tmp_path / "repo/a").resolve()
    assert find_root(tmp_path / "plain/d.tex") == (tmp_path / "plain").resolve()


def test_depth_and_size_bounds(tmp_path: Path) -> None:
    files = {f"f{i}.tex": f"\\input{{f{i + 1}}}\n" for i in range(30)}
    files["f30.tex"] = "end\n"
    write(tmp_path, files)

    def read(p: Path) -> tuple[str | None, str | None]:
        return p.read_text(encoding="utf-8"), None

    unit = Builder(tmp_path, read, 10**6, str).build(tmp_path / "f0.tex", files["f0.tex"], "f0.tex")
    assert len(unit.source.files) == 17  # the root and 16 levels
    assert any("nested more than" in dict(n.params)["reason"] for _, n in unit.notes)
    small = Builder(tmp_path, read, 40, str).build(tmp_path / "f0.tex", files["f0.tex"], "f0")
    assert any("would exceed" in dict(n.params)["reason"] for _, n in small.notes)
