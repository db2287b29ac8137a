"""The configuration file of ``texlean check``: ``texlean.toml`` or ``[tool.texlean]``.

Top-level keys are the server's settings object (``assumeShellEscape``,
``[diagnostics]``, ``rules``, ``ignore`` …), validated by
:func:`texlean.settings.parse`: a bad value is reported and its default kept.
A ``[check]`` table holds what only the command line has: ``exclude``,
``jobs``, ``fail-on``, ``max-file-size``, ``max-memory``, ``timeout-ms``.
The file is found from the project root upward (stopping at the folder that
holds ``.git``), or given with ``--config``.  Command-line flags win.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..settings import Settings, parse

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE_NAMES = ("texlean.toml", ".texlean.toml", "pyproject.toml")
FAIL_ON = ("error", "warning", "information", "hint", "never")
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*\Z", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


class ConfigError(Exception):
    """The file cannot be used at all (not TOML, unreadable): exit status 2."""


@dataclass
class Config:
    path: Path | None = None
    settings: Settings = field(default_factory=Settings)
    check: dict[str, Any] = field(default_factory=dict)  # validated [check] values
    problems: list[str] = field(default_factory=list)  # worded, for stderr


def parse_size(value: Any, unit: int = 1) -> int:
    """Bytes from ``20000000``, ``"20 MB"``, ``"512k"`` (a bare number times ``unit``)."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 20MB")
    if isinstance(value, int):
        number, factor = float(value), unit
    elif isinstance(value, str) and (m := _SIZE.match(value)):
        suffix = (m.group(2) or "").lower()[:1]
        number, factor = float(m.group(1)), (_UNITS[suffix] if m.group(2) else unit)
    else:
        raise ValueError("expected a size such as 20MB")
    size = int(number * factor)
    if size <= 0:
        raise ValueError("expected a size above zero")
    return size


def _check_table(raw: Any, problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(raw, Mapping):
        problems.append("texlean: [check] should be a table; ignored")
        return out
    for key, value in raw.items():
        name = str(key).replace("_", "-")
        try:
            if name == "exclude":
                items = [value] if isinstance(value, str) else value
                if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                    raise ValueError("expected a list of globs")
                out[name] = list(items)
            elif name == "jobs":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError("expected a number of processes (1 or more)")
                out[name] = value
            elif name == "fail-on":
                if value not in FAIL_ON:
                    raise ValueError("expected one of " + ", ".join(FAIL_ON))
                out[name] = value
            elif name == "max-file-size":
                out[name] = parse_size(value)
            elif name == "max-memory":
                out[name] = parse_size(value, 1024 * 1024)
            elif name == "timeout-ms":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError("expected milliseconds (1 or more)")
                out[name] = value
            else:
                problems.append(f"texlean: unknown setting check.{key} ignored")
        except ValueError as exc:
            problems.append(
                f"texlean: setting check.{key} = {value!r} is invalid ({exc}); using the default"
            )
    return out


def find(start: Path) -> Path | None:
    """The configuration file for a project: from ``start`` upward."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        for name in FILE_NAMES:
            path = candidate / name
            if path.is_file() and (name != "pyproject.toml" or _has_tool_table(path)):
                return path
        if (candidate / ".git").exists():
            return None
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and isinstance(tool.get("texlean"), dict)


def load(path: Path) -> Config:
    """The configuration in ``path``; :class:`ConfigError` when it cannot be read."""
    from .. import messages

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not valid UTF-8 (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("texlean", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.texlean] should be a table")
    problems: list[str] = []
    raw = dict(data)
    check = _check_table(raw.pop("check"), problems) if "check" in raw else {}
    settings, found = parse(raw)
    where = f"{path}: "
    problems = [
        where + messages.render(p.key, p.params).removeprefix("texlean: ") for p in found
    ] + [where + p.removeprefix("texlean: ") for p in problems]
    return Config(path, settings, check, problems)
