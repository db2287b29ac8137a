"""Token kinds and the token tuple the lexer produces.

A token is a plain tuple ``(kind, start, end, value)`` — tuples keep the lexer
fast on multi-megabyte documents.  ``start``/``end`` are offsets into the
source text the lexer was given (after ``^^`` decoding they still point at the
source), ``value`` is:

- the control sequence's name (decoded) for ``CS`` and ``CSYM``;
- the decoded characters for ``TEXT`` and single-character kinds;
- the comment text after the comment character for ``COMMENT``;
- the environment or command name for ``VERB`` (the span is the raw body);
- the raw argument text, brackets included, for ``VARG``.
"""

from __future__ import annotations

from typing import Final

Token = tuple[int, int, int, str]

CS: Final = 1  # control word: escape + letters
CSYM: Final = 2  # control symbol: escape + one non-letter
BEGIN: Final = 3  # category 1
END: Final = 4  # category 2
MATH: Final = 5  # category 3
ALIGN: Final = 6  # category 4
PARAM: Final = 7  # category 6
SUP: Final = 8  # category 7
SUB: Final = 9  # category 8
ACTIVE: Final = 10  # category 13
TEXT: Final = 11  # a run of letters, others and spaces
COMMENT: Final = 12  # category 14 to the end of the line
EOL: Final = 13  # an end of line (TeX reads it as a space)
PAR: Final = 14  # one or more blank lines (TeX reads them as \par)
VERB: Final = 15  # a verbatim body: not tokenised
VARG: Final = 16  # an argument of a verbatim-like construct
INVALID: Final = 17  # category 15

KIND_NAMES: Final = {
    CS: "control-word",
    CSYM: "control-symbol",
    BEGIN: "begin-group",
    END: "end-group",
    MATH: "math-shift",
    ALIGN: "alignment",
    PARAM: "parameter",
    SUP: "superscript",
    SUB: "subscript",
    ACTIVE: "active",
    TEXT: "text",
    COMMENT: "comment",
    EOL: "end-of-line",
    PAR: "par",
    VERB: "verbatim",
    VARG: "verbatim-argument",
    INVALID: "invalid",
}


def is_cs(tok: Token, name: str) -> bool:
    """Whether ``tok`` is the control sequence ``\\name`` (word or symbol)."""
    return (tok[0] == CS or tok[0] == CSYM) and tok[3] == name
