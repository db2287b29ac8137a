"""Protocol ↔ domain conversion, in one place.

The domain counts columns in code points; LSP counts them in the negotiated
position encoding (UTF-16 code units unless the client offered UTF-8).  Every
position that crosses the boundary goes through this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from .. import messages
from ..analysis.findings import Severity, Span
from ..analysis.present import Presented
from ..analysis.rules import catalog
from ..document.lines import content_length
from ..document.model import Document

UTF8 = types.PositionEncodingKind.Utf8
UTF16 = types.PositionEncodingKind.Utf16
UTF32 = types.PositionEncodingKind.Utf32

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# rules.toml tags that have a protocol meaning (an unused suppression is faded out)
TAGS = {
    "unnecessary": types.DiagnosticTag.Unnecessary,
    "deprecated": types.DiagnosticTag.Deprecated,
}

SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def _content(line: str) -> str:
    return line[: content_length(line)]


def units_from_cp(line: str, col: int, encoding: str) -> int:
    """Column ``col`` (code points) of ``line`` in the client's units."""
    if line.isascii() or encoding == UTF32:
        return col
    prefix = line[:col]
    if encoding == UTF8:
        return len(prefix.encode("utf-8", "surrogatepass"))
    return col + len(_ASTRAL.findall(prefix))


def cp_from_units(line: str, units: int, encoding: str) -> int:
    """The code point column of ``units`` client units into ``line`` (clamped to the line)."""
    text = _content(line)
    if text.isascii() or encoding == UTF32:
        return min(units, len(text))
    count = 0
    for i, ch in enumerate(text):
        if count >= units:
            return i
        if encoding == UTF8:
            count += len(ch.encode("utf-8", "surrogatepass"))
        else:
            count += 2 if ch > "\uffff" else 1
    return len(text)


def to_position(lines: Sequence[str], line: int, col: int, encoding: str) -> types.Position:
    if line >= len(lines):
        last = len(lines) - 1
        return types.Position(
            last, units_from_cp(lines[last], content_length(lines[last]), encoding)
        )
    return types.Position(line, units_from_cp(lines[line], col, encoding))


def to_range(lines: Sequence[str], span: Span, encoding: str) -> types.Range:
    return types.Range(
        start=to_position(lines, span.line, span.col, encoding),
        end=to_position(lines, span.end_line, span.end_col, encoding),
    )


def from_position(
    doc: Document, pos: types.Position, encoding: str, strict: bool = False
) -> tuple[int, int]:
    """A client position as (line, code point column).

    With ``strict`` a position outside the document raises InvalidParams (for
    requests); otherwise it is clamped, as LSP asks of edits.
    """
    lines = doc.lines
    if pos.line >= len(lines):
        if strict:
            raise JsonRpcInvalidParams(
                messages.render(
                    "position-out-of-range",
                    {
                        "line": str(pos.line),
                        "character": str(pos.character),
                        "lines": str(len(lines)),
                    },
                )
            )
        last = len(lines) - 1
        return last, content_length(lines[last])
    line = lines[pos.line]
    if strict and pos.character > units_from_cp(line, content_length(line), encoding):
        raise JsonRpcInvalidParams(
            messages.render(
                "position-out-of-range",
                {"line": str(pos.line), "character": str(pos.character), "lines": str(len(lines))},
            )
        )
    return pos.line, cp_from_units(line, pos.character, encoding)


def from_range(
    doc: Document, rng: types.Range, encoding: str, strict: bool = False
) -> tuple[tuple[int, int], tuple[int, int]]:
    return from_position(doc, rng.start, encoding, strict), from_position(
        doc, rng.end, encoding, strict
    )


def to_text_edit(lines: Sequence[str], span: Span, new_text: str, encoding: str) -> types.TextEdit:
    """Replace ``span`` (code points) by ``new_text``."""
    return types.TextEdit(range=to_range(lines, span, encoding), new_text=new_text)


def to_workspace_edit(
    doc: Document,
    edits: Sequence[tuple[Span, str]],
    encoding: str,
    document_changes: bool,
) -> types.WorkspaceEdit:
    """Edits of one document: a versioned TextDocumentEdit when the client takes
    ``documentChanges`` (it then refuses the edit if the document changed since),
    else ``changes``."""
    text_edits = [to_text_edit(doc.lines, span, text, encoding) for span, text in edits]
    if document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=doc.uri, version=doc.version
                    ),
                    edits=list(text_edits),
                )
            ]
        )
    return types.WorkspaceEdit(changes={doc.uri: list(text_edits)})


def to_file_edit(
    uri: str,
    lines: Sequence[str] | None,
    edits: Sequence[tuple[Span, str]],
    encoding: str,
    *,
    document_changes: bool,
    create: bool = False,
    can_create: bool = False,
) -> types.WorkspaceEdit:
    """Edits of a file texlean does not have open (the ``.lean`` file a document is
    formalized into), without a version.

    ``lines`` are the file's lines as texlean read them, for the encoding; None when
    it did not read it (then only line starts are used, which need no conversion,
    and a line past the end, which clients clamp to the end).  With ``create`` the
    file is created first, unless it exists: a ``CreateFile`` (``ignoreIfExists``)
    when the client takes ``documentChanges`` with resource operations
    (``can_create``), else the edits go as ``changes`` of its URI, which editors
    that open a buffer for a missing file (Neovim, Emacs) write on save.
    """
    if lines is not None:
        text_edits = [to_text_edit(lines, span, text, encoding) for span, text in edits]
    else:
        text_edits = [
            types.TextEdit(
                range=types.Range(
                    types.Position(span.line, span.col), types.Position(span.end_line, span.end_col)
                ),
                new_text=text,
            )
            for span, text in edits
        ]
    if document_changes and (can_create or not create):
        changes: list[
            types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile
        ] = []
        if create:
            changes.append(
                types.CreateFile(
                    uri=uri,
                    options=types.CreateFileOptions(overwrite=False, ignore_if_exists=True),
                )
            )
        changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=list(text_edits),
            )
        )
        return types.WorkspaceEdit(document_changes=changes)
    return types.WorkspaceEdit(changes={uri: list(text_edits)})


def to_diagnostic(doc: Document, p: Presented, encoding: str) -> types.Diagnostic:
    lines = doc.lines
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=doc.uri, range=to_range(lines, span, encoding)),
            message=message,
        )
        for span, message in p.related
    ]
    rule = catalog().get(p.code)
    tags = [TAGS[t] for t in rule.tags if t in TAGS] if rule is not None else []
    return types.Diagnostic(
        range=to_range(lines, p.span, encoding),
        message=p.message,
        severity=SEVERITY[p.severity],
        code=p.code,
        source="texlean",
        related_information=related or None,
        tags=tags or None,
        data={"category": p.category.value, "name": p.name},
    )
