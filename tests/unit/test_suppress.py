"""Suppression comments (analysis/suppress.py), through the pipeline and the engine.

Each directive kind, codes by code and by name, the TLX findings about the
comments themselves, regions and next-line directives across chunk
boundaries, incremental edits, and the settings and command-line options
that decide what is shown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texlean import cli
from texlean.analysis.findings import Finding, Span
from texlean.analysis.present import message_params, present
from texlean.analysis.suppress import Directive, apply, parse
from texlean.document.chunks import HARD_MAX_LINES, chunk_starts
from texlean.document.lines import split_lines
from texlean.document.model import Document
from texlean.engine import Engine, Report
from texlean.settings import Settings
from texlean.settings import parse as parse_settings

W = "\\write18{x}"  # one SEC101 finding


def analyse(text: str) -> Report:
    return Engine(timeout_seconds=60).analyse_text(text)


def codes_at(findings: tuple[Finding, ...] | list[Finding]) -> list[tuple[str, int]]:
    """(code, line) of each finding, in order."""
    return [(f.code, f.span.line) for f in findings]


# -- parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "verb", "items"),
    [
        (" texlean: disable-next-line SEC101", "disable-next-line", ["SEC101"]),
        ("texlean:disable-line SEC101,SEC102", "disable-line", ["SEC101", "SEC102"]),
        (
            " texlean: disable SEC101, pipe-input  SEC201",
            "disable",
            ["SEC101", "pipe-input", "SEC201"],
        ),
        ("% texlean: enable", "enable", []),
        (" TeXLean : Disable-Next-Line sec101", "disable-next-line", ["sec101"]),
        (" texlean: disable-line SEC101 -- the build needs it", "disable-line", ["SEC101"]),
        (" texlean: disable-line -- every rule, for a reason", "disable-line", []),
        (" texlean: disable-line SEC101--SEC102", "disable-line", ["SEC101--SEC102"]),
        (" texlean: disabel SEC101", "disabel", ["SEC101"]),
        (" texlean: disable-next-lineSEC101", "disable-next-linesec101", []),
        (" texlean:", "", []),
    ],
)
def test_parse(comment: str, verb: str, items: list[str]) -> None:
    parsed = parse(comment)
    assert parsed is not None
    assert parsed.verb == verb
    assert [i for _, i in parsed.items] == items
    for offset, item in parsed.items:
        assert comment[offset : offset + len(item)] == item


@pytest.mark.parametrize(
    "comment", [" an ordinary comment", " see texlean: later", " texlean rules", ""]
)
def test_ordinary_comments_are_no_directives(comment: str) -> None:
    assert parse(comment) is None


# -- disable-next-line and disable-line ------------------------------------------------


def test_disable_next_line() -> None:
    r = analyse(f"% texlean: disable-next-line SEC101\n{W}\n{W}\n")
    assert codes_at(r.suppressed) == [("SEC101", 1)]
    assert codes_at(r.findings) == [("SEC101", 2)]


def test_disable_next_line_by_name_and_case() -> None:
    r = analyse(f"% texlean: disable-next-line shell-escape-write18\n{W}\n")
    assert codes_at(r.suppressed) == [("SEC101", 1)] and r.findings == ()
    r = analyse(f"% texlean: disable-next-line sec101\n{W}\n")
    assert codes_at(r.suppressed) == [("SEC101", 1)] and r.findings == ()


def test_disable_next_line_skips_comment_lines() -> None:
    text = f"  % texlean: disable-next-line SEC101\n  % why: the build needs it\n%\n  {W}\n"
    r = analyse(text)
    assert codes_at(r.suppressed) == [("SEC101", 3)] and r.findings == ()


def test_disable_next_line_after_code_on_its_line() -> None:
    r = analyse(f"{W} % texlean: disable-next-line SEC101\n{W}\n")
    assert codes_at(r.findings) == [("SEC101", 0)]
    assert codes_at(r.suppressed) == [("SEC101", 1)]


def test_disable_next_line_stops_at_a_blank_line() -> None:
    r = analyse(f"x\n% texlean: disable-next-line SEC101\n\n{W}\n")
    assert codes_at(r.findings) == [("TLX003", 1), ("SEC101", 3)]
    assert r.suppressed == ()


def test_disable_next_line_other_codes_stay() -> None:
    r = analyse(f"% texlean: disable-next-line SEC102\n{W}\n")
    assert codes_at(r.findings) == [("TLX003", 0), ("SEC101", 1)]


def test_disable_next_line_without_codes_is_every_rule() -> None:
    r = analyse(f"% texlean: disable-next-line\n{W} {{\n")
    assert sorted(codes_at(r.suppressed)) == [("SEC101", 1), ("STR002", 1)]
    assert r.findings == ()


def test_disable_line() -> None:
    r = analyse(f"{W} % texlean: disable-line SEC101\n{W}\n")
    assert codes_at(r.suppressed) == [("SEC101", 0)]
    assert codes_at(r.findings) == [("SEC101", 1)]


def test_disable_line_with_several_codes_and_a_reason() -> None:
    r = analyse(f"{W}{{ % texlean: disable-line SEC101, unclosed-brace -- on purpose\n")
    assert sorted(codes_at(r.suppressed)) == [("SEC101", 0), ("STR002", 0)]
    assert r.findings == ()


def test_disable_line_applies_to_the_findings_starting_on_the_line() -> None:
    text = "\\write18{a\nb} % texlean: disable-line SEC101\n"
    r = analyse(text)
    assert codes_at(r.findings) == [("SEC101", 0), ("TLX003", 1)]


def test_structure_findings_folded_across_chunks_are_suppressed_too() -> None:
    text = "x\n\n% texlean: disable-next-line STR004\n\\begin{itemize}\n\nitem\n"
    r = analyse(text)
    assert codes_at(r.suppressed) == [("STR004", 3)] and r.findings == ()


# -- regions -----------------------------------------------------------------------------


def test_region_until_enable() -> None:
    text = f"{W}\n% texlean: disable SEC101\n{W}\n{W}\n% texlean: enable SEC101\n{W}\n"
    r = analyse(text)
    assert codes_at(r.findings) == [("SEC101", 0), ("SEC101", 5)]
    assert codes_at(r.suppressed) == [("SEC101", 2), ("SEC101", 3)]


def test_region_without_enable_runs_to_the_end() -> None:
    body = "\n\n".join(f"para {i}\n{W}" for i in range(30))
    r = analyse(f"% texlean: disable SEC101\n\n{body}\n")
    assert r.findings == ()
    assert len(r.suppressed) == 30


def test_region_starts_at_the_comment() -> None:
    r = analyse(f"{W} % texlean: disable SEC101\n{W}\n")
    assert codes_at(r.findings) == [("SEC101", 0)]
    assert codes_at(r.suppressed) == [("SEC101", 1)]


def test_region_of_every_rule_with_an_exception() -> None:
    text = f"% texlean: disable\n{W} {{\n% texlean: enable STR002\n{W} {{\n% texlean: enable\n{W}\n"
    r = analyse(text)
    assert codes_at(r.findings) == [("STR002", 3), ("SEC101", 5)]
    assert sorted(codes_at(r.suppressed)) == [("SEC101", 1), ("SEC101", 3), ("STR002", 1)]


def test_enable_without_codes_ends_every_region() -> None:
    text = "% texlean: disable SEC101 STR002\n% texlean: enable\n" + f"{W} {{\n"
    r = analyse(text)
    assert sorted(c for c, _ in codes_at(r.findings)) == ["SEC101", "STR002", "TLX003", "TLX003"]
    assert r.suppressed == ()


def test_region_across_many_chunks() -> None:
    paras = [f"para {i} {W}" for i in range(10)]
    paras.insert(3, "% texlean: disable SEC101")
    paras.insert(8, "% texlean: enable SEC101")
    text = "\n\n".join(paras) + "\n"
    assert len(chunk_starts(split_lines(text))) == 12
    r = analyse(text)
    shown = [f.span.line for f in r.findings]
    hidden = [f.span.line for f in r.suppressed]
    assert len(shown) == 6 and len(hidden) == 4
    assert max(shown[:3]) < min(hidden) and max(hidden) < min(shown[3:])


def test_disable_next_line_reaches_into_the_next_chunk() -> None:
    # a chunk is cut after HARD_MAX_LINES lines even inside a paragraph: the
    # directive is the chunk's last line, its target the next chunk's third line
    lines = [f"w{i}\n" for i in range(HARD_MAX_LINES - 1)]
    lines += ["% texlean: disable-next-line SEC101\n", "% a comment\n", "%\n", f"{W}\n", f"{W}\n"]
    text = "".join(lines)
    assert chunk_starts(split_lines(text)) == [0, HARD_MAX_LINES]
    r = analyse(text)
    assert codes_at(r.suppressed) == [("SEC101", HARD_MAX_LINES + 2)]
    assert codes_at(r.findings) == [("SEC101", HARD_MAX_LINES + 3)]


# -- findings about the comments ---------------------------------------------------------


def test_unknown_code_is_reported_where_it_is_written() -> None:
    text = f"{W} % texlean: disable-line SEC1O1, SEC101\n"
    r = analyse(text)
    assert codes_at(r.suppressed) == [("SEC101", 0)]
    (tlx,) = r.findings
    assert tlx.code == "TLX001" and tlx.param("name") == "SEC1O1"
    col = text.index("SEC1O1")
    assert tlx.span == Span(0, col, 0, col + 6)


def test_unknown_codes_only_suppress_nothing() -> None:
    r = analyse(f"% texlean: disable-next-line SEC1O1\n{W}\n")
    assert codes_at(r.findings) == [("TLX001", 0), ("SEC101", 1)]
    r = analyse(f"% texlean: disable shell-escape\n{W}\n")
    assert codes_at(r.findings) == [("TLX001", 0), ("SEC101", 1)]


def test_malformed_directive() -> None:
    text = f"% texlean: disabel-next-line SEC101\n{W}\n"
    r = analyse(text)
    assert codes_at(r.findings) == [("TLX002", 0), ("SEC101", 1)]
    assert r.findings[0].param("directive") == "disabel-next-line"
    assert r.findings[0].span == Span(0, 11, 0, 28)


def test_unused_suppressions() -> None:
    text = (
        "% texlean: disable-next-line SEC101, SEC102\n"
        f"{W}\n"
        "x % texlean: disable-line\n"
        "% texlean: disable STR002\n"
        "% texlean: enable STR002\n"
    )
    r = analyse(text)
    unused = [(f.span.line, message_params(f)["what"]) for f in r.findings if f.code == "TLX003"]
    assert unused == [(0, "SEC102"), (2, "every rule"), (3, "STR002")]
    first = r.findings[0]
    assert first.span == Span(0, 37, 0, 43)


def test_unused_is_not_reported_when_the_analysis_stopped_early() -> None:
    from texlean.analysis.pipeline import ChunkResult, ChunkState, assemble

    directive = Directive("disable", Span(0, 0, 0, 20), ("SEC101",), (Span(0, 19, 0, 25),))
    complete = ChunkResult(exit=ChunkState(), directives=(directive,))
    stopped = ChunkResult(exit=ChunkState(), complete=False)
    assert [f.code for f in assemble([(0, complete)])] == ["TLX003"]
    assert [f.code for f in assemble([(0, complete), (5, stopped)])] == []


def test_sec900_is_never_suppressed() -> None:
    finding = Finding("SEC900", Span(3, 0, 3, 0), (("reason", "time"),))
    directive = Directive("disable", Span(0, 0, 0, 20), None)
    applied = apply([finding], [directive])
    assert applied.kept == [finding] and applied.suppressed == []


def test_the_tlx_findings_of_a_region_can_be_suppressed() -> None:
    r = analyse("% texlean: disable\n% texlean: disable-next-line NOPE\nx\n")
    assert [f.code for f in r.suppressed] == ["TLX001"]


def test_verbatim_and_plain_comments_are_not_directives() -> None:
    text = (
        "\\begin{verbatim}\n% texlean: disable SEC101\n\\end{verbatim}\n"
        f"\\verb|% texlean: disable| {W}\n"
        f"% texlean is nice: {W}\n"
        f"{W}\n"
    )
    r = analyse(text)
    assert [f.code for f in r.findings] == ["SEC101", "SEC101"]
    assert r.suppressed == ()


def test_a_directive_written_with_caret_notation_is_read_as_tex_reads_it() -> None:
    # ^^41 is A: TeX reads "disable-line SEC101" here; the position of a code is then
    # not the source's, and the whole comment is reported instead
    text = f"{W} % texlean: disable-line SEC101, ^^41BC\n"
    r = analyse(text)
    assert codes_at(r.suppressed) == [("SEC101", 0)]
    (tlx,) = r.findings
    assert tlx.code == "TLX001" and tlx.param("name") == "ABC"
    assert tlx.span == Span(0, len(W) + 1, 0, len(text) - 1)


def test_many_directives_in_a_row_cost_linear_time() -> None:
    import time

    text = "% texlean: disable-next-line SEC101\n" * 20_000 + f"{W}\n"
    started = time.perf_counter()
    r = analyse(text)
    assert time.perf_counter() - started < 5
    assert codes_at(r.suppressed) == [("SEC101", 20_000)]


@pytest.mark.parametrize(
    "text",
    [
        "% texlean: disable " + "nope " * 600_000,  # one 3 MB directive of unknown names
        "% texlean: disable-line x, y, z\n" * 100_000,  # 300,000 unknown names
        "% texlean: bogus\n" * 100_000,
        "% texlean: disable-next-line " + "SEC101 " * 400_000 + "\n" + W,
    ],
)
def test_hostile_directives_stay_within_the_budget(text: str) -> None:
    import time

    started = time.perf_counter()
    r = Engine(timeout_seconds=0.5).analyse_text(text)
    assert time.perf_counter() - started < 4
    tlx = [f for f in r.findings if f.code.startswith("TLX")]
    assert len(tlx) <= 300  # at most 100 per code (as for structure findings)


def test_directives_past_the_bounds_are_ignored_and_hide_nothing() -> None:
    from texlean.analysis import suppress

    # in one chunk
    text = (
        "% texlean: disable-line STR002\n" * suppress.MAX_DIRECTIVES
        + f"{W} % texlean: disable-line\n"
    )
    r = analyse(text)
    assert codes_at(r.findings)[-1] == ("SEC101", suppress.MAX_DIRECTIVES)
    assert r.suppressed == ()
    # in the document
    para = "% texlean: disable-line STR002\n\n"
    text = para * suppress.MAX_DOCUMENT_DIRECTIVES + f"% texlean: disable-next-line\n{W}\n"
    r = analyse(text)
    assert [f.code for f in r.findings][-1] == "SEC101" and r.suppressed == ()
    text = para * (suppress.MAX_DOCUMENT_DIRECTIVES - 1) + f"% texlean: disable-next-line\n{W}\n"
    assert [f.code for f in analyse(text).suppressed] == ["SEC101"]


def test_a_directive_reads_its_first_64_codes() -> None:
    codes = ", ".join(["SEC102"] * 64 + ["SEC101"])
    r = analyse(f"% texlean: disable-next-line {codes}\n{W}\n")
    assert [f.code for f in r.findings] == ["TLX003", "SEC101"]


# -- incremental edits ---------------------------------------------------------------


def test_directives_follow_incremental_edits() -> None:
    engine = Engine(timeout_seconds=60)
    text = "\n\n".join(f"para {i}\n{W}" for i in range(6)) + "\n"
    doc = engine.open("file:///s.tex", text, 1)
    assert len(engine.analyse(doc).findings) == 6

    def edit(start: tuple[int, int], end: tuple[int, int], new: str) -> Report:
        doc.replace(start, end, new)
        doc.version += 1
        report = engine.analyse(doc)
        fresh = analyse(doc.text())
        assert report.findings == fresh.findings
        assert report.suppressed == fresh.suppressed
        return report

    # a region from the third paragraph on
    r = edit((6, 0), (6, 0), "% texlean: disable SEC101\n")
    assert len(r.findings) == 2 and len(r.suppressed) == 4
    assert engine.last.reanalysed == 1
    # lines inserted above shift everything, directives included
    r = edit((0, 0), (0, 0), "new\n\nlines\n\n")
    assert len(r.findings) == 2 and len(r.suppressed) == 4
    # an enable in a later chunk
    line = next(i for i, x in enumerate(doc.lines) if x.startswith("para 4"))
    r = edit((line, 0), (line, 0), "% texlean: enable SEC101\n")
    assert len(r.findings) == 4 and len(r.suppressed) == 2
    # a next-line directive typed character by character, above para 5's \write18
    line = next(i for i, x in enumerate(doc.lines) if x.startswith("para 5")) + 1
    typed = ""
    for ch in "% texlean: disable-next-line SEC101\n":
        edit((line, len(typed)), (line, len(typed)), ch)
        typed += ch
    sec101 = [f for f in engine.analyse(doc).findings if f.code == "SEC101"]
    assert len(sec101) == 3
    r = edit((line + 1, 0), (line + 1, 0), "x ")  # still the next line
    assert sum(1 for f in r.findings if f.code == "SEC101") == 3
    # removing the disable brings them back
    line = next(i for i, x in enumerate(doc.lines) if "texlean: disable SEC101" in x)
    r = edit((line, 0), (line + 1, 0), "")
    assert sum(1 for f in r.findings if f.code == "SEC101") == 5


PIECES = [
    "a",
    "\n",
    "\n\n",
    "{",
    "}",
    W,
    '\\input|"cat"',
    "% texlean: disable SEC101\n",
    "% texlean: enable SEC101\n",
    "% texlean: disable\n",
    "% texlean: enable\n",
    "% texlean: disable-next-line SEC101\n",
    "% texlean: disable-next-line\n",
    " % texlean: disable-line SEC101, STR002\n",
    "% texlean: disable-line NOPE\n",
    "% plain comment\n",
    "% texlean: bogus\n",
    "\\begin{verbatim}\n",
    "\\end{verbatim}\n",
]

texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
inserts = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.data())
def test_incremental_suppressions_equal_a_fresh_analysis(text: str, data: st.DataObject) -> None:
    engine = Engine(timeout_seconds=60)
    doc = engine.open("file:///p.tex", text, 1)
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        n = len(doc.lines)
        l1 = data.draw(st.integers(0, n), label="start line")
        l2 = data.draw(st.integers(l1, min(n, l1 + 4)), label="end line")
        c1 = data.draw(st.integers(0, 20), label="start column")
        c2 = data.draw(st.integers(0, 20), label="end column")
        doc.replace((l1, c1), (l2, c2), data.draw(inserts, label="new text"))
        doc.version += 1
        got = engine.analyse(doc)
        fresh = analyse(doc.text())
        assert got.findings == fresh.findings
        assert got.suppressed == fresh.suppressed


# -- what is shown: settings and the command line ----------------------------------------


def test_report_visible_with_and_without_suppression_comments() -> None:
    r = analyse(f"% texlean: disable-next-line SEC101\n{W}\n{{\n")
    assert [f.code for f in r.visible()] == ["STR002"]
    assert [f.code for f in r.visible(honour_suppressions=False)] == ["SEC101", "STR002"]


def test_suppression_comments_setting() -> None:
    s, problems = parse_settings({"suppressionComments": False})
    assert not problems and s.suppression_comments is False
    s, problems = parse_settings({"suppressionComments": "no"})
    assert s.suppression_comments is True and problems[0].path == "suppressionComments"
    assert Settings().suppression_comments is True


def test_rules_and_ignore_settings_apply_to_tlx_rules_too() -> None:
    r = analyse("% texlean: disable-next-line NOPE\nx\n")
    assert [p.code for p in present(r.findings, Settings())] == ["TLX001"]
    s, _ = parse_settings({"ignore": ["unknown-suppression"]})
    assert present(r.findings, s) == []
    s, _ = parse_settings({"rules": {"TLX001": "off"}})
    assert present(r.findings, s) == []
    s, _ = parse_settings({"rules": {"TLX001": "error"}})
    assert present(r.findings, s)[0].severity.value == "error"


DOC = (
    "% texlean: disable-next-line SEC101\n"
    f"{W}\n"
    f"{W} % texlean: disable-line SEC101\n"
    "x % texlean: disable-line NOPE\n"
)


def check(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str]:
    path = tmp_path / "s.tex"
    path.write_text(DOC, encoding="utf-8")
    status = cli.main(["check", *args, str(path)])
    out, _ = capsys.readouterr()
    return status, out.replace(str(path), "s.tex")


def test_check_hides_suppressed_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out = check(capsys, tmp_path)
    assert out.splitlines() == [
        "s.tex:4:27: warning TLX001 NOPE is not a texlean rule code or name: "
        "this comment does not suppress it"
    ]
    assert status == 1  # the TLX001 warning


def test_check_show_suppressed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out = check(capsys, tmp_path, "--show-suppressed", "--ignore", "TLX001")
    assert out.splitlines() == [
        "s.tex:2:1: warning SEC101 runs the shell command `x` when compiled with -shell-escape"
        " (suppressed)",
        "s.tex:3:1: warning SEC101 runs the shell command `x` when compiled with -shell-escape"
        " (suppressed)",
    ]
    assert status == 0  # suppressed findings never count
    status, out = check(
        capsys, tmp_path, "--show-suppressed", "--format", "json", "--select", "SEC101"
    )
    items = json.loads(out)
    assert [(i["code"], i["suppressed"]) for i in items] == [("SEC101", True), ("SEC101", True)]
    assert status == 0


def test_check_no_suppressions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out = check(capsys, tmp_path, "--no-suppressions", "--select", "SEC101")
    assert [line.split()[2] for line in out.splitlines()] == ["SEC101", "SEC101"]
    assert "(suppressed)" not in out
    assert status == 1


def test_check_ignore_and_select(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out = check(capsys, tmp_path, "--ignore", "unknown-suppression")
    assert out == "" and status == 0
    status, out = check(capsys, tmp_path, "--select", "SEC101,SEC102")
    assert out == "" and status == 0
    status, out = check(capsys, tmp_path, "--ignore", "SEC1O1")
    assert status == 2


def test_document_model_keeps_directives_in_cached_chunks() -> None:
    # the same chunk text in the same state comes from the cache with its directives
    engine = Engine(timeout_seconds=60)
    para = f"% texlean: disable-next-line SEC101\n{W}"
    doc = Document("file:///c.tex", f"{para}\n\n{para}\n\n", 1)
    r = engine.analyse(doc)
    assert r.findings == () and len(r.suppressed) == 2
    assert engine.chunk_cache.hits >= 1
