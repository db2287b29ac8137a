"""What analyses report: findings with positions in code points, free of any protocol type."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFORMATION: 1, Severity.HINT: 0}


class Category(str, Enum):
    SECURITY = "security"
    STRUCTURE = "structure"
    FORMALIZATION = "formalization"


Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Span:
    """A range of text: lines and code-point columns, end exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int

    def shifted(self, lines: int) -> Span:
        if not lines:
            return self
        return Span(self.line + lines, self.col, self.end_line + lines, self.end_col)


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that explains a finding (the opening ``\\begin`` of a mismatched ``\\end``)."""

    span: Span
    message: str  # message key
    params: Params = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place.

    ``code`` names a rule of the catalog (``grammars/rules.toml``), which gives
    the category, the severity and the message template; ``params`` fill the
    template.  Severity and wording are resolved when the finding is shown, so
    a settings change never invalidates a cached analysis.
    """

    code: str
    span: Span
    params: Params = ()
    related: tuple[Related, ...] = ()

    def shifted(self, lines: int) -> Finding:
        if not lines:
            return self
        return replace(
            self,
            span=self.span.shifted(lines),
            related=tuple(replace(r, span=r.span.shifted(lines)) for r in self.related),
        )

    def param(self, name: str, default: str = "") -> str:
        for key, value in self.params:
            if key == name:
                return value
        return default
