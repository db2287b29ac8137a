"""The rule catalog (``grammars/rules.toml``) and severity under a configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..tables import load
from .findings import Category, Severity

SHELL_ESCAPE_MODES = ("restricted", "enabled", "disabled")
ENGINES = ("pdflatex", "xelatex", "lualatex", "any")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    title: str
    category: Category
    severities: dict[str, Severity]
    when_shell_escape: tuple[str, ...] | None = None  # None: any mode
    when_engines: tuple[str, ...] | None = None  # None: any engine
    message: str = ""
    explanation: str = ""
    references: tuple[str, ...] = ()
    fix: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def applies(
        self,
        shell_escape: str = "restricted",
        engine: str = "any",
        engines: tuple[str, ...] | None = None,
    ) -> bool:
        """Whether the construct does its harm under the assumed configuration.

        ``engines`` narrows the rule's engines for one finding (``\\pdfobj`` is a
        pdfTeX primitive, ``\\pdfextension`` a LuaTeX one).
        """
        if self.when_shell_escape is not None and shell_escape not in self.when_shell_escape:
            return False
        allowed = engines if engines is not None else self.when_engines
        return allowed is None or engine == "any" or engine in allowed

    def severity(
        self,
        shell_escape: str = "restricted",
        engine: str = "any",
        engines: tuple[str, ...] | None = None,
    ) -> Severity:
        """The severity under the assumed shell-escape mode and engine."""
        if "default" in self.severities:
            return self.severities["default"]
        key = "applies" if self.applies(shell_escape, engine, engines) else "otherwise"
        return self.severities[key]


def _parse(entry: dict[str, object]) -> Rule:
    raw = entry["severity"]
    severities = (
        {k: Severity(str(v)) for k, v in raw.items()}
        if isinstance(raw, dict)
        else {"default": Severity(str(raw))}
    )
    code = str(entry["code"])
    when = entry.get("when") or {}
    assert isinstance(when, dict)
    shell = when.get("shell_escape")
    engines = when.get("engines")
    return Rule(
        code=code,
        name=str(entry["name"]),
        title=str(entry["title"]),
        category=Category(str(entry["category"])),
        severities=severities,
        when_shell_escape=None if shell is None else tuple(str(m) for m in shell),
        when_engines=None if engines is None else tuple(str(e) for e in engines),
        message=str(entry.get("message", code)),
        explanation=str(entry.get("explanation", "")),
        references=tuple(str(r) for r in entry.get("references", ()) or ()),  # type: ignore[attr-defined]
        fix=str(entry.get("fix", "")),
        tags=tuple(str(t) for t in entry.get("tags", ()) or ()),  # type: ignore[attr-defined]
    )


@lru_cache(maxsize=1)
def catalog() -> dict[str, Rule]:
    rules = [_parse(e) for e in load("rules")["rule"]]
    return {r.code: r for r in rules}


def rule(code: str) -> Rule:
    return catalog()[code]


def resolve_code(code_or_name: str) -> str | None:
    """A rule code from its code or its name (``SEC101`` or ``shell-escape-write18``)."""
    rules = catalog()
    if code_or_name.upper() in rules:
        return code_or_name.upper()
    for r in rules.values():
        if r.name == code_or_name:
            return r.code
    return None
