"""LaTeX math → tokens, with offsets into the translated LaTeX.

The tokenizer applies the vocabulary's aliases (``\\leq`` is ``\\le``, ``\\R`` is
``\\mathbb{R}``), drops spacing and style commands, reads ``\\text{…}``-like groups and
``\\mathbb{X}`` as single tokens, and expands the document's own macros
(:class:`~texlean.formalize.api.Macro`).  Every token keeps the span of the LaTeX it came
from: a token produced by a macro or an alias carries the span of the invocation.

Work is bounded: input longer than :data:`MAX_INPUT` is cut, and macro expansion stops
after :data:`MAX_EXPANSIONS` expansions or :data:`MAX_TOKENS` tokens.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from .vocabulary import Vocabulary

MAX_INPUT = 20_000
MAX_TOKENS = 20_000
MAX_EXPANSIONS = 2_000


class MacroLike(Protocol):
    @property
    def arity(self) -> int: ...
    @property
    def body(self) -> str: ...
    @property
    def default(self) -> str | None: ...
    @property
    def operator(self) -> bool: ...


@dataclass(slots=True)
class Tok:
    """One token: kind, canonical text, span [start, end) in the input."""

    kind: str  # cmd num letter sym open close sup sub text numset slot param eof
    text: str
    start: int
    end: int

    def __repr__(self) -> str:
        return f"{self.kind}:{self.text}"


_SCAN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<comment>%[^\n]*)"
    r"|(?P<num>\d{1,3}(?:(?:,\\!|\{,\}|,\\,)\d{3})+(?!\d)|\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<cmd>\\[A-Za-z]+\*?|\\.)"
    r"|(?P<letter>[A-Za-z])"
    r"|(?P<slot>@[A-Za-z]\w*)"
    r"|(?P<param>#[1-9])"
    r"|(?P<other>.)",
    re.S,
)
_THOUSANDS = re.compile(r",\\!|\{,\}|,\\,")
_TEXT_COMMANDS = frozenset({"\\text"})


def _group_end(src: str, i: int) -> int:
    """Index just past the brace group starting at src[i] == '{' (or len(src))."""
    depth = 0
    n = len(src)
    j = i
    while j < n:
        c = src[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return n


_INNER_CMD = re.compile(r"\\(?:text|mathrm|textrm|operatorname|mathop|textbf|mathbf|rm|it|bf)\b\s*")


def plain_text(group: str) -> str:
    """The words of a \\text{…} group: nested style commands, braces and spacing removed."""
    text = _INNER_CMD.sub("", group)
    text = text.replace("\\ ", " ").replace("~", " ").replace("\\,", " ").replace("\\;", " ")
    text = re.sub(r"\\[!:>]", "", text)
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


class Tokenizer:
    """Tokenizes math for one translation; caches alias and macro bodies."""

    def __init__(self, vocab: Vocabulary, macros: Mapping[str, MacroLike] | None = None) -> None:
        self.vocab = vocab
        self.macros: dict[str, MacroLike] = {}
        for name, macro in (macros or {}).items():
            key = name if name.startswith("\\") else "\\" + name
            self.macros[key] = macro
        self._alias_cache: dict[str, list[Tok]] = {}
        self._body_cache: dict[str, list[Tok]] = {}
        self.expansions = 0
        self.truncated = False

    # -- raw scanning ------------------------------------------------------------------------
    def scan(self, src: str, base: int = 0, *, depth: int = 0) -> list[Tok]:
        """Tokens of ``src`` (offsets shifted by ``base``), aliases applied, no macros."""
        if len(src) > MAX_INPUT:
            src = src[:MAX_INPUT]
            self.truncated = True
        out: list[Tok] = []
        vocab = self.vocab
        pos = 0
        n = len(src)
        while pos < n:
            m = _SCAN.match(src, pos)
            if m is None:  # pragma: no cover - the pattern matches any character
                break
            kind = m.lastgroup or "other"
            text = m.group()
            start, end = pos, m.end()
            pos = end
            if kind in ("ws", "comment"):
                continue
            if kind == "num":
                out.append(Tok("num", _THOUSANDS.sub("", text), base + start, base + end))
                continue
            if kind == "letter":
                out.append(Tok("letter", text, base + start, base + end))
                continue
            if kind == "slot":
                out.append(Tok("slot", text[1:], base + start, base + end))
                continue
            if kind == "param":
                out.append(Tok("param", text[1:], base + start, base + end))
                continue
            if kind == "other":
                if text in vocab.aliases and depth < 4:
                    out.extend(self._alias(text, base + start, base + end, depth))
                    continue
                out.append(self._symbol(text, base + start, base + end))
                continue
            # a command
            if text in ("\\begin", "\\end"):
                k = pos
                while k < n and src[k].isspace():
                    k += 1
                if k < n and src[k] == "{":
                    stop = _group_end(src, k)
                    env = src[k + 1 : stop - 1].strip()
                    pos = stop
                    if text == "\\begin" and env in ("array", "tabular"):
                        while pos < n and src[pos] == "{":  # the column specification
                            pos = _group_end(src, pos)
                    kind_name = "begin" if text == "\\begin" else "end"
                    out.append(Tok(kind_name, env.rstrip("*"), base + start, base + pos))
                    continue
            if text in ("\\left", "\\right", "\\bigl", "\\bigr", "\\big", "\\Big", "\\middle"):
                k = pos
                while k < n and src[k] == " ":
                    k += 1
                if k < n and src[k] == ".":
                    pos = k + 1
                    continue
            if text in vocab.ignore_with_arg:
                k = pos
                while k < n and src[k].isspace():
                    k += 1
                if k < n and src[k] == "{":
                    pos = _group_end(src, k)
                continue
            if text in vocab.ignore:
                continue
            canonical = vocab.aliases.get(text, text)
            if canonical != text and depth < 4:
                if canonical.startswith("\\") and re.fullmatch(r"\\[A-Za-z]+\*?|\\.", canonical):
                    text = canonical
                else:
                    out.extend(self._alias(text, base + start, base + end, depth))
                    continue
            if text in _TEXT_COMMANDS or text == "\\mathbb":
                k = pos
                while k < n and src[k].isspace():
                    k += 1
                if k < n and src[k] == "{":
                    stop = _group_end(src, k)
                    inner = src[k + 1 : stop - 1]
                    pos = stop
                elif k < n and text == "\\mathbb":
                    inner = src[k]
                    pos = k + 1
                else:
                    continue
                if text == "\\mathbb":
                    lean = vocab.number_sets.get(inner.strip())
                    if lean is not None:
                        out.append(Tok("numset", lean, base + start, base + pos))
                    else:
                        out.append(Tok("text", inner.strip(), base + start, base + pos))
                    continue
                out.append(Tok("text", plain_text(inner), base + start, base + pos))
                continue
            out.append(Tok("cmd", text, base + start, base + end))
        return out

    def _symbol(self, text: str, start: int, end: int) -> Tok:
        if text == "{":
            return Tok("open", "{", start, end)
        if text == "}":
            return Tok("close", "}", start, end)
        if text == "^":
            return Tok("sup", "^", start, end)
        if text == "_":
            return Tok("sub", "_", start, end)
        return Tok("sym", text, start, end)

    def _alias(self, text: str, start: int, end: int, depth: int) -> list[Tok]:
        cached = self._alias_cache.get(text)
        if cached is None:
            cached = self.scan(self.vocab.aliases[text], 0, depth=depth + 1)
            self._alias_cache[text] = cached
        return [Tok(t.kind, t.text, start, end) for t in cached]

    # -- macros ------------------------------------------------------------------------------
    def tokenize(self, src: str, base: int = 0) -> list[Tok]:
        """Tokens of ``src`` with the document's macros expanded, ending with an eof token."""
        raw = self.scan(src, base)
        toks = self.expand(raw) if self.macros else raw
        end = base + len(src)
        toks.append(Tok("eof", "", end, end))
        return toks

    def _body(self, name: str, macro: MacroLike) -> list[Tok]:
        body = self._body_cache.get(name)
        if body is None:
            text = "\\text{" + macro.body + "}" if macro.operator else macro.body
            body = self.scan(text, 0)
            self._body_cache[name] = body
        return body

    def expand(self, toks: list[Tok]) -> list[Tok]:
        out: list[Tok] = []
        queue: deque[Tok] = deque(toks)
        while queue:
            tok = queue.popleft()
            macro = self.macros.get(tok.text) if tok.kind == "cmd" else None
            if macro is None:
                out.append(tok)
                if len(out) > MAX_TOKENS:
                    self.truncated = True
                    break
                continue
            if self.expansions >= MAX_EXPANSIONS or len(out) + len(queue) > MAX_TOKENS:
                self.truncated = True
                out.append(tok)
                continue
            self.expansions += 1
            args: list[list[Tok]] = []
            end = tok.end
            arity = max(0, min(int(macro.arity), 9))
            needed = arity
            if macro.default is not None and arity > 0:
                if queue and queue[0].kind == "sym" and queue[0].text == "[":
                    queue.popleft()
                    opt: list[Tok] = []
                    depth = 0
                    while queue:
                        t = queue.popleft()
                        end = t.end
                        if t.kind == "sym" and t.text == "]" and depth == 0:
                            break
                        if t.kind == "open":
                            depth += 1
                        elif t.kind == "close":
                            depth -= 1
                        opt.append(t)
                    args.append(opt)
                else:
                    args.append(self.scan(macro.default, tok.start))
                    args[-1] = [Tok(t.kind, t.text, tok.start, tok.end) for t in args[-1]]
                needed -= 1
            for _ in range(needed):
                arg, stop = _take_argument(queue)
                if stop is not None:
                    end = stop
                args.append(arg)
            expansion: list[Tok] = []
            for t in self._body(tok.text, macro):
                if t.kind == "param":
                    idx = int(t.text) - 1
                    if 0 <= idx < len(args):
                        expansion.extend(args[idx])
                    continue
                expansion.append(Tok(t.kind, t.text, tok.start, end))
            queue.extendleft(reversed(expansion))
        return out


def _take_argument(queue: deque[Tok]) -> tuple[list[Tok], int | None]:
    """One macro argument from the front of ``queue``: a brace group or a single token."""
    if not queue or queue[0].kind == "eof":
        return [], None
    first = queue.popleft()
    if first.kind != "open":
        return [first], first.end
    depth = 1
    arg: list[Tok] = []
    end = first.end
    while queue:
        t = queue.popleft()
        end = t.end
        if t.kind == "open":
            depth += 1
        elif t.kind == "close":
            depth -= 1
            if depth == 0:
                break
        arg.append(t)
    return arg, end
