"""A statement's text split into prose and mathematics.

:func:`split` finds the math (``$…$``, ``$$…$$``, ``\\[…\\]``, ``\\(…\\)``, display
environments) and returns a *skeleton*: the prose in which each piece of mathematics is a
placeholder ``§n§``, with a map from every skeleton character back to its offset in the
input, so that anything found in the prose can still point into the LaTeX.  Numbers written
in the prose ("divided by 11") become mathematics too.

:func:`extract_answer` separates the appended answer ("Show that it is …") and the
multiple-choice line (``\\textbf{(A)} … \\qquad \\textbf{(B)} …``) from the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .ast import Node

PLACEHOLDER = re.compile(r"§(\d+)§")
DISPLAY_ENVS = (
    "align",
    "equation",
    "gather",
    "multline",
    "eqnarray",
    "displaymath",
    "math",
    "flalign",
)
MAX_STATEMENT = 20_000


@dataclass
class Segment:
    id: int
    start: int  # offset of the mathematics in the input
    end: int
    latex: str
    synthetic: bool = False  # a number in the prose or a phrase's result
    items: list[Node] = field(default_factory=list)
    used: bool = False
    asks: bool = False  # ended with "=": "x - p = ?"


@dataclass
class Skeleton:
    text: str
    offsets: list[int]  # input offset of each character of text
    segments: list[Segment]

    def source_span(self, lo: int, hi: int) -> tuple[int, int]:
        if not self.offsets:
            return 0, 0
        lo = max(0, min(lo, len(self.offsets) - 1))
        hi = max(lo, min(hi, len(self.offsets))) - 1
        return self.offsets[lo], self.offsets[max(lo, hi)] + 1


def _find_close(src: str, i: int, closer: str) -> int:
    """Index of ``closer`` at or after i, skipping escaped characters (-1 if none)."""
    n = len(src)
    while i < n:
        if src[i] == "\\" and not closer.startswith("\\"):
            i += 2
            continue
        if src.startswith(closer, i):
            if closer.startswith("\\") and i > 0 and src[i - 1] == "\\":
                i += 1
                continue
            return i
        if src[i] == "\\" and closer.startswith("\\"):
            if src.startswith(closer, i):
                return i
            i += 2
            continue
        i += 1
    return -1


_BEGIN_ENV = re.compile(r"\\begin\{(" + "|".join(DISPLAY_ENVS) + r")(\*?)\}")


def split(src: str, base: int = 0) -> Skeleton:
    """The skeleton of ``src`` (offsets shifted by ``base``)."""
    text: list[str] = []
    offsets: list[int] = []
    segments: list[Segment] = []
    i = 0
    n = len(src)

    def add_segment(start: int, end: int) -> None:
        seg = Segment(len(segments), base + start, base + end, src[start:end])
        segments.append(seg)
        mark = f" §{seg.id}§ "
        text.extend(mark)
        offsets.extend([base + start] * len(mark))

    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n:
            nxt = src[i + 1]
            if nxt == "$":
                text.append("$")
                offsets.append(base + i)
                i += 2
                continue
            if nxt in "[(":
                closer = "\\]" if nxt == "[" else "\\)"
                j = src.find(closer, i + 2)
                if j >= 0:
                    add_segment(i + 2, j)
                    i = j + 2
                    continue
            if src.startswith("\\begin{", i):
                m = _BEGIN_ENV.match(src, i)
                if m is not None:
                    end_tag = f"\\end{{{m.group(1)}{m.group(2)}}}"
                    j = src.find(end_tag, m.end())
                    if j >= 0:
                        add_segment(i, j + len(end_tag))
                        i = j + len(end_tag)
                        continue
        if c == "$":
            if src.startswith("$$", i):
                j = _find_dollar(src, i + 2, double=True)
                if j >= 0:
                    add_segment(i + 2, j)
                    i = j + 2
                    continue
            else:
                j = _find_dollar(src, i + 1, double=False)
                if j >= 0:
                    add_segment(i + 1, j)
                    i = j + 1
                    continue
            text.append(" ")
            offsets.append(base + i)
            i += 1
            continue
        text.append(c)
        offsets.append(base + i)
        i += 1
    return Skeleton("".join(text), offsets, segments)


def _find_dollar(src: str, i: int, *, double: bool) -> int:
    n = len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "$":
            if double:
                if src.startswith("$$", i):
                    return i
            else:
                return i
        i += 1
    return -1


# -- prose clean-up (keeps the offset map) ----------------------------------------------------
def substitute(skel: Skeleton, pattern: re.Pattern[str], repl: str | None) -> Skeleton:
    """Replace matches of ``pattern`` in the skeleton's prose (``repl`` may use \\1; None keeps
    group 1) keeping offsets: inserted characters point at the start of the match."""
    out: list[str] = []
    offs: list[int] = []
    pos = 0
    for m in pattern.finditer(skel.text):
        out.append(skel.text[pos : m.start()])
        offs.extend(skel.offsets[pos : m.start()])
        if repl is None:
            g = m.group(1) or ""
            out.append(g)
            offs.extend(skel.offsets[m.start(1) : m.start(1) + len(g)] if m.group(1) else [])
        else:
            r = m.expand(repl)
            out.append(r)
            anchor = skel.offsets[m.start()] if m.start() < len(skel.offsets) else 0
            offs.extend([anchor] * len(r))
        pos = m.end()
    out.append(skel.text[pos:])
    offs.extend(skel.offsets[pos:])
    return Skeleton("".join(out), offs, skel.segments)


_WIKI = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_HTML = re.compile(r"<[^<>]{0,200}>")
_TEXT_CMD = re.compile(r"\\(?:textbf|emph|textit|text|mathrm|underline|textrm)\s*\{([^{}]*)\}")
_SPACING = re.compile(
    r"\\[,;!:> ]|~|\\q?quad\b|\\(?:smallskip|medskip|bigskip|noindent|newline|par)\b|\\\\"
)
_NUMBER = re.compile(r"(?<![\w§.,\\^_{])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w§{])")


_REMARK = re.compile(r"\((?:Reminder|Note|Hint|Recall)\b[^()]*(?:\([^()]*\)[^()]*)*\)", re.I)


def clean(skel: Skeleton) -> Skeleton:
    skel = substitute(skel, _REMARK, " ")
    skel = substitute(skel, _WIKI, None)
    skel = substitute(skel, _HTML, " ")
    for _ in range(3):
        skel = substitute(skel, _TEXT_CMD, None)
    skel = substitute(skel, _SPACING, " ")
    return skel


_LETTER = re.compile(r"(?<![\w§'\\.-])([A-Za-z])(?![\w§'-])(?!\.\w)")
_LIST_NEXT = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+)[A-Za-z](?![\w§'-])")
_LIST_PREV = re.compile(
    r"(?:(?<![\w§'-])[A-Za-z]\s*,\s*(?:and\s+)?|(?<![\w§'-])[A-Za-z]\s+(?:and|or)\s+)$"
)


def _prose_variable(text: str, m: re.Match[str]) -> bool:
    """A single letter in the prose is a variable ("for positive integer n"), except the
    words "a" and "I" unless they sit in a list of letters ("real numbers a and c")."""
    letter = m.group(1)
    if letter not in ("a", "A", "I"):
        return True
    return bool(_LIST_NEXT.match(text, m.end()) or _LIST_PREV.search(text[: m.start()]))


def number_segments(skel: Skeleton) -> Skeleton:
    """Numbers and single-letter variables in the prose become (synthetic) mathematics."""
    out: list[str] = []
    offs: list[int] = []
    pos = 0
    found = [m for m in _NUMBER.finditer(skel.text)]
    found += [m for m in _LETTER.finditer(skel.text) if _prose_variable(skel.text, m)]
    found.sort(key=lambda m: m.start())
    for m in found:
        out.append(skel.text[pos : m.start()])
        offs.extend(skel.offsets[pos : m.start()])
        start, end = skel.source_span(m.start(), m.end())
        seg = Segment(len(skel.segments), start, end, m.group(1).replace(",", ""), synthetic=True)
        skel.segments.append(seg)
        mark = f"§{seg.id}§"
        out.append(mark)
        offs.extend([start] * len(mark))
        pos = m.end()
    out.append(skel.text[pos:])
    offs.extend(skel.offsets[pos:])
    return Skeleton("".join(out), offs, skel.segments)


def normalize_spaces(skel: Skeleton) -> Skeleton:
    return substitute(skel, re.compile(r"\s+"), " ")


# -- answers and choices -----------------------------------------------------------------------
_ANSWER = re.compile(r"Show that it is\s*", re.I)
_LABEL = re.compile(
    r"(?:\\(?:textbf|mathrm|text|mathbf|textrm|rm)\s*\{\s*\(\s*([A-E])\s*\)\s*\}"
    r"|\(\s*\\(?:mathrm|text|textbf|rm)\s*\{?\s*([A-E])\s*\}?\s*\)"
    r"|\\(?:textbf|mathrm|text|mathbf)\s*\{\s*\(\s*([A-E])\s*\)"
    r"|\\(?:textbf|mathrm|text|mathbf)\s*\{\s*([A-E])\s*\}"
    r"|\(([A-E])\))"
)


@dataclass
class Answer:
    latex: str
    start: int
    end: int
    letter: str = ""
    words: str = ""  # an answer that is words ("prime", "even")


@dataclass
class Extracted:
    body_end: int  # the problem is src[:body_end] with the choices blanked
    body: str
    answer: Answer | None
    choices: dict[str, tuple[str, int, int]]


def extract_answer(src: str) -> Extracted:
    answer: Answer | None = None
    body_end = len(src)
    matches = list(_ANSWER.finditer(src))
    if matches:
        m = matches[-1]
        body_end = m.start()
        raw_start = m.end()
        raw = src[raw_start:]
        answer = Answer(raw, raw_start, len(src))
    body = src[:body_end]
    choices, body = _choices(body)
    if answer is not None:
        answer = _resolve(answer, choices)
    return Extracted(body_end, body, answer, choices)


def _choices(body: str) -> tuple[dict[str, tuple[str, int, int]], str]:
    labels = [(m.start(), m.end(), next(g for g in m.groups() if g)) for m in _LABEL.finditer(body)]
    letters = [lab for _, _, lab in labels]
    if "A" not in letters or "B" not in letters:
        return {}, body
    first = letters.index("A")
    labels = labels[first:]
    choices: dict[str, tuple[str, int, int]] = {}
    region_start = labels[0][0]
    region_end = len(body)
    # the region ends with the math segment holding the last option
    last_end = labels[-1][1]
    dollar = body.find("$", last_end)
    nl = body.find("\n\n", last_end)
    if dollar >= 0 and (nl < 0 or dollar < nl):
        region_end = dollar
    elif nl >= 0:
        region_end = nl
    for i, (_s, e, letter) in enumerate(labels):
        stop = labels[i + 1][0] if i + 1 < len(labels) else region_end
        content = body[e:stop]
        choices.setdefault(letter, (content, e, stop))
    # an open "$" before the region closes the math that held the choices
    blank = " " * (region_end - region_start)
    return choices, body[:region_start] + blank + body[region_end:]


_ANSWER_LABEL = re.compile(
    r"^\s*\$?\s*(?:"
    r"\\(?:textbf|mathrm|text|mathbf|textrm|rm)\s*\{\s*\(?\s*([A-E])\s*\)?\s*\}"
    r"|\(\s*\\(?:mathrm|text|textbf|rm)\s*\{?\s*([A-E])\s*\}?\s*\)"
    r"|\\(?:text|mathrm)\s*\{\s*\(([A-E])\)([^{}]*)\}"
    r"|\\(?:textbf|mathrm|text|mathbf)\s*\{\s*\(\s*([A-E])\s*\)"
    r"|\(([A-E])\)"
    r"|([A-E])\s*\.?\s*$"
    r")"
)
_TRIM = re.compile(
    r"^(?:\s|\\[ ,;!:]|~|\\q?quad|\$|\{\s*\})+|(?:\s|\\[ ,;!:]|~|\\q?quad|\$|\.|\{\s*\})+$"
)


def _trim(text: str, start: int) -> tuple[str, int]:
    m = re.match(r"^(?:\s|\\[ ,;!:]|~|\\q?quad\b|\$)+", text)
    lead = m.end() if m else 0
    text2 = text[lead:]
    m2 = re.search(r"(?:\s|\\[ ,;!:]|~|\\q?quad\b|\$|\.(?!\d)|\\\\)+$", text2)
    if m2:
        text2 = text2[: m2.start()]
    return text2, start + lead


def _resolve(answer: Answer, choices: dict[str, tuple[str, int, int]]) -> Answer:
    raw = answer.latex
    m = _ANSWER_LABEL.match(raw)
    if m is not None:
        letter = next(
            (
                g
                for g in (m.group(1), m.group(2), m.group(3), m.group(5), m.group(6), m.group(7))
                if g
            ),
            "",
        )
        inner = m.group(4) or ""
        rest = inner + raw[m.end() :]
        rest_text, rest_start = _trim(rest, answer.start + m.end())
        if inner:
            rest_start = answer.start + m.start(4)
        if _meaningful(rest_text):
            return _words(Answer(rest_text, rest_start, rest_start + len(rest_text), letter))
        if letter in choices:
            content, s, _e = choices[letter]
            text, start = _trim(content, s)
            return _words(Answer(text, start, start + len(text), letter))
        return Answer("", answer.start, answer.end, letter)
    text, start = _trim(raw, answer.start)
    return _words(Answer(text, start, start + len(text)))


def _meaningful(text: str) -> bool:
    stripped = re.sub(r"\\[a-zA-Z]+|[{}()\s.$]", "", text)
    return bool(stripped)


_WORDS = re.compile(r"^\s*(?:\\(?:text|mathrm|textbf)\s*\{\s*)?([a-zA-Z][a-zA-Z\\ ]*?)\s*\}?\s*$")


def _words(answer: Answer) -> Answer:
    m = _WORDS.match(answer.latex)
    if m is not None and len(m.group(1).replace("\\", "").replace(" ", "")) > 1:
        answer.words = " ".join(m.group(1).replace("\\", " ").split()).lower()
    return answer
