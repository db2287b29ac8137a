"""texlean's settings: one typed object, validated field by field.

The same object comes from LSP ``initializationOptions``, from
``workspace/configuration`` (section ``texlean``), from
``workspace/didChangeConfiguration`` and, for the CLI, from a configuration
file.  A bad value never raises: :func:`parse` keeps the default for that
field and reports a :class:`Problem` the front end shows to the user.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .analysis.findings import Severity
from .analysis.rules import ENGINES, SHELL_ESCAPE_MODES, resolve_code


@dataclass(frozen=True)
class DiagnosticsSettings:
    trigger: str = "change"  # "change" | "save"
    debounce_ms: int = 150
    mode: str = "auto"  # "auto" | "push" | "pull"
    max_count: int = 1000


@dataclass(frozen=True)
class AnalysisSettings:
    timeout_ms: int = 1000


DEFAULT_HEADER = ("import Mathlib",)
DEFAULT_OUTPUT = "{stem}.lean"


@dataclass(frozen=True)
class FormalizeSettings:
    # FRM hazard diagnostics of theorem-like environments
    hazards: bool = True
    # the lines a .lean file starts with when texlean creates it
    header: tuple[str, ...] = DEFAULT_HEADER
    # where a document's Lean goes, relative to its folder ({stem}: the file name
    # without extension)
    output: str = DEFAULT_OUTPUT
    # user commands -> Lean (formalize.api.Context.vocabulary), e.g. {"\\R": "ℝ"}
    vocabulary: Mapping[str, str] = field(default_factory=dict)
    # hazard findings reported per document (the hover shows all of a statement's)
    max_hazards: int = 50


@dataclass(frozen=True)
class Settings:
    diagnostics: DiagnosticsSettings = field(default_factory=DiagnosticsSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    assume_shell_escape: str = "restricted"
    assume_engine: str = "any"
    rules: Mapping[str, str] = field(default_factory=dict)  # code -> severity | "off"
    ignore: tuple[str, ...] = ()
    # honour the document's own `% texlean: disable…` comments (off for documents
    # you did not write: a suppression is the document's word about itself)
    suppression_comments: bool = True
    formalize: FormalizeSettings = field(default_factory=FormalizeSettings)

    def severity_override(self, code: str) -> Severity | str | None:
        return self.rules.get(code)


@dataclass(frozen=True)
class Problem:
    path: str
    value: str
    reason: str
    default: str
    unknown: bool = False

    @property
    def key(self) -> str:
        return "settings-unknown" if self.unknown else "settings-invalid"

    @property
    def params(self) -> dict[str, str]:
        return {
            "path": self.path,
            "value": self.value,
            "reason": self.reason,
            "default": self.default,
        }


_SEVERITY_OR_OFF = ("error", "warning", "information", "hint", "off")


def _choice(options: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if not isinstance(v, str) or v not in options:
            raise ValueError("expected one of " + ", ".join(options))
        return v

    return check


def _int_range(lo: int, hi: int) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError("expected an integer")
        if isinstance(v, float) and (not math.isfinite(v) or v != int(v)):
            raise ValueError("expected an integer")  # int(inf) would raise OverflowError
        if not lo <= int(v) <= hi:
            raise ValueError(f"expected {lo} to {hi}")
        return int(v)

    return check


def _bool(v: Any) -> Any:
    if not isinstance(v, bool):
        raise ValueError("expected true or false")
    return v


def _rules_map(v: Any) -> Any:
    if not isinstance(v, Mapping):
        raise ValueError("expected an object mapping rule codes to severities")
    out: dict[str, str] = {}
    for k, sev in v.items():
        code = resolve_code(str(k))
        if code is None:
            raise ValueError(f"unknown rule {k!r}")
        if sev not in _SEVERITY_OR_OFF:
            raise ValueError(f"severity of {k} must be one of " + ", ".join(_SEVERITY_OR_OFF))
        out[code] = str(sev)
    return out


def _code_list(v: Any) -> Any:
    if not isinstance(v, (list, tuple)):
        raise ValueError("expected a list of rule codes")
    out = []
    for item in v:
        code = resolve_code(str(item))
        if code is None:
            raise ValueError(f"unknown rule {item!r}")
        out.append(code)
    return tuple(out)


def _lines(v: Any) -> Any:
    if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) for x in v):
        raise ValueError("expected a list of strings")
    if any("\n" in x or "\r" in x for x in v):
        raise ValueError("one line per string")
    return tuple(v)


def _output(v: Any) -> Any:
    if not isinstance(v, str) or not v.strip():
        raise ValueError("expected a path pattern")
    if not v.endswith(".lean"):
        raise ValueError("expected a path ending in .lean")
    parts = v.replace("\\", "/").split("/")
    if v.startswith(("/", "\\")) or ":" in v or ".." in parts:
        raise ValueError("expected a path relative to the document's folder, without ..")
    try:
        v.format(stem="x")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError("the only placeholder is {stem}") from exc
    return v


def _vocabulary(v: Any) -> Any:
    if not isinstance(v, Mapping) or not all(
        isinstance(k, str) and isinstance(x, str) for k, x in v.items()
    ):
        raise ValueError("expected an object mapping LaTeX commands to Lean")
    return dict(v)


# JSON name -> (attribute, validator) per section; nested sections map to dataclasses.
_SCHEMA: dict[str, Any] = {
    "diagnostics": (
        "diagnostics",
        {
            "trigger": ("trigger", _choice(("change", "save"))),
            "debounceMs": ("debounce_ms", _int_range(0, 60_000)),
            "mode": ("mode", _choice(("auto", "push", "pull"))),
            "maxCount": ("max_count", _int_range(1, 100_000)),
        },
    ),
    "analysis": ("analysis", {"timeoutMs": ("timeout_ms", _int_range(10, 600_000))}),
    "assumeShellEscape": ("assume_shell_escape", _choice(SHELL_ESCAPE_MODES)),
    "assumeEngine": ("assume_engine", _choice(ENGINES)),
    "rules": ("rules", _rules_map),
    "ignore": ("ignore", _code_list),
    "suppressionComments": ("suppression_comments", _bool),
    "formalize": (
        "formalize",
        {
            "hazards": ("hazards", _bool),
            "header": ("header", _lines),
            "output": ("output", _output),
            "vocabulary": ("vocabulary", _vocabulary),
            "maxHazards": ("max_hazards", _int_range(0, 10_000)),
        },
    ),
}

# Sections other features own; their keys are accepted here and validated there.
EXTENSION_SECTIONS: set[str] = {"server", "python", "trace", "locale"}


def _show(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _parse_into(
    obj: Any,
    raw: Mapping[str, Any],
    schema: Mapping[str, Any],
    prefix: str,
    problems: list[Problem],
) -> Any:
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        path = f"{prefix}{key}"
        entry = schema.get(key)
        if entry is None:
            if not prefix and key in EXTENSION_SECTIONS:
                continue
            problems.append(Problem(path, _show(value), "unknown", "", unknown=True))
            continue
        attr, spec = entry
        current = getattr(obj, attr)
        if value is None:  # JSON null: the setting is not set, keep what it was
            continue
        if isinstance(spec, dict):
            if not isinstance(value, Mapping):
                problems.append(Problem(path, _show(value), "expected an object", "defaults"))
                continue
            changes[attr] = _parse_into(current, value, spec, path + ".", problems)
            continue
        try:
            changes[attr] = spec(value)
        except ValueError as exc:
            problems.append(Problem(path, _show(value), str(exc), _show(current)))
    return replace(obj, **changes) if changes else obj


def parse(raw: Any, base: Settings | None = None) -> tuple[Settings, list[Problem]]:
    """Settings from a JSON-like object; unknown keys and bad values become problems."""
    settings = base or Settings()
    problems: list[Problem] = []
    if raw is None:
        return settings, problems
    if isinstance(raw, Mapping) and isinstance(raw.get("texlean"), Mapping):
        raw = raw["texlean"]
    if not isinstance(raw, Mapping):
        problems.append(Problem("texlean", _show(raw), "expected an object", "defaults"))
        return settings, problems
    return _parse_into(settings, raw, _SCHEMA, "", problems), problems


def to_json(settings: Settings) -> dict[str, Any]:
    """The settings in their JSON spelling (for texlean/status and the docs)."""

    def section(obj: Any, schema: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, (attr, spec) in schema.items():
            value = getattr(obj, attr)
            if isinstance(spec, dict):
                out[key] = section(value, spec)
            elif isinstance(value, tuple):
                out[key] = list(value)
            elif isinstance(value, Mapping):
                out[key] = dict(value)
            else:
                out[key] = value
        return out

    return section(settings, _SCHEMA)


def field_names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]
