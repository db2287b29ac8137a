"""The security corpus as tests: each case file's expected findings against texlean's.

Run as pytest (one test per case file, ids = path under ``cases/``), or as a
script to measure progress::

    python tests/security/test_cases.py --summary            # pass/fail per category
    python tests/security/test_cases.py --summary --failures # ... and why each failed
    python tests/security/test_cases.py shell obfuscation/caret-backslash.tex

The format and the conventions behind the expectations are in README.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: use the project's virtualenv when needed
    import importlib.util

    if not all(importlib.util.find_spec(m) for m in ("texlean", "pytest")):
        _venv = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "python"
        if _venv.exists() and not os.environ.get("TEXLEAN_CORPUS_REEXEC"):
            os.environ["TEXLEAN_CORPUS_REEXEC"] = "1"
            os.execv(str(_venv), [str(_venv), __file__, *sys.argv[1:]])

import argparse

import pytest

try:
    from .security_corpus import CATEGORIES, Case, Outcome, all_cases, check, load_case
except ImportError:  # run as a script
    from security_corpus import (  # type: ignore[no-redef]
        CATEGORIES,
        Case,
        Outcome,
        all_cases,
        check,
        load_case,
    )


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.id)
def test_case(case: Case) -> None:
    outcome = check(case)
    assert outcome.ok, "\n" + outcome.report()


# -- script mode -------------------------------------------------------------------


def _select(filters: list[str]) -> list[Case]:
    """Cases named by category, by path under cases/, or by file path."""
    cases = all_cases()
    if not filters:
        return cases
    chosen: dict[str, Case] = {}
    for f in filters:
        path = Path(f)
        if path.is_file():
            case = load_case(path)
            chosen[case.id] = case
            continue
        key = f.strip("/")
        hits = [c for c in cases if c.category == key or c.id == key or c.id.startswith(key + "/")]
        if not hits:
            raise SystemExit(f"no case matches {f!r} (categories: {', '.join(CATEGORIES)})")
        chosen.update((c.id, c) for c in hits)
    return [chosen[k] for k in sorted(chosen)]


def _summary(outcomes: list[Outcome]) -> str:
    rows = []
    order = {c: i for i, c in enumerate(CATEGORIES)}
    categories = sorted({o.case.category for o in outcomes}, key=lambda c: (order.get(c, 99), c))
    width = max([len("category"), *(len(c) for c in categories)])
    rows.append(f"{'category':<{width}}  {'pass':>5}  {'fail':>5}  {'total':>5}")
    total_pass = total = 0
    for cat in categories:
        mine = [o for o in outcomes if o.case.category == cat]
        passed = sum(o.ok for o in mine)
        rows.append(f"{cat:<{width}}  {passed:>5}  {len(mine) - passed:>5}  {len(mine):>5}")
        total_pass += passed
        total += len(mine)
    rows.append(f"{'total':<{width}}  {total_pass:>5}  {total - total_pass:>5}  {total:>5}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check the security corpus (tests/security/cases) against texlean."
    )
    parser.add_argument(
        "cases", nargs="*", help="categories, paths under cases/, or .tex files (default: all)"
    )
    parser.add_argument(
        "--summary", action="store_true", help="print pass/fail counts per category"
    )
    parser.add_argument(
        "--failures", action="store_true", help="print the report of every failing case"
    )
    parser.add_argument(
        "--list", action="store_true", help="list the cases with their outcome, one a line"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a case fails"
    )
    args = parser.parse_args(argv)
    cases = _select(args.cases)
    outcomes = [check(c) for c in cases]
    detailed = not (args.summary or args.failures or args.list)
    for o in outcomes:
        if args.list:
            print(f"{'pass' if o.ok else 'FAIL'}  {o.case.id}")
        if detailed or (args.failures and not o.ok):
            print(o.report())
            print()
    if args.summary or (detailed and len(outcomes) > 1):
        print(_summary(outcomes))
    failed = sum(not o.ok for o in outcomes)
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
