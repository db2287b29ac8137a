"""The Lean file texlean writes: declarations from translations, and how to update a file.

Pure text work, shared by the server's code actions and ``texlean formalize``:

- :func:`declaration` — a translation as a declaration with a doc comment that
  quotes the statement it came from;
- :func:`new_file` — a header and declarations;
- :func:`plan` — the edits that bring an existing file up to date: a declaration
  whose name is already there has its doc comment and statement replaced and
  keeps whatever follows its top-level ``:=`` (a proof written since survives);
  the others are appended.

Offsets are code points into the file's text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from ..formalize.api import Translation
from ..formalize.extract import Statement

DOC_LIMIT = 400  # characters of the statement quoted in a doc comment
PROOF = ":= by sorry"

_DECL_KEYWORDS = "theorem|lemma|def|abbrev|instance|example|structure|inductive|class|axiom|opaque"
_MODIFIERS = r"(?:(?:private|protected|noncomputable|nonrec|unsafe|partial)\s+)*"
DECLARATION = re.compile(
    rf"^(?:@\[[^\]\n]*\]\s*)?{_MODIFIERS}(?:{_DECL_KEYWORDS})[ \t]+(?P<name>[^\s:(\[{{]+)",
    re.MULTILINE,
)
# a line where the previous declaration has certainly ended
_BOUNDARY = re.compile(
    rf"^(?:/--|/-|--|@\[|#|{_MODIFIERS}(?:{_DECL_KEYWORDS})\b|namespace\b|section\b|end\b"
    r"|open\b|variable\b|universe\b|set_option\b|import\b|attribute\b|noncomputable\b"
    r"|local\b|scoped\b|notation\b|infix[lr]?\b|macro\b|syntax\b|mutual\b)",
    re.MULTILINE,
)
_OPEN = "([{⟨⦃"
_CLOSE = ")]}⟩⦄"


def _kind_title(env: str) -> str:
    base = env.rstrip("*")
    return base[:1].upper() + base[1:]


def doc_comment(statement: Statement, source: str | None = None, heading: str | None = None) -> str:
    """``/-- **Lemma** (Title), `lem:x` in paper.tex: the statement … -/``."""
    head = f"**{heading or _kind_title(statement.env)}**"
    if statement.title:
        head += f" ({statement.title})"
    where = []
    if statement.label:
        where.append(f"`{statement.label}`")
    if source:
        where.append(f"in {source}")
    if where:
        head += ", " + " ".join(where)
    text = statement.informal
    if len(text) > DOC_LIMIT:
        text = text[: DOC_LIMIT - 1] + "…"
    body = f"{head}: {text}" if text else head
    return "/-- " + body.replace("-/", "- /").replace("/-", "/ -") + " -/"


def declaration(
    translation: Translation,
    statement: Statement | None = None,
    source: str | None = None,
    heading: str | None = None,
) -> str:
    """The declaration to write: a doc comment (for a statement of the document) and
    the translation's Lean."""
    lean = translation.lean.strip()
    if statement is None:
        return lean
    return doc_comment(statement, source, heading) + "\n" + lean


def new_file(header: Sequence[str], declarations: Sequence[str]) -> str:
    parts = ["\n".join(header).rstrip()] if any(line.strip() for line in header) else []
    parts.extend(d.rstrip() for d in declarations)
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True, slots=True)
class Found:
    """A declaration in a Lean file (offsets)."""

    start: int  # its doc comment, attributes or keyword
    statement_end: int  # its top-level ":=" (the end of the declaration when there is none)
    end: int  # the end of its last non-blank line


def _skip_comment(text: str, i: int) -> int:
    """Past the comment starting at ``i`` ("--" or "/-" nested)."""
    if text.startswith("--", i):
        nl = text.find("\n", i)
        return len(text) if nl < 0 else nl
    depth = 0
    while i < len(text):
        if text.startswith("/-", i):
            depth += 1
            i += 2
        elif text.startswith("-/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(text)


def _skip_string(text: str, i: int, end: int) -> int:
    """Past the string literal whose opening quote is at ``i``."""
    j = i + 1
    while j < end and text[j] != '"':
        j += 2 if text[j] == "\\" else 1
    return min(j + 1, end)


def top_level_assign(text: str, start: int, end: int) -> int | None:
    """The first ``:=`` in ``text[start:end]`` outside brackets, comments and strings."""
    depth = 0
    i = start
    while i < end:
        ch = text[i]
        if text.startswith("--", i) or text.startswith("/-", i):
            i = _skip_comment(text, i)
            continue
        if ch == '"':
            i = _skip_string(text, i, end)
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == ":" and depth == 0 and text.startswith(":=", i):
            return i
        i += 1
    return None


def _doc_start(text: str, start: int) -> int:
    """Where the doc comment directly above ``start`` begins (``start`` when none)."""
    before = text[:start].rstrip()
    if not before.endswith("-/"):
        return start
    opened = before.rfind("/--")
    if opened < 0 or (opened > 0 and text[opened - 1] not in "\n"):
        return start
    return opened


def comments(text: str) -> list[tuple[int, int]]:
    """The spans of the file's comments (``/- … -/`` nested, ``--`` to the end of the line)
    and string literals, in order: a declaration written there is no declaration."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith(("--", "/-"), i):
            out.append((i, j := _skip_comment(text, i)))
        elif text[i] == '"':
            out.append((i, j := _skip_string(text, i, n)))
        else:
            j = i + 1
        i = j
    return out


def _inside(spans: Sequence[tuple[int, int]], at: int) -> bool:
    k = bisect_right(spans, (at, 1 << 62)) - 1
    return k >= 0 and spans[k][0] <= at < spans[k][1]


def find(text: str, name: str) -> Found | None:
    """The declaration named ``name`` in a Lean file (not one inside a comment)."""
    spans: list[tuple[int, int]] | None = None
    for m in DECLARATION.finditer(text):
        if m.group("name") != name:
            continue
        if spans is None:
            spans = comments(text)
        if _inside(spans, m.start()):
            continue
        start = m.start()
        nxt = _BOUNDARY.search(text, m.end())
        while nxt is not None and nxt.start() <= m.end():
            nxt = _BOUNDARY.search(text, nxt.end())
        region_end = nxt.start() if nxt is not None else len(text)
        # the boundary may be the doc comment of the next declaration
        end = len(text[:region_end].rstrip())
        assign = top_level_assign(text, m.end(), end)
        return Found(_doc_start(text, start), assign if assign is not None else end, end)
    return None


def _statement_part(declaration_text: str) -> str:
    """The declaration up to its top-level ``:=`` (all of it when it has none)."""
    decl_start = DECLARATION.search(declaration_text)
    at = top_level_assign(
        declaration_text, decl_start.end() if decl_start else 0, len(declaration_text)
    )
    return declaration_text[:at].rstrip() + " " if at is not None else declaration_text


Edit = tuple[int, int, str]  # replace text[start:end] by the string


def plan(text: str, declarations: Sequence[tuple[str, str]]) -> list[Edit]:
    """Edits (in file order, not overlapping) that put ``declarations`` ((name, text)
    pairs) into an existing file: replaced where their name is, appended otherwise."""
    edits: list[Edit] = []
    appended: list[str] = []
    taken: set[int] = set()
    for name, decl in declarations:
        found = find(text, name)
        if found is None or found.start in taken:
            appended.append(decl.rstrip())
            continue
        taken.add(found.start)
        if found.statement_end < found.end:
            # keep ":= …" and what follows: the proof may have been written since
            edits.append((found.start, found.statement_end, _statement_part(decl)))
        else:
            edits.append((found.start, found.end, decl.rstrip()))
    if appended:
        body = "\n\n".join(appended) + "\n"
        stripped = len(text.rstrip())
        if stripped == 0:
            edits.append((0, len(text), body))
        else:
            edits.append((stripped, len(text), "\n\n" + body))
    edits.sort()
    return edits


def apply(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with the edits of :func:`plan` made (for the CLI and tests)."""
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text
