"""``texlean check --format text|json|sarif|github``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from texlean.analysis.findings import Category, Severity, Span
from texlean.analysis.present import Presented
from texlean.analysis.rules import catalog
from texlean.batch.formats import github
from texlean.batch.runner import Item

from .check_support import run, write

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            ".git/HEAD": "",
            "main.tex": "\\documentclass{article}\n\\let\\x\\write\n\\input{ch/one}\n}\n",
            "ch/one.tex": "𝔽 text \\x18{rm -rf ~}\n\\input{missing}\n",
            "other dir/two, three.tex": "\t\\write18{a,b:c 5\\%}\n",
        },
    )
    return tmp_path


def sarif(capsys: pytest.CaptureFixture[str], *paths: str) -> dict[str, Any]:
    status, out, err = run(capsys, "--format", "sarif", *paths)
    assert status == 1 and err == ""
    log: dict[str, Any] = json.loads(out)
    return log


def test_sarif_is_valid_against_the_official_schema(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    log = sarif(capsys, str(project))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(log)
    assert log["version"] == "2.1.0"


def test_sarif_rules_and_results(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    log = sarif(capsys, str(project))
    (run_,) = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(catalog())
    sec101 = rules[list(catalog()).index("SEC101")]
    assert sec101["name"] == "shell-escape-write18"
    assert sec101["shortDescription"]["text"] and sec101["fullDescription"]["text"]
    assert sec101["helpUri"].endswith("docs/rules.md#SEC101")
    assert sec101["defaultConfiguration"]["level"] == "warning"
    assert sec101["properties"]["category"] == "security"
    results = run_["results"]
    by_code = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
        for r in results
    }
    r = by_code[("SEC101", "ch/one.tex")]
    assert rules[r["ruleIndex"]]["id"] == "SEC101"
    assert r["level"] == "warning"
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uriBaseId"] == "SRCROOT"
    # 1-based, code points (𝔽 is one), end exclusive
    assert loc["region"] == {"startLine": 1, "startColumn": 8, "endLine": 1, "endColumn": 22}
    assert run_["columnKind"] == "unicodeCodePoints"
    assert run_["originalUriBaseIds"]["SRCROOT"]["uri"] == project.resolve().as_uri() + "/"
    assert ("SEC101", "other%20dir/two%2C%20three.tex") in by_code
    assert by_code[("SEC901", "ch/one.tex")]["level"] == "note"
    assert by_code[("STR001", "main.tex")]["level"] == "error"


def test_sarif_rules_uri_option(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    _status, out, _ = run(
        capsys, "--format", "sarif", "--rules-uri", "https://example.org/rules.md", str(project)
    )
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["helpUri"] == f"https://example.org/rules.md#{rules[0]['id']}"


def test_github_workflow_commands(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    status, out, _ = run(capsys, "--format", "github", str(project / "other dir"))
    assert status == 1
    name = str(project / "other dir" / "two, three.tex").replace(":", "%3A").replace(",", "%2C")
    assert out.splitlines() == [
        f"::warning file={name},line=1,col=2,endLine=1,endColumn=20,title=SEC101::"
        "runs the shell command `a,b:c 5\\%25` when compiled with -shell-escape"
    ]


def test_github_escaping() -> None:
    p = Presented(
        "SEC101",
        "x",
        Category.SECURITY,
        Severity.INFORMATION,
        "50% done\r\nnext: a, b",
        Span(0, 0, 0, 3),
    )
    line = github.render(Item("a:b,c%.tex", None, None, p))
    assert line == (
        "::notice file=a%3Ab%2Cc%25.tex,line=1,col=1,endLine=1,endColumn=3,title=SEC101::"
        "50%25 done%0D%0Anext: a, b"
    )
    assert github.escape_property("x\ny") == "x%0Ay"


def test_text_with_source_line_and_caret(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    _, out, _ = run(capsys, "--source", str(project / "other dir"))
    name = project / "other dir" / "two, three.tex"
    assert out.splitlines() == [
        f"{name}:1:2: warning SEC101 runs the shell command `a,b:c 5\\%` when compiled with"
        " -shell-escape",
        " 1 | \t\\write18{a,b:c 5\\%}",
        "   | \t^" + "~" * (len("\\write18{a,b:c 5\\%}") - 1),
    ]
    _, out, _ = run(capsys, "--no-source", str(project / "other dir"))
    assert len(out.splitlines()) == 1


def test_json_keeps_its_shape(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    _, out, _ = run(capsys, "--format", "json", str(project))
    items = json.loads(out)
    assert {tuple(sorted(i)) for i in items} == {
        ("category", "code", "message", "name", "path", "range", "severity")
    }
    one = next(i for i in items if i["code"] == "SEC101" and i["path"].endswith("one.tex"))
    # UTF-16 columns: 𝔽 is two code units
    assert one["range"]["start"] == {"line": 0, "character": 8}
