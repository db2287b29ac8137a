"""The LSP lifecycle: before initialize, after shutdown, exit codes, a vanished client."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest

from .conftest import TIMEOUT, Client, codes, initialize

WRITE18 = "\\write18{ls}"


async def test_requests_before_initialize_get_server_not_initialized(lsp: Client, uri: str) -> None:
    try:
        await lsp.raw_request("texlean/status", params={})
    except JsonRpcException as exc:
        assert exc.code == -32002, exc
    else:
        raise AssertionError("a request before initialize must be refused")
    # a notification before initialize is dropped
    lsp.open(uri, f"{WRITE18}\n", version=1)
    await asyncio.sleep(0.3)
    assert lsp.published == []

    result = await initialize(lsp)
    assert result.server_info is not None and result.server_info.name == "texlean"
    assert (await lsp.status())["openDocuments"] == 0
    lsp.open(uri, f"{WRITE18}\n", version=2)
    assert codes(await lsp.wait_version(uri, 2)) == ["SEC101"]


async def test_initialize_result_advertises_the_features(lsp: Client) -> None:
    result = await initialize(lsp)
    caps = result.capabilities
    sync = caps.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.change == types.TextDocumentSyncKind.Incremental
    assert sync.open_close is True
    assert sync.save is not None
    assert caps.diagnostic_provider is not None


async def test_requests_after_shutdown_are_refused_and_exit_is_clean(lsp: Client) -> None:
    await initialize(lsp)
    await asyncio.wait_for(lsp.shutdown_async(None), TIMEOUT)
    try:
        await lsp.raw_request("texlean/status", params={})
    except JsonRpcInvalidRequest as exc:
        assert "shutting down" in str(exc)
    else:
        raise AssertionError("a request after shutdown must be refused")
    lsp.exit(None)
    assert lsp._server is not None
    assert await asyncio.wait_for(lsp._server.wait(), TIMEOUT) == 0


async def test_exit_without_shutdown_exits_with_1(lsp: Client) -> None:
    await initialize(lsp)
    lsp.exit(None)
    assert lsp._server is not None
    assert await asyncio.wait_for(lsp._server.wait(), TIMEOUT) == 1


async def test_server_exits_when_the_client_goes_away(lsp: Client, uri: str) -> None:
    await initialize(lsp)
    await lsp.status()
    lsp.open(uri, f"{WRITE18}\n", version=1)
    await lsp.wait_version(uri, 1)
    assert lsp._server is not None and lsp._server.stdin is not None
    lsp._server.stdin.close()
    await asyncio.wait_for(lsp._server.wait(), TIMEOUT)
