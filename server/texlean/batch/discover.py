"""What ``texlean check`` is asked to check: files, folders, globs, ``-``, excludes."""

from __future__ import annotations

import glob
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import messages

TEX_SUFFIXES = (".tex", ".sty", ".cls", ".ltx", ".dtx", ".bbx", ".cbx")
STDIN = "<stdin>"


@dataclass(frozen=True, slots=True)
class Input:
    name: str  # as reported: as given, or the folder's path joined with the file's
    path: Path | None  # None: standard input


@lru_cache(maxsize=256)
def _pattern(glob_pattern: str) -> re.Pattern[str]:
    """A glob as a regular expression over posix paths (``**`` spans folders)."""
    out, i, n = [], 0, len(glob_pattern)
    while i < n:
        c = glob_pattern[i]
        if glob_pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob_pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = glob_pattern.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = glob_pattern[i + 1 : j].replace("\\", "\\\\")
                out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def excluded(path: Path, patterns: Sequence[str]) -> bool:
    """Whether ``path`` matches an ``--exclude`` glob: a pattern without ``/`` is
    matched against every component of the path (a folder's name excludes all
    below it), one with ``/`` against the whole path, relative to the working
    directory when below it."""
    if not patterns:
        return False
    text = path.as_posix()
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        relative = text
    parts = Path(relative).parts
    for raw in patterns:
        pattern = raw.rstrip("/")
        if pattern.startswith("./"):
            pattern = pattern[2:]
        rx = _pattern(pattern)
        if "/" in pattern:
            if rx.match(relative) or rx.match(text) or rx.match(Path(text).as_posix().lstrip("./")):
                return True
        elif any(rx.match(part) for part in parts):
            return True
    return False


def _folder(folder: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.endswith(TEX_SUFFIXES):
                found.append(Path(dirpath) / name)
    return sorted(found)


def discover(paths: Sequence[str], exclude: Sequence[str] = ()) -> tuple[list[Input], list[str]]:
    """The inputs in command-line order (a folder's files in path order), and
    the usage errors (a folder or glob with no TeX file in it)."""
    inputs: list[Input] = []
    errors: list[str] = []
    seen: set[Path] = set()

    def add(name: str, path: Path) -> None:
        key = path.resolve()
        if key not in seen and not excluded(path, exclude):
            seen.add(key)
            inputs.append(Input(name, path))

    for raw in paths:
        if raw == "-":
            inputs.append(Input(STDIN, None))
            continue
        p = Path(raw)
        if p.is_dir():
            found = [f for f in _folder(p) if not excluded(f, exclude)]
            if not found:
                errors.append(messages.render("cli-no-files", {"path": raw}))
            for f in found:
                add(str(f), f)
        elif not p.exists() and any(c in raw for c in "*?["):
            matches = sorted(glob.glob(raw, recursive=True))
            files: list[Path] = []
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    files.extend(_folder(mp))
                elif mp.suffix in TEX_SUFFIXES:
                    files.append(mp)
            files = [f for f in files if not excluded(f, exclude)]
            if not files:
                errors.append(messages.render("cli-no-files", {"path": raw}))
            for f in files:
                add(str(f), f)
        else:
            add(raw, p)
    return inputs, errors


def decode(name: str, data: bytes) -> tuple[str | None, str | None]:
    if b"\x00" in data:
        return None, messages.render("cli-binary", {"path": name})
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, messages.render("cli-not-utf8", {"path": name, "offset": str(exc.start)})


def read_source(name: str, path: Path | None) -> tuple[str | None, str | None]:
    """The text of a file, or an error message (unreadable, binary, not UTF-8)."""
    try:
        data = sys.stdin.buffer.read() if path is None else path.read_bytes()
    except OSError as exc:
        return None, messages.render(
            "cli-unreadable", {"path": name, "reason": exc.strerror or str(exc)}
        )
    return decode(name, data)
