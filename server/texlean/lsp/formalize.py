"""Formalization in the editor: hover, the *Formalize to Lean 4* actions and command,
and the hazard pass that follows the first publish.

- **Hover** on a theorem-like environment (its ``\\begin{…}``, its ``\\label``, or
  anywhere in its body) shows the Lean statement, its status, what was not
  translated and the hazards; on a math command that has a Lean counterpart
  (``\\binom``) it shows that counterpart instead.  Translations are cached by
  what they depend on, so hovering again after an edit elsewhere costs a lookup.
- **Code actions** (kind ``refactor.rewrite``, which VS Code shows in the
  lightbulb and the Refactor… menu; ``quickfix`` would claim a problem and
  ``source`` actions only appear in the Source Action… menu): *Formalize to Lean
  4* on a theorem-like environment (cursor anywhere inside) or on a selection of
  math, and *Formalize whole document* on ``\\begin{document}`` (also as a
  ``source`` action when the client asks for those).  The edit creates
  ``<document>.lean`` beside the ``.tex`` (``formalize.output``) with the
  ``formalize.header`` lines, or updates it: a declaration of the same name is
  replaced (its proof kept), others are appended.  texlean reads the ``.lean``
  file only inside a workspace folder; elsewhere the edit creates it when missing
  and appends.  Clients that resolve code actions get the edit on resolve.
- **Command** ``texlean.formalizeDocument`` (``workspace/executeCommand``, argument:
  the document's URI) formalizes every statement and applies the edit with
  ``workspace/applyEdit``.
- **Request** ``texlean/leanPreview`` (params ``{"textDocument": {"uri": …}}``): the
  Lean text the whole document would become in a new ``.lean`` file (header and every
  statement), without touching any file: ``{uri, version, lean, declarations, target}``
  (``target``: the ``.lean`` URI the edits would write, or null).
- **Hazards**: the engine reports the hazards of translations it has; after a
  document is published this feature translates the pending statements in short
  slices and publishes again (same version), so the first publish is never
  delayed and keystrokes stay cheap.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
import time
from bisect import bisect_right
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcException, JsonRpcInvalidParams
from pygls.uris import from_fs_path, to_fs_path

from .. import messages
from ..analysis import lean_output
from ..analysis.findings import Span
from ..analysis.formal import FormalStage, hazard_findings
from ..analysis.locate import Locator
from ..analysis.pipeline import tokens_of
from ..analysis.present import present_one
from ..document.lines import content_length, split_lines
from ..document.model import Document
from ..formalize import api
from ..formalize.extract import Extracted, Statement
from ..tex.tokens import CS, CSYM
from .convert import from_position, from_range, to_file_edit, to_range

if TYPE_CHECKING:
    from .diagnostics import DiagnosticsFeature
    from .server import TexleanServer

log = logging.getLogger(__name__)

COMMAND = "texlean.formalizeDocument"
PREVIEW = "texlean/leanPreview"
REWRITE = types.CodeActionKind.RefactorRewrite
SOURCE = types.CodeActionKind.Source
DATA_TAG = "formalize"

SLICE_S = 0.02  # translating in one go before the event loop gets its turn again
PAUSE_S = 0.005  # between two slices
QUIET_S = 0.3  # after a change, translate only once the typing has paused this long
PUBLISH_EVERY_S = 0.5  # a long hazard pass publishes what it has this often
MAX_LEAN_BYTES = 8 * 1024 * 1024  # a .lean file larger than this is not read
MAX_SELECTION = 4000  # characters of a selection offered for formalization
PAST_THE_END = 1_000_000  # a line past the end of any .lean file: clients clamp it

_MATH_SIGNS = re.compile(r"[=<>^_+\-*/\\≤≥≠∈]")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_DELIMITED = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))

STATUS_WORDS = {  # the message (messages.toml) describing each status
    "complete": "hover-status-complete",
    "partial": "hover-status-partial",
    "failed": "hover-status-failed",
}

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


@dataclass(frozen=True)
class LeanTarget:
    """Where a document's Lean goes."""

    uri: str
    path: Path
    readable: bool  # inside a workspace folder: texlean may look at it


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def _fenced(code: str) -> str:
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}lean\n{code}\n{fence}"


def _code(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    ticks = "``" if "`" in text else "`"
    return f"{ticks} {text} {ticks}" if ticks == "``" else f"`{text}`"


def strip_math(text: str) -> str:
    """A selection without the math delimiters around it."""
    inner = text.strip()
    for left, right in _DELIMITED:
        if inner.startswith(left) and inner.endswith(right) and len(inner) > len(left + right):
            return inner[len(left) : -len(right)].strip()
    return inner


def looks_like_math(text: str) -> bool:
    """Whether a selection is worth offering to the formalizer: math between delimiters,
    or text with math signs whose commands are all math (``\\write18{…}`` is not)."""
    if not text.strip() or len(text) > MAX_SELECTION:
        return False
    inner = strip_math(text)
    if inner != text.strip():
        return bool(inner)
    if _MATH_SIGNS.search(text) is None:
        return False
    return all(api.math_command("\\" + name) for name in _COMMAND.findall(text))


def _span_text(lines: Sequence[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    (sl, sc), (el, ec) = start, end
    if sl == el:
        return lines[sl][sc:ec]
    return lines[sl][sc:] + "".join(lines[sl + 1 : el]) + lines[el][:ec]


def _touches(span: Span, start: tuple[int, int], end: tuple[int, int]) -> bool:
    return (span.line, span.col) <= end and start <= (span.end_line, span.end_col)


class FormalizeFeature:
    name = "formalize"
    kinds: Sequence[str] = (REWRITE, SOURCE)

    def __init__(self, server: TexleanServer, diagnostics: DiagnosticsFeature) -> None:
        self.server = server
        self.diagnostics = diagnostics
        self.stage = FormalStage(
            enabled=lambda: server.settings.formalize.hazards,
            vocabulary=lambda: server.settings.formalize.vocabulary,
            max_hazards=lambda: server.settings.formalize.max_hazards,
        )
        server.engine.formal = self.stage
        self.timers: dict[str, asyncio.TimerHandle | asyncio.Handle] = {}
        self.last_publish: dict[str, float] = {}
        self.written: set[str] = set()  # .lean URIs outside the workspace edited this session

    # -- the document -------------------------------------------------------------

    def document(self, uri: str) -> Document:
        doc = self.server.engine.get(uri)
        if doc is None:
            raise JsonRpcInvalidParams(messages.render("not-open", {"uri": uri}))
        return doc

    def extracted(self, doc: Document) -> Extracted:
        self.server.engine.analyse(doc)  # the chunks' scans are current (cached per version)
        return self.stage.extracted(
            doc.uri, (doc.serial, doc.revision), doc.lines, doc.chunked.chunks
        )

    def translation(self, statement: Statement, found: Extracted) -> api.Translation:
        return self.stage.translation(statement, found.context)

    # -- the hazard pass ----------------------------------------------------------

    def on_document(self, uri: str, event: str) -> None:
        if event == "close":
            self.cancel(uri)
            self.last_publish.pop(uri, None)
            return
        settings = self.server.settings
        if event in ("open", "save"):
            self.schedule(uri, PAUSE_S)
        elif event == "change" and settings.diagnostics.trigger == "change":
            # while the author types, the statement under the cursor would be translated
            # on every keystroke: wait for a pause (the other statements keep theirs)
            self.schedule(uri, settings.diagnostics.debounce_ms / 1000 + QUIET_S)

    def on_settings(self) -> None:
        for uri in list(self.server.engine.documents):
            self.schedule(uri, PAUSE_S)

    def schedule(self, uri: str, delay: float) -> None:
        self.cancel(uri)
        loop = asyncio.get_running_loop()
        self.timers[uri] = loop.call_later(delay, self.step, uri)

    def cancel(self, uri: str) -> None:
        handle = self.timers.pop(uri, None)
        if handle is not None:
            handle.cancel()

    def step(self, uri: str) -> None:
        """One slice of the hazard pass of ``uri`` (rescheduled while work remains)."""
        self.timers.pop(uri, None)
        try:
            self._step(uri)
        except Exception as exc:
            self.server.report_feature_error("formalization hazards", exc)

    def _step(self, uri: str) -> None:
        doc = self.server.engine.get(uri)
        if doc is None or not self.stage.enabled():
            return
        if uri in self.diagnostics.timers or uri in self.diagnostics.unfinished:
            self.schedule(uri, PAUSE_S * 4)  # the diagnostics of this version come first
            return
        if self.server.settings.diagnostics.trigger == "save":
            last = self.diagnostics.analysed.get(uri)
            if last is None or last.version != doc.version:
                return  # changed since the last save: nothing is published until the next
        report = self.server.engine.analyse(doc)
        if not report.formal_pending:
            return
        remaining = self.stage.advance(uri, SLICE_S)
        now = time.monotonic()
        if not remaining or now - self.last_publish.get(uri, 0.0) >= PUBLISH_EVERY_S:
            self.last_publish[uri] = now
            if self.diagnostics.pushing():
                self.diagnostics.run(uri)
            else:
                self.diagnostics.refresh()
        if remaining:
            self.schedule(uri, PAUSE_S)

    # -- hover --------------------------------------------------------------------

    def command_at(self, doc: Document, line: int, col: int) -> tuple[str, Span] | None:
        """The control sequence at (line, col), as TeX reads it there."""
        chunks = doc.chunked.chunks
        k = bisect_right(chunks, line, key=lambda c: c.start) - 1
        if k < 0:
            return None
        chunk = chunks[k]
        if chunk.entry is None or not chunk.start <= line < max(chunk.end, chunk.start + 1):
            return None
        lines = doc.lines
        text = "".join(lines[chunk.start : chunk.end])
        offset = sum(len(x) for x in lines[chunk.start : line]) + col
        tokens = tokens_of(text, chunk.entry)
        i = bisect_right(tokens, offset, key=lambda t: t[1]) - 1
        # the cursor just after a command's last letter still points at it
        for j in (i, i - 1):
            if 0 <= j < len(tokens):
                kind, a, b, value = tokens[j]
                if kind in (CS, CSYM) and a <= offset <= b:
                    return value, Locator(text).span(a, b).shifted(chunk.start)
        return None

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        doc = self.document(params.text_document.uri)
        encoding = self.server.encoding
        line, col = from_position(doc, params.position, encoding, strict=True)
        self.server.engine.analyse(doc)
        markdown = self._markdown()
        found = self.command_at(doc, line, col)
        if found is not None:
            name, span = found
            lean = api.lean_for_command("\\" + name)
            if lean:
                key = "hover-command-markdown" if markdown else "hover-command-plain"
                text = messages.render(key, {"name": name, "lean": lean})
                return self._hover(text, markdown, to_range(doc.lines, span, encoding))
        extracted = self.extracted(doc)
        statement = extracted.at(line, col)
        if statement is None:
            return None
        translation = self.translation(statement, extracted)
        heading = extracted.declarations.heading(statement.env)
        text = self.describe(statement, translation, markdown, heading)
        where: Span | None = None
        spans = [statement.head] + ([statement.label_span] if statement.label_span else [])
        for span in spans:
            if _touches(span, (line, col), (line, col)):
                where = span
        return self._hover(text, markdown, to_range(doc.lines, where, encoding) if where else None)

    def _markdown(self) -> bool:
        td = self.server.client_capabilities.text_document
        hover = td.hover if td is not None else None
        formats = (hover.content_format if hover is not None else None) or [
            types.MarkupKind.PlainText
        ]
        return types.MarkupKind.Markdown in formats

    def _hover(self, text: str, markdown: bool, rng: types.Range | None) -> types.Hover:
        kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
        return types.Hover(contents=types.MarkupContent(kind=kind, value=text), range=rng)

    def describe(
        self,
        statement: Statement,
        translation: api.Translation,
        markdown: bool,
        heading: str | None = None,
    ) -> str:
        """The hover text: what the statement becomes, and what to watch for."""
        env = heading or statement.env.rstrip("*").capitalize()
        title = f" ({statement.title})" if statement.title else ""
        status = (
            messages.render(STATUS_WORDS[translation.status])
            if translation.status in STATUS_WORDS
            else translation.status
        )
        hazards = []
        for f in hazard_findings(statement, translation):
            p = present_one(f, self.server.settings)
            if p is not None:
                hazards.append((p.code, p.name, p.message))
        if not markdown:
            out = [
                f"{env}{title} → Lean 4 {translation.name} ({status})",
                "",
                translation.lean,
            ]
            if translation.untranslated:
                pieces = "; ".join(translation.untranslated)
                out += ["", messages.render("hover-not-translated", {"pieces": pieces})]
            out += [f"{code} {name}: {message}" for code, name, message in hazards]
            return "\n".join(out)
        out = [
            f"**{env}**{title} → Lean 4 `{translation.name}` — {status}",
            "",
            _fenced(translation.lean),
        ]
        if translation.untranslated:
            pieces = ", ".join(_code(u) for u in translation.untranslated[:8])
            more = len(translation.untranslated) - 8
            key = "hover-not-translated-more" if more > 0 else "hover-not-translated"
            out += ["", messages.render(key, {"pieces": pieces, "count": str(more)})]
        if hazards:
            out += ["", messages.render("hover-hazards")]
            out += [f"- **{code}** {name}: {message}" for code, name, message in hazards]
        return "\n".join(out)

    # -- the .lean file -----------------------------------------------------------

    def target(self, doc: Document) -> LeanTarget | None:
        if not doc.uri.startswith("file:"):
            return None
        fs = to_fs_path(doc.uri)
        if not fs:
            return None
        tex = Path(fs)
        path = tex.parent / self.server.settings.formalize.output.format(stem=tex.stem)
        uri = from_fs_path(str(path))
        if uri is None:
            return None
        return LeanTarget(uri, path, self._in_workspace(path))

    def _in_workspace(self, path: Path) -> bool:
        try:
            workspace = self.server.workspace
        except RuntimeError:
            return False
        roots = [f.uri for f in workspace.folders.values()]
        if workspace.root_uri:
            roots.append(workspace.root_uri)
        resolved = path.resolve()
        for root in roots:
            fs = to_fs_path(root) if root.startswith("file:") else None
            if fs and _inside(resolved, Path(fs).resolve()):
                return True
        return False

    def _read(self, target: LeanTarget) -> str | None:
        """The .lean file's text when texlean may and can read it (inside the workspace)."""
        if not target.readable:
            return None
        try:
            if not target.path.is_file() or target.path.stat().st_size > MAX_LEAN_BYTES:
                return None
            return target.path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None

    def _exists(self, target: LeanTarget) -> bool | None:
        """Whether the file exists (None: texlean may not look)."""
        if not target.readable:
            return None
        try:
            return target.path.exists()
        except OSError:
            return None

    def file_edit(
        self, doc: Document, target: LeanTarget, declarations: Sequence[tuple[str, str]]
    ) -> types.WorkspaceEdit:
        """The edit that puts ``declarations`` ((name, text) pairs) into the .lean file."""
        header = self.server.settings.formalize.header
        encoding = self.server.encoding
        caps = self.server.client_capabilities.workspace
        edit_caps = caps.workspace_edit if caps is not None else None
        document_changes = bool(edit_caps is not None and edit_caps.document_changes)
        can_create = bool(
            edit_caps is not None
            and types.ResourceOperationKind.Create in (edit_caps.resource_operations or [])
        )
        exists = self._exists(target)
        text = self._read(target) if exists else None
        if text is not None and text.strip():
            lines = split_lines(text)
            loc = Locator(text)
            edits = [
                (loc.span(start, end), new)
                for start, end, new in lean_output.plan(text, declarations)
            ]
            return to_file_edit(
                target.uri, lines, edits, encoding, document_changes=document_changes
            )
        whole = lean_output.new_file(header, [d for _, d in declarations])
        if text is not None:  # an empty file: fill it
            lines = split_lines(text)
            last = len(lines) - 1
            span = Span(0, 0, last, content_length(lines[last]))
            return to_file_edit(
                target.uri, lines, [(span, whole)], encoding, document_changes=document_changes
            )
        if exists is False:  # known to be absent: create it with its header
            return to_file_edit(
                target.uri,
                None,
                [(Span(0, 0, 0, 0), whole)],
                encoding,
                document_changes=document_changes,
                create=True,
                can_create=can_create,
            )
        # outside the workspace texlean never looks: create when missing, and append
        if target.uri in self.written:
            new = "\n" + "\n\n".join(d.rstrip() for _, d in declarations) + "\n"
        else:
            new = whole
            self.written.add(target.uri)
        end = Span(PAST_THE_END, 0, PAST_THE_END, 0)
        return to_file_edit(
            target.uri,
            None,
            [(end, new)],
            encoding,
            document_changes=document_changes,
            create=True,
            can_create=can_create,
        )

    def _declaration(
        self, doc: Document, statement: Statement, found: Extracted
    ) -> tuple[str, str]:
        tr = self.translation(statement, found)
        source = Path(to_fs_path(doc.uri) or doc.uri).name
        heading = found.declarations.heading(statement.env)
        return tr.name, lean_output.declaration(tr, statement, source, heading)

    def statement_edit(self, doc: Document, line: int, col: int) -> types.WorkspaceEdit | None:
        target = self.target(doc)
        found = self.extracted(doc)
        statement = found.at(line, col)
        if target is None or statement is None:
            return None
        return self.file_edit(doc, target, [self._declaration(doc, statement, found)])

    def selection_edit(
        self, doc: Document, start: tuple[int, int], end: tuple[int, int]
    ) -> types.WorkspaceEdit | None:
        target = self.target(doc)
        if target is None:
            return None
        latex = strip_math(_span_text(doc.lines, start, end))
        if not latex:
            return None
        digest = hashlib.blake2b(" ".join(latex.split()).encode(), digest_size=4).hexdigest()
        try:
            tr = api.formalize_math(latex, name=f"formula_{digest}")
        except Exception as exc:
            self.server.report_feature_error("formalize selection", exc)
            return None
        return self.file_edit(doc, target, [(tr.name, lean_output.declaration(tr))])

    def document_edit(self, doc: Document) -> tuple[LeanTarget, types.WorkspaceEdit, int] | None:
        target = self.target(doc)
        if target is None:
            return None
        found = self.extracted(doc)
        decls = [self._declaration(doc, s, found) for s in found.statements]
        if not decls:
            return None
        return target, self.file_edit(doc, target, decls), len(decls)

    def lean_preview(self, params: Any) -> dict[str, Any]:
        """The whole document as a new .lean file would hold it (nothing is written)."""
        if isinstance(params, dict):
            td = params.get("textDocument")
            uri = td.get("uri") if isinstance(td, dict) else params.get("uri")
        else:
            uri = None
        if not isinstance(uri, str):
            raise JsonRpcInvalidParams(f"{PREVIEW} takes textDocument.uri (a string)")
        doc = self.document(uri)
        found = self.extracted(doc)
        decls = [self._declaration(doc, s, found) for s in found.statements]
        target = self.target(doc)
        return {
            "uri": doc.uri,
            "version": doc.version,
            "lean": lean_output.new_file(
                self.server.settings.formalize.header, [d for _, d in decls]
            ),
            "declarations": len(decls),
            "target": target.uri if target is not None else None,
        }

    # -- code actions -------------------------------------------------------------

    def _resolvable(self) -> bool:
        td = self.server.client_capabilities.text_document
        ca = td.code_action if td is not None else None
        support = ca.resolve_support if ca is not None else None
        return bool(ca is not None and ca.data_support and support and "edit" in support.properties)

    @staticmethod
    def _wants(kind: str, only: Sequence[str] | None, explicit: bool = False) -> bool:
        if not only:
            return not explicit
        return any(k == "" or kind == k or kind.startswith(f"{k}.") for k in map(str, only))

    def actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        doc = self.document(params.text_document.uri)
        start, end = from_range(doc, params.range, self.server.encoding, strict=True)
        if end < start:
            start, end = end, start
        only = params.context.only
        rewrite = self._wants(REWRITE, only)
        source = self._wants(SOURCE, only, explicit=True)
        if not (rewrite or source):
            return []
        target = self.target(doc)
        if target is None:
            return []
        found = self.extracted(doc)
        lean_name = target.path.name
        out: list[types.CodeAction] = []
        base = {"texlean": DATA_TAG, "uri": doc.uri, "version": doc.version}
        if rewrite:
            statement = found.at(*start)
            if statement is not None:
                out.append(
                    self._action(
                        messages.render(
                            "formalize-statement", {"name": statement.name, "file": lean_name}
                        ),
                        REWRITE,
                        {**base, "what": "statement", "at": list(start)},
                        functools.partial(self.statement_edit, doc, *start),
                    )
                )
            if start != end and looks_like_math(_span_text(doc.lines, start, end)):
                out.append(
                    self._action(
                        messages.render("formalize-selection", {"file": lean_name}),
                        REWRITE,
                        {**base, "what": "selection", "range": [*start, *end]},
                        lambda: self.selection_edit(doc, start, end),
                    )
                )
        on_document = found.document_begin is not None and _touches(
            found.document_begin, start, end
        )
        if found.statements and ((rewrite and on_document) or source):
            out.append(
                types.CodeAction(
                    title=messages.render("formalize-document", {"file": lean_name}),
                    kind=REWRITE if rewrite and on_document else SOURCE,
                    command=types.Command(
                        title=messages.render("formalize-document-command"),
                        command=COMMAND,
                        arguments=[doc.uri],
                    ),
                )
            )
        return out

    def _action(
        self,
        title: str,
        kind: str,
        data: dict[str, Any],
        edit: Callable[[], types.WorkspaceEdit | None],
    ) -> types.CodeAction:
        if self._resolvable():
            return types.CodeAction(title=title, kind=kind, data=data)
        return types.CodeAction(title=title, kind=kind, edit=edit())

    def resolve(self, action: types.CodeAction) -> types.CodeAction | None:
        data = action.data
        if not isinstance(data, dict) or data.get("texlean") != DATA_TAG:
            return None
        uri, version, what = data.get("uri"), data.get("version"), data.get("what")
        if not isinstance(uri, str) or not isinstance(version, int) or isinstance(version, bool):
            raise JsonRpcInvalidParams("data.uri (a string) and data.version (an integer) needed")
        doc = self.document(uri)
        if doc.version != version:
            raise JsonRpcContentModified(f"{uri} changed since the action was offered")
        numbers = data.get("at") if what == "statement" else data.get("range")
        size = 2 if what == "statement" else 4
        if (
            what not in ("statement", "selection")
            or not isinstance(numbers, list)
            or len(numbers) != size
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers)
        ):
            raise JsonRpcInvalidParams("data does not describe a texlean formalize action")
        lines = doc.lines
        if any(numbers[k] >= len(lines) for k in range(0, size, 2)):
            raise JsonRpcInvalidParams("data points outside the document")
        if what == "statement":
            edit = self.statement_edit(doc, numbers[0], numbers[1])
        else:
            edit = self.selection_edit(doc, (numbers[0], numbers[1]), (numbers[2], numbers[3]))
        action.edit = edit if edit is not None else types.WorkspaceEdit()
        return action

    # -- the command --------------------------------------------------------------

    @staticmethod
    def _uri_argument(args: Sequence[Any]) -> str:
        arg = args[0] if args else None
        if isinstance(arg, dict):
            td = arg.get("textDocument")
            arg = td.get("uri") if isinstance(td, dict) else arg.get("uri")
        if not isinstance(arg, str):
            raise JsonRpcInvalidParams(
                f"{COMMAND} takes the document's URI (a string, or an object with uri)"
            )
        return arg

    async def formalize_document(self, args: Sequence[Any]) -> dict[str, Any]:
        doc = self.document(self._uri_argument(args))
        made = self.document_edit(doc)
        if made is None:
            return {"applied": False, "declarations": 0, "uri": None}
        target, edit, count = made
        caps = self.server.client_capabilities.workspace
        if caps is None or not caps.apply_edit:
            # a client that cannot apply edits gets the edit to apply itself
            edit_json = self.server.protocol._converter.unstructure(edit)
            return {"applied": False, "declarations": count, "uri": target.uri, "edit": edit_json}
        result = await self.server.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label=messages.render("formalize-apply"))
        )
        return {
            "applied": bool(result.applied),
            "declarations": count,
            "uri": target.uri,
            "failureReason": result.failure_reason,
        }


def _guarded_async(server: TexleanServer, feature: str) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except JsonRpcException:
                raise
            except Exception as exc:
                server.report_feature_error(feature, exc)
                from pygls.exceptions import JsonRpcInternalError

                raise JsonRpcInternalError(f"texlean: {feature} failed: {exc}") from exc

        return wrapper  # type: ignore[return-value]

    return decorate


def register(server: TexleanServer, diagnostics: DiagnosticsFeature) -> FormalizeFeature:
    feature = FormalizeFeature(server, diagnostics)
    server.on_document(feature.on_document)
    server.on_settings(feature.on_settings)

    @server.feature(types.TEXT_DOCUMENT_HOVER, types.HoverOptions())
    @server.guarded("hover")
    def hover(params: types.HoverParams) -> types.Hover | None:
        return feature.hover(params)

    @server.feature(PREVIEW)
    @server.guarded("lean preview")
    def lean_preview(params: Any = None) -> dict[str, Any]:
        return feature.lean_preview(params)

    @server.command(COMMAND)
    @_guarded_async(server, COMMAND)
    async def formalize_document(*args: Any) -> dict[str, Any]:
        return await feature.formalize_document(args)

    return feature
