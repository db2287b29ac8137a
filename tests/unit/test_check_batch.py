"""``texlean check`` as a batch: fail-on levels, select/ignore, excludes, globs, stdin,
workers, limits, language."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from texlean import messages
from texlean.batch import language
from texlean.batch.discover import discover, excluded

from .check_support import WRITE18, codes, run, write

# SEC101 warning (restricted), STR001 error, SEC901 information (missing include),
# FRM-free; TLX003 would be a hint: an unused suppression
WARNING = "\\write18{ls}\n"
ERROR = "}\n"
INFORMATION = "\\input{nowhere}\n"
HINT = "% texlean: disable-next-line SEC101\nplain text\n"


@pytest.mark.parametrize(
    ("text", "fail_on", "status"),
    [
        (ERROR, "error", 1),
        (WARNING, "error", 0),
        (WARNING, "warning", 1),
        (INFORMATION, "warning", 0),
        (INFORMATION, "information", 1),
        (HINT, "information", 0),
        (HINT, "hint", 1),
        (ERROR, "never", 0),
        ("clean\n", "hint", 0),
    ],
)
def test_fail_on_levels(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, fail_on: str, status: int
) -> None:
    write(tmp_path, {"doc.tex": text})
    got, _, err = run(capsys, "--fail-on", fail_on, str(tmp_path / "doc.tex"))
    assert (got, err) == (status, "")


def test_default_fail_on_is_warning(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"w.tex": WARNING, "i.tex": INFORMATION})
    assert run(capsys, str(tmp_path / "w.tex"))[0] == 1
    assert run(capsys, str(tmp_path / "i.tex"))[0] == 0


def test_select_and_ignore(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"doc.tex": WARNING + ERROR})
    _, out, _ = run(capsys, str(tmp_path / "doc.tex"))
    assert [c for _, c in codes(out)] == ["SEC101", "STR001"]
    status, out, _ = run(capsys, "--select", "STR001", str(tmp_path / "doc.tex"))
    assert [c for _, c in codes(out)] == ["STR001"] and status == 1
    status, out, _ = run(capsys, "--ignore", "unmatched-close-brace", str(tmp_path / "doc.tex"))
    assert [c for _, c in codes(out)] == ["SEC101"]
    status, out, err = run(capsys, "--select", "NOPE1", str(tmp_path / "doc.tex"))
    assert status == 2 and "NOPE1" in err


def test_excludes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path,
        {"a.tex": ERROR, "build/b.tex": ERROR, "sub/c.sty": ERROR, "sub/deep/d.tex": ERROR},
    )
    _, out, _ = run(capsys, str(tmp_path))
    assert sorted(p for p, _ in codes(out)) == ["a.tex:1", "b.tex:1", "c.sty:1", "d.tex:1"]
    _, out, _ = run(capsys, "--exclude", "build", "--exclude", "*.sty", str(tmp_path))
    assert sorted(p for p, _ in codes(out)) == ["a.tex:1", "d.tex:1"]
    _, out, _ = run(capsys, "--exclude", "**/deep/*.tex", str(tmp_path))
    assert "d.tex" not in out and "a.tex" in out
    assert excluded(Path("x/build/y.tex"), ["build/"])
    assert not excluded(Path("x/builder/y.tex"), ["build"])


def test_globs_are_expanded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"a.tex": ERROR, "b.tex": ERROR, "c.txt": ERROR, "sub/d.tex": ERROR})
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(capsys, "*.tex")
    assert [p for p, _ in codes(out)] == ["a.tex:1", "b.tex:1"]
    _, out, _ = run(capsys, "**/*.tex")
    assert sorted(p for p, _ in codes(out)) == ["a.tex:1", "b.tex:1", "d.tex:1"]
    status, _, err = run(capsys, "*.nothing")
    assert status == 2 and "no .tex files found in *.nothing" in err
    inputs, _ = discover(["b.tex", "*.tex"])
    assert [i.name for i in inputs] == ["b.tex", "a.tex"]  # input order, no duplicates


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(WRITE18.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    status, out, _ = run(capsys, "--format", "json", "-")
    assert status == 1
    assert [(i["path"], i["code"]) for i in json.loads(out)] == [("<stdin>", "SEC101")]


def _corpus(root: Path) -> list[str]:
    files = {}
    for i in range(8):
        body = "".join(
            f"para {j} {'}' if (i + j) % 3 == 0 else ''}\n\n\\write18{{cmd{i}}}\n\n"
            for j in range(40 * (i + 1))
        )
        files[f"doc{i}.tex"] = body
    write(root, files)
    return [str(root / f"doc{i}.tex") for i in (3, 1, 7, 0, 5, 2, 6, 4)]


def test_jobs_two_gives_the_same_output_in_the_same_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    paths = _corpus(tmp_path)
    s1, out1, _ = run(capsys, "--jobs", "1", *paths)
    s2, out2, err2 = run(capsys, "--jobs", "2", *paths)
    assert (s1, out1) == (s2, out2)
    assert err2 == ""
    # input order, then line order
    names = [p.split(":")[0] for p, _ in codes(out1)]
    assert list(dict.fromkeys(names)) == [Path(p).name for p in paths]
    _s3, out3, _ = run(capsys, "--jobs", "2", "--format", "sarif", *paths)
    _s4, out4, _ = run(capsys, "--jobs", "1", "--format", "sarif", *paths)
    assert out3 == out4


def test_file_over_the_size_limit_gets_a_finding_and_the_batch_goes_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path, {"big.tex": "x" * 5000 + "\n", "small.tex": ERROR})
    status, out, err = run(
        capsys, "--max-file-size", "1k", str(tmp_path / "big.tex"), str(tmp_path / "small.tex")
    )
    assert err == ""
    assert codes(out) == [("big.tex:1", "SEC902"), ("small.tex:1", "STR001")]
    assert "larger (5,001 bytes) than the 1024 bytes limit" in out
    assert status == 1
    status, _, err = run(capsys, "--max-file-size", "lots", str(tmp_path / "small.tex"))
    assert status == 2 and "--max-file-size" in err


def test_memory_limit_stops_the_document_not_the_batch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path, {"a.tex": ERROR, "b.tex": ERROR})
    # any process is over 1 MB: every document is stopped and says why
    status, out, _ = run(
        capsys, "--jobs", "1", "--max-memory", "1", str(tmp_path / "a.tex"), str(tmp_path / "b.tex")
    )
    assert codes(out) == [("a.tex:1", "SEC902"), ("b.tex:1", "SEC902")]
    assert "more than 1 MB of memory" in out
    assert status == 1


def test_lang_reaches_messages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []

    def use_language(tag: str | None) -> str:
        seen.append(tag)
        return "en"

    monkeypatch.setattr(messages, "use_language", use_language, raising=False)
    write(tmp_path, {"a.tex": ERROR})
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LC_MESSAGES", "de_DE.UTF-8")
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    run(capsys, "--jobs", "1", str(tmp_path / "a.tex"))
    assert seen and set(seen) == {"de_DE.UTF-8"}
    seen.clear()
    run(capsys, "--lang", "fr", "--jobs", "1", str(tmp_path / "a.tex"))
    assert set(seen) == {"fr"}
    assert language.choose(None, {"LANG": "pt_BR"}) == "pt_BR"
    assert language.choose(None, {}) is None


def test_language_without_translations_is_harmless(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(messages, "use_language", raising=False)
    assert language.use("fr") is None


def test_workers_in_a_real_process(tmp_path: Path) -> None:
    import subprocess

    paths = _corpus(tmp_path)
    outs = []
    for jobs in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-m", "texlean", "check", "--no-config", "--jobs", jobs, *paths],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (proc.returncode, proc.stderr) == (1, "")
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    assert outs[0].count(" SEC101 ") == 40 * sum(range(1, 9))  # one per paragraph
