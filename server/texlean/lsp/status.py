"""Custom requests: ``texlean/status`` (server health) and ``texlean/inspect`` (lexer view).

Their params arrive as plain JSON; :func:`_text_document` and :func:`_range`
validate them and answer InvalidParams when they are missing or ill-typed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import psutil
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from .. import __version__, messages
from ..analysis.pipeline import tokens_of
from ..document.model import Document
from ..settings import to_json
from ..tex.tokens import KIND_NAMES
from .convert import from_range, to_range
from .protocol import describe_structure_error

if TYPE_CHECKING:
    from .server import TexleanServer

STATUS = "texlean/status"
INSPECT = "texlean/inspect"


def _as_dict(params: Any) -> dict[str, Any]:
    if params is None:
        return {}
    if isinstance(params, dict):
        return params
    raise JsonRpcInvalidParams("params must be an object")


def _text_document(server: TexleanServer, params: dict[str, Any]) -> Document:
    td = params.get("textDocument")
    uri = td.get("uri") if isinstance(td, dict) else None
    if not isinstance(uri, str):
        raise JsonRpcInvalidParams("textDocument.uri (a string) is required")
    doc = server.engine.get(uri)
    if doc is None:
        raise JsonRpcInvalidParams(messages.render("not-open", {"uri": uri}))
    return doc


def _range(server: TexleanServer, raw: Any) -> types.Range:
    try:
        rng = server.protocol._converter.structure(raw, types.Range)
    except Exception as exc:
        raise JsonRpcInvalidParams(
            "range is not a valid Range: " + describe_structure_error(exc, "range")
        ) from exc
    if not isinstance(rng, types.Range):
        raise JsonRpcInvalidParams("range is not a valid Range")
    return rng


def status(server: TexleanServer) -> dict[str, Any]:
    info = server.engine.status()
    rss = psutil.Process(os.getpid()).memory_info().rss
    return {
        "serverVersion": __version__,
        "positionEncoding": getattr(server.encoding, "value", server.encoding),
        "openDocuments": len(server.engine.documents),
        **info,
        "rssBytes": rss,
        "settings": to_json(server.settings),
    }


def inspect(server: TexleanServer, params: dict[str, Any]) -> dict[str, Any]:
    doc = _text_document(server, params)
    server.engine.analyse(doc)
    lines = doc.lines
    if params.get("range") is not None:
        (sl, sc), (el, ec) = from_range(
            doc, _range(server, params["range"]), server.encoding, strict=True
        )
    else:
        sl, sc, el, ec = 0, 0, len(lines) - 1, len(lines[-1])
    out: list[dict[str, Any]] = []
    chunks_out: list[dict[str, Any]] = []
    from ..analysis.locate import Locator

    for chunk in doc.chunked.chunks:
        if chunk.end <= sl or chunk.start > el or chunk.entry is None:
            continue
        text = "".join(lines[chunk.start : chunk.end])
        loc = Locator(text)
        chunks_out.append(
            {
                "startLine": chunk.start,
                "endLine": chunk.end,
                "entryState": chunk.entry.lex.describe(),
            }
        )
        for kind, a, b, value in tokens_of(text, chunk.entry):
            span = loc.span(a, b).shifted(chunk.start)
            if (span.end_line, span.end_col) < (sl, sc) or (span.line, span.col) > (el, ec):
                continue
            out.append(
                {
                    "kind": KIND_NAMES[kind],
                    "value": value,
                    "range": server.protocol._converter.unstructure(
                        to_range(lines, span, server.encoding)
                    ),
                }
            )
            if len(out) >= 5000:
                break
    return {"uri": doc.uri, "version": doc.version, "chunks": chunks_out, "tokens": out}


def register(server: TexleanServer) -> None:
    @server.feature(STATUS)
    @server.guarded("status")
    def status_request(params: Any = None) -> dict[str, Any]:
        return status(server)

    @server.feature(INSPECT)
    @server.guarded("inspect")
    def inspect_request(params: Any = None) -> dict[str, Any]:
        return inspect(server, _as_dict(params))
