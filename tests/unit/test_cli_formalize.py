"""``texlean formalize`` (texlean.cli): a .tex file to a Lean file, and --jsonl batches."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from texlean import cli

DOC = r"""\documentclass{article}
\usepackage{amsthm}
\newtheorem{theorem}{Theorem}
\newtheorem{lemma}{Lemma}
\begin{document}
\begin{theorem}[AM--GM]\label{thm:amgm}
Let $a$ and $b$ be positive real numbers. Then $\sqrt{ab} \le \frac{a+b}{2}$.
\end{theorem}
Some text between.
\begin{lemma}\lean{Nat.my_lemma}
Let $n$ be a natural number. Then $n + 0 = n$.
\end{lemma}
\begin{lemma}
The weather is nice today.
\end{lemma}
\end{document}
"""
DECLARATION = re.compile(r"^theorem (\S+) ", re.MULTILINE)


def formalize(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["formalize", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def tex(tmp_path: Path) -> Path:
    path = tmp_path / "paper.tex"
    path.write_text(DOC, encoding="utf-8")
    return path


def test_every_statement_under_a_header(capsys: pytest.CaptureFixture[str], tex: Path) -> None:
    status, out, err = formalize(capsys, str(tex))
    assert out.startswith("import Mathlib")
    names = DECLARATION.findall(out)
    assert len(names) == 3
    # the name comes from \lean{…}, else \label, else a stable slug
    assert "thm_amgm" in names and "Nat.my_lemma" in names
    assert out.count(":= by sorry") == 3
    # the doc comment quotes the statement and where it came from
    assert "paper.tex" in out and "AM--GM" in out
    # the statement with no math is an explicit hole, so the run reports it
    assert "(sorry : Prop) /- untranslated:" in out
    assert status == cli.EXIT_FINDINGS
    assert re.search(r"paper\.tex: 3 statements \(.*partial|failed", err)


def test_names_are_stable(capsys: pytest.CaptureFixture[str], tex: Path) -> None:
    first = formalize(capsys, str(tex))[1]
    moved = tex.with_name("moved.tex")
    moved.write_text(DOC.replace("Some text between.", "Other text.\n\nMore."), encoding="utf-8")
    second = formalize(capsys, str(moved))[1]
    assert DECLARATION.findall(first) == DECLARATION.findall(second)


def test_output_file(capsys: pytest.CaptureFixture[str], tex: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "paper.lean"
    status, out, _ = formalize(capsys, str(tex), "-o", str(out_path))
    assert out == ""
    text = out_path.read_text(encoding="utf-8")
    assert text.startswith("import Mathlib") and len(DECLARATION.findall(text)) == 3
    assert status == cli.EXIT_FINDINGS


def test_complete_document_exits_clean(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "one.tex"
    path.write_text(
        "\\begin{theorem}\nLet $a$ and $b$ be positive real numbers. "
        "Then $\\sqrt{ab} \\le \\frac{a+b}{2}$.\n\\end{theorem}\n",
        encoding="utf-8",
    )
    status, out, _ = formalize(capsys, str(path), "--no-header")
    assert not out.startswith("import")
    assert "Real.sqrt (a * b) ≤ (a + b) / 2" in out or "√(a * b) ≤ (a + b) / 2" in out
    assert status == cli.EXIT_CLEAN


def test_unwritable_output(capsys: pytest.CaptureFixture[str], tex: Path, tmp_path: Path) -> None:
    status, _, err = formalize(capsys, str(tex), "-o", str(tmp_path / "missing" / "x.lean"))
    assert status == cli.EXIT_ERROR
    assert "x.lean" in err


def test_missing_file_and_bad_usage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = formalize(capsys, str(tmp_path / "absent.tex"))
    assert status == cli.EXIT_ERROR and "absent.tex" in err
    status, _, err = formalize(capsys)
    assert status == cli.EXIT_ERROR and "--jsonl" in err
    status, _, err = formalize(capsys, "x.tex", "--jsonl", "y.jsonl")
    assert status == cli.EXIT_ERROR


def test_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(DOC.encode("utf-8"))))
    status, out, err = formalize(capsys, "-")
    assert len(DECLARATION.findall(out)) == 3
    assert "<stdin>" in err and status == cli.EXIT_FINDINGS


# -- --jsonl ---------------------------------------------------------------------------


def test_jsonl_one_object_per_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    items = [
        {"id": "amgm", "informal": "Let $a, b > 0$ be real. Show that $\\sqrt{ab} \\le (a+b)/2$."},
        {"id": 7, "informal": "What is $2 + 3$? Show that it is 5.", "extra": "ignored"},
        {"id": "story", "informal": "Alice has some apples and gives a few away."},
    ]
    src.write_text("\n".join(json.dumps(i) for i in items) + "\n\n", encoding="utf-8")
    status, out, err = formalize(capsys, "--jsonl", str(src))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["amgm", 7, "story"]  # ids kept, in order, types too
    for row in rows:
        assert set(row) == {"id", "lean", "status", "untranslated"}
        assert row["status"] in ("complete", "partial", "failed")
        assert row["lean"].rstrip().endswith(":= by sorry")
        assert isinstance(row["untranslated"], list)
        assert (row["status"] == "complete") == (row["untranslated"] == [])
    assert "2 + 3 = 5" in rows[1]["lean"]
    assert rows[2]["status"] != "complete" and "sorry : Prop" in rows[2]["lean"]
    assert status == cli.EXIT_FINDINGS and err == ""


def test_jsonl_bad_lines_are_reported_and_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "not json\n"
        + json.dumps({"informal": "no id"})
        + "\n"
        + json.dumps({"id": "x"})
        + "\n"
        + json.dumps({"id": "ok", "informal": "Show that $1 + 1 = 2$."})
        + "\n",
        encoding="utf-8",
    )
    status, out, err = formalize(capsys, "--jsonl", str(src))
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["ok"]
    assert "in.jsonl:1: not JSON" in err
    assert "in.jsonl:2: no id" in err
    assert "in.jsonl:3: no informal statement" in err
    assert status == cli.EXIT_ERROR


def test_output_is_valid_lean(capsys: pytest.CaptureFixture[str], tex: Path) -> None:
    from .formalize_support import load_leq

    leq = load_leq()
    if leq is None:
        pytest.skip("../shared/tools/leq.py (the Lean statement parser) is not in this checkout")
    parse = leq.parse_statement
    _, out, _ = formalize(capsys, str(tex), "--no-header")
    blocks = [b for b in re.split(r"\n\s*\n", out) if "theorem " in b]
    assert len(blocks) == 3
    for block in blocks:
        decl = block[block.index("theorem ") :]
        parse(" ".join(decl.split()))
