"""The catcode-aware lexer (texlean.tex.lexer), checked against how TeX reads input.

Expected tokens are worked out from the TeXbook (ch. 7-8) and LaTeX's
definitions, not copied from the lexer's output.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texlean.budget import Budget, BudgetExceeded
from texlean.tex import catcodes as cc
from texlean.tex import lexer as lexer_module
from texlean.tex.decode import decode
from texlean.tex.lexer import lex
from texlean.tex.state import INITIAL, LexState
from texlean.tex.tokens import (
    ACTIVE,
    ALIGN,
    BEGIN,
    COMMENT,
    CS,
    CSYM,
    END,
    EOL,
    INVALID,
    MATH,
    PAR,
    PARAM,
    SUB,
    SUP,
    TEXT,
    VARG,
    VERB,
    Token,
    is_cs,
)


def toks(text: str, state: LexState = INITIAL) -> list[Token]:
    return lex(text, state)[0]


def kinds(text: str, state: LexState = INITIAL) -> list[tuple[int, str]]:
    return [(k, v) for k, _, _, v in toks(text, state)]


def names(text: str, state: LexState = INITIAL) -> list[str]:
    """The control sequences of ``text`` as ``\\name``."""
    return ["\\" + v for k, _, _, v in toks(text, state) if k in (CS, CSYM)]


def find(tokens: list[Token], kind: int, value: str | None = None) -> Token:
    for t in tokens:
        if t[0] == kind and (value is None or t[3] == value):
            return t
    raise AssertionError(f"no token of kind {kind} value {value!r} in {tokens}")


def no_kind(tokens: list[Token], *kinds_: int) -> bool:
    return all(t[0] not in kinds_ for t in tokens)


# -- control sequences ----------------------------------------------------------


def test_control_words_and_symbols() -> None:
    text = "\\alpha\\,\\\\x\\relax1"
    assert toks(text) == [
        (CS, 0, 6, "alpha"),
        (CSYM, 6, 8, ","),
        (CSYM, 8, 10, "\\"),
        (TEXT, 10, 11, "x"),
        (CS, 11, 17, "relax"),
        (TEXT, 17, 18, "1"),
    ]


def test_control_word_takes_letters_only() -> None:
    # digits and @ are not letters: \write18 is \write followed by 18
    assert kinds("\\write18") == [(CS, "write"), (TEXT, "18")]
    assert kinds("\\a@b") == [(CS, "a"), (TEXT, "@b")]
    # a control symbol takes exactly one character, whatever it is
    assert kinds("\\1a") == [(CSYM, "1"), (TEXT, "a")]
    assert kinds("\\ x")[0] == (CSYM, " ")


def test_is_cs() -> None:
    word, sym = toks("\\foo\\{")
    assert is_cs(word, "foo")
    assert is_cs(sym, "{")
    assert not is_cs(word, "bar")
    assert not is_cs((TEXT, 0, 3, "foo"), "foo")


# -- ^^ notation ----------------------------------------------------------------


def test_hat_hat_escape_spells_a_control_word() -> None:
    # ^^5c is the backslash: TeX reads the control word \write, then 18
    assert toks("^^5cwrite18") == [(CS, 0, 9, "write"), (TEXT, 9, 11, "18")]


def test_hat_hat_inside_a_control_word_name() -> None:
    # \wr^^69te is \write; the positions still cover the source exactly
    assert toks("\\wr^^69te x") == [(CS, 0, 9, "write"), (TEXT, 9, 11, " x")]


def test_hat_hat_reduces_twice() -> None:
    # ^^5e is ^, which with the following ^41 is reduced again: A
    assert toks("^^5e^41") == [(TEXT, 0, 7, "A")]
    assert toks("x^^5e^41y") == [(TEXT, 0, 9, "xAy")]


def test_hat_hat_single_character_form() -> None:
    # ^^I is a tab (73 - 64 = 9), a space; ^^: is z (58 + 64 = 122), a letter
    assert kinds("\\ab^^:c") == [(CS, "abzc")]
    assert kinds("^^5cfoo^^Ibar") == [(CS, "foo"), (TEXT, "\tbar")]


def test_positions_after_hat_hat_map_back_to_the_source() -> None:
    text = "a^^41b\\foo ^^7bx^^7d $"
    tokens = toks(text)
    assert tokens == [
        (TEXT, 0, 6, "aAb"),
        (CS, 6, 10, "foo"),
        (TEXT, 10, 11, " "),
        (BEGIN, 11, 15, "{"),
        (TEXT, 15, 16, "x"),
        (END, 16, 20, "}"),
        (TEXT, 20, 21, " "),
        (MATH, 21, 22, "$"),
    ]


def test_xetex_hat_hat_forms() -> None:
    assert toks("^^^^005cx") == [(CS, 0, 9, "x")]
    assert toks("a^^^^^^01d53db") == [(TEXT, 0, 14, "a\U0001d53db")]


def test_hat_hat_lines_keep_paragraph_breaks() -> None:
    # a blank line after a line that needed decoding is still a \par
    tokens = toks("x^^41\n\ny")
    assert tokens == [(TEXT, 0, 5, "xA"), (PAR, 5, 7, "\n\n"), (TEXT, 7, 8, "y")]
    # and an ordinary end of line after one is an EOL
    assert [k for k, *_ in toks("^^41\nb")] == [TEXT, EOL, TEXT]


def test_hat_hat_at_the_end_of_a_line_is_endlinechar() -> None:
    # ^^ followed by the end of the line is ^^M (TeX's \endlinechar), i.e. "M"
    tokens = toks("\\a^^\nb")
    assert tokens[0] == (CS, 0, 5, "aM")
    assert tokens[1] == (TEXT, 5, 6, "b")


def test_superscript_catcode_change_stops_decoding() -> None:
    # after \catcode`\^=12 the ^ is other: ^^41 is no longer a sequence
    tokens = toks("\\catcode`\\^=12 ^^41")
    assert [v for k, _, _, v in tokens if k == TEXT] == [" ^^41"]
    # and a new superscript character decodes
    assert "A" in "".join(v for k, _, _, v in toks("\\catcode`\\|=7 ||41") if k == TEXT)


# -- single characters ------------------------------------------------------------


def test_specials() -> None:
    assert kinds("{$#1^_&~}") == [
        (BEGIN, "{"),
        (MATH, "$"),
        (PARAM, "#"),
        (TEXT, "1"),
        (SUP, "^"),
        (SUB, "_"),
        (ALIGN, "&"),
        (ACTIVE, "~"),
        (END, "}"),
    ]


def test_math_shifts_are_single_tokens() -> None:
    assert toks("$$x$$") == [
        (MATH, 0, 1, "$"),
        (MATH, 1, 2, "$"),
        (TEXT, 2, 3, "x"),
        (MATH, 3, 4, "$"),
        (MATH, 4, 5, "$"),
    ]


def test_invalid_and_ignored_characters() -> None:
    # ^^? (DEL) has category 15; NUL has category 9 and makes no token
    assert kinds("a\x7fb") == [(TEXT, "a"), (INVALID, "\x7f"), (TEXT, "b")]
    tokens = toks("a\x00b")
    assert [(t[0], t[3]) for t in tokens] == [(TEXT, "a"), (TEXT, "b")]
    assert tokens[1][1] == 2


def test_comments() -> None:
    tokens = toks("a%b $ {\nc\\%d")
    assert tokens[:3] == [(TEXT, 0, 1, "a"), (COMMENT, 1, 7, "b $ {"), (EOL, 7, 8, "\n")]
    assert tokens[3:] == [(TEXT, 8, 9, "c"), (CSYM, 9, 11, "%"), (TEXT, 11, 12, "d")]
    # nothing in a comment is tokenised
    assert no_kind(toks("% $ { } \\begin{x} \\verb|"), MATH, BEGIN, END, CS, VERB)


def test_blank_lines_make_one_par() -> None:
    for text in ("a\n\nb", "a\n  \n\t\n\nb", "a\r\n\r\nb", "a\r\rb", "a\n \r\n\rb"):
        tokens = toks(text)
        assert [k for k, *_ in tokens] == [TEXT, PAR, TEXT], repr(text)
        assert tokens[1][1] == 1 and tokens[1][2] == len(text) - 1
    # a single end of line is an EOL, with the next line's leading spaces
    assert toks("a\n  b") == [(TEXT, 0, 1, "a"), (EOL, 1, 4, "\n"), (TEXT, 4, 5, "b")]
    # a line holding only a comment is no blank line
    assert PAR not in [k for k, *_ in toks("a\n%x\nb")]


def test_ignored_characters_on_a_blank_line() -> None:
    # under \ExplSyntaxOn spaces are ignored (category 9): a line of spaces is blank
    state = lex("\\ExplSyntaxOn\n")[1]
    assert PAR in [k for k, *_ in toks("a\n   \nb", state)]


def test_non_bmp_characters_count_as_one_position() -> None:
    text = "𝔽 😀\\x"
    assert toks(text) == [(TEXT, 0, 3, "𝔽 😀"), (CS, 3, 5, "x")]


# -- category codes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        "\\catcode`\\@=11 ",
        "\\catcode`@=11 ",
        "\\catcode 64=11 ",
        '\\catcode"40=11 ',
        "\\catcode'100=11 ",
        "\\catcode`\\@ = 11 ",
        "\\makeatletter ",
    ],
)
def test_catcode_changes_make_at_a_letter(change: str) -> None:
    tokens, state = lex(change + "\\a@b")
    assert tokens[-1][0] == CS and tokens[-1][3] == "a@b"
    assert state.catcodes.cat("@") == cc.LETTER


def test_catcode_change_records_a_varg() -> None:
    tokens = toks("\\catcode`\\@=11\\x")
    varg = find(tokens, VARG)
    assert varg[3] == f"{ord('@')}=11"
    assert varg[1:3] == (8, 14)


def test_makeatother_restores() -> None:
    tokens, state = lex("\\makeatletter\\a@b\\makeatother\\a@b")
    assert names("\\makeatletter\\a@b\\makeatother\\a@b") == [
        "\\makeatletter",
        "\\a@b",
        "\\makeatother",
        "\\a",
    ]
    assert tokens[-1] == (TEXT, 31, 33, "@b")
    assert state == INITIAL


def test_catcode_of_the_escape_character_via_hat_hat() -> None:
    # \catcode`\^^5c=12 makes the backslash other: \x is then plain text
    tokens, state = lex("\\catcode`\\^^5c=12 \\x")
    assert state.catcodes.cat("\\") == cc.OTHER
    assert tokens[-1][0] == TEXT and tokens[-1][3].endswith("\\x")
    assert no_kind(tokens[2:], CS, CSYM)


def test_another_escape_character() -> None:
    # | with category 0 is an escape: |write18 is the control word \write, then 18
    tokens = toks("\\catcode`\\|=0 |write18{x}")
    word = find(tokens, CS, "write")
    assert word[1:3] == (14, 20)
    after = tokens[tokens.index(word) + 1]
    assert after[0] == TEXT and after[3] == "18"
    assert find(tokens, BEGIN)[1] == 22


def test_catcode_change_to_other_kinds() -> None:
    # % made other is text; $ made other is text; ~ made a letter joins words
    assert COMMENT not in [k for k, *_ in toks("\\catcode`\\%=12 50%")]
    assert MATH not in [k for k, *_ in toks("\\catcode`\\$=12 $x$")]
    assert kinds("\\catcode`\\~=11 \\a~b")[-1] == (CS, "a~b")
    # a new comment character
    tokens = toks("\\catcode`\\!=14 a!b\nc")
    assert find(tokens, COMMENT)[3] == "b"
    # a new begin-group character
    assert find(toks("\\catcode`\\[=1 ["), BEGIN)[3] == "["
    # active: @ gives an ACTIVE token
    assert find(toks("\\catcode`\\@=13 @"), ACTIVE)[3] == "@"
    assert find(toks("\\catcode`\\@=\\active @"), ACTIVE)[3] == "@"


def test_out_of_range_catcode_is_ignored() -> None:
    _, state = lex("\\catcode`\\@=16 ")
    assert state == INITIAL


def test_catcode_changes_are_scoped_by_groups() -> None:
    text = "{\\catcode`\\@=11 \\a@b}\\a@b"
    assert names(text) == ["\\catcode", "\\a@b", "\\a"]
    tokens, state = lex(text)
    assert tokens[-1][3] == "@b"
    assert state == INITIAL


@pytest.mark.parametrize(
    ("open_", "close"),
    [("\\begingroup", "\\endgroup"), ("\\bgroup", "\\egroup"), ("\\begin{x}", "\\end{x}")],
)
def test_other_groups_scope_catcodes(open_: str, close: str) -> None:
    text = open_ + "\\makeatletter\\a@b" + close + "\\a@b"
    assert names(text)[-2:] == [close.split("{")[0], "\\a"]
    assert "\\a@b" in names(text)


def test_nested_groups_restore_step_by_step() -> None:
    text = "{\\makeatletter{\\catcode`\\!=11 \\a!@}\\a@\\b!}\\c@"
    assert names(text) == ["\\makeatletter", "\\catcode", "\\a!@", "\\a@", "\\b", "\\c"]


def test_catcode_change_at_top_level_persists_through_later_groups() -> None:
    assert names("\\makeatletter{}\\a@") == ["\\makeatletter", "\\a@"]


def test_scoped_change_carried_between_lex_calls() -> None:
    _, state = lex("{\\makeatletter\n")
    assert state.catcodes.cat("@") == cc.LETTER
    assert state.saves  # the old table waits for the group to close
    tokens, state2 = lex("\\a@b}\\a@b", state)
    assert [v for k, _, _, v in tokens if k == CS] == ["a@b", "a"]
    assert state2 == INITIAL


def test_global_change_carried_between_lex_calls() -> None:
    _, state = lex("\\makeatletter\n")
    assert state.catcodes.cat("@") == cc.LETTER and not state.saves
    assert kinds("\\a@b", state) == [(CS, "a@b")]


def test_unbalanced_braces_do_not_change_the_state() -> None:
    # without scoped saves the group depth is not carried: chunks stay comparable
    assert lex("{{{")[1] == INITIAL
    assert lex("}}}")[1] == INITIAL


def test_expl_syntax() -> None:
    text = "\\ExplSyntaxOn \\foo_bar:n \\ExplSyntaxOff \\foo_bar:n"
    assert names(text) == ["\\ExplSyntaxOn", "\\foo_bar:n", "\\ExplSyntaxOff", "\\foo"]


def test_makeother() -> None:
    # \@makeother is a control word only where @ is a letter
    tokens, state = lex("\\makeatletter\\@makeother\\$ $")
    assert state.catcodes.cat("$") == cc.OTHER
    assert MATH not in [k for k, *_ in tokens]


# -- verbatim -------------------------------------------------------------------------


def test_verbatim_environment_body_is_one_token() -> None:
    text = "\\begin{verbatim}\\x{$%\n\\end{verbatim}$"
    tokens = toks(text)
    verb = find(tokens, VERB)
    assert verb == (VERB, 16, 22, "verbatim")
    assert text[verb[1] : verb[2]] == "\\x{$%\n"
    # the \end is lexed normally, and the $ after it too
    assert names(text) == ["\\begin", "\\end"]
    assert tokens[-1] == (MATH, len(text) - 1, len(text), "$")


def test_verbatim_star() -> None:
    text = "\\begin{verbatim*}a $ b\\end{verbatim*}"
    verb = find(toks(text), VERB)
    assert text[verb[1] : verb[2]] == "a $ b"
    assert verb[3] == "verbatim*"


def test_lstlisting_with_options() -> None:
    text = "\\begin{lstlisting}[language=C, caption=x]\n{%$\n\\end{lstlisting}"
    tokens = toks(text)
    varg = find(tokens, VARG)
    assert varg[3] == "[language=C, caption=x]"
    verb = find(tokens, VERB)
    assert text[verb[1] : verb[2]] == "\n{%$\n"
    assert no_kind(tokens, MATH, COMMENT)


def test_minted_with_options_and_language() -> None:
    text = "\\begin{minted}[linenos]{python}\nx = {'$': 1}  # %\n\\end{minted}"
    tokens = toks(text)
    vargs = [t[3] for t in tokens if t[0] == VARG]
    assert vargs == ["[linenos]", "{python}"]
    verb = find(tokens, VERB)
    assert text[verb[1] : verb[2]] == "\nx = {'$': 1}  # %\n"
    # minted without options
    tokens = toks("\\begin{minted}{c}\n}\n\\end{minted}")
    assert [t[3] for t in tokens if t[0] == VARG] == ["{c}"]
    # the } in the body is no token: the two END tokens close {minted} twice
    assert [t[0] for t in tokens].count(END) == 2


def test_comment_environment() -> None:
    text = "\\begin{comment}\n\\write18{x} $ {\n\\end{comment}"
    tokens = toks(text)
    assert names(text) == ["\\begin", "\\end"]
    assert no_kind(tokens, MATH)


def test_verb_command() -> None:
    text = "\\verb|$%{|x"
    tokens = toks(text)
    assert tokens == [(CS, 0, 5, "verb"), (VERB, 6, 9, "verb"), (TEXT, 10, 11, "x")]
    # any non-letter delimiter
    verb = find(toks("\\verb+a|b+"), VERB)
    assert verb[1:3] == (6, 9)


def test_verb_star() -> None:
    tokens = toks("\\verb*|a $|b")
    assert find(tokens, VERB)[1:3] == (7, 10)
    assert no_kind(tokens, MATH)


def test_verb_without_closing_delimiter_on_the_line() -> None:
    # LaTeX stops with "\verb ended by end of line"; the lexer lexes on normally
    tokens = toks("\\verb|abc\n$")
    assert no_kind(tokens, VERB)
    assert tokens[-1][0] == MATH


def test_lstinline_forms() -> None:
    text = "\\lstinline|$%|x \\lstinline[style=y]{a{b}%}z"
    tokens = toks(text)
    verbs = [text[t[1] : t[2]] for t in tokens if t[0] == VERB]
    assert verbs == ["$%", "a{b}%"]
    assert find(tokens, VARG)[3] == "[style=y]"
    assert no_kind(tokens, MATH, COMMENT)


def test_verbatim_command_without_a_body_leaves_no_stray_tokens() -> None:
    # \lstinline[x] at the end of the text: no body, so no verbatim argument
    # either; the [x] is lexed as ordinary text, once
    assert toks("\\lstinline[x]") == [(CS, 0, 10, "lstinline"), (TEXT, 10, 13, "[x]")]
    tokens = toks("\\mintinline{c} x")
    assert no_kind(tokens, VARG, VERB)
    check_spans("\\mintinline{c} x", tokens)


def test_url_with_percent() -> None:
    text = "\\url{a%b#c}x"
    tokens = toks(text)
    assert find(tokens, VERB)[1:3] == (5, 10)
    assert no_kind(tokens, COMMENT, PARAM)
    assert tokens[-1] == (TEXT, 11, 12, "x")


def test_verbatim_left_open_is_carried_in_the_state() -> None:
    opening = "\\begin{verbatim}\n\\x $ {\n"
    tokens, state = lex(opening)
    assert state.verbatim == "verbatim"
    assert find(tokens, VERB)[1:3] == (16, len(opening))
    text = "still $ { % verbatim\n\\end{verbatim}$"
    tokens, state2 = lex(text, state)
    assert tokens[0] == (VERB, 0, 21, "verbatim")
    assert names(text, state) == ["\\end"]
    assert tokens[-1][0] == MATH
    assert state2.verbatim is None
    # a chunk wholly inside the body stays verbatim
    tokens, state3 = lex("$$$\n", state)
    assert tokens == [(VERB, 0, 4, "verbatim")]
    assert state3 == state


def test_verbatim_in_a_comment_is_not_verbatim() -> None:
    tokens, state = lex("% \\begin{verbatim}\n$")
    assert state.verbatim is None
    assert tokens[-1][0] == MATH


# -- budget -----------------------------------------------------------------------------


def test_budget_is_spent() -> None:
    with pytest.raises(BudgetExceeded):
        lex("{}" * 10_000, budget=Budget(seconds=60, steps=100))
    budget = Budget(seconds=60, steps=10**9)
    lex("{}" * 10_000, budget=budget)
    assert budget.steps < 10**9


def test_budget_is_spent_when_the_scan_restarts_often() -> None:
    # every catcode change restarts the scan; the tokens still have to be paid for
    text = "\\makeatletter\\makeatother" * 5_000
    with pytest.raises(BudgetExceeded):
        lex(text, budget=Budget(seconds=60, steps=1_000))
    text = "\\verb|a|" * 5_000
    with pytest.raises(BudgetExceeded):
        lex(text, budget=Budget(seconds=60, steps=1_000))


# -- properties ---------------------------------------------------------------------------

ALPHABET = [
    "\\",
    "{",
    "}",
    "$",
    "%",
    "^",
    "_",
    "#",
    "&",
    "~",
    "\n",
    " ",
    "\t",
    "a",
    "b",
    "z",
    "@",
    "0",
    "1",
    "8",
    "5c",
    "𝔽",
    "😀",
    "\r\n",
    "\r",
    "\x00",
    "\ud800",
    "\x7f",
    "|",
    "*",
    "[",
    "]",
]
TRIGGERS = [
    "\\catcode`\\@=11 ",
    "\\catcode`\\|=0 ",
    "\\catcode`\\^=12 ",
    "\\catcode`\\|=7 ",
    "\\catcode`\\{=12 ",
    "\\makeatletter",
    "\\makeatother",
    "\\begin{verbatim}",
    "\\end{verbatim}",
    "\\begin{lstlisting}[x]",
    "\\end{lstlisting}",
    "\\verb|",
    "\\verb*",
    "\\url{",
    "\\lstinline",
    "\\lstinline[x]",
    "\\mintinline{c}",
    "\\begingroup",
    "\\endgroup",
    "^^",
    "^^5c",
    "^^^^005c",
    "\\ExplSyntaxOn",
]

texts = st.lists(st.sampled_from(ALPHABET + TRIGGERS), max_size=50).map("".join)
plain_texts = st.lists(st.sampled_from([*ALPHABET, "^^", "^^@", "^^41"]), max_size=60).map("".join)


def check_spans(text: str, tokens: list[Token]) -> None:
    end = 0
    for kind, a, b, _ in tokens:
        assert 0 <= a <= b <= len(text), (kind, a, b)
        assert a >= end, f"token {(kind, a, b)} overlaps the one before (ends at {end})"
        end = b


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_tokens_are_ordered_disjoint_and_inside_the_text(text: str) -> None:
    tokens, state = lex(text)
    check_spans(text, tokens)
    # lexing again from the exit state never fails either
    tokens2, _ = lex(text, state)
    check_spans(text, tokens2)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_lex_never_raises_on_arbitrary_text(text: str) -> None:
    tokens, _ = lex(text)
    check_spans(text, tokens)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain_texts)
def test_token_values_are_what_the_source_decodes_to(text: str) -> None:
    """Without catcode changes or verbatim, each token's source span decodes to its value."""
    for kind, a, b, value in lex(text)[0]:
        decoded = decode(text, "^", a, b)[0]
        if kind in (CS, CSYM):
            assert decoded == "\\" + value
        elif kind == COMMENT:
            assert decoded == "%" + value
        elif kind in (EOL, PAR):
            assert decoded.strip(" \t\x00") and not decoded.strip(" \t\r\n\x00")
        else:
            assert decoded == value, (kind, a, b)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain_texts)
def test_text_between_tokens_is_only_ignored_or_escape(text: str) -> None:
    """Gaps between tokens hold only NULs (ignored, also as ^^@), and a backslash ending
    the text."""
    pos = 0
    tokens = lex(text)[0]
    for _, a, b, _ in [*tokens, (0, len(text), len(text), "")]:
        gap = decode(text, "^", pos, a)[0]
        if a == len(text) and gap.endswith("\\"):
            gap = gap[:-1]  # an escape character with nothing after it
        assert set(gap) <= {"\x00"}, repr(text[pos:a])
        pos = b


def test_random_hostile_inputs() -> None:
    for text in ("\ud800", "\\\ud800", "^^\ud800", "\x00" * 10, "\\", "^^", "\\verb", "\\url{"):
        check_spans(text, lex(text)[0])


def test_verbatim_environment_spelled_with_hat_hat() -> None:
    text = "^^5cbegin^^7bverbatim}$\\end{verbatim}"
    tokens = toks(text)
    assert tokens[:4] == [
        (CS, 0, 9, "begin"),
        (BEGIN, 9, 13, "{"),
        (TEXT, 13, 21, "verbatim"),
        (END, 21, 22, "}"),
    ]
    assert tokens[4] == (VERB, 22, 23, "verbatim")
    check_spans(text, tokens)


# -- the character-by-character scanner ---------------------------------------------------


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.sampled_from([INITIAL, LexState(verbatim="verbatim")]))
def test_character_scanner_gives_the_same_tokens_as_the_patterns(
    text: str, state: LexState
) -> None:
    """Past too many catcode tables the lexer reads char by char: same tokens, same state."""
    expected = lex(text, state)
    limit = lexer_module._MAX_PATTERN_OVERRIDES
    lexer_module._MAX_PATTERN_OVERRIDES = -1  # every table is "too big": always char by char
    try:
        got = lex(text, state)
    finally:
        lexer_module._MAX_PATTERN_OVERRIDES = limit
    assert got == expected


def test_thousands_of_distinct_catcode_tables_stay_linear() -> None:
    # each assignment makes a table never seen before: compiling a pattern for each
    # took 36 s for this text; the character scanner takes a fraction of a second
    text = "".join(f"\\catcode{200 + i}=11 x{{y}}\n" for i in range(10_000)) + "\\write18{ls}"
    tokens, state = lex(text, budget=Budget(seconds=5))
    assert len(state.catcodes.overrides) == 10_000
    assert (CS, "write") in {(t[0], t[3]) for t in tokens}
