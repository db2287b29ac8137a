"""Helpers for the ``texlean check`` batch tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from texlean import cli

WRITE18 = "\\immediate\\write18{rm -rf ~}\n"
CLEAN = "\\documentclass{article}\n\\begin{document}\nHello.\n\\end{document}\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["check", "--no-config", "--quiet", *args])
    out, err = capsys.readouterr()
    return status, out, err


def run_with_config(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["check", "--quiet", *args])
    out, err = capsys.readouterr()
    return status, out, err


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def codes(out: str) -> list[tuple[str, str]]:
    """(path:line, code) of every text-format finding line."""
    found = []
    for line in out.splitlines():
        head, _, rest = line.partition(": ")
        parts = rest.split()
        if len(parts) >= 2 and head.count(":") >= 2:
            path, lineno, _col = head.rsplit(":", 2)
            found.append((f"{Path(path).name}:{lineno}", parts[1]))
    return found
