"""The security corpus itself: every case follows the format and the catalog is covered.

These checks do not depend on the security engine (test_cases.py does): they
keep the specification well-formed while the engine is being written.
"""

from __future__ import annotations

from collections import Counter

import pytest

from texlean.analysis.findings import Category, Finding, Severity, Span
from texlean.analysis.present import present_one
from texlean.analysis.rules import catalog
from texlean.settings import parse

from .security_corpus import CATEGORIES, Case, all_cases

MIN_CASES = 120
MIN_PER_CATEGORY = 10
# SEC900 says that the analysis ran out of its time budget: whether and where that
# happens depends on the machine, so no case can pin it (test_fuzz.py covers budgets).
# SEC902 (a file not analysed: over texlean check's size or memory limit) comes from the
# batch layer, never from a document's text: tests/unit/test_check_batch.py covers it.
NOT_PINNED = {"SEC900", "SEC902"}
# Cases whose pinned severity follows a decision of docs/security.md that the rule
# catalog does not express yet (the catalog's `when` would give another severity).
CATALOG_GAPS: set[str] = set()  # none left: SEC101's `when` names pdfTeX and XeTeX

CORPUS = all_cases()


def _severity(code: str, case: Case) -> Severity | None:
    settings, _ = parse(case.settings or None)
    shown = present_one(Finding(code, Span(0, 0, 0, 0)), settings)
    return None if shown is None else shown.severity


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.id)
def test_case_format(case: Case) -> None:
    assert case.category in CATEGORIES, f"{case.id}: not in a category folder"
    lines = case.lines
    first = 1 if lines and "texlean-settings:" in lines[0] else 0
    assert len(lines) > first and lines[first].startswith("%"), (
        f"{case.id}: must start with a comment saying what it does and why"
    )
    if case.settings:
        assert "texlean-settings:" in lines[0], f"{case.id}: texlean-settings must be line 1"
        _, problems = parse(case.settings)
        assert not problems, f"{case.id}: invalid settings {problems}"
    seen: Counter[tuple[int, str]] = Counter()
    for e in case.expected:
        seen[(e.line, e.code)] += 1
        rule = catalog().get(e.code)
        assert rule is not None, f"{case.id}:{e.line}: {e.code} is not a rule"
        assert rule.category is Category.SECURITY, f"{case.id}:{e.line}: {e.code} is not security"
        code_part = lines[e.line - 1].split("%", 1)[0]
        assert code_part.strip(), (
            f"{case.id}:{e.line}: an expectation must follow the construct on its line"
        )
        severity = _severity(e.code, case)
        assert severity is not None, f"{case.id}:{e.line}: {e.code} is ignored or off here"
        if e.severity is not None and case.id not in CATALOG_GAPS:
            assert severity.value == e.severity, (
                f"{case.id}:{e.line}: {e.code} is {severity.value} under these settings, "
                f"not {e.severity}"
            )
        if case.category == "benign" and not e.optional:
            assert severity.rank < Severity.WARNING.rank, (
                f"{case.id}:{e.line}: a benign case cannot expect {e.code} ({severity.value})"
            )
    doubled = [k for k, n in seen.items() if n > 1]
    assert not doubled, f"{case.id}: expected twice on one line: {doubled}"


def test_corpus_size() -> None:
    assert len(CORPUS) >= MIN_CASES
    per = Counter(c.category for c in CORPUS)
    thin = {cat: per[cat] for cat in CATEGORIES if per[cat] < MIN_PER_CATEGORY}
    assert not thin, f"categories with fewer than {MIN_PER_CATEGORY} cases: {thin}"
    assert len({c.id for c in CORPUS}) == len(CORPUS)


def test_every_security_rule_has_a_positive_case() -> None:
    required = {e.code for c in CORPUS for e in c.expected if not e.optional}
    rules = {r.code for r in catalog().values() if r.category is Category.SECURITY}
    assert not (rules - required - NOT_PINNED), "rules without a case that requires them"


def test_every_category_but_benign_has_a_look_alike() -> None:
    """Each category holds cases that expect nothing at warning or above: the
    constructs that only look dangerous (skipped, unused, look-alike spellings)."""
    quiet = {
        c.category
        for c in CORPUS
        if all(
            e.optional or (_severity(e.code, c) or Severity.HINT).rank < Severity.WARNING.rank
            for e in c.expected
        )
    }
    missing = set(CATEGORIES) - quiet
    assert not missing, f"categories without a look-alike case: {missing}"
