"""texlean in real headless Neovim (Debian 12's 0.7.2), configured by the README's
"Neovim 0.7" snippet itself (``vim.lsp.start_client`` in a FileType autocmd, command
``texlean serve``; the test only puts in the executable's absolute path, and the
README's on-save ``init_options`` for the on-save test).  The Lua in ``nvim/`` drives
the editor and writes what it saw as JSON; these tests assert on that JSON.

Skipped only when ``nvim`` is not installed (Debian package ``neovim``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ._run import (
    EXAMPLES,
    EditorRun,
    private_env,
    readme_snippet,
    run_editor,
    server_executable,
    substitute,
)

NVIM = shutil.which("nvim")
INIT = Path(__file__).parent / "nvim" / "init.lua"
README_MARKER = "Neovim 0.7 (Debian 12's"
CHANGE_OPTIONS = "init_options = { diagnostics = { trigger = 'change', debounceMs = 150 } },"
SAVE_OPTIONS = "init_options = { diagnostics = { trigger = 'save' } }"

pytestmark = pytest.mark.skipif(
    NVIM is None, reason="Neovim is not installed: apt-get install neovim"
)


def readme_config(on_save: bool) -> str:
    """The README's Neovim 0.7 snippet, running this repository's texlean."""
    lua = readme_snippet(README_MARKER, "lua")
    lua = substitute(
        lua,
        "cmd = { 'texlean', 'serve' }",
        f"cmd = {{ {json.dumps(str(server_executable()))}, 'serve' }}",
    )
    if on_save:
        readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
        assert f"`{SAVE_OPTIONS}`" in readme, "the README no longer shows the on-save options"
        lua = substitute(lua, CHANGE_OPTIONS, SAVE_OPTIONS + ",")
    return lua


def run_nvim(tmp_path: Path, file: str, scenario: str) -> EditorRun:
    assert NVIM is not None
    assert server_executable().is_file(), f"{server_executable()} missing: run make setup"
    work = tmp_path / "work"
    work.mkdir()
    for example in EXAMPLES.glob("*.tex"):
        shutil.copy(example, work / example.name)
    out = tmp_path / "seen.json"
    config = tmp_path / "texlean.lua"
    config.write_text(readme_config(on_save=scenario == "save"), encoding="utf-8")
    env = private_env(
        tmp_path / "home",
        {
            "TEXLEAN_CONFIG": str(config),
            "TEXLEAN_TEST_OUT": str(out),
            "TEXLEAN_TEST_SCENARIO": scenario,
        },
    )
    argv = [NVIM, "--headless", "-n", "-i", "NONE", "-u", str(INIT), str(work / file)]
    return run_nvim_checked(argv, work, env, out)


def run_nvim_checked(argv: list[str], cwd: Path, env: dict[str, str], out: Path) -> EditorRun:
    run = run_editor(argv, cwd, env, out)
    print(f"nvim: {run.seconds:.2f} s")
    assert run.seen is not None, run.explain()
    assert run.seen.get("ok") is True, run.explain()
    assert run.returncode == 0, run.explain()
    return run


def test_diagnostics_hover_and_formalize_action(tmp_path: Path) -> None:
    run = run_nvim(tmp_path, "looks-dangerous.tex", "full")
    seen = run.seen
    assert seen is not None
    assert seen["nvim"].startswith("0."), seen["nvim"]
    assert seen["dangerous_filetype"] == "tex"  # the FileType autocmd started the client

    # Diagnostics: the security findings, from texlean, on the right lines.
    codes = {d["code"] for d in seen["dangerous"]}
    assert {"SEC101", "SEC102", "SEC301", "SEC402"} <= codes, run.explain()
    assert all(d["source"] == "texlean" for d in seen["dangerous"]), run.explain()
    write18 = [d for d in seen["dangerous"] if d["code"] == "SEC101"]
    assert 10 in {d["lnum"] for d in write18}, run.explain()  # \immediate\write18 on line 11

    # Hover on \begin{theorem}: the Lean preview.
    hover = seen["hover"]
    assert isinstance(hover, str), run.explain()
    assert "theorem" in hover and "```lean" in hover, hover

    # Code actions inside the theorem: "Formalize to Lean 4 (…)", resolved and applied.
    titles = [a["title"] for a in seen["actions"]]
    formalize = [a for a in seen["actions"] if a["title"].startswith("Formalize to Lean 4")]
    assert formalize, titles
    assert formalize[0]["kind"] == "refactor.rewrite"
    # Neovim 0.7 advertises codeAction resolveSupport for "edit": the edit comes on resolve.
    assert seen.get("resolved") is True, run.explain()

    # The edit opened a buffer for theorems.lean; :write created the file.
    edited = seen["edited"]
    assert [Path(e["path"]).name for e in edited] == ["theorems.lean"], edited
    lean = Path(edited[0]["path"])
    assert lean.parent == tmp_path / "work"
    assert edited[0]["existed_before_write"] is False
    assert lean.is_file()
    text = lean.read_text(encoding="utf-8")
    assert text == edited[0]["text"]
    assert "theorem" in text and "2 ^ n" in text, text


def test_diagnostics_on_save(tmp_path: Path) -> None:
    run = run_nvim(tmp_path, "ordinary.tex", "save")
    seen = run.seen
    assert seen is not None
    # Opening analyses the (clean) document; the edit alone reports nothing.
    assert not any(str(d["code"]).startswith("SEC") for d in seen["codes_on_open"])
    assert seen["sec_before_save"] is False, run.explain()
    # :write sends didSave, and the new \write18 is reported.
    after = [d for d in seen["after_save"] if d["code"] == "SEC101"]
    assert after, run.explain()
    assert "echo on save" in after[0]["message"], after
    print(f"save → diagnostics: {seen['save_to_diagnostics_ms']:.0f} ms")
