"""TeX's ``^^`` notation (texlean.tex.decode), against the TeXbook's rules.

TeXbook ch. 8: ``^^`` followed by two lowercase hexadecimal digits is the
character with that code; ``^^`` followed by any other character ``c`` of code
below 128 is the character of code ``c+64`` (if ``c < 64``) or ``c-64``; the
result is examined again, so it may start another sequence.  XeTeX adds
``^^^^xxxx`` and ``^^^^^^xxxxxx``.  The superscript character is whichever
characters have category 7.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from texlean.tex.decode import decode, has_sequences


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("^^5c", "\\"),  # 0x5c
        ("^^41", "A"),
        ("^^7b", "{"),
        ("^^0a", "\n"),
        ("^^M", "\r"),  # 'M' is 77: 77 - 64 = 13
        ("^^I", "\t"),  # 73 - 64 = 9
        ("^^@", "\x00"),  # 64 - 64 = 0
        ("^^?", "\x7f"),  # 63 + 64 = 127
        ("^^:", "z"),  # 58 + 64 = 122
        ("^^5C", "uC"),  # uppercase C is no hex digit: ^^5 is 53 + 64 = 117 'u'
        ("^^5g", "ug"),  # one hex digit only: same rule
        ("^^^^0041", "A"),  # XeTeX/LuaTeX four-digit form
        ("^^^^^^01f600", "\U0001f600"),  # six-digit form
        ("^^^^00e9x", "\u00e9x"),
        ("a^^", "a^^"),  # nothing after ^^: no sequence
        ("^", "^"),
        ("^^\u00e9", "^^\u00e9"),  # code >= 128 after ^^: no sequence
        ("x^y", "x^y"),
    ],
)
def test_single_sequences(source: str, expected: str) -> None:
    decoded, _ = decode(source, "^")
    assert decoded == expected


def test_reduced_character_is_looked_at_again() -> None:
    # ^^5e is "^"; TeX reads that "^" again together with "^41": "A".
    decoded, omap = decode("^^5e^41", "^")
    assert decoded == "A"
    assert omap.to_source(0) == 0
    assert omap.to_source(1) == 7
    # twice in a row: ^^5e -> ^, then ^ ^5e -> ^ (via ^^5e), then ^ ^41 -> A
    assert decode("^^5e^5e^41", "^")[0] == "A"
    # the reduced character is not a superscript: nothing more happens
    assert decode("^^41^41", "^")[0] == "A^41"


def test_only_the_given_superscript_characters_count() -> None:
    assert decode("^^41", "")[0] == "^^41"
    assert decode("^^41", "|")[0] == "^^41"
    assert decode("||41", "|")[0] == "A"
    assert decode("||41^^42", "|^")[0] == "AB"
    # two different superscript characters do not form a pair
    assert decode("^|41", "|^")[0] == "^|41"


def test_line_end_after_superscripts_is_endlinechar() -> None:
    # TeX puts \endlinechar (^^M, 13) where the line ends: ^^ + end of line is
    # ^^M, i.e. "M", and the line end is used up.
    decoded, omap = decode("a^^\nb", "^")
    assert decoded == "aMb"
    assert omap.to_source(2) == 4
    assert decode("a^^\r\nb", "^")[0] == "aMb"
    assert decode("a^^\rb", "^")[0] == "aMb"


def test_offsets_map_back_to_the_source() -> None:
    source = "x^^41y^^^^0042z"
    decoded, omap = decode(source, "^")
    assert decoded == "xAyBz"
    assert [omap.to_source(k) for k in range(len(decoded) + 1)] == [0, 1, 5, 6, 14, 15]


def test_start_and_end_delimit_the_decoded_range() -> None:
    source = "ab^^41cd^^42"
    decoded, omap = decode(source, "^", 2, 8)
    assert decoded == "Acd"
    assert omap.to_source(0) == 2
    assert omap.to_source(1) == 6
    assert omap.to_source(3) == 8
    # a sequence that starts before `end` may read past it (TeX reads whole lines)
    decoded, omap = decode(source, "^", 0, 3)
    assert decoded == "abA"
    assert omap.to_source(3) == 6


def test_has_sequences() -> None:
    assert has_sequences("a^^b", "^")
    assert not has_sequences("a^b^", "^")
    assert has_sequences("a||b", "^|")
    assert not has_sequences("a^^b", "")


# -- an independent model of TeX's input processor ----------------------------

_HEX = "0123456789abcdef"


def tex_reduce(text: str, sup: str) -> str:
    """Reduce ``^^`` sequences the way tex.web §355 does: in the buffer, in place,
    looking at the reduced character again (plus the XeTeX forms and the line end)."""
    buf = list(text)
    i = 0
    while i < len(buf):
        c = buf[i]
        if c not in sup or i + 2 >= len(buf) or buf[i + 1] != c:
            i += 1
            continue
        reduced = False
        for width in (6, 4):  # ^^^^^^xxxxxx, ^^^^xxxx
            marks, digits = buf[i : i + width], buf[i + width : i + 2 * width]
            if marks == [c] * width and len(digits) == width and all(d in _HEX for d in digits):
                code = int("".join(digits), 16)
                if code <= 0x10FFFF:
                    buf[i : i + 2 * width] = [chr(code)]
                    reduced = True
                    break
        if reduced:
            continue  # look at the new character again
        nxt = buf[i + 2]
        if nxt in _HEX and i + 3 < len(buf) and buf[i + 3] in _HEX:
            buf[i : i + 4] = [chr(int(nxt + buf[i + 3], 16))]
        elif nxt in "\r\n":
            crlf = nxt == "\r" and i + 3 < len(buf) and buf[i + 3] == "\n"
            buf[i : i + 4 if crlf else i + 3] = ["M"]
        elif ord(nxt) < 128:
            code = ord(nxt)
            buf[i : i + 3] = [chr(code + 64 if code < 64 else code - 64)]
        else:
            i += 1
    return "".join(buf)


_PIECES = st.sampled_from(
    ["^", "^^", "^^^^", "5", "c", "e", "4", "1", "0", "f", "a", "Z", "@", "?", " ", "\n", "|", "é"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_decode_agrees_with_the_model(source: str) -> None:
    decoded, _ = decode(source, "^")
    assert decoded == tex_reduce(source, "^")


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_each_decoded_character_comes_from_a_source_slice_that_decodes_to_it(
    source: str,
) -> None:
    decoded, omap = decode(source, "^")
    positions = [omap.to_source(k) for k in range(len(decoded) + 1)]
    assert positions[0] == 0
    assert positions[-1] == len(source)
    assert positions == sorted(positions)
    for k, ch in enumerate(decoded):
        a, b = positions[k], positions[k + 1]
        assert a < b
        assert tex_reduce(source[a:b], "^") == ch


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="^"), max_size=60))
def test_text_without_sequences_is_unchanged(source: str) -> None:
    decoded, omap = decode(source, "^")
    assert decoded == source
    assert all(omap.to_source(k) == k for k in range(len(source) + 1))


def test_model_is_sane() -> None:
    # the model itself, against hand-worked examples
    assert tex_reduce("^^5cwrite", "^") == "\\write"
    assert tex_reduce("^^5e^41", "^") == "A"
    assert tex_reduce("^^^^0041", "^") == "A"
    assert tex_reduce("^^5C", "^") == "uC"
    assert tex_reduce("^^\r\nx", "^") == "Mx"
