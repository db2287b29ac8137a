"""The quick fixes of lsp/code_actions.py, computed without a server.

Each fix is applied to the text and the result checked, and then analysed
again: a fix must do what its title says (the finding is gone, or suppressed)
and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from texlean.analysis.findings import Finding, Span
from texlean.analysis.present import present_one
from texlean.document.lines import split_lines
from texlean.document.model import Document
from texlean.engine import Engine, Report
from texlean.lsp.code_actions import Fix, fixes_for, snippet, verbatim_spans
from texlean.settings import Settings


def apply(text: str, edits: Sequence[tuple[Span, str]]) -> str:
    lines = split_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:
        return starts[line] + col

    out = text
    for span, new in sorted(edits, key=lambda e: (e[0].line, e[0].col), reverse=True):
        a, b = offset(span.line, span.col), offset(span.end_line, span.end_col)
        out = out[:a] + new + out[b:]
    return out


def analyse(text: str) -> Report:
    return Engine(timeout_seconds=60).analyse_text(text)


def at(text: str, construct: str, nth: int = 0) -> Span:
    """The span of the ``nth`` occurrence of ``construct`` in ``text``."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(construct, offset + 1)
    lines = split_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def position(o: int) -> tuple[int, int]:
        line = max(i for i, s in enumerate(starts[:-1]) if s <= o)
        return line, o - starts[line]

    (sl, sc), (el, ec) = position(offset), position(offset + len(construct))
    return Span(sl, sc, el, ec)


def fixes_of(text: str, finding: Finding) -> dict[str, Fix]:
    """The fixes for ``finding`` (made up or found) in ``text``."""
    engine = Engine(timeout_seconds=60)
    doc = engine.open("file:///f.tex", text, 1)
    engine.analyse(doc)
    p = present_one(finding, Settings())
    assert p is not None
    verbatim = verbatim_spans(doc, finding.span.line, finding.span.end_line)
    return {fix.title: fix for fix in fixes_for(finding, p, doc.lines, verbatim)}


def fixes(text: str, code: str, construct: str | None = None) -> dict[str, Fix]:
    """The fixes for the finding ``code`` of the analysis, or, with ``construct``, for
    a finding ``code`` made up at the construct (so that these tests do not depend
    on where the security analysis puts its ranges)."""
    if construct is not None:
        return fixes_of(text, Finding(code, at(text, construct), (("command", "x"),)))
    found = [f for f in analyse(text).findings if f.code == code]
    assert found, (code, analyse(text).findings)
    return fixes_of(text, found[0])


def codes(text: str) -> list[str]:
    return [f.code for f in analyse(text).findings]


WRITE = "\\immediate\\write18{rm -rf ~}"
DOC = "\\documentclass{article}\n\\begin{document}\n  Text \\immediate\\write18{rm -rf ~} more\n\\end{document}\n"


def test_titles_and_preference_for_write18() -> None:
    found = fixes(DOC, "SEC101", WRITE)
    assert list(found) == [
        "Remove \\immediate\\write18{rm -rf ~}",
        "Comment out \\immediate\\write18{rm -rf ~}",
        "Suppress SEC101 on this line",
        "Suppress SEC101 in this file",
    ]
    assert [f.preferred for f in found.values()] == [True, False, False, False]


def test_no_suppressions_offered_when_comments_are_not_honoured() -> None:
    finding = Finding("SEC101", at(DOC, WRITE), (("command", "x"),))
    p = present_one(finding, Settings())
    assert p is not None
    titles = [f.title for f in fixes_for(finding, p, split_lines(DOC), suppressions=False)]
    assert titles == [f"Remove {WRITE}", f"Comment out {WRITE}"]


def test_remove_inside_a_line() -> None:
    fix = fixes(DOC, "SEC101", WRITE)["Remove \\immediate\\write18{rm -rf ~}"]
    out = apply(DOC, fix.edits)
    assert out.splitlines()[2] == "  Text  more"
    assert codes(out) == []


def test_remove_a_whole_line_takes_the_line() -> None:
    text = "a\n  \\write18{x}\nb\n"
    fix = fixes(text, "SEC101", "\\write18{x}")["Remove \\write18{x}"]
    assert apply(text, fix.edits) == "a\nb\n"
    text = "a\n\\write18{x}"  # the last line, without a line end
    fix = fixes(text, "SEC101", "\\write18{x}")["Remove \\write18{x}"]
    assert apply(text, fix.edits) == "a"
    # a range that runs to the start of the next line is the line
    text = 'a\n\\input|"ls"\nb\n'
    made_up = Finding("SEC102", Span(1, 0, 2, 0), (("command", "ls"), ("cs", "input")))
    fix = fixes_of(text, made_up)['Remove \\input|"ls"']
    assert apply(text, fix.edits) == "a\nb\n"


def test_comment_out_inside_a_line_keeps_what_follows() -> None:
    fix = fixes(DOC, "SEC101", WRITE)["Comment out \\immediate\\write18{rm -rf ~}"]
    out = apply(DOC, fix.edits)
    assert out.splitlines()[2:4] == ["  Text % \\immediate\\write18{rm -rf ~}", "  more"]
    assert codes(out) == []


def test_comment_out_skips_blank_lines_and_keeps_a_comment_after() -> None:
    text = "\\write18{a\n   b\n\n c} % note\n"
    found = fixes(text, "SEC101", "\\write18{a\n   b\n\n c}")
    assert "Comment out \\write18{a…" in found
    out = apply(text, found["Comment out \\write18{a…"].edits)
    assert out == "% \\write18{a\n   % b\n\n % c} % note\n"


def test_comment_out_a_multi_line_construct() -> None:
    text = "x\n\\directlua{\n  os.execute('ls')\n} y\n"
    found = fixes(text, "SEC401", "\\directlua{\n  os.execute('ls')\n}")
    title = next(t for t in found if t.startswith("Comment out"))
    out = apply(text, found[title].edits)
    assert out == "x\n% \\directlua{\n  % os.execute('ls')\n% }\ny\n"
    assert "SEC401" not in codes(out)


def test_suppress_on_this_line_keeps_the_indentation() -> None:
    fix = fixes(DOC, "SEC101", WRITE)["Suppress SEC101 on this line"]
    out = apply(DOC, fix.edits)
    assert out.splitlines()[2:4] == [
        "  % texlean: disable-next-line SEC101",
        "  Text \\immediate\\write18{rm -rf ~} more",
    ]
    report = analyse(out)
    assert report.findings == () and [f.code for f in report.suppressed] == ["SEC101"]


def test_suppress_on_this_line_extends_a_directive_above() -> None:
    text = '% texlean: disable-next-line SEC102 -- why\n\\write18{x}\\input|"ls"\n'
    out = apply(text, fixes(text, "SEC101", "\\write18{x}")["Suppress SEC101 on this line"].edits)
    assert out.splitlines()[0] == "% texlean: disable-next-line SEC102, SEC101 -- why"
    assert analyse(out).findings == ()


def test_suppress_in_this_file() -> None:
    fix = fixes(DOC, "SEC101", WRITE)["Suppress SEC101 in this file"]
    out = apply(DOC, fix.edits)
    assert out.startswith("% texlean: disable SEC101\n\\documentclass{article}\n")
    assert analyse(out).findings == ()
    # a second code goes into the same comment
    text = out.replace("\\end{document}", '\\input|"ls"\n\\end{document}')
    out2 = apply(text, fixes(text, "SEC102", '\\input|"ls"')["Suppress SEC102 in this file"].edits)
    assert out2.splitlines()[0] == "% texlean: disable SEC101, SEC102"
    assert analyse(out2).findings == ()


def test_line_ends_are_the_documents() -> None:
    text = DOC.replace("\n", "\r\n")
    out = apply(text, fixes(text, "SEC101", WRITE)["Suppress SEC101 on this line"].edits)
    assert "  % texlean: disable-next-line SEC101\r\n  Text" in out
    out = apply(text, fixes(text, "SEC101", WRITE)["Suppress SEC101 in this file"].edits)
    assert out.startswith("% texlean: disable SEC101\r\n")


def test_add_end_document() -> None:
    text = "\\documentclass{article}\n\\begin{document}\nHi.\n"
    fix = fixes(text, "STR009")["Add \\end{document} at the end"]
    assert fix.preferred
    assert apply(text, fix.edits) == text + "\\end{document}\n"
    text = text.rstrip("\n")
    fix = fixes(text, "STR009")["Add \\end{document} at the end"]
    assert apply(text, fix.edits) == text + "\n\\end{document}\n"
    assert codes(text + "\n\\end{document}\n") == []


def test_remove_a_stray_brace() -> None:
    text = "a } b\n"
    found = fixes(text, "STR001")
    assert next(iter(found)) == "Remove }"
    assert apply(text, found["Remove }"].edits) == "a  b\n"


def test_no_line_suppression_or_comment_inside_a_verbatim_body() -> None:
    lines = ["x", "\\begin{verbatim}", "a", "b", "\\end{verbatim}", "\\write18{x}"]
    text = "\n".join(lines) + "\n"
    engine = Engine(timeout_seconds=60)
    doc = engine.open("file:///v.tex", text, 1)
    engine.analyse(doc)
    spans = verbatim_spans(doc, 0, 5)
    assert spans, "the verbatim body is a token"
    # a finding inside the body (made up: the security analysis may find Lua there)
    inside = Finding("SEC401", Span(3, 0, 3, 1), (("what", "os"),))
    p = present_one(inside, Settings())
    assert p is not None
    titles = [f.title for f in fixes_for(inside, p, doc.lines, spans)]
    assert titles == ["Remove b", "Suppress SEC401 in this file"]


def test_unknown_code_gets_the_closest_ones() -> None:
    text = "\\write18{x} % texlean: disable-line SEC1O1\n"
    found = fixes(text, "TLX001")
    assert list(found) == ["Change SEC1O1 to SEC101 (shell-escape-write18)"]
    out = apply(text, found["Change SEC1O1 to SEC101 (shell-escape-write18)"].edits)
    assert analyse(out).findings == ()
    text = "\\write18{x} % texlean: disable-line shell-escape-write\n"
    found = fixes(text, "TLX001")
    assert list(found) == ["Change shell-escape-write to shell-escape-write18"]
    assert next(iter(found.values())).preferred


def test_malformed_directive_gets_the_closest_verb() -> None:
    text = "% texlean: disabel-next-line SEC101\n\\write18{x}\n"
    found = fixes(text, "TLX002")
    assert list(found) == ["Change disabel-next-line to disable-next-line"]
    out = apply(text, found["Change disabel-next-line to disable-next-line"].edits)
    assert analyse(out).findings == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("% texlean: disable-next-line SEC102\nx\n", "x\n"),
        ("x % texlean: disable-line\ny\n", "x\ny\n"),
        ("x% texlean: disable-line SEC101\ny\n", "x%\ny\n"),
        (
            "% texlean: disable-next-line SEC101, SEC102\n\\write18{x}\n",
            "% texlean: disable-next-line SEC101\n\\write18{x}\n",
        ),
        (
            "% texlean: disable-next-line SEC102 SEC101 -- why\n\\write18{x}\n",
            "% texlean: disable-next-line SEC101 -- why\n\\write18{x}\n",
        ),
        ("%% texlean: disable SEC102\nx\n", "x\n"),
    ],
)
def test_remove_unused_suppressions(text: str, expected: str) -> None:
    (title,) = fixes(text, "TLX003")
    assert title.startswith("Remove the unused suppression")
    out = apply(text, fixes(text, "TLX003")[title].edits)
    assert out == expected
    assert "TLX003" not in codes(out)


def test_no_suppression_of_the_incomplete_analysis() -> None:
    finding = Finding("SEC900", Span(0, 0, 0, 0), (("reason", "time"),))
    p = present_one(finding, Settings())
    assert p is not None
    assert fixes_for(finding, p, ["x\n", ""]) == []


def test_snippet() -> None:
    lines = split_lines("\\write18{" + "a" * 60 + "}\n\\input{x\ny}\n")
    assert snippet(lines, Span(0, 0, 0, 70)) == "\\write18{" + "a" * 30 + "…"
    assert snippet(lines, Span(1, 0, 2, 2)) == "\\input{x…"


def test_document_model_is_untouched() -> None:
    doc = Document("file:///u.tex", DOC, 1)
    before = doc.text()
    engine = Engine()
    engine.documents[doc.uri] = doc
    engine.analyse(doc)
    verbatim_spans(doc, 0, 3)
    assert doc.text() == before
