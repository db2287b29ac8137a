"""The interpreter's tokens and its input: the chunk's lexer tokens plus pushed-back lists.

A machine token is ``(cat, value, start, end, via)``:

- ``cat`` 0 for a control sequence (value = its name), 13 for an active
  character, 1..12 for a character token of that category, and two kinds TeX
  has no token for: :data:`VERBATIM` (an opaque verbatim body, value = the
  environment or command) and :data:`ARGUMENT` (an argument the lexer took as
  text, value = its text);
- ``start``/``end``: where the token stands in the chunk's text (tokens that
  come out of a macro carry the position of the macro's use);
- ``via``: how the token was reached when that was not by plain writing —
  ``"^^"``, ``"escape:|"``, ``"csname"``, ``"alias:x"``, ``"scantokens"`` …
  (see :mod:`.machine`); ``"!"`` marks a token \\noexpand'ed.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...tex import tokens as lt
from ...tex.decode import decode

MTok = tuple[int, str, int, int, tuple[str, ...]]

CSEQ = 0
ACTIVE = 13
SPACE = 10
LETTER = 11
OTHER = 12
BEGIN = 1
END = 2
VERBATIM = -1
ARGUMENT = -2
SENTINEL = -9

NO_VIA: tuple[str, ...] = ()
_SIMPLE = {
    lt.BEGIN: BEGIN,
    lt.END: END,
    lt.MATH: 3,
    lt.ALIGN: 4,
    lt.PARAM: 6,
    lt.SUP: 7,
    lt.SUB: 8,
}


def char_cat(ch: str) -> int:
    if ch == " " or ch == "\t":
        return SPACE
    if ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
        return LETTER
    return OTHER


def is_cs(t: MTok) -> bool:
    return t[0] == CSEQ or t[0] == ACTIVE


def key_of(t: MTok) -> str:
    """The name under which a control sequence or active character is defined."""
    return t[1] if t[0] == CSEQ else "active:" + t[1]


def chars_of(text: str, start: int, end: int, via: tuple[str, ...] = NO_VIA) -> list[MTok]:
    """Character tokens for ``text``, all placed at ``start``..``end``."""
    return [(char_cat(c), c, start, end, via) for c in text]


class Stream:
    """The chunk's lexer tokens, read as machine tokens, under a stack of pushed lists."""

    __slots__ = ("lex_tokens", "n", "pending", "pos", "skip_blanks", "stack", "text")

    def __init__(self, lex_tokens: Sequence[lt.Token], text: str) -> None:
        self.lex_tokens = lex_tokens
        self.n = len(lex_tokens)
        self.pos = 0
        self.text = text
        self.stack: list[list[MTok]] = []  # each list reversed: pop() gives the next token
        self.pending = 0  # tokens waiting on the stack
        self.skip_blanks = False  # after a control word TeX skips spaces (state S)

    def push(self, toks: Sequence[MTok]) -> None:
        if toks:
            self.stack.append(list(reversed(toks)))
            self.pending += len(toks)

    def back(self, tok: MTok) -> None:
        self.stack.append([tok])
        self.pending += 1

    def clear_pushed(self) -> None:
        self.stack.clear()
        self.pending = 0

    def next(self) -> MTok | None:
        stack = self.stack
        while stack:
            top = stack[-1]
            if top:
                self.pending -= 1
                return top.pop()
            stack.pop()
        return self.next_lexed()

    def next_lexed(self) -> MTok | None:
        """The next token straight from the chunk (the pushed lists must be empty)."""
        toks = self.lex_tokens
        while self.pos < self.n:
            kind, a, b, value = toks[self.pos]
            self.pos += 1
            skip = self.skip_blanks
            self.skip_blanks = False
            if kind == lt.CS or kind == lt.CSYM:
                self.skip_blanks = kind == lt.CS
                return (CSEQ, value, a, b, self.spelling(a, b, value))
            if kind == lt.TEXT:
                chars = self.text_chars(a, b, value, skip)
                if not chars:
                    self.skip_blanks = True
                    continue
                if len(chars) > 1:
                    self.push(chars[1:])
                return chars[0]
            if kind == lt.EOL and skip:
                continue
            simple = _SIMPLE.get(kind)
            if simple is not None:
                return (simple, value, a, b, NO_VIA)
            if kind == lt.EOL:
                return (SPACE, " ", a, b, NO_VIA)
            if kind == lt.PAR:
                return (CSEQ, "par", a, b, NO_VIA)
            if kind == lt.ACTIVE:
                return (ACTIVE, value, a, b, NO_VIA)
            if kind == lt.VERB:
                return (VERBATIM, value, a, b, NO_VIA)
            if kind == lt.VARG:
                return (ARGUMENT, value, a, b, NO_VIA)
            # comments and invalid characters produce nothing
        return None

    def text_chars(self, a: int, b: int, value: str, skip_leading: bool) -> list[MTok]:
        """Character tokens of a text run: spaces after a control word are skipped and
        a run of spaces is one space token, as TeX's input processor makes them."""
        exact = len(value) == b - a
        to_source = None
        if not exact:
            # the run was written with ^^ notation: map each character back to its source
            decoded, omap = decode(self.text, "^", a, b)
            if decoded == value:
                to_source = omap.to_source
        out: list[MTok] = []
        space = skip_leading
        for i, c in enumerate(value):
            cat = char_cat(c)
            if cat == SPACE:
                if space:
                    continue
                space = True
                c = " "
            else:
                space = False
            if exact:
                out.append((cat, c, a + i, a + i + 1, NO_VIA))
            elif to_source is not None:
                a2, b2 = to_source(i), to_source(i + 1)
                out.append((cat, c, a2, b2, ("^^",) if b2 - a2 > 1 else NO_VIA))
            else:
                out.append((cat, c, a, b, NO_VIA))
        return out

    def spelling(self, a: int, b: int, name: str) -> tuple[str, ...]:
        """How a control sequence is spelled, when not as ``\\name``."""
        source = self.text[a:b]
        if source[1:] == name and source[:1] == "\\":
            return NO_VIA
        if "^^" in source or (source[:1] and source[:1] * 2 in source):
            return ("^^",)
        if source[:1] != "\\":
            return ("escape:" + source[:1],)
        return NO_VIA


def render(toks: Sequence[MTok], limit: int = 4000) -> str:
    """Tokens as TeX would print them (\\detokenize): control words get a space after."""
    out: list[str] = []
    size = 0
    for cat, value, *_ in toks:
        if cat == CSEQ:
            piece = "\\" + value + (" " if value[:1].isalpha() else "")
        elif cat == SENTINEL:
            continue
        else:
            piece = value
        out.append(piece)
        size += len(piece)
        if size > limit:
            break
    return "".join(out)


def plain(toks: Sequence[MTok], limit: int = 4000) -> str:
    """Tokens as a single line of text with runs of white space collapsed."""
    return " ".join(render(toks, limit).split())
