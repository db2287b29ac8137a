"""``texlean check`` (texlean.cli): output formats, exit status, unreadable input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from texlean import cli

CLEAN = "\\documentclass{article}\n\\begin{document}\nHello.\n\\end{document}\n"
DANGEROUS = "Text.\n\\immediate\\write18{rm -rf ~}\n"
BROKEN = "𝔽 and 😀 {\n"  # the brace is never closed


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "clean": tmp_path / "clean.tex",
        "dangerous": tmp_path / "dangerous.tex",
        "broken": tmp_path / "broken.tex",
    }
    paths["clean"].write_text(CLEAN, encoding="utf-8")
    paths["dangerous"].write_text(DANGEROUS, encoding="utf-8")
    paths["broken"].write_text(BROKEN, encoding="utf-8")
    return paths


# -- exit status and text output -------------------------------------------------------


def test_clean_file(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    status, out, err = run(capsys, str(files["clean"]))
    assert status == cli.EXIT_CLEAN == 0
    assert out == "" and err == ""


def test_findings_in_text_format(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    name = str(files["dangerous"])
    status, out, err = run(capsys, name)
    assert status == cli.EXIT_FINDINGS == 1
    assert err == ""
    # path:line:col (1-based): severity code message
    assert out.splitlines() == [
        f"{name}:2:1: warning SEC101 runs the shell command `rm -rf ~` when compiled with "
        "-shell-escape"
    ]


def test_text_columns_count_code_points(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    status, out, _ = run(capsys, str(files["broken"]))
    assert status == 1
    # "𝔽 and 😀 {": the brace is the 9th code point
    assert out.startswith(f"{files['broken']}:1:9: error STR002 ")


def test_json_format(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    status, out, err = run(
        capsys, "--format", "json", str(files["dangerous"]), str(files["broken"])
    )
    assert status == 1
    assert err == ""
    items: list[dict[str, Any]] = json.loads(out)
    assert items == [
        {
            "path": str(files["dangerous"]),
            "range": {
                "start": {"line": 1, "character": 0},
                "end": {"line": 1, "character": len("\\immediate\\write18{rm -rf ~}")},
            },
            "severity": "warning",
            "code": "SEC101",
            "category": "security",
            "message": "runs the shell command `rm -rf ~` when compiled with -shell-escape",
            "name": "shell-escape-write18",
        },
        {
            "path": str(files["broken"]),
            # code point 8, but 𝔽 and 😀 are two UTF-16 code units each: 10
            "range": {"start": {"line": 0, "character": 10}, "end": {"line": 0, "character": 11}},
            "severity": "error",
            "code": "STR002",
            "category": "structure",
            "message": items[1]["message"],
            "name": "unclosed-brace",
        },
    ]
    assert "never closed" in items[1]["message"]


def test_json_of_a_clean_file_is_an_empty_list(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    status, out, _ = run(capsys, "--format", "json", str(files["clean"]))
    assert status == 0
    assert json.loads(out) == []


def test_folders_are_searched_for_tex_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sub = tmp_path / "chapters"
    sub.mkdir()
    (sub / "one.tex").write_text("}\n", encoding="utf-8")
    (sub / "style.sty").write_text("\\def\\x{\n", encoding="utf-8")
    (sub / "notes.txt").write_text("}\n", encoding="utf-8")  # not TeX: not checked
    status, out, _ = run(capsys, str(tmp_path))
    assert status == 1
    reported = sorted(line.split(":")[0] for line in out.splitlines())
    assert reported == [str(sub / "one.tex"), str(sub / "style.sty")]


def test_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    fake = io.TextIOWrapper(io.BytesIO(b'\\input|"ls"\n'), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    status, out, _ = run(capsys, "-")
    assert status == 1
    assert out.startswith("<stdin>:1:1: warning SEC102 ")


def test_byte_order_mark_is_not_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bom.tex"
    path.write_bytes(b"\xef\xbb\xbf}")
    status, out, _ = run(capsys, str(path))
    assert status == 1
    assert f"{path}:1:1: error STR001" in out


# -- errors ---------------------------------------------------------------------------------


def test_missing_file_is_an_io_error_and_the_others_are_still_checked(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.tex"
    status, out, err = run(capsys, str(missing), str(files["dangerous"]))
    assert status == cli.EXIT_ERROR == 2
    assert err.startswith(f"texlean: cannot read {missing}: ")
    assert "SEC101" in out


def test_unreadable_file(
    capsys: pytest.CaptureFixture[str],
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "clean.tex":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    status, out, err = run(capsys, str(files["clean"]), str(files["broken"]))
    assert status == 2
    assert err == f"texlean: cannot read {files['clean']}: Permission denied\n"
    assert "STR002" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_without_read_permission(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    files["clean"].chmod(0)
    try:
        status, _, err = run(capsys, str(files["clean"]))
    finally:
        files["clean"].chmod(0o644)
    assert status == 2
    assert "cannot read" in err


def test_binary_file(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    binary = tmp_path / "figure.tex"
    binary.write_bytes(b"%PDF\x00\x01\x02}")
    status, out, err = run(capsys, str(binary), str(files["dangerous"]))
    assert status == 2
    assert err == f"texlean: {binary} is not a text file (it contains NUL bytes); skipped\n"
    assert "SEC101" in out
    assert str(binary) not in out


def test_nul_byte_late_in_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "late.tex"
    path.write_bytes(b"a line\n" * 5000 + b"\x00")
    status, _, err = run(capsys, str(path))
    assert status == 2
    assert "NUL" in err


def test_non_utf8_file(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    latin = tmp_path / "latin1.tex"
    latin.write_bytes("caf\u00e9 }".encode("latin-1"))
    status, out, err = run(capsys, str(latin), str(files["broken"]))
    assert status == 2
    # the offending byte is the fourth one (offset 3)
    assert err == f"texlean: {latin} is not valid UTF-8 (byte 3); skipped\n"
    assert "STR002" in out
    assert "STR001" not in out


def test_folder_without_tex_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "readme.md").write_text("x", encoding="utf-8")
    status, out, err = run(capsys, str(tmp_path))
    assert status == 2
    assert err == f"texlean: no .tex files found in {tmp_path}\n"
    assert out == ""


def test_io_error_with_json_still_prints_the_list(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    status, out, err = run(
        capsys, "--format", "json", str(tmp_path / "nope.tex"), str(files["broken"])
    )
    assert status == 2
    assert [item["code"] for item in json.loads(out)] == ["STR002"]
    assert "cannot read" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],  # no paths
        ["check", "--format", "xml", "x.tex"],
        ["check", "--timeout-ms", "soon", "x.tex"],
        ["frobnicate"],
        [],
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert cli.main(argv) == 2
    assert "usage" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("texlean ")


# -- a real process -------------------------------------------------------------------------


def test_subprocess(files: dict[str, Path], tmp_path: Path) -> None:
    binary = tmp_path / "bin.tex"
    binary.write_bytes(b"\x00\x00")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "texlean",
            "check",
            "--format",
            "json",
            str(files["clean"]),
            str(files["dangerous"]),
            str(binary),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert [(i["path"], i["code"]) for i in json.loads(proc.stdout)] == [
        (str(files["dangerous"]), "SEC101")
    ]
    assert "NUL" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "texlean", "check", str(files["dangerous"])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"{files['dangerous']}:2:1: warning SEC101")
    proc = subprocess.run(
        [sys.executable, "-m", "texlean", "check", str(files["clean"])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
