"""The result cache of ``texlean check``: hits, what invalidates an entry, corruption,
forged entries, --no-cache, pruning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from texlean.batch import cache as result_cache

from .check_support import WRITE18, run, write

MAIN = "\\documentclass{article}\n\\begin{document}\n\\input{chapter}\n\\end{document}\n"


@pytest.fixture(autouse=True)
def _user_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own user key (never the real user's)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    write(root, {"main.tex": MAIN, "chapter.tex": "Text.\n" + WRITE18, "other.tex": "plain\n"})
    return root


def _check(
    capsys: pytest.CaptureFixture[str], root: Path, *args: str
) -> tuple[int, list[dict[str, object]]]:
    """One run in json over the project: the exit status and the findings."""
    status, out, err = run(capsys, "--format", "json", "--jobs", "1", *args, str(root))
    assert err == ""
    return status, json.loads(out)


def _codes(found: list[dict[str, object]]) -> list[tuple[str, object]]:
    return [(Path(str(f["path"])).name, f["code"]) for f in found]


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the documents actually analysed."""
    from texlean.batch import runner

    analysed: list[str] = []
    real = runner.analyse_compiled

    def spy(unit: runner.Unit) -> runner.Analysed:
        analysed.append(Path(unit.name).name)
        return real(unit)

    monkeypatch.setattr(runner, "analyse_compiled", spy)
    return analysed


def _entries(folder: Path) -> dict[str, object]:
    outer = json.loads((folder / result_cache.FILE).read_text(encoding="utf-8"))
    body = json.loads(outer["body"])
    assert isinstance(body, dict)
    return body


def test_a_hit_gives_the_same_output_without_analysing(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysed = _spy(monkeypatch)
    first = _check(capsys, project)
    assert sorted(analysed) == ["main.tex", "other.tex"]
    assert (project / ".texlean_cache" / result_cache.FILE).is_file()
    analysed.clear()
    second = _check(capsys, project)
    assert analysed == []
    assert second == first
    assert first[0] == 1  # the \write18 in the included chapter
    assert ("chapter.tex", "SEC101") in _codes(first[1])


def test_text_and_sarif_are_the_same_from_the_cache(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    for fmt in ("text", "sarif", "github"):
        args = ("--format", fmt, "--jobs", "1", "--no-source", str(project))
        first = run(capsys, *args)
        second = run(capsys, *args)
        assert second == first


def test_an_edit_of_the_file_invalidates_it(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(capsys, project)
    analysed = _spy(monkeypatch)
    (project / "other.tex").write_text("\\write18{ls}\n", encoding="utf-8")
    _, found = _check(capsys, project)
    assert analysed == ["other.tex"]
    assert ("other.tex", "SEC101") in _codes(found)


def test_an_edit_of_an_included_file_invalidates_its_includer(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(capsys, project)
    analysed = _spy(monkeypatch)
    (project / "chapter.tex").write_text("Harmless now.\n", encoding="utf-8")
    status, found = _check(capsys, project)
    assert analysed == ["main.tex"]
    assert status == 0
    assert found == []


def test_a_setting_invalidates(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _check(capsys, project)
    analysed = _spy(monkeypatch)
    ignored = _check(capsys, project, "--ignore", "SEC101")
    assert sorted(analysed) == ["main.tex", "other.tex"]
    assert ignored[1] == [] and ignored[0] == 0
    analysed.clear()
    (project / "texlean.toml").write_text('assumeShellEscape = "enabled"\n', encoding="utf-8")
    _, out, _ = run_config(capsys, project)
    assert sorted(analysed) == ["main.tex", "other.tex"]
    before = {f["code"]: f["severity"] for f in first[1]}
    assert {f["code"]: f["severity"] for f in out}["SEC101"] != before["SEC101"]
    analysed.clear()
    _check(capsys, project, "--lang", "fr")
    assert sorted(analysed) == ["main.tex", "other.tex"]


def run_config(
    capsys: pytest.CaptureFixture[str], root: Path
) -> tuple[int, list[dict[str, object]], str]:
    from texlean import cli

    status = cli.main(["check", "--quiet", "--format", "json", "--jobs", "1", str(root)])
    out, err = capsys.readouterr()
    return status, json.loads(out), err


def test_a_corrupt_cache_is_ignored_and_replaced(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _check(capsys, project)
    path = project / ".texlean_cache" / result_cache.FILE
    garbage_files = (
        b"\x00\xff not json",
        b'{"format": 1}',
        b"[]",
        b'{"format": 1, "mac": 3, "body": 4}',
    )
    for garbage in garbage_files:
        path.write_bytes(garbage)
        analysed = _spy(monkeypatch)
        assert _check(capsys, project) == first
        assert sorted(analysed) == ["main.tex", "other.tex"]
        _entries(project / ".texlean_cache")  # written back whole
        monkeypatch.undo()
        monkeypatch.setenv("XDG_CACHE_HOME", str(project.parent / "user-cache"))


def test_an_entry_written_without_the_users_key_is_never_used(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cloned repository's .texlean_cache cannot hide a finding."""
    first = _check(capsys, project)
    folder = project / ".texlean_cache"
    path = folder / result_cache.FILE
    outer = json.loads(path.read_text(encoding="utf-8"))
    body = json.loads(outer["body"])
    for entry in body.values():
        entry["found"] = []  # "nothing to see here"
    outer["body"] = json.dumps(body)
    path.write_text(json.dumps(outer), encoding="utf-8")
    assert _check(capsys, project) == first
    # the same forgery, with a mac made under another key
    forged = result_cache.ResultCache(folder, "x", b"k" * 32)
    outer["mac"] = forged._mac(outer["body"].encode("utf-8"))
    path.write_text(json.dumps(outer), encoding="utf-8")
    assert _check(capsys, project) == first


def test_no_cache_reads_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(capsys, project, "--no-cache")
    assert not (project / ".texlean_cache").exists()
    _check(capsys, project)
    analysed = _spy(monkeypatch)
    _check(capsys, project, "--no-cache")
    assert sorted(analysed) == ["main.tex", "other.tex"]


def test_cache_dir(capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _check(capsys, project, "--cache-dir", str(elsewhere))
    assert (elsewhere / result_cache.FILE).is_file()
    assert not (project / ".texlean_cache").exists()


def test_an_unwritable_cache_folder_does_not_fail_the_run(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    first = _check(capsys, project, "--no-cache")
    assert _check(capsys, project, "--cache-dir", str(blocker / "cache")) == first


def test_prune_keeps_what_the_run_used_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_cache, "MAX_ENTRIES", 3)
    folder = tmp_path / "c"
    c = result_cache.ResultCache(folder, "s", b"k" * 32)
    for n in range(5):
        c.put(c.key(f"old{n}", "text"), [])
    c.save()
    c = result_cache.ResultCache(folder, "s", b"k" * 32)
    assert len(c.entries) == 3
    assert c.get(c.key("old0", "text")) is None  # pruned: the least recently used
    c.put(c.key("new", "text"), [])
    c.save()
    c = result_cache.ResultCache(folder, "s", b"k" * 32)
    assert c.key("new", "text") in c.entries and len(c.entries) == 3


def test_incomplete_analyses_are_not_cached(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    write(root, {"slow.tex": "\\def\\a{\\a\\a}\\a\n" * 3})
    args = ("--format", "json", "--jobs", "1", "--timeout-ms", "1", str(root))
    from texlean.batch import runner

    real = runner.analyse_compiled

    def incomplete(unit: runner.Unit) -> runner.Analysed:
        found, direct, _ = real(unit)
        return found, direct, False

    monkeypatch.setattr(runner, "analyse_compiled", incomplete)
    run(capsys, *args)
    folder = root / ".texlean_cache"
    assert not (folder / result_cache.FILE).exists() or _entries(folder) == {}
