"""Fixtures and helpers that drive the real texlean server over stdio with pytest-lsp.

Every test talks to a fresh ``python -m texlean serve`` process.  The client
records every ``textDocument/publishDiagnostics`` it receives (pytest-lsp only
keeps the last diagnostics per URI, without their version), every
``workspace/configuration`` request, and the order of all incoming messages.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pytest_lsp.protocol import LanguageClientProtocol

TIMEOUT = 10.0  # seconds any single wait may take before the test fails
QUIET = 0.4  # seconds of silence taken as "the server sent nothing"

_OWN_HANDLERS = (
    types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
    types.WORKSPACE_CONFIGURATION,
    types.WORKSPACE_DIAGNOSTIC_REFRESH,
)


class RecordingProtocol(LanguageClientProtocol):
    """Remembers the order of every message the server sends."""

    def handle_message(self, message: Any) -> None:
        client: Client = self._server  # type: ignore[assignment]
        method = getattr(message, "method", None)
        if method is not None:
            client.wire.append(("request" if hasattr(message, "id") else "notify", method))
        else:
            client.wire.append(("response", str(getattr(message, "id", ""))))
        super().handle_message(message)


class Client(LanguageClient):
    """A pytest-lsp client that keeps everything the server told it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("protocol_cls", RecordingProtocol)
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.configuration_requests: list[types.ConfigurationParams] = []
        self.configuration_answer: Callable[[types.ConfigurationItem], Any] = lambda item: None
        self.wire: list[tuple[str, str]] = []
        self.refresh_requests = 0
        self.initialize_result: types.InitializeResult | None = None

    # -- what the server published --------------------------------------------

    def publishes(self, uri: str) -> list[types.PublishDiagnosticsParams]:
        return [p for p in self.published if p.uri == uri]

    async def wait_publish(
        self,
        uri: str,
        predicate: Callable[[types.PublishDiagnosticsParams], bool] = lambda p: True,
        after: int = 0,
        timeout: float = TIMEOUT,
    ) -> types.PublishDiagnosticsParams:
        """The first publish for ``uri`` (at index >= ``after`` of :attr:`published`)
        that satisfies ``predicate``; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for p in self.published[after:]:
                if p.uri == uri and predicate(p):
                    return p
            if time.monotonic() > deadline:
                seen = [(p.uri, p.version, len(p.diagnostics)) for p in self.published[after:]]
                raise AssertionError(f"no matching publish for {uri} within {timeout}s: {seen}")
            await asyncio.sleep(0.01)

    async def wait_version(
        self, uri: str, version: int, after: int = 0, timeout: float = TIMEOUT
    ) -> types.PublishDiagnosticsParams:
        return await self.wait_publish(uri, lambda p: p.version == version, after, timeout)

    # -- requests ---------------------------------------------------------------

    async def status(self) -> dict[str, Any]:
        return plain(
            await asyncio.wait_for(self.protocol.send_request_async("texlean/status", {}), TIMEOUT)
        )

    async def pull(
        self, uri: str, previous: str | None = None
    ) -> types.RelatedFullDocumentDiagnosticReport | types.RelatedUnchangedDocumentDiagnosticReport:
        result = await asyncio.wait_for(
            self.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    identifier="texlean",
                    previous_result_id=previous,
                )
            ),
            TIMEOUT,
        )
        assert isinstance(
            result,
            types.RelatedFullDocumentDiagnosticReport
            | types.RelatedUnchangedDocumentDiagnosticReport,
        ), result
        return result

    async def raw_request(self, method: str, **fields: Any) -> Any:
        """Send a request as raw JSON (no client-side validation or conversion).

        ``fields`` become top-level members of the message (normally ``params``;
        leave it out to send a request without params).  Returns the result or
        raises the ``JsonRpcException`` the server answered with; a missing
        answer fails after :data:`TIMEOUT` seconds.
        """
        msg_id = f"raw-{next(_ids)}"
        message = {"jsonrpc": "2.0", "id": msg_id, "method": method, **fields}
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self.protocol._request_futures[msg_id] = future
        self.write_raw(json.dumps(message).encode("utf-8"))
        return await asyncio.wait_for(asyncio.wrap_future(future), TIMEOUT)

    def raw_notify(self, method: str, **fields: Any) -> None:
        message = {"jsonrpc": "2.0", "method": method, **fields}
        self.write_raw(json.dumps(message).encode("utf-8"))

    def write_raw(self, body: bytes) -> None:
        writer: Any = self.protocol.writer
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    # -- documents --------------------------------------------------------------

    def open(self, uri: str, text: str, version: int = 1, language_id: str = "latex") -> None:
        self.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id=language_id, version=version, text=text)
            )
        )

    def change(
        self, uri: str, version: int, *changes: types.TextDocumentContentChangeEvent
    ) -> None:
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=list(changes),
            )
        )

    def close(self, uri: str) -> None:
        self.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    def save(self, uri: str) -> None:
        self.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )


_ids = itertools.count()


def plain(value: Any) -> Any:
    """pygls hands untyped results over as namedtuples; turn them into dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def make_client() -> Client:
    client = Client(converter_factory=default_converter)
    register_lsp_features(
        client, {m: f for m, f in DEFAULT_CLIENT_FEATURES.items() if m not in _OWN_HANDLERS}
    )

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def on_configuration(params: types.ConfigurationParams) -> list[Any]:
        client.configuration_requests.append(params)
        return [client.configuration_answer(item) for item in params.items]

    @client.feature(types.WORKSPACE_DIAGNOSTIC_REFRESH)
    def on_refresh(params: None) -> None:
        client.refresh_requests += 1

    return client


CONFIG = ClientServerConfig(
    server_command=[sys.executable, "-m", "texlean", "serve"], client_factory=make_client
)


# -- capabilities ------------------------------------------------------------------


def vscode_capabilities(
    *, pull: bool = False, encodings: list[str] | None = None, refresh: bool = False
) -> types.ClientCapabilities:
    """VS Code 1.65's capabilities (UTF-16 only, no pull diagnostics), adjusted."""
    caps = pytest_lsp.client_capabilities("visual-studio-code")
    if pull:
        assert caps.text_document is not None
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
            dynamic_registration=False, related_document_support=False
        )
    if encodings is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=encodings)
    if refresh:
        assert caps.workspace is not None
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
            refresh_support=True
        )
    return caps


async def initialize(
    client: Client,
    capabilities: types.ClientCapabilities | None = None,
    options: Any = None,
) -> types.InitializeResult:
    if options is None:
        options = {"diagnostics": {"debounceMs": 0}}
    result = await asyncio.wait_for(
        client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities or vscode_capabilities(),
                initialization_options=options,
            )
        ),
        TIMEOUT,
    )
    client.initialize_result = result
    return result


# -- fixtures ----------------------------------------------------------------------


async def _stop(client: Client) -> None:
    server = client._server
    try:
        if client.capabilities is not None and client.error is None:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        else:
            client.exit(None)
            if server is not None:
                await asyncio.wait_for(server.wait(), TIMEOUT)
    except (asyncio.TimeoutError, Exception):
        if server is not None and server.returncode is None:
            server.kill()  # our own child process, by its handle
    if server is not None:
        assert server.returncode is not None


@pytest_lsp.fixture(config=CONFIG)
async def lsp(lsp_client: Client) -> AsyncIterator[None]:
    """A started but not yet initialized server (tests call :func:`initialize`)."""
    yield
    await _stop(lsp_client)


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def shared_push_client(lsp_client: Client) -> AsyncIterator[None]:
    """One initialized push client (VS Code capabilities) for a whole module.

    For tests that only need a working server and leave it working (the
    malformed-input tests): starting Python with lsprotocol takes about a
    second.  Modules using it need ``pytestmark = pytest.mark.asyncio(loop_scope="module")``
    (and ``loop_scope="module"`` on their async fixtures) and their own document URIs.
    """
    await initialize(lsp_client)
    yield
    await _stop(lsp_client)


@pytest_asyncio.fixture
async def push_client(lsp: Client) -> Client:
    """VS Code capabilities; never pulls, so it lives on pushed diagnostics."""
    await initialize(lsp)
    return lsp


@pytest_asyncio.fixture
async def pull_client(lsp: Client) -> Client:
    """VS Code capabilities plus textDocument.diagnostic: a client that pulls."""
    await initialize(lsp, vscode_capabilities(pull=True))
    return lsp


@pytest.fixture
def uri() -> str:
    return "file:///work/e2e/doc.tex"


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def rng(sl: int, sc: int, el: int, ec: int) -> types.Range:
    return types.Range(start=pos(sl, sc), end=pos(el, ec))


def insert(line: int, character: int, text: str) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=rng(line, character, line, character), text=text
    )


def replace(
    sl: int, sc: int, el: int, ec: int, text: str
) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(range=rng(sl, sc, el, ec), text=text)


def whole(text: str) -> types.TextDocumentContentChangeWholeDocument:
    return types.TextDocumentContentChangeWholeDocument(text=text)


def codes(p: types.PublishDiagnosticsParams | list[types.Diagnostic] | Any) -> list[str]:
    items = p.diagnostics if isinstance(p, types.PublishDiagnosticsParams) else p
    return sorted(str(d.code) for d in items)


def only(p: types.PublishDiagnosticsParams, code: str) -> types.Diagnostic:
    found = [d for d in p.diagnostics if d.code == code]
    assert len(found) == 1, (code, p.diagnostics)
    return found[0]


async def quiet(seconds: float = QUIET) -> None:
    """Give the server time to send something it should not."""
    await asyncio.sleep(seconds)


async def settle(client: Client) -> dict[str, Any]:
    """A round trip: everything sent before has been read by the server."""
    return await client.status()
