"""The engine's formalization stage (texlean.analysis.formal): the hazards it reports
after edits are those a fresh analysis of the same text reports, with the block cache
that keeps a keystroke from walking every statement."""

from __future__ import annotations

import random

from texlean.analysis.formal import BLOCK, FormalStage
from texlean.document.model import Document
from texlean.engine import Engine

PREAMBLE = "\\documentclass{article}\n\\newtheorem{theorem}{Theorem}\n\\begin{document}\n"
HAZARDS = [
    "Let $a, b \\in \\N$. Then $a - b + b = a$.",
    "Let $x$ be a real number. Then $\\frac{1}{x} \\cdot x = 1$.",
    "Let $x$ be a real number. Then $\\sqrt{x}^2 = x$.",
    "For every real number $x$, $x^2 \\ge 0$.",
    "Let $n$ be a natural number. Then $\\frac{n}{2} \\cdot 2 = n$.",
]


def document(statements: int) -> str:
    parts = [PREAMBLE]
    for k in range(statements):
        parts.append(f"Some prose number {k} between the statements.\n\n")
        body = HAZARDS[k % len(HAZARDS)]
        parts.append(f"\\begin{{theorem}}\\label{{t{k}}}\n{body}\n\\end{{theorem}}\n\n")
    parts.append("\\end{document}\n")
    return "".join(parts)


def engine() -> Engine:
    e = Engine()
    e.timeout_seconds = 60
    e.formal = FormalStage(deferred=False)
    return e


def hazards(e: Engine, doc: Document) -> list[tuple[str, int, int]]:
    report = e.analyse(doc)
    return [(f.code, f.span.line, f.span.col) for f in report.findings if f.code[:3] == "FRM"]


def fresh(text: str) -> list[tuple[str, int, int]]:
    e = engine()
    doc = e.open("file:///fresh.tex", text, 1)
    return hazards(e, doc)


def test_edits_report_what_a_fresh_analysis_reports() -> None:
    rng = random.Random(5)
    e = engine()
    text = document(3 * BLOCK // 2)  # statements in several blocks
    doc = e.open("file:///doc.tex", text, 1)
    first = hazards(e, doc)
    assert first == fresh(text)
    assert {c for c, _, _ in first} >= {"FRM001", "FRM005"}
    for version in range(2, 14):
        lines = doc.lines
        row = rng.randrange(3, len(lines) - 1)
        choice = version % 4
        if choice == 0:  # a new line: every later statement moves down
            doc.replace((row, 0), (row, 0), "\n")
        elif choice == 1:  # a new statement with a hazard
            doc.replace(
                (row, 0), (row, 0), f"\\begin{{theorem}}\n{HAZARDS[0]}\n\\end{{theorem}}\n\n"
            )
        elif choice == 2:  # delete a line
            doc.replace((row, 0), (row + 1, 0), "")
        else:  # type inside a line
            doc.replace((row, 0), (row, 0), "x")
        doc.version = version
        assert hazards(e, doc) == fresh("".join(doc.lines)), f"after edit {version}"


def test_a_keystroke_walks_one_block() -> None:
    e = engine()
    doc = e.open("file:///doc.tex", document(4 * BLOCK), 1)
    hazards(e, doc)
    stage = e.formal
    assert stage is not None
    made: list[int] = []
    original = stage._block_memos

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(1)
        return original(*args, **kwargs)

    stage._block_memos = counting  # type: ignore[method-assign]
    row = len(doc.lines) // 2
    doc.replace((row, 0), (row, 0), "y")
    doc.version = 2
    hazards(e, doc)
    assert len(made) <= 1
