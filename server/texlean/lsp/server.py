"""The texlean language server: state shared by the features, and their registration.

Each capability lives in its own module (:mod:`.sync`, :mod:`.diagnostics`,
:mod:`.code_actions`, :mod:`.formalize`, :mod:`.config`, :mod:`.status`) and registers its LSP
methods once through :meth:`TexleanServer.guarded`, which keeps one feature's
failure from reaching the others or the connection.
"""

from __future__ import annotations

import functools
import json
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.server import LanguageServer

from .. import __version__, messages
from ..engine import Engine
from ..settings import Problem, Settings
from .convert import UTF16
from .protocol import TexleanProtocol, texlean_converter

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

_SHOWN_ERRORS_PER_MINUTE = 3


class TexleanServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            name="texlean",
            version=__version__,
            protocol_cls=TexleanProtocol,
            converter_factory=texlean_converter,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.engine = Engine()
        self.settings = Settings()
        self.initial_settings = Settings()  # from initializationOptions
        self.settings_generation = 0
        self.encoding: str = UTF16
        self.client_locale: str | None = None
        # True once the client sent ``initialized``: LSP forbids server requests
        # (workspace/diagnostic/refresh …) before the initialize response.
        self.ready = False
        self._shown_errors: list[float] = []
        self._listeners: list[Callable[[str, str], None]] = []
        self._settings_listeners: list[Callable[[], None]] = []

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        super().start_io(stdin, stdout)
        code = self.protocol.exit_code if isinstance(self.protocol, TexleanProtocol) else None
        if code:
            raise SystemExit(code)  # exit without shutdown: LSP asks for status 1

    # -- fan-out ------------------------------------------------------------------

    def on_document(self, listener: Callable[[str, str], None]) -> None:
        """Call ``listener(uri, event)`` for "open", "change", "save" and "close"."""
        self._listeners.append(listener)

    def on_settings(self, listener: Callable[[], None]) -> None:
        self._settings_listeners.append(listener)

    def document_event(self, uri: str, event: str) -> None:
        for listener in self._listeners:
            try:
                listener(uri, event)
            except Exception as exc:  # one feature's failure stays its own
                self.report_feature_error(getattr(listener, "__qualname__", "feature"), exc)

    def apply_settings(
        self, settings: Settings, problems: list[Problem], language_changed: bool = False
    ) -> None:
        for problem in problems:
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning if problem.unknown else types.MessageType.Error,
                    message=messages.render(problem.key, problem.params),
                )
            )
        changed = settings != self.settings or language_changed  # messages to re-render
        self.settings = settings
        self.engine.timeout_seconds = settings.analysis.timeout_ms / 1000
        if changed:
            self.settings_generation += 1
        if changed and self.ready:
            for listener in self._settings_listeners:
                try:
                    listener()
                except Exception as exc:
                    self.report_feature_error("settings", exc)

    # -- errors -------------------------------------------------------------------

    def report_feature_error(self, feature: str, exc: BaseException) -> None:
        detail = "".join(traceback.format_exception(exc))
        log.error("texlean feature %s failed:\n%s", feature, detail)
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Error, message=f"texlean: {feature} failed: {detail}"
            )
        )
        now = time.monotonic()
        self._shown_errors = [t for t in self._shown_errors if now - t < 60]
        if len(self._shown_errors) < _SHOWN_ERRORS_PER_MINUTE:
            self._shown_errors.append(now)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error,
                    message=f"texlean: {feature} failed ({type(exc).__name__}: {exc}); see the log",
                )
            )

    def report_server_error(self, error: Exception, source: Any) -> None:
        if isinstance(error, json.JSONDecodeError | UnicodeDecodeError) and isinstance(
            self.protocol, TexleanProtocol
        ):
            # the body of a message was not JSON (or not UTF-8): JSON-RPC's ParseError
            self.protocol.send_parse_error(str(error))
        log.error("server error from %s: %s", getattr(source, "__name__", source), error)
        self.window_log_message(
            types.LogMessageParams(type=types.MessageType.Error, message=f"texlean: {error}")
        )

    def guarded(self, feature: str) -> Callable[[F], F]:
        """Wrap a handler so that its failure is reported, never propagated as a crash."""

        def decorate(fn: F) -> F:
            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                try:
                    return fn(*args, **kwargs)
                except JsonRpcException:
                    raise  # a deliberate error response (InvalidParams …)
                except Exception as exc:
                    self.report_feature_error(feature, exc)
                    raise JsonRpcInternalError(f"texlean: {feature} failed: {exc}") from exc

            return wrapper  # type: ignore[return-value]

        return decorate


def create_server() -> TexleanServer:
    from . import code_actions, config, diagnostics, formalize, status, sync

    server = TexleanServer()
    config.register(server)
    sync.register(server)
    published = diagnostics.register(server)
    # after diagnostics: its document listener publishes first, the hazard pass follows
    formal = formalize.register(server, published)
    code_actions.register(server, providers=[formal])
    status.register(server)
    return server
