"""pygls's protocol, with the changes texlean needs.

1. Text synchronisation does not go through pygls's workspace: its
   ``TextDocument`` re-splits the whole text on every edit, which is too slow
   for multi-megabyte documents.  texlean's own document model takes the
   notifications (:mod:`texlean.lsp.sync`).
2. Every request is answered.  pygls 2.1 only logs a request whose params fail
   to deserialize, and the client waits forever; here it gets InvalidParams.
3. Methods LSP does not define (``texlean/status``, ``texlean/inspect``) get
   their params as plain JSON.  pygls would hand them over as namedtuples,
   which the handlers cannot read as objects and whose keys are renamed when
   they are not Python identifiers.
4. The position encoding is UTF-8 when the client offers it, else UTF-16.
5. The lifecycle LSP asks for: before ``initialize`` a request gets
   ServerNotInitialized and a notification is dropped; after ``shutdown`` a
   request gets InvalidRequest (pygls answers neither, and the client waits);
   ``exit`` without ``shutdown`` ends the process with status 1 (pygls's
   ``sys.exit(1)`` is swallowed by its own ``start_io``).
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

import attrs
import cattrs
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol, default_converter, lsp_method
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage

log = logging.getLogger(__name__)

DROPPED = "$/texlean/dropped"


def _strict_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, not {type(value).__name__}")
    return value


def texlean_converter() -> cattrs.Converter:
    """pygls's converter, except that a string field takes only a string.

    cattrs would turn ``"uri": 5`` into ``"5"`` (and ``null`` into ``"None"``),
    and the client would hear about a document it never named.
    """
    converter: cattrs.Converter = default_converter()  # type: ignore[no-untyped-call]
    converter.register_structure_hook(str, _strict_str)
    return converter


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _format_error(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ValueError) and not isinstance(exc, cattrs.BaseValidationError):
        return str(exc).rstrip(".")
    return cattrs.v.format_exception(exc, type_)


def describe_structure_error(exc: BaseException, path: str = "params") -> str:
    """One readable line for a cattrs failure: what is wrong, and where (JSON names)."""
    if not isinstance(exc, cattrs.BaseValidationError):
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    parts = []
    for line in cattrs.transform_error(exc, path="$", format_exception=_format_error):
        what, _, where = line.rpartition(" @ ")
        where = ".".join(_camel(segment) for segment in where.split("."))
        parts.append(f"{what} at {where}" if what else line)
    text = "; ".join(parts)
    return text.replace("$.params", path).replace("$", path)


def choose_encoding(capabilities: types.ClientCapabilities) -> str:
    general = capabilities.general
    offered = (general.position_encodings if general is not None else None) or []
    return (
        types.PositionEncodingKind.Utf8
        if types.PositionEncodingKind.Utf8 in offered
        else (types.PositionEncodingKind.Utf16)
    )


class TexleanProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_seen = False
        self.exit_code: int | None = None  # set by the exit notification
        self._notification_keys: list[Any] = []

    def structure_message(self, data: dict[str, Any]) -> Any:
        method = data.get("method")
        if (
            "jsonrpc" in data
            and isinstance(method, str)
            and "error" not in data
            and self.get_message_type(method) is None
        ):
            # a method LSP does not define: keep its params as JSON
            # (json.loads calls this hook innermost first: nested objects are dicts)
            if "id" in data:
                return JsonRPCRequestMessage(
                    id=data["id"], method=method, jsonrpc=data["jsonrpc"], params=data.get("params")
                )
            return JsonRPCNotification(
                method=method, jsonrpc=data["jsonrpc"], params=data.get("params")
            )
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "jsonrpc" not in data:
                raise
            method = data.get("method", "")
            cause = exc.__cause__
            detail = describe_structure_error(cause) if cause is not None else str(exc)
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

    def handle_message(self, message: Any) -> None:
        if not hasattr(message, "jsonrpc"):
            # valid JSON, but not a JSON-RPC message object (a batch, a number,
            # an object without "jsonrpc"): answer as JSON-RPC 2.0 asks
            msg_id = message.get("id") if isinstance(message, dict) else None
            log.warning("invalid JSON-RPC message: %.200r", message)
            self._send_error(
                msg_id if isinstance(msg_id, int | str) else None,
                JsonRpcInvalidRequest.CODE,
                "not a JSON-RPC 2.0 request or notification",
            )
            return
        method = getattr(message, "method", None)
        if isinstance(method, str) and method != types.EXIT:
            is_request = hasattr(message, "id")
            if not self.initialize_seen and method != types.INITIALIZE:
                if is_request:
                    self._send_error(
                        message.id,
                        JsonRpcServerNotInitialized.CODE,
                        f"{method}: the server is not initialized yet (send initialize first)",
                    )
                else:
                    log.warning("dropping %s, received before initialize", method)
                return
            if self._shutdown and is_request:
                self._send_error(
                    message.id,
                    JsonRpcInvalidRequest.CODE,
                    f"{method}: the server is shutting down (only exit is accepted)",
                )
                return
        super().handle_message(message)

    def send_parse_error(self, detail: str) -> None:
        self._send_error(None, JsonRpcParseError.CODE, f"parse error: {detail}")

    def _send_error(self, msg_id: int | str | None, code: int, message: str) -> None:
        # a plain dict: lsprotocol's converter would leave out ``"id": null``
        self._send_data(
            {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}
        )

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> Generator[Any, Any, None]:
        self.exit_code = 0 if self._shutdown else 1
        yield from super().lsp_exit(*args)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        self.initialize_seen = True
        encoding = choose_encoding(params.capabilities)
        general = params.capabilities.general or types.GeneralClientCapabilities()
        params.capabilities.general = attrs.evolve(general, position_encodings=[encoding])
        result = yield from super().lsp_initialize(params)
        return result

    def _handle_notification(self, method_name: str, params: Any) -> None:
        # pygls 2.1.1 keeps the future of every generator-style notification
        # handler in _request_futures and never removes it (about 2 KB per
        # notification, forever): forget each one once it is done.  (Not from a
        # done-callback: shutdown cancels futures while iterating that dict.)
        before = set(self._request_futures)
        super()._handle_notification(method_name, params)
        self._notification_keys.extend(set(self._request_futures) - before)
        pending = []
        for key in self._notification_keys:
            future = self._request_futures.get(key)
            if future is None:
                continue
            if future.done():
                del self._request_futures[key]
            else:
                pending.append(key)
        self._notification_keys = pending

    # Text synchronisation: straight to texlean's handlers, no pygls workspace copy.
    # Plain functions, not generators: nothing to schedule, nothing to leak.

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            handler(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            handler(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            handler(params)
