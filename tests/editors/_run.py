"""Running a real editor as a subprocess for the editor tests: its own process group
(killed whole on a timeout, so no editor or server outlives the test), a private
HOME and XDG folders, and the JSON the editor script wrote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TIMEOUT_S = 60.0


def server_executable() -> Path:
    """The repository's texlean entry point (the editors run it as ``texlean serve``)."""
    return ROOT / ".venv" / "bin" / "texlean"


@dataclass
class EditorRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    seen: dict[str, Any] | None

    def explain(self) -> str:
        return (
            f"exit status {self.returncode} after {self.seconds:.1f} s\n"
            f"--- what the editor script saw ---\n{json.dumps(self.seen, indent=1)[:6000]}\n"
            f"--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}"
        )


def readme_snippet(marker: str, language: str) -> str:
    """The first ``language`` code block after ``marker`` in the README: the editor tests
    run the README's own configuration, so the two cannot drift apart."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    at = text.index(marker)
    start = text.index(f"```{language}\n", at) + len(f"```{language}\n")
    return text[start : text.index("```", start)]


def substitute(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected {old!r} once in the README snippet:\n{text}"
    return text.replace(old, new)


def private_env(home: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "NVIM", "VIM"))}
    for name in ("config", "data", "state", "cache"):
        (home / name).mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name.upper()}_HOME"] = str(home / name)
    env["HOME"] = str(home)
    env["TEXLEAN_SERVER"] = str(server_executable())
    env.update(extra)
    return env


def run_editor(
    argv: list[str], cwd: Path, env: dict[str, str], out: Path, timeout: float = TIMEOUT_S
) -> EditorRun:
    start = time.monotonic()
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        stderr += f"\n[killed after the {timeout:.0f} s timeout]"
    seconds = time.monotonic() - start
    seen: dict[str, Any] | None = None
    if out.is_file() and out.stat().st_size:
        seen = json.loads(out.read_text(encoding="utf-8"))
    return EditorRun(proc.returncode, stdout, stderr, seconds, seen)
