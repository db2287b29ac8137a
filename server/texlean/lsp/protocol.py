"""pygls's protocol, with the three changes texlean needs.

1. Text synchronisation does not go through pygls's workspace: its
   ``TextDocument`` re-splits the whole text on every edit, which is too slow
   for multi-megabyte documents.  texlean's own document model takes the
   notifications (:mod:`texlean.lsp.sync`).
2. Every request is answered.  pygls 2.1 only logs a request whose params fail
   to deserialize, and the client waits forever; here it gets InvalidParams.
3. The position encoding is UTF-8 when the client offers it, else UTF-16.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import JsonRPCNotification

log = logging.getLogger(__name__)

DROPPED = "$/texlean/dropped"


def choose_encoding(capabilities: types.ClientCapabilities) -> str:
    general = capabilities.general
    offered = (general.position_encodings if general is not None else None) or []
    return (
        types.PositionEncodingKind.Utf8
        if types.PositionEncodingKind.Utf8 in offered
        else (types.PositionEncodingKind.Utf16)
    )


class TexleanProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "jsonrpc" not in data:
                raise
            method = data.get("method", "")
            cause = exc.__cause__
            detail = str(cause).splitlines()[0] if cause is not None else str(exc)
            message = f"invalid params for {method}: {detail}"
            if "id" in data and "method" in data:
                log.warning("answering request %r with InvalidParams: %s", data.get("id"), detail)
                self._send_response(
                    data["id"],
                    error=types.ResponseError(
                        code=JsonRpcInvalidParams.CODE, message=message, data=None
                    ),
                )
            else:
                log.warning("dropping notification %s: %s", method, detail)
                self.notify(
                    types.WINDOW_LOG_MESSAGE,
                    types.LogMessageParams(
                        type=types.MessageType.Warning, message="texlean: " + message
                    ),
                )
            return JsonRPCNotification(method=DROPPED, jsonrpc="2.0", params=None)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        encoding = choose_encoding(params.capabilities)
        general = params.capabilities.general or types.GeneralClientCapabilities()
        params.capabilities.general = attrs.evolve(general, position_encodings=[encoding])
        result = yield from super().lsp_initialize(params)
        return result

    # Text synchronisation: straight to texlean's handlers, no pygls workspace copy.

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None
