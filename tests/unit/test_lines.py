"""The line store (texlean.document.lines) against a naive model: a plain string.

LSP positions are (line, character) with lines ended by ``\\n``, ``\\r\\n`` or
``\\r``; a character past the end of its line means the end of the line, and
here a line past the end of the document means the end of the document.
Columns are code points in this layer.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from texlean.document.lines import LineEdit, LineStore, content_length, split_lines

_BREAK = re.compile(r"\r\n|\r|\n")


def model_lines(text: str) -> list[str]:
    """Lines with their terminators, written independently of the implementation."""
    out: list[str] = []
    pos = 0
    for m in _BREAK.finditer(text):
        out.append(text[pos : m.end()])
        pos = m.end()
    out.append(text[pos:])  # the last line: possibly empty, never terminated
    return out


def model_offset(text: str, line: int, col: int) -> int:
    lines = model_lines(text)
    if line >= len(lines):
        return len(text)
    line = max(line, 0)
    body = _BREAK.sub("", lines[line])
    return sum(len(x) for x in lines[:line]) + max(0, min(col, len(body)))


def model_replace(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    a, b = model_offset(text, *start), model_offset(text, *end)
    a, b = min(a, b), max(a, b)
    return text[:a] + new + text[b:]


def check_invariants(store: LineStore) -> None:
    lines = store.lines
    assert lines, "a document always has a line"
    for i, line in enumerate(lines):
        body = line[: content_length(line)]
        assert "\r" not in body and "\n" not in body, (i, line)
        if i < len(lines) - 1:
            assert content_length(line) < len(line), f"line {i} is not terminated"
            # a line ending in a lone \r is never followed by one starting with \n
            assert not (line.endswith("\r") and lines[i + 1].startswith("\n"))
        else:
            assert content_length(line) == len(line), "the last line has no terminator"


# -- split_lines and content_length ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", [""]),
        ("a", ["a"]),
        ("a\n", ["a\n", ""]),
        ("a\nb", ["a\n", "b"]),
        ("a\r\nb\rc\nd", ["a\r\n", "b\r", "c\n", "d"]),
        ("\r\r\n\n", ["\r", "\r\n", "\n", ""]),
        ("\n\r", ["\n", "\r", ""]),
        ("𝔽\r\n😀", ["𝔽\r\n", "😀"]),
    ],
)
def test_split_lines(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines
    assert model_lines(text) == lines


def test_content_length() -> None:
    assert content_length("ab\r\n") == 2
    assert content_length("ab\n") == 2
    assert content_length("ab\r") == 2
    assert content_length("ab") == 2
    assert content_length("") == 0
    assert content_length("😀\n") == 1  # code points


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab\r\n𝔽", max_size=30))
def test_split_lines_round_trips(text: str) -> None:
    assert "".join(split_lines(text)) == text
    assert split_lines(text) == model_lines(text)


# -- clamping --------------------------------------------------------------------------


def test_clamp_follows_lsp() -> None:
    store = LineStore("ab\r\ncd\nlast")
    assert store.clamp(0, 99) == (0, 2)  # past the line end: the line end
    assert store.clamp(1, 1) == (1, 1)
    assert store.clamp(5, 0) == (2, 4)  # past the last line: the document end
    assert store.clamp(2, 99) == (2, 4)
    assert store.clamp(-1, -5) == (0, 0)


def test_positions_past_the_end_clamp_in_edits() -> None:
    store = LineStore("ab\ncd")
    store.replace((0, 99), (0, 99), "X")  # end of line 0, before its \n
    assert store.text() == "abX\ncd"
    store.replace((9, 0), (9, 0), "!")  # past the last line: appended
    assert store.text() == "abX\ncd!"
    store.replace((1, 1), (7, 7), "")  # end past the end: to the document end
    assert store.text() == "abX\nc"


# -- edits -----------------------------------------------------------------------------


def test_insert_and_delete_within_a_line() -> None:
    store = LineStore("hello\nworld\n")
    edit = store.replace((1, 0), (1, 5), "there")
    assert store.lines == ["hello\n", "there\n", ""]
    assert edit == LineEdit(1, 2, 2)
    assert edit.delta == 0


def test_insert_lines() -> None:
    store = LineStore("a\nb")
    edit = store.replace((0, 1), (0, 1), "1\n2\n3")
    assert store.lines == ["a1\n", "2\n", "3\n", "b"]
    assert edit == LineEdit(0, 1, 3)
    assert edit.delta == 2


def test_delete_lines() -> None:
    store = LineStore("a\nb\nc\nd")
    edit = store.replace((0, 1), (2, 1), "")
    assert store.lines == ["a\n", "d"]
    assert edit == LineEdit(0, 3, 1)
    assert edit.delta == -2


def test_reversed_range_is_normalised() -> None:
    store = LineStore("abc\ndef")
    store.replace((1, 1), (0, 1), "-")
    assert store.text() == "a-ef"


def test_astral_characters_count_one_column() -> None:
    store = LineStore("𝔽😀x\n")
    store.replace((0, 1), (0, 2), "y")
    assert store.text() == "𝔽yx\n"
    store.replace((0, 3), (0, 3), "😀")
    assert store.lines == ["𝔽yx😀\n", ""]


def test_crlf_is_one_line_end() -> None:
    store = LineStore("a\r\nb\r\n")
    assert store.lines == ["a\r\n", "b\r\n", ""]
    # the end of line 0 is before the \r: an insertion there keeps the pair whole
    store.replace((0, 5), (0, 5), "X")
    assert store.lines == ["aX\r\n", "b\r\n", ""]
    # deleting across the line end removes \r\n as a unit
    store.replace((0, 2), (1, 0), "")
    assert store.lines == ["aXb\r\n", ""]


def test_lone_cr_lines() -> None:
    store = LineStore("a\rb\rc")
    assert store.lines == ["a\r", "b\r", "c"]
    store.replace((1, 1), (1, 1), "!")
    assert store.lines == ["a\r", "b!\r", "c"]


def test_inserting_lf_after_a_lone_cr_joins_the_pair() -> None:
    # "a\r" + "\nb": the \r and the new \n form one \r\n line end
    store = LineStore("a\rb")
    edit = store.replace((1, 0), (1, 0), "\n")
    assert store.lines == ["a\r\n", "b"]
    assert store.text() == "a\r\nb"
    assert edit.start == 0  # the line before the edit changed too
    assert edit == LineEdit(0, 2, 2)


def test_deleting_what_separates_cr_and_lf_joins_them() -> None:
    store = LineStore("a\rX\nb")
    assert store.lines == ["a\r", "X\n", "b"]
    edit = store.replace((1, 0), (1, 1), "")
    assert store.lines == ["a\r\n", "b"]
    assert edit.start == 0


def test_inserting_cr_before_lf_joins_them() -> None:
    store = LineStore("ab\ncd")
    store.replace((0, 2), (0, 2), "\r")
    assert store.lines == ["ab\r\n", "cd"]


def test_inserting_between_a_pair_splits_it_only_as_text_says() -> None:
    # Text "a\r" + "X" + "\nb" inserted at the start of the line after a lone \r
    store = LineStore("a\r\rb")
    store.replace((1, 0), (1, 0), "\n")
    assert store.lines == ["a\r\n", "\r", "b"]
    # a new \r at the end of a \r\n line's content makes \r \r\n
    store = LineStore("a\r\nb")
    store.replace((0, 1), (0, 1), "\r")
    assert store.lines == ["a\r", "\r\n", "b"]


def test_set_text() -> None:
    store = LineStore("a\nb\nc")
    edit = store.set_text("x")
    assert store.lines == ["x"]
    assert edit == LineEdit(0, 3, 1)


# -- random edits against the model -------------------------------------------------------

_PIECES = st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "𝔽", "😀", "\\", "%"])
_texts = st.lists(_PIECES, max_size=25).map("".join)
_positions = st.tuples(st.integers(-1, 8), st.integers(-1, 6))


@settings(max_examples=500, deadline=None)
@given(_texts, st.lists(st.tuples(_positions, _positions, _texts), max_size=12))
def test_random_edits_match_the_model(
    text: str, edits: list[tuple[tuple[int, int], tuple[int, int], str]]
) -> None:
    store = LineStore(text)
    model = text
    for start, end, new in edits:
        before = list(store.lines)
        edit = store.replace(start, end, new)
        model = model_replace(model, start, end, new)
        assert store.text() == model
        assert store.lines == model_lines(model)
        check_invariants(store)
        # the LineEdit tells exactly which lines changed: the ones before
        # `start` and after `old_end` are the same lines as before the edit
        assert 0 <= edit.start < edit.old_end <= len(before)
        assert store.lines[: edit.start] == before[: edit.start]
        assert store.lines[edit.new_end :] == before[edit.old_end :]
        assert len(store) == len(before) + edit.delta
