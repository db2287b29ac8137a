"""The rule catalog (grammars/rules.toml) is well formed, and docs/rules.md is current.

A rule's code and name are what settings, suppression comments and CI
configurations refer to: they must look like codes and names, be unique, and
stay.  Every rule needs a message template whose placeholders are documented,
a valid severity (per configuration), an explanation and a fix.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import pytest

from texlean import cli, docs_gen, messages
from texlean.analysis.findings import Category, Severity
from texlean.analysis.rules import ENGINES, SHELL_ESCAPE_MODES, catalog, resolve_code, rule
from texlean.tables import load

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "rules.md"

CODE = re.compile(r"[A-Z]{3}[0-9]{3}")
NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PREFIX_CATEGORY = {
    "STR": Category.STRUCTURE,
    "SEC": Category.SECURITY,
    "TLX": Category.STRUCTURE,  # texlean's own machinery (suppression comments)
    "FRM": Category.FORMALIZATION,
}
FIELDS = {
    "code",
    "name",
    "title",
    "category",
    "severity",
    "when",
    "message",
    "explanation",
    "references",
    "fix",
    "tags",
}
WHEN_KEYS = {"shell_escape": set(SHELL_ESCAPE_MODES), "engines": set(ENGINES) - {"any"}}

# Codes and names users may already have written down.  New rules may be added;
# these may never disappear or change their name (retire a rule by keeping its
# entry, never by reusing its code).
STABLE = {
    "STR001": "unmatched-close-brace",
    "STR002": "unclosed-brace",
    "STR003": "end-without-begin",
    "STR004": "unclosed-environment",
    "STR005": "environment-mismatch",
    "STR006": "unclosed-inline-math",
    "STR007": "unclosed-display-math",
    "STR008": "unmatched-math-close",
    "STR009": "missing-end-document",
    "SEC101": "shell-escape-write18",
    "SEC102": "pipe-input",
    "SEC103": "pipe-openin",
    "SEC104": "pipe-openout",
    "SEC105": "restricted-shell-command",
    "SEC106": "shellesc-package",
    "SEC107": "needs-shell-escape",
    "SEC201": "read-sensitive-file",
    "SEC202": "read-parent-path",
    "SEC203": "file-probe",
    "SEC301": "write-outside",
    "SEC302": "write-source-file",
    "SEC303": "filecontents-overwrite",
    "SEC401": "lua-shell",
    "SEC402": "lua-file-access",
    "SEC403": "lua-dynamic-code",
    "SEC404": "lua-compute",
    "SEC501": "pdf-javascript",
    "SEC502": "pdf-launch",
    "SEC503": "pdf-auto-action",
    "SEC504": "link-active-scheme",
    "SEC505": "postscript-file-operators",
    "SEC601": "endless-recursion",
    "SEC602": "expansion-bomb",
    "SEC603": "endless-loop",
    "SEC604": "self-input",
    "SEC605": "huge-repetition",
    "SEC606": "every-hook",
    "SEC701": "caret-notation",
    "SEC702": "catcode-trick",
    "SEC703": "csname-built",
    "SEC704": "alias",
    "SEC705": "scantokens",
    "SEC706": "case-change",
    "SEC707": "string-built",
    "SEC708": "expandafter-chain",
    "SEC900": "analysis-incomplete",
    "SEC901": "not-followed",
    "TLX001": "unknown-suppression",
    "TLX002": "malformed-suppression",
    "TLX003": "unused-suppression",
}


def entries() -> list[dict[str, Any]]:
    raw: list[dict[str, Any]] = load("rules")["rule"]
    return raw


def documented_placeholders() -> set[str]:
    table: dict[str, str] = load("messages")["placeholders"]
    return set(table)


# -- codes and names -------------------------------------------------------------------


def test_codes_are_unique_and_look_like_codes() -> None:
    codes = [str(e["code"]) for e in entries()]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    assert not duplicates, f"codes used twice in grammars/rules.toml: {duplicates}"
    for e in entries():
        code = str(e["code"])
        assert CODE.fullmatch(code), f"{code}: a code is three capitals and three digits"
        prefix = code[:3]
        assert prefix in PREFIX_CATEGORY, f"{code}: unknown prefix {prefix} (add it to this test)"
        assert e["category"] == PREFIX_CATEGORY[prefix].value, (
            f"{code}: {prefix} codes are {PREFIX_CATEGORY[prefix].value} rules"
        )


def test_names_are_unique_kebab_case_and_not_codes() -> None:
    names = [str(e["name"]) for e in entries()]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"names used twice in grammars/rules.toml: {duplicates}"
    for e in entries():
        assert NAME.fullmatch(e["name"]), f"{e['code']}: name {e['name']!r} is not kebab-case"
        assert not CODE.fullmatch(e["name"].upper()), (
            f"{e['code']}: a name must not look like a code"
        )


def test_codes_and_names_are_stable() -> None:
    current = {r.code: r.name for r in catalog().values()}
    for code, name in STABLE.items():
        assert code in current, (
            f"{code} ({name}) disappeared from grammars/rules.toml: codes are never removed"
        )
        assert current[code] == name, (
            f"{code} was renamed from {name} to {current[code]}: names are never changed"
        )


def test_entries_have_only_known_fields() -> None:
    for e in entries():
        unknown = set(e) - FIELDS
        assert not unknown, f"{e['code']}: unknown fields {sorted(unknown)} (a typo?)"
        assert str(e.get("title", "")).strip(), f"{e['code']}: no title"
        assert "\n" not in e["title"], f"{e['code']}: the title is one line"
        assert e["category"] in {c.value for c in Category}, f"{e['code']}: bad category"


def test_resolve_code_by_code_or_name() -> None:
    for r in catalog().values():
        assert resolve_code(r.code) == r.code
        assert resolve_code(r.code.lower()) == r.code
        assert resolve_code(r.name) == r.code
    assert resolve_code("SEC999") is None
    assert resolve_code("no-such-rule") is None


# -- messages ---------------------------------------------------------------------------


def test_every_rule_has_a_message_with_documented_placeholders() -> None:
    templates = messages.templates()
    allowed = documented_placeholders()
    for r in catalog().values():
        assert r.message in templates, f"{r.code}: no message {r.message!r} in messages.toml"
        template = templates[r.message]
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as exc:
            pytest.fail(f"{r.code}: message template is not valid ({exc}); write {{{{ for {{")
        for f in fields:
            assert f.isidentifier(), f"{r.code}: placeholder {{{f}}} is not a plain name"
        undocumented = set(fields) - allowed
        assert not undocumented, (
            f"{r.code}: placeholders {sorted(undocumented)} are not documented in "
            "messages.toml [placeholders]"
        )


def test_every_documented_placeholder_is_described() -> None:
    table: dict[str, str] = load("messages")["placeholders"]
    for name, description in table.items():
        assert name.isidentifier() and not name.endswith("_key"), name
        assert description.strip(), f"placeholder {name} has no description"


def test_rendering_a_rule_message_never_fails() -> None:
    for r in catalog().values():
        assert messages.render(r.message, {}).strip(), r.code


# -- severities --------------------------------------------------------------------------


def test_severities_are_valid() -> None:
    levels = {s.value for s in Severity}
    for e in entries():
        code = e["code"]
        sev = e["severity"]
        when = e.get("when")
        if isinstance(sev, dict):
            assert set(sev) == {"applies", "otherwise"}, (
                f"{code}: a severity by configuration has exactly applies and otherwise"
            )
            assert set(sev.values()) <= levels, f"{code}: severity {sev}"
            assert when, f"{code}: applies/otherwise needs a `when`"
        else:
            assert sev in levels, f"{code}: severity {sev!r} is not one of {sorted(levels)}"
            assert not when, f"{code}: `when` without applies/otherwise means nothing"


def test_when_keys_are_valid() -> None:
    for e in entries():
        when = e.get("when")
        if not when:
            continue
        assert isinstance(when, dict), e["code"]
        for key, values in when.items():
            assert key in WHEN_KEYS, f"{e['code']}: unknown `when` key {key!r}"
            assert isinstance(values, list), f"{e['code']}: when.{key} is a list"
            bad = set(values) - WHEN_KEYS[key]
            assert not bad, f"{e['code']}: when.{key} has unknown values {sorted(bad)}"


def test_every_configuration_has_a_severity() -> None:
    for r in catalog().values():
        matrix = docs_gen.severity_matrix(r)
        assert set(matrix) == set(SHELL_ESCAPE_MODES)
        for row in matrix.values():
            assert set(row) == set(ENGINES)
            assert all(isinstance(v, Severity) for v in row.values())


def test_severity_by_configuration_examples() -> None:
    write18 = docs_gen.severity_matrix(rule("SEC101"))
    assert write18["restricted"]["any"] is Severity.WARNING
    assert write18["enabled"]["pdflatex"] is Severity.ERROR
    lua = docs_gen.severity_matrix(rule("SEC401"))
    assert lua["restricted"]["lualatex"] is Severity.ERROR
    assert lua["restricted"]["pdflatex"] is Severity.WARNING
    assert lua["disabled"]["lualatex"] is Severity.WARNING
    assert write18["enabled"]["lualatex"] is Severity.WARNING  # LuaTeX has no \write18
    assert docs_gen.severity_summary(rule("SEC101")) == (
        "warning (error if assumeShellEscape=enabled with assumeEngine=pdflatex|xelatex|any)"
    )
    assert docs_gen.severity_summary(rule("SEC401")) == (
        "error (warning if assumeShellEscape=disabled or assumeEngine=pdflatex|xelatex)"
    )
    assert docs_gen.severity_summary(rule("STR001")) == "error"


def test_describe_configurations_for_a_corner() -> None:
    matrix = {
        s: {
            e: Severity.HINT if (s, e) == ("enabled", "lualatex") else Severity.ERROR
            for e in ENGINES
        }
        for s in SHELL_ESCAPE_MODES
    }
    assert docs_gen.describe_configurations(matrix, Severity.HINT) == (
        "assumeShellEscape=enabled with assumeEngine=lualatex"
    )


def test_tags_are_known() -> None:
    for r in catalog().values():
        assert set(r.tags) <= {"unnecessary", "deprecated"}, f"{r.code}: tags {r.tags}"


# -- explanations -------------------------------------------------------------------------


def test_every_rule_is_explained_with_a_fix() -> None:
    for r in catalog().values():
        assert r.explanation.strip(), f"{r.code}: no explanation"
        assert r.fix.strip(), f"{r.code}: no fix"
        assert all(ref.strip() for ref in r.references), f"{r.code}: an empty reference"


# -- docs/rules.md and `texlean rules` ------------------------------------------------------


def test_docs_rules_md_is_current() -> None:
    expected = docs_gen.markdown()
    current = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else ""
    assert current == expected, (
        "docs/rules.md is not what grammars/rules.toml and grammars/messages.toml give; "
        f"regenerate it with `{docs_gen.REGENERATE}` and commit it"
    )


def test_docs_have_an_anchor_and_a_section_per_rule() -> None:
    text = docs_gen.markdown()
    for r in catalog().values():
        assert f'<a id="{r.code}"></a>' in text
        assert f"### {r.code} {r.name}" in text
        assert f"](#{r.code})" in text
    for title in ("## Structure", "## Security"):
        assert title in text


def test_markdown_escapes_what_markdown_would_eat() -> None:
    assert docs_gen.md("\\[ or $$ and *x* and a_b") == "\\\\\\[ or \\$\\$ and \\*x\\* and a\\_b"


def run_rules(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = cli.main(["rules", *args])
    out, err = capsys.readouterr()
    assert err == ""
    return status, out


def test_cli_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_rules(capsys)
    assert status == 0
    lines = out.splitlines()
    for r in catalog().values():
        line = next(x for x in lines if x.startswith(r.code + " "))
        assert r.name in line and r.category.value in line and r.title in line
        assert docs_gen.default_severity(r).value in line
    sec101 = next(x for x in lines if x.startswith("SEC101 "))
    assert re.search(r"SEC101\s+shell-escape-write18\s+security\s+warning\s+", sec101)
    assert sec101.endswith(
        "[error if assumeShellEscape=enabled with assumeEngine=pdflatex|xelatex|any]"
    )


def test_cli_rules_json_is_the_whole_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_rules(capsys, "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert [d["code"] for d in data] == list(catalog())
    sec101 = next(d for d in data if d["code"] == "SEC101")
    assert set(sec101) >= {
        "code",
        "name",
        "title",
        "category",
        "severity",
        "explanation",
        "references",
        "fix",
    }
    assert sec101["severity"]["enabled"]["pdflatex"] == "error"
    assert sec101["severity"]["restricted"]["any"] == "warning"
    assert sec101["defaultSeverity"] == "warning"
    assert sec101["when"] == {"shellEscape": ["enabled"], "engines": ["pdflatex", "xelatex"]}
    for d in data:
        assert set(d["severity"]) == set(SHELL_ESCAPE_MODES)
        assert all(set(row) == set(ENGINES) for row in d["severity"].values())


def test_cli_rules_markdown_is_docs_rules_md(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_rules(capsys, "--markdown")
    assert status == 0
    assert out == docs_gen.markdown()
    assert run_rules(capsys, "--format", "markdown")[1] == out
