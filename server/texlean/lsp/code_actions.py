"""Quick fixes (``textDocument/codeAction``) for texlean's diagnostics.

For a diagnostic of the request's context, or any texlean diagnostic that
overlaps the requested range, the server offers:

- security findings: *Remove* the construct, *Comment out* its lines,
  *Suppress CODE on this line* (a ``% texlean: disable-next-line CODE`` above
  it, with its indentation) and *Suppress CODE in this file* (``% texlean:
  disable CODE`` as the first line);
- structure findings: *Add \\end{document}* (STR009), *Remove* a stray
  delimiter (STR001, STR003, STR008), and the two suppressions;
- the suppression comments' own findings: the closest rule or directive for a
  typo (TLX001, TLX002), removing what suppresses nothing (TLX003).

Fixes are computed from texlean's own findings, never from the ranges a client
sends; a context diagnostic that matches no current finding (another tool's, or
a stale one) gets nothing.  Nothing is offered where an edit would land inside
a verbatim body (``luacode``, ``filecontents`` …), whose text TeX passes on as
it is.  :func:`fixes_for` is pure (code points, :class:`Span`); the LSP shapes
come from :mod:`.convert`.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from .. import messages
from ..analysis import suppress
from ..analysis.findings import Category, Finding, Severity, Span
from ..analysis.locate import Locator
from ..analysis.pipeline import tokens_of
from ..analysis.present import Presented, present_one
from ..analysis.rules import catalog
from ..analysis.suppress import resolve_code
from ..document.lines import content_length
from ..document.model import Document
from ..tex.tokens import VARG, VERB
from .convert import from_range, to_diagnostic, to_workspace_edit

if TYPE_CHECKING:
    from .server import TexleanServer

QUICKFIX = types.CodeActionKind.QuickFix

Edit = tuple[Span, str]  # replace the span (code points) by the text

# the construct is not the problem (or there is none to remove)
NO_REMOVE = frozenset({"SEC900"})
# removing is possible but rarely what the author wants
REMOVE_NOT_PREFERRED = frozenset({"SEC105", "SEC107", "SEC404", "SEC901"})
STRAY = frozenset({"STR001", "STR003", "STR008"})  # a delimiter that closes nothing


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    preferred: bool = False


# -- reading lines ---------------------------------------------------------------------


def _content(lines: Sequence[str], i: int) -> str:
    return lines[i][: content_length(lines[i])]


def _eol(lines: Sequence[str], i: int) -> str:
    """The line end to write next to line ``i``: its own, else the document's first."""
    for line in (lines[i], lines[0]):
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith(("\n", "\r")):
            return line[-1]
    return "\n"


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]


def _text(lines: Sequence[str], span: Span) -> str:
    if span.line == span.end_line:
        return _content(lines, span.line)[span.col : span.end_col]
    parts = [lines[span.line][span.col :]]
    parts.extend(lines[span.line + 1 : span.end_line])
    parts.append(lines[span.end_line][: span.end_col])
    return "".join(parts)


def snippet(lines: Sequence[str], span: Span, limit: int = 40) -> str:
    """The construct's text for a title: its first line, cut at ``limit`` characters."""
    text = _text(lines, span)
    first = text.splitlines()[0] if text else ""
    if len(first) > limit:
        return first[: limit - 1] + "…"
    return first + ("…" if first != text.rstrip("\r\n") else "")


def _trimmed(lines: Sequence[str], span: Span) -> Span:
    """The span without the line ends and spaces it may end with (a file name read
    to the end of its line ends at column 0 of the next one)."""
    end_line, end_col = span.end_line, min(span.end_col, len(_content(lines, span.end_line)))
    while (end_line, end_col) > (span.line, span.col):
        text = _content(lines, end_line)
        if end_col == 0:
            end_line -= 1
            end_col = len(_content(lines, end_line))
        elif text[end_col - 1] in " \t":
            end_col -= 1
        else:
            break
    if (end_line, end_col) < (span.line, span.col):
        end_line, end_col = span.line, span.col
    return Span(span.line, span.col, end_line, end_col)


def _inside(spans: Sequence[Span], line: int, col: int) -> bool:
    """Whether (line, col) is strictly inside one of ``spans``."""
    return any((s.line, s.col) < (line, col) < (s.end_line, s.end_col) for s in spans)


# -- the edits -----------------------------------------------------------------------


def remove_edits(lines: Sequence[str], span: Span) -> tuple[Edit, ...]:
    """Delete the span; when it is all its lines hold, delete the lines (a blank line
    left behind would end the paragraph)."""
    before = _content(lines, span.line)[: span.col]
    last = _content(lines, span.end_line)
    if before.strip() or last[span.end_col :].strip():
        return ((span, ""),)
    if span.end_line + 1 < len(lines):
        return ((Span(span.line, 0, span.end_line + 1, 0), ""),)
    if span.line > 0:
        prev = span.line - 1
        return ((Span(prev, len(_content(lines, prev)), span.end_line, len(last)), ""),)
    return ((Span(span.line, 0, span.end_line, len(last)), ""),)


def comment_out_edits(
    lines: Sequence[str], span: Span, verbatim: Sequence[Span] = ()
) -> tuple[Edit, ...] | None:
    """``% `` before each line of the span (from the span's start on its first line);
    what follows the span on its last line moves to a line of its own, so that it
    stays live.  None when an edit would fall inside a verbatim body."""
    edits: list[Edit] = []
    for i in range(span.line, span.end_line + 1):
        text = _content(lines, i)
        if i == span.line:
            col = span.col
        elif not text.strip():
            continue  # commenting a blank line out would join two paragraphs
        else:
            col = len(_indent(text))
        if _inside(verbatim, i, col):
            return None
        edits.append((Span(i, col, i, col), "% "))
    last = _content(lines, span.end_line)
    after = last[span.end_col :]
    if after.strip() and not after.lstrip().startswith("%"):
        gap = len(after) - len(after.lstrip())
        where = Span(span.end_line, span.end_col, span.end_line, span.end_col + gap)
        edits.append((where, _eol(lines, span.end_line) + _indent(last)))
    return tuple(edits)


def _directive_on(lines: Sequence[str], i: int, verb: str) -> tuple[int, suppress.Parsed] | None:
    """The ``verb`` directive with codes that is all of line ``i``, as (column of %, parse)."""
    if not 0 <= i < len(lines):
        return None
    text = _content(lines, i)
    stripped = text.lstrip(" \t")
    if not stripped.startswith("%"):
        return None
    pct = len(text) - len(stripped)
    parsed = suppress.parse(text[pct + 1 :])
    if parsed is None or parsed.verb != verb or not parsed.items:
        return None
    return pct, parsed


def _add_code(line: int, at: tuple[int, suppress.Parsed], code: str) -> tuple[Edit, ...] | None:
    """Add ``code`` to the directive ``at`` on ``line`` (None when it names it already)."""
    pct, parsed = at
    if any(resolve_code(item) == code for _, item in parsed.items):
        return None
    offset, item = parsed.items[-1]
    col = pct + 1 + offset + len(item)
    return ((Span(line, col, line, col), f", {code}"),)


def suppress_line_edits(
    lines: Sequence[str], line: int, code: str, verbatim: Sequence[Span] = ()
) -> tuple[Edit, ...] | None:
    """``% texlean: disable-next-line CODE`` above ``line``, with its indentation (or the
    code added to such a comment already there)."""
    if _inside(verbatim, line, 0):
        return None
    existing = _directive_on(lines, line - 1, suppress.DISABLE_NEXT_LINE)
    if existing is not None:
        added = _add_code(line - 1, existing, code)
        if added is not None:
            return added
    indent = _indent(_content(lines, line))
    text = f"{indent}% texlean: disable-next-line {code}{_eol(lines, line)}"
    return ((Span(line, 0, line, 0), text),)


def suppress_file_edits(lines: Sequence[str], code: str) -> tuple[Edit, ...]:
    """``% texlean: disable CODE`` as the first line (or the code added to it)."""
    existing = _directive_on(lines, 0, suppress.DISABLE)
    if existing is not None:
        added = _add_code(0, existing, code)
        if added is not None:
            return added
    return ((Span(0, 0, 0, 0), f"% texlean: disable {code}{_eol(lines, 0)}"),)


def end_document_edits(lines: Sequence[str]) -> tuple[Edit, ...]:
    last = len(lines) - 1
    text = _content(lines, last)
    if not text:
        return ((Span(last, 0, last, 0), "\\end{document}" + _eol(lines, last)),)
    eol = _eol(lines, last)
    return ((Span(last, len(text), last, len(text)), f"{eol}\\end{{document}}{eol}"),)


def _comment_start(lines: Sequence[str], span: Span) -> tuple[int, int, suppress.Parsed] | None:
    """The directive comment that holds ``span`` on its line: (column where the comment
    starts, column of the % its parse is relative to, parse)."""
    text = _content(lines, span.line)
    pct = text.rfind("%", 0, span.col + 1)
    while pct >= 0:
        parsed = suppress.parse(text[pct + 1 :])
        if parsed is not None:
            start = pct
            while start > 0 and text[start - 1] == "%" and text[start - 2 : start - 1] != "\\":
                start -= 1  # "%% texlean: …"
            return start, pct, parsed
        pct = text.rfind("%", 0, pct)
    return None


def remove_comment_edits(lines: Sequence[str], line: int, pct: int) -> tuple[Edit, ...]:
    """Remove the comment that starts at column ``pct`` of ``line``."""
    text = _content(lines, line)
    before = text[:pct]
    if not before.strip():
        return remove_edits(lines, Span(line, len(before), line, len(text)))
    if before[-1] in " \t":
        start = len(before.rstrip(" \t"))
        return ((Span(line, start, line, len(text)), ""),)
    # "foo% …": the % keeps the end of line from becoming a space
    return ((Span(line, pct + 1, line, len(text)), ""),)


def remove_unused_edits(lines: Sequence[str], span: Span) -> tuple[Edit, ...] | None:
    """Take a code out of its directive (TLX003), or the whole comment when it is the
    directive's only one (or the directive names no code)."""
    found = _comment_start(lines, span)
    if found is None:
        return None
    start, pct, parsed = found
    items = [(pct + 1 + offset, item) for offset, item in parsed.items]
    if span.col <= pct or len(items) <= 1:
        return remove_comment_edits(lines, span.line, start)
    index = next((k for k, (col, _) in enumerate(items) if col == span.col), None)
    if index is None:
        return None
    col, item = items[index]
    if index > 0:  # with the separator before it
        prev_col, prev_item = items[index - 1]
        return ((Span(span.line, prev_col + len(prev_item), span.line, col + len(item)), ""),)
    return ((Span(span.line, col, span.line, items[1][0]), ""),)


def _close(word: str, candidates: Sequence[str]) -> list[str]:
    """The candidates closest to ``word`` (those about as close as the closest)."""
    scored = sorted(
        ((difflib.SequenceMatcher(None, word, c).ratio(), c) for c in candidates),
        reverse=True,
    )
    if not scored or scored[0][0] < 0.6:
        return []
    best = scored[0][0]
    return [c for ratio, c in scored[:3] if ratio >= 0.6 and ratio >= best - 0.1]


def replacement_fixes(finding: Finding, lines: Sequence[str]) -> list[Fix]:
    """For a typo in a suppression comment: the closest codes, names or directives."""
    if finding.code == suppress.UNKNOWN:
        written = finding.param("name")
        rules = catalog()
        codes = _close(written.upper(), list(rules))
        names = _close(written.lower(), [r.name for r in rules.values()])
        options = [(c, f"{c} ({rules[c].name})") for c in codes]
        options += [(n, n) for n in names if all(rules[c].name != n for c in codes)]
    elif finding.code == suppress.MALFORMED:
        written = finding.param("directive")
        options = [(v, v) for v in _close(written.lower(), list(suppress.VERBS))]
    else:
        return []
    if not written or _text(lines, finding.span) != written:
        return []  # the comment is not written as TeX reads it (^^ notation)
    return [
        Fix(
            messages.render("action-change", {"written": written, "label": label}),
            ((finding.span, new),),
            preferred=len(options) == 1,
        )
        for new, label in options
    ]


def fixes_for(
    finding: Finding,
    presented: Presented,
    lines: Sequence[str],
    verbatim: Sequence[Span] = (),
    suppressions: bool = True,
) -> list[Fix]:
    """The quick fixes for one finding, best first (without the suppressions when
    suppression comments are not honoured: they would change nothing)."""
    code = finding.code
    span = _trimmed(lines, finding.span)
    fixes: list[Fix] = []
    if code in (suppress.UNKNOWN, suppress.MALFORMED):
        return replacement_fixes(finding, lines)
    if code == suppress.UNUSED:
        edits = remove_unused_edits(lines, span)
        what = finding.param("what")  # a rule (not every rule, given as what_key)
        title = (
            messages.render("action-remove-unused-of", {"what": what})
            if what
            else messages.render("action-remove-unused")
        )
        return [Fix(title, edits, preferred=True)] if edits else []
    shown = snippet(lines, span)
    if code == "STR009":
        title = messages.render("action-add-end-document")
        fixes.append(Fix(title, end_document_edits(lines), True))
    elif code in STRAY:
        fixes.append(
            Fix(messages.render("action-remove", {"snippet": shown}), remove_edits(lines, span))
        )
    elif presented.category is Category.SECURITY and code not in NO_REMOVE:
        preferred = (
            code not in REMOVE_NOT_PREFERRED and presented.severity.rank >= Severity.WARNING.rank
        )
        remove = messages.render("action-remove", {"snippet": shown})
        fixes.append(Fix(remove, remove_edits(lines, span), preferred))
        commented = comment_out_edits(lines, span, verbatim)
        if commented is not None:
            fixes.append(Fix(messages.render("action-comment-out", {"snippet": shown}), commented))
    if code in suppress.NEVER_SUPPRESSED or not suppressions:
        return fixes
    line_edits = suppress_line_edits(lines, span.line, code, verbatim)
    if line_edits is not None:
        fixes.append(Fix(messages.render("action-suppress-line", {"code": code}), line_edits))
    in_file = messages.render("action-suppress-file", {"code": code})
    fixes.append(Fix(in_file, suppress_file_edits(lines, code)))
    return fixes


# -- the request ---------------------------------------------------------------------


def verbatim_spans(doc: Document, first: int, last: int) -> list[Span]:
    """Verbatim bodies and arguments in lines ``first`` to ``last`` (analysed chunks only)."""
    out: list[Span] = []
    lines = doc.lines
    for chunk in doc.chunked.chunks:
        if chunk.end <= first or chunk.start > last or chunk.entry is None:
            continue
        text = "".join(lines[chunk.start : chunk.end])
        if "\\" not in text:
            continue
        tokens = tokens_of(text, chunk.entry)
        loc = Locator(text)
        out.extend(
            loc.span(start, end).shifted(chunk.start)
            for kind, start, end, _ in tokens
            if kind in (VERB, VARG)
        )
    return out


def _wants_quickfix(only: Sequence[str] | None) -> bool:
    if not only:
        return True
    return any(k in ("", QUICKFIX) or QUICKFIX.startswith(f"{k}.") for k in map(str, only))


def _overlaps(span: Span, start: tuple[int, int], end: tuple[int, int]) -> bool:
    return (span.line, span.col) <= end and start <= (span.end_line, span.end_col)


def _same(a: types.Diagnostic, b: types.Diagnostic) -> bool:
    return str(a.code) == str(b.code) and a.range == b.range


def code_actions(server: TexleanServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    doc = server.engine.get(uri)
    if doc is None:
        raise JsonRpcInvalidParams(messages.render("not-open", {"uri": uri}))
    encoding = server.encoding
    start, end = from_range(doc, params.range, encoding, strict=True)
    if end < start:
        start, end = end, start
    if not _wants_quickfix(params.context.only):
        return []
    settings = server.settings
    report = server.engine.analyse(doc)
    # the client's diagnostics that may be texlean's, by where they are (code points)
    theirs: dict[tuple[str, tuple[int, int], tuple[int, int]], types.Diagnostic] = {}
    for d in params.context.diagnostics:
        if d.source in (None, "texlean") and d.code is not None:
            d_start, d_end = from_range(doc, d.range, encoding)
            theirs[(str(d.code), d_start, d_end)] = d
    chosen: list[tuple[Finding, Presented, types.Diagnostic]] = []
    count = 0
    for f in report.visible(settings.suppression_comments):
        p = present_one(f, settings)
        if p is None:
            continue
        count += 1
        if count > settings.diagnostics.max_count:
            break  # past what is published
        span = f.span
        match = theirs.get((f.code, (span.line, span.col), (span.end_line, span.end_col)))
        if match is None and not _overlaps(span, start, end):
            continue
        ours = to_diagnostic(doc, p, encoding)
        if match is not None and not _same(match, ours):
            match = None
        chosen.append((f, p, match or ours))
    if not chosen:
        return []
    first = min(f.span.line for f, _, _ in chosen)
    last = max(f.span.end_line for f, _, _ in chosen)
    verbatim = verbatim_spans(doc, first, last)
    ws = server.client_capabilities.workspace
    edit_caps = ws.workspace_edit if ws is not None else None
    document_changes = bool(edit_caps is not None and edit_caps.document_changes)
    actions: list[types.CodeAction] = []
    seen: dict[tuple[str, tuple[Edit, ...]], types.CodeAction] = {}
    for f, p, diagnostic in chosen:
        for fix in fixes_for(f, p, doc.lines, verbatim, settings.suppression_comments):
            key = (fix.title, fix.edits)
            same = seen.get(key)
            if same is not None:  # one action for several diagnostics
                assert same.diagnostics is not None
                same.diagnostics = [*same.diagnostics, diagnostic]
                continue
            action = types.CodeAction(
                title=fix.title,
                kind=QUICKFIX,
                diagnostics=[diagnostic],
                is_preferred=True if fix.preferred else None,
                edit=to_workspace_edit(doc, fix.edits, encoding, document_changes),
            )
            seen[key] = action
            actions.append(action)
    return actions


class Provider(Protocol):
    """Another feature's code actions (formalization), offered beside the quick fixes."""

    name: str
    kinds: Sequence[str]  # the kinds it offers (announced in the capabilities)

    def actions(self, params: types.CodeActionParams) -> list[types.CodeAction]: ...

    def resolve(self, action: types.CodeAction) -> types.CodeAction | None:
        """The action with its edit; None when the action is not this provider's."""
        ...


def register(server: TexleanServer, providers: Sequence[Provider] = ()) -> None:
    kinds = [QUICKFIX, *(k for p in providers for k in p.kinds if k != QUICKFIX)]

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=list(dict.fromkeys(kinds)), resolve_provider=bool(providers)
        ),
    )
    @server.guarded("code actions")
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        actions = code_actions(server, params)  # validates the document and the range
        for provider in providers:
            try:
                actions.extend(provider.actions(params))
            except JsonRpcException:
                raise
            except Exception as exc:  # the quick fixes still go out
                server.report_feature_error(provider.name, exc)
        return actions

    if providers:

        @server.feature(types.CODE_ACTION_RESOLVE)
        @server.guarded("code action resolve")
        def resolve(action: types.CodeAction) -> types.CodeAction:
            for provider in providers:
                resolved = provider.resolve(action)
                if resolved is not None:
                    return resolved
            return action  # nothing to add (quick fixes come with their edits)
