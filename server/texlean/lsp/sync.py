"""Text synchronisation: didOpen / didChange / didSave / didClose into texlean's documents.

Every client's language id is accepted (VS Code sends ``latex``, Neovim
``tex`` or ``plaintex``, Emacs ``latex``): all are read as LaTeX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from .convert import from_range

if TYPE_CHECKING:
    from .server import TexleanServer


def register(server: TexleanServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @server.guarded("didOpen")
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        td = params.text_document
        server.engine.open(td.uri, td.text, td.version, td.language_id)
        server.document_event(td.uri, "open")

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @server.guarded("didChange")
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = server.engine.get(uri)
        if doc is None:
            server.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Warning,
                    message=f"texlean: didChange for {uri}, which is not open; ignored",
                )
            )
            return
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                start, end = from_range(doc, change.range, server.encoding)
                doc.replace(start, end, change.text)
            else:
                doc.set_text(change.text)
        doc.version = params.text_document.version
        server.document_event(uri, "change")

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    @server.guarded("didSave")
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = server.engine.get(uri)
        if doc is None:
            return
        if params.text is not None and params.text != doc.text():
            doc.set_text(params.text)
        server.document_event(uri, "save")

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @server.guarded("didClose")
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        server.document_event(uri, "close")
        server.engine.close(uri)
