import sys

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "texlean", "serve"])
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
            initialization_options={"diagnostics": {"debounceMs": 0}},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_open(client: LanguageClient):
    uri = "file:///tmp/x.tex"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="latex", version=3, text="\\write18{ls}\n{")
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    print(
        client.diagnostics[uri],
        client.diagnostic_versions if hasattr(client, "diagnostic_versions") else None,
    )
    assert len(client.diagnostics[uri]) == 2
    r = await client.protocol.send_request_async("texlean/status", {})
    print(r)
