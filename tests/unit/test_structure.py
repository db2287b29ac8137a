"""Structural checks (texlean.analysis.structure), through the whole pipeline.

Each expectation says what TeX or LaTeX does with the input: which error it
stops with and where the construct that causes it starts.
"""

from __future__ import annotations

import pytest

from texlean.analysis.findings import Finding, Span
from texlean.analysis.pipeline import INITIAL, analyse_chunk, assemble
from texlean.analysis.present import present
from texlean.analysis.structure import MAX_PER_CODE, Event, fold
from texlean.budget import Budget
from texlean.engine import Engine
from texlean.settings import Settings


def findings(text: str) -> list[Finding]:
    return list(Engine(timeout_seconds=60).analyse_text(text).findings)


def brief(text: str) -> list[tuple[str, int, int, int, int]]:
    return [
        (f.code, f.span.line, f.span.col, f.span.end_line, f.span.end_col) for f in findings(text)
    ]


def codes(text: str) -> list[str]:
    return [f.code for f in findings(text)]


# -- braces -------------------------------------------------------------------------


def test_unmatched_close_brace() -> None:
    assert brief("a}b") == [("STR001", 0, 1, 0, 2)]


def test_unclosed_brace() -> None:
    assert brief("x{a{b}") == [("STR002", 0, 1, 0, 2)]


def test_braces_may_span_paragraphs() -> None:
    # a group is not ended by \par: {\bf a\n\nb} is balanced
    assert codes("{\\bf a\n\nb}\n") == []
    assert brief("{\n\n}\n\n}") == [("STR001", 4, 0, 4, 1)]


def test_escaped_and_commented_braces_do_not_count() -> None:
    assert codes("\\{ \\} % {\n\\verb|{| \\url{a{b}c}") == []


def test_unclosed_braces_are_capped_per_code() -> None:
    result = findings("{" * 20_000)
    assert [f.code for f in result] == ["STR002"] * MAX_PER_CODE
    # the first ones, in document order
    assert [f.span.col for f in result] == list(range(MAX_PER_CODE))


def test_unclosed_braces_over_many_chunks_are_capped() -> None:
    result = findings("{\n\n" * 20_000)
    assert [f.code for f in result] == ["STR002"] * MAX_PER_CODE
    assert result[-1].span.line == 2 * (MAX_PER_CODE - 1)


def test_findings_made_inside_chunks_are_capped_too() -> None:
    # unclosed math is found within each paragraph's chunk
    result = findings("$a\n\n" * 2_000)
    assert [f.code for f in result] == ["STR006"] * MAX_PER_CODE
    assert findings("\\)\n" * 2_000) == findings("\\)\n" * MAX_PER_CODE)


# -- environments -------------------------------------------------------------------------


def test_end_without_begin() -> None:
    assert brief("text \\end{itemize}") == [("STR003", 0, 5, 0, 18)]
    f = findings("\\end{itemize}")[0]
    assert f.param("env") == "itemize"


def test_unclosed_environment() -> None:
    assert brief("\\begin{proof}\nabc\n") == [("STR004", 0, 0, 0, 13)]


def test_mismatched_end_points_at_the_open_begin() -> None:
    text = "\\begin{itemize}\n\\item x\n\\end{enumerate}\n"
    result = findings(text)
    assert [f.code for f in result] == ["STR005"]
    f = result[0]
    assert f.span == Span(2, 0, 2, 15)
    assert f.param("env") == "enumerate"
    assert f.param("open") == "itemize"
    assert len(f.related) == 1
    assert f.related[0].span == Span(0, 0, 0, 15)
    # LaTeX's \end{enumerate} ended the itemize group: it is not also "never closed"
    shown = present(result, Settings())[0]
    assert "\\begin{itemize}" in shown.message and "\\end{enumerate}" in shown.message
    assert shown.related[0][1] == "\\begin{itemize} opened here"


def test_end_closing_an_outer_environment() -> None:
    # \end{a} while b is open: reported at \end{a}, with \begin{b} as related
    result = findings("\\begin{a}\n\\begin{b}\n\\end{a}\n")
    assert [(f.code, f.span.line) for f in result] == [("STR005", 2)]
    assert result[0].related[0].span.line == 1


def test_one_typo_makes_one_finding() -> None:
    text = "\\begin{a}\\begin{b}\\end{c}\\end{a}"
    assert codes(text) == ["STR005"]


def test_environments_across_paragraphs() -> None:
    text = "\\begin{theorem}\nA\n\nB\n\\end{theorem}\n\n\\begin{x}\n\n\\end{y}\n"
    assert [(f.code, f.span.line) for f in findings(text)] == [("STR005", 8)]


def test_begin_document_without_end() -> None:
    text = "\\documentclass{article}\n\\begin{document}\nHello.\n\nMore.\n"
    assert brief(text) == [("STR009", 1, 0, 1, 16)]
    assert codes(text + "\\end{document}\n") == []


def test_environment_name_with_spaces_and_star() -> None:
    assert codes("\\begin {align*}x\\end {align*}") == []
    assert codes("\\begin{align*}x\\end{align}") == ["STR005"]


# -- math -----------------------------------------------------------------------------------


def test_inline_math_unclosed_at_paragraph_end() -> None:
    text = "We have $a + b\n\nNext paragraph.\n"
    assert brief(text) == [("STR006", 0, 8, 0, 9)]
    assert findings(text)[0].param("delim") == "$"


def test_inline_math_unclosed_at_end_of_file() -> None:
    assert brief("x $a") == [("STR006", 0, 2, 0, 3)]
    assert brief("x \\(a\n") == [("STR006", 0, 2, 0, 4)]


def test_display_math_unclosed() -> None:
    assert brief("\\[ a\n\nb") == [("STR007", 0, 0, 0, 2)]
    assert brief("$$ a\n\nb") == [("STR007", 0, 0, 0, 2)]
    assert brief("x $$a") == [("STR007", 0, 2, 0, 4)]


def test_closing_delimiters_without_opener() -> None:
    assert brief("a \\) b") == [("STR008", 0, 2, 0, 4)]
    assert brief("a \\] b") == [("STR008", 0, 2, 0, 4)]
    assert findings("\\]")[0].param("delim") == "\\]"


def test_math_closed_over_several_lines() -> None:
    assert codes("$a\n+ b$ and \\[\nx\n\\] and $$\ny\n$$") == []


def test_each_paragraph_reports_its_own_math() -> None:
    text = "$a\n\n$b\n\nok $c$\n"
    assert [(f.code, f.span.line) for f in findings(text)] == [("STR006", 0), ("STR006", 2)]


# -- no false positives ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "\\newcommand{\\be}{\\begin{equation}}\n\\newcommand{\\ee}{\\end{equation}}",
        "\\newcommand\\be{\\begin{equation}}",
        "\\renewcommand*{\\x}[1][y]{$#1}",
        "\\newenvironment{x}{\\begin{center}}{\\end{center}}",
        "\\NewDocumentCommand{\\x}{m}{\\begin{center}#1}",
        "\\def\\({$}",
        "\\def\\[{$$}\\def\\]{$$}",
        "\\def\\x#1${\\(}",
        "\\let\\(\\relax \\let\\[=\\relax",
        "\\let\\bgroup={",
        "\\let\\egroup=}",
        "\\let\\x= {",
        "$a \\text{ if $b$}$",
        "\\[ x \\]",
        "\\( x \\)",
        "$$x$$",
        "$$ a \\text{$b$} $$",
        "\\verb|$|",
        "\\verb*|\\begin{x}|",
        "\\url{a%b}",
        "\\href{http://x/%20{}}{text}",
        "a\\\\[2pt] b",
        "\\{ \\}",
        "\\begin{tabular}{>{$}c<{$}}a\\end{tabular}",
        "\\begin{verbatim}\n\\begin{x} $ {\n\n\\end{verbatim}",
        "\\begin{lstlisting}[x]\n}\n\\end{lstlisting}",
        "% \\begin{x} $ { \\)",
        "\\begin{comment}\n{\n\\end{comment}",
        "\\makeatletter\\def\\@x{\\begin{y}}\\makeatother",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert findings(text) == []


# -- fold and assemble directly ---------------------------------------------------------------


def test_fold_pairs_events_across_chunks() -> None:
    s = Span(0, 0, 0, 1)
    events = [
        Event("{", "", s),
        Event("begin", "x", s),
        Event("end", "x", s.shifted(3)),
        Event("}", "", s.shifted(5)),
        Event("}", "", s.shifted(7)),
    ]
    result = fold(events)
    assert [(f.code, f.span.line) for f in result] == [("STR001", 7)]


def test_assemble_shifts_chunk_findings_to_document_lines() -> None:
    budget = Budget.unlimited()
    first = analyse_chunk("{\n\n", INITIAL, budget)
    second = analyse_chunk("\\)\n", first.exit, budget)
    result = assemble([(0, first), (2, second)])
    assert [(f.code, f.span.line) for f in result] == [("STR002", 0), ("STR008", 2)]


def test_math_state_is_carried_between_chunks() -> None:
    # a chunk boundary inside a paragraph: the math opened before it is closed after it
    budget = Budget.unlimited()
    first = analyse_chunk("a $x\n", INITIAL, budget)
    assert first.exit.struct.math == ("$",)
    second = analyse_chunk("y$ b\n", first.exit, budget)
    assert assemble([(0, first), (1, second)]) == []
    # and when the paragraph ends first, the opening $ is reported
    third = analyse_chunk("y\n\nb\n", first.exit, budget)
    result = assemble([(0, first), (1, third)])
    assert [(f.code, f.span.line, f.span.col) for f in result] == [("STR006", 0, 2)]


def test_let_takes_exactly_two_tokens() -> None:
    # \let\x\y, \let\x=y and \let\x= y consume their operands only: a { after
    # them opens a group as usual
    assert codes("\\let\\x\\y {") == ["STR002"]
    assert codes("\\let\\x=y {") == ["STR002"]
    assert codes("\\let\\x= y {") == ["STR002"]
    assert codes("\\let\\x\n\n{") == ["STR002"]


def test_definition_mask_covers_name_parameters_and_bodies() -> None:
    from texlean.analysis.definitions import IN_DEFINITION, LET_OPERAND, body_mask
    from texlean.tex.lexer import lex

    tokens = lex("\\def\\(#1{$#1}$")[0]
    mask = body_mask(tokens)
    assert mask is not None
    values = [(t[3], mask[i]) for i, t in enumerate(tokens)]
    assert values[0] == ("def", 0)
    assert all(m == IN_DEFINITION for _, m in values[1:-1])
    assert values[-1] == ("$", 0)  # after the definition: not masked
    tokens = lex("\\let\\bgroup={x")[0]
    mask = body_mask(tokens)
    assert mask is not None
    assert [mask[i] for i in range(len(tokens))] == [0, LET_OPERAND, LET_OPERAND, LET_OPERAND, 0]
    assert body_mask(lex("plain {text}")[0]) is None


def test_positions_with_every_line_ending() -> None:
    # lone CR, CRLF and LF all end lines; columns count code points
    assert brief("a\r}") == [("STR001", 1, 0, 1, 1)]
    assert brief("a\r\n\r\n$b\r\rc") == [("STR006", 2, 0, 2, 1)]
    assert brief("𝔽😀}") == [("STR001", 0, 2, 0, 3)]


def test_an_analysis_cut_short_reports_nothing_as_unclosed() -> None:
    # the closing brace and \end{document} lie past the point where the budget ran
    # out: they were never read, so nothing may be called unclosed (only SEC900)
    from texlean.engine import Engine

    text = "\\begin{document}\n{\n" + "Paragraph $x$.\n\n" * 20_000 + "}\n\\end{document}\n"
    report = Engine(timeout_seconds=0.02).analyse_text(text)
    codes = {f.code for f in report.findings}
    assert not report.complete
    assert "SEC900" in codes
    assert not codes & {"STR002", "STR004", "STR009"}
    # analysed in full, the same document is clean
    assert Engine(timeout_seconds=60).analyse_text(text).findings == ()
