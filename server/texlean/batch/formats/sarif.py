"""``--format sarif``: one SARIF 2.1.0 log with one run.

``tool.driver.rules`` holds the whole catalog (id, name, descriptions, help
link, default level, category), results point into it by ``ruleIndex``.
Locations are relative to the project root (``uriBaseId`` ``SRCROOT``; more
roots get ``SRCROOT2`` …, all listed in ``originalUriBaseIds``); regions are
1-based with exclusive end columns counted in code points
(``columnKind: unicodeCodePoints``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ... import __version__
from ...analysis.rules import Rule, catalog
from ...docs_gen import default_severity
from ..runner import Item

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
DOCS = Path(__file__).resolve().parents[4] / "docs" / "rules.md"


def rules_uri() -> str | None:
    """Where docs/rules.md is (its file URI in a source checkout), or None."""
    return DOCS.as_uri() if DOCS.is_file() else None


def _rule(rule: Rule, base: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.explanation or rule.title},
        "defaultConfiguration": {"level": LEVELS[default_severity(rule).value]},
        "properties": {"category": rule.category.value, "tags": [rule.category.value]},
    }
    if rule.fix:
        out["help"] = {"text": rule.fix}
    if base:
        out["helpUri"] = f"{base}#{rule.code}"
    return out


def _uri(path: Path) -> str:
    return quote(path.as_posix(), safe="/")


def render(items: Sequence[Item], rules_base: str | None = None) -> dict[str, Any]:
    codes = list(catalog())
    index = {code: i for i, code in enumerate(codes)}
    base = rules_base if rules_base is not None else rules_uri()
    roots: dict[Path, str] = {}
    results = []
    for item in items:
        p = item.presented
        location: dict[str, Any]
        if item.path is None or item.root is None:
            location = {"uri": "stdin"}
        else:
            if item.root not in roots:
                roots[item.root] = "SRCROOT" if not roots else f"SRCROOT{len(roots) + 1}"
            try:
                relative = item.path.relative_to(item.root)
                location = {"uri": _uri(relative), "uriBaseId": roots[item.root]}
            except ValueError:
                location = {"uri": item.path.as_uri()}
        end_col = max(p.span.end_col, p.span.col) + 1
        result: dict[str, Any] = {
            "ruleId": p.code,
            "ruleIndex": index[p.code],
            "level": LEVELS[p.severity.value],
            "message": {"text": p.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": {
                            "startLine": p.span.line + 1,
                            "startColumn": p.span.col + 1,
                            "endLine": p.span.end_line + 1,
                            "endColumn": end_col,
                        },
                    }
                }
            ],
        }
        if p.suppressed:
            result["suppressions"] = [{"kind": "inSource"}]
        results.append(result)
    driver: dict[str, Any] = {
        "name": "texlean",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(r, base) for r in catalog().values()],
    }
    if base:
        driver["informationUri"] = base
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if roots:
        run["originalUriBaseIds"] = {
            name: {"uri": root.as_uri() + "/"} for root, name in roots.items()
        }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
