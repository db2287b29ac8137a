"""texlean in real Emacs (Debian 12's 28.2) with eglot (Debian's elpa-eglot, 1.9), in
batch mode, configured by the README's eglot snippet itself (``eglot-server-programs``
→ ``texlean serve``; the test puts in the executable's absolute path).  ``emacs/test.el`` drives the
editor and writes what it saw as JSON; this test asserts on that JSON.

Skipped only when ``emacs`` (Debian package ``emacs-nox``) or eglot (``elpa-eglot``)
is missing.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ._run import (
    EXAMPLES,
    private_env,
    readme_snippet,
    run_editor,
    server_executable,
    substitute,
)

EMACS = shutil.which("emacs")
SCRIPT = Path(__file__).parent / "emacs" / "test.el"
README_MARKER = "eglot (built into Emacs 29+"


@functools.cache
def has_eglot() -> bool:
    assert EMACS is not None
    probe = '(progn (package-initialize) (princ (if (locate-library "eglot") "yes" "no")))'
    # A hung probe is a failure (TimeoutExpired), not a reason to skip.
    done = subprocess.run(
        [EMACS, "--batch", "--eval", probe],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    return done.stdout.strip().endswith("yes")


def test_flymake_diagnostics_hover_and_formalize(tmp_path: Path) -> None:
    if EMACS is None:
        pytest.skip("Emacs is not installed: apt-get install emacs-nox elpa-eglot")
    if not has_eglot():
        pytest.skip("eglot is not installed for Emacs: apt-get install elpa-eglot")
    assert server_executable().is_file(), f"{server_executable()} missing: run make setup"
    work = tmp_path / "work"
    work.mkdir()
    for example in EXAMPLES.glob("*.tex"):
        shutil.copy(example, work / example.name)
    out = tmp_path / "seen.json"
    config = tmp_path / "texlean-eglot.el"
    elisp = readme_snippet(README_MARKER, "elisp")
    server = json.dumps(str(server_executable()))
    config.write_text(substitute(elisp, '("texlean" "serve")', f'({server} "serve")'))
    env = private_env(
        tmp_path / "home",
        {
            "TEXLEAN_CONFIG": str(config),
            "TEXLEAN_TEST_OUT": str(out),
            "TEXLEAN_TEST_DIR": str(work),
        },
    )
    run = run_editor([EMACS, "--batch", "-l", str(SCRIPT)], work, env, out)
    print(f"emacs: {run.seconds:.2f} s")
    seen = run.seen
    assert seen is not None, run.explain()
    assert seen.get("ok") is True, run.explain()
    assert run.returncode == 0, run.explain()
    assert seen["major_mode"] == "latex-mode"
    assert seen["server_name"] == "texlean"

    # Diagnostics through flymake, formatted by eglot as "texlean [CODE]: message".
    flymake = seen["flymake"]
    for code in ("SEC101", "SEC102", "SEC301", "SEC402"):
        assert any(f"texlean [{code}]: " in text for text in flymake), (code, flymake)

    # Hover on \begin{theorem}: the Lean preview; plain text when eglot 1.9 offers no
    # markdown (markdown-mode not installed), and texlean honours that.
    hover = seen["hover"]
    assert isinstance(hover, str), run.explain()
    assert "theorem Nat.sum_range_choose" in hover, hover
    if seen["hover_kind"] == "plaintext":
        assert "```" not in hover, hover

    # "Formalize to Lean 4 (…)" inside the theorem; applying it makes theorems.lean.
    assert any(t.startswith("Formalize to Lean 4") for t in seen["actions"]), seen["actions"]
    lean = work / "theorems.lean"
    assert seen["lean_existed_before_save"] is False
    assert lean.is_file()
    text = lean.read_text(encoding="utf-8")
    assert text == seen["lean_text"]
    assert "theorem" in text and "2 ^ n" in text, text
