"""The security corpus: case files that declare their expected findings, and how to check them.

A case is a ``.tex`` file under ``cases/<category>/``.  A comment
``% expect: CODE`` (or ``% expect: CODE severity, CODE``) at the end of a line
says that a finding with that code starts on that line; ``CODE?`` allows a
finding without requiring it.  A comment ``% texlean-settings: {...}`` gives
the settings (JSON, as the LSP ``texlean`` section) the case is analysed
under.  README.md describes the format and the conventions the expectations
follow.

:func:`check` analyses a case the way the front ends do
(:meth:`texlean.engine.Engine.analyse_text`, then
:func:`texlean.analysis.present.present` under the case's settings) and
compares the security findings with the expectations.
"""

from __future__ import annotations

import json
import re
import signal
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from texlean.analysis.findings import Category, Severity
from texlean.analysis.present import present
from texlean.engine import Engine
from texlean.settings import parse

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
CATEGORIES = (
    "shell",
    "read",
    "write",
    "lua",
    "pdf",
    "exhaustion",
    "obfuscation",
    "benign",
    "config",
)
SEVERITIES = tuple(s.value for s in Severity)
# The engine's own budget is 1.5 s (Engine's default); a case whose analysis has not
# returned long after that fails instead of hanging the run.
CASE_TIMEOUT_SECONDS = 10.0

_EXPECT = re.compile(r"%\s*expect:(?P<items>.*)$")
_SETTINGS = re.compile(r"^\s*%\s*texlean-settings:(?P<json>.*)$")
_ITEM = re.compile(r"^(?P<code>[A-Z]{3}[0-9]{3})(?P<optional>\?)?(?:\s+(?P<severity>[a-z]+))?$")


class CaseError(ValueError):
    """A case file that does not follow the format."""


class CaseTimeout(BaseException):
    """The analysis overran :data:`CASE_TIMEOUT_SECONDS` (a BaseException, so that the
    engine's own ``except Exception`` handlers cannot swallow it)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block with :class:`CaseTimeout` after ``seconds`` (main thread, Unix)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Expected:
    line: int  # 1-based
    code: str
    severity: str | None = None  # pinned severity, or any
    optional: bool = False  # allowed, not required (``CODE?``)

    def __str__(self) -> str:
        mark = "?" if self.optional else ""
        pinned = f" {self.severity}" if self.severity else ""
        return f"{self.line:>4}  {self.code}{mark}{pinned}"

    def matches(self, got: Got) -> bool:
        return (
            got.line == self.line
            and got.code == self.code
            and (self.severity is None or got.severity == self.severity)
        )


@dataclass(frozen=True)
class Case:
    path: Path
    id: str  # path relative to cases/, with forward slashes
    category: str
    text: str
    settings: dict[str, Any]
    expected: tuple[Expected, ...]

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


@dataclass(frozen=True)
class Got:
    line: int  # 1-based
    col: int  # 1-based, in code points
    code: str
    severity: str
    message: str

    @property
    def rank(self) -> int:
        return Severity(self.severity).rank

    def __str__(self) -> str:
        where = f"{self.line}:{self.col}"
        return f"{where:>7}  {self.code} {self.severity:<11}  {self.message}"


@dataclass
class Outcome:
    case: Case
    got: list[Got] = field(default_factory=list)
    missing: list[Expected] = field(default_factory=list)
    unexpected: list[Got] = field(default_factory=list)
    error: str | None = None  # the analysis raised

    @property
    def ok(self) -> bool:
        return self.error is None and not self.missing and not self.unexpected

    def report(self) -> str:
        """What went wrong, readable in a terminal: expected vs got, with messages and source."""
        case = self.case
        out = [f"{case.id}: {'ok' if self.ok else 'FAILED'}"]
        if case.settings:
            out.append(f"  settings: {json.dumps(case.settings)}")
        if self.error is not None:
            out.append("  the analysis raised:")
            out.extend("    " + line for line in self.error.rstrip().splitlines())
        if self.missing:
            out.append("  expected, not reported:")
            out.extend(f"    {e}" for e in self.missing)
        if self.unexpected:
            label = (
                "reported at warning or above in a benign case:"
                if case.category == "benign"
                else "reported at warning or above, not expected:"
            )
            out.append("  " + label)
            out.extend(f"    {g}" for g in self.unexpected)
        out.append("  expected:" if case.expected else "  expected: nothing at warning or above")
        out.extend(f"    {e}" for e in case.expected)
        out.append("  got (security findings):" if self.got else "  got: no security finding")
        out.extend(f"    {g}" for g in self.got)
        shown = sorted({e.line for e in self.missing} | {g.line for g in self.unexpected})
        if shown:
            out.append("  source:")
            lines = case.lines
            for n in shown:
                if 1 <= n <= len(lines):
                    out.append(f"    {n:>4} | {lines[n - 1]}")
        return "\n".join(out)


def _parse_items(raw: str, line: int, where: str) -> list[Expected]:
    items = [i.strip() for i in raw.split(",")]
    out: list[Expected] = []
    for item in items:
        m = _ITEM.match(item)
        if m is None:
            raise CaseError(f"{where}:{line}: cannot read expectation {item!r}")
        severity = m.group("severity")
        if severity is not None and severity not in SEVERITIES:
            raise CaseError(f"{where}:{line}: unknown severity {severity!r}")
        out.append(Expected(line, m.group("code"), severity, bool(m.group("optional"))))
    return out


def load_case(path: Path) -> Case:
    """Read a case file; raise :class:`CaseError` when it does not follow the format."""
    path = Path(path).resolve()
    try:
        rel = path.relative_to(CASES)
    except ValueError:
        rel = Path(path.parent.name) / path.name
    case_id = rel.as_posix()
    category = rel.parts[0] if len(rel.parts) > 1 else ""
    text = path.read_text(encoding="utf-8")
    settings: dict[str, Any] = {}
    expected: list[Expected] = []
    for n, line in enumerate(text.splitlines(), start=1):
        s = _SETTINGS.match(line)
        if s is not None:
            if settings:
                raise CaseError(f"{case_id}:{n}: a second texlean-settings line")
            try:
                value = json.loads(s.group("json"))
            except json.JSONDecodeError as exc:
                raise CaseError(f"{case_id}:{n}: texlean-settings is not JSON: {exc}") from exc
            if not isinstance(value, dict) or not value:
                raise CaseError(f"{case_id}:{n}: texlean-settings must be a non-empty object")
            settings = value
            continue
        m = _EXPECT.search(line)
        if m is not None:
            expected.extend(_parse_items(m.group("items"), n, case_id))
    return Case(path, case_id, category, text, settings, tuple(expected))


def case_paths(root: Path = CASES) -> list[Path]:
    return sorted(root.rglob("*.tex"))


def all_cases(root: Path = CASES) -> list[Case]:
    return [load_case(p) for p in case_paths(root)]


def analyse(case: Case) -> list[Got]:
    """The security findings of ``case`` as the user sees them under its settings."""
    settings, problems = parse(case.settings or None)
    if problems:
        raise CaseError(f"{case.id}: invalid texlean-settings: {problems}")
    report = Engine().analyse_text(case.text)
    got = [
        Got(p.span.line + 1, p.span.col + 1, p.code, p.severity.value, p.message)
        for p in present(report.findings, settings)
        if p.category is Category.SECURITY
    ]
    got.sort(key=lambda g: (g.line, g.col, g.code))
    return got


def check(case: Case) -> Outcome:
    """Compare what texlean reports for ``case`` with what the case expects.

    * every expectation must be matched by a finding on its line with its code
      (and its severity, when pinned), except optional ones (``CODE?``), which
      only allow such a finding;
    * every security finding at warning or above must be expected;
    * in ``benign/`` no security finding may reach warning at all.

    Information and hint findings that nobody expected are allowed.
    """
    outcome = Outcome(case)
    try:
        with deadline(CASE_TIMEOUT_SECONDS):
            outcome.got = analyse(case)
    except CaseError:
        raise
    except CaseTimeout:
        outcome.error = (
            f"the analysis did not return within {CASE_TIMEOUT_SECONDS:g} s "
            "(its budget is Engine's timeout_seconds)"
        )
        return outcome
    except Exception:
        outcome.error = traceback.format_exc()
        return outcome
    warning = Severity.WARNING.rank
    outcome.missing = [
        e for e in case.expected if not e.optional and not any(e.matches(g) for g in outcome.got)
    ]
    if case.category == "benign":
        outcome.unexpected = [g for g in outcome.got if g.rank >= warning]
    else:
        outcome.unexpected = [
            g
            for g in outcome.got
            if g.rank >= warning and not any(e.matches(g) for e in case.expected)
        ]
    return outcome
