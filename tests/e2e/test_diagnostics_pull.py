"""Pulled diagnostics (textDocument/diagnostic) and the auto mode's hand-over from push."""

from __future__ import annotations

from lsprotocol import types

from .conftest import Client, codes, initialize, insert, quiet, replace, settle, vscode_capabilities

WRITE18 = "\\write18{ls}"

Full = types.RelatedFullDocumentDiagnosticReport
Unchanged = types.RelatedUnchangedDocumentDiagnosticReport


async def test_server_offers_pull_diagnostics(lsp: Client) -> None:
    result = await initialize(lsp, vscode_capabilities(pull=True))
    provider = result.capabilities.diagnostic_provider
    assert isinstance(provider, types.DiagnosticOptions)
    assert provider.identifier == "texlean"
    assert provider.inter_file_dependencies is False


async def test_auto_mode_pushes_until_the_first_pull_then_withdraws(
    pull_client: Client, uri: str
) -> None:
    c = pull_client
    other = "file:///e2e/other.tex"
    c.open(uri, f"{WRITE18}\n", version=1)
    c.open(other, "{\n", version=1)
    assert codes(await c.wait_version(uri, 1)) == ["SEC101"]
    assert codes(await c.wait_version(other, 1)) == ["STR002"]

    start = len(c.published)
    report = await c.pull(uri)
    assert isinstance(report, Full)
    assert codes(report.items) == ["SEC101"]

    # both pushed copies are withdrawn: the client now reads pulled results
    for u in (uri, other):
        p = await c.wait_publish(u, after=start)
        assert list(p.diagnostics) == []
    withdrawn = len(c.published)

    # and nothing is pushed any more, for edits or opens
    c.change(uri, 2, insert(0, 0, "{"))
    c.open("file:///e2e/third.tex", f"{WRITE18}\n", version=1)
    await settle(c)
    await quiet()
    assert c.published[withdrawn:] == []

    report = await c.pull(uri)
    assert isinstance(report, Full)
    assert codes(report.items) == ["SEC101", "STR002"]


async def test_push_client_keeps_receiving_pushes(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, f"{WRITE18}\n", version=1)
    await c.wait_version(uri, 1)
    for v in (2, 3):
        c.change(uri, v, insert(0, 0, "%"))
        assert codes(await c.wait_version(uri, v)) == []


async def test_result_id_follows_the_version(pull_client: Client, uri: str) -> None:
    c = pull_client
    c.open(uri, f"{WRITE18}\n", version=1)
    await c.wait_version(uri, 1)

    first = await c.pull(uri)
    assert isinstance(first, Full)
    assert first.result_id
    assert codes(first.items) == ["SEC101"]

    again = await c.pull(uri, previous=first.result_id)
    assert isinstance(again, Unchanged)
    assert again.result_id == first.result_id

    # a stale or foreign previousResultId gets the full report
    other = await c.pull(uri, previous="nonsense")
    assert isinstance(other, Full)
    assert other.result_id == first.result_id

    c.change(uri, 2, insert(0, 0, "{"))
    second = await c.pull(uri, previous=first.result_id)
    assert isinstance(second, Full)
    assert second.result_id and second.result_id != first.result_id
    assert codes(second.items) == ["SEC101", "STR002"]

    c.change(uri, 3, replace(0, 0, 0, 1, ""))
    third = await c.pull(uri, previous=second.result_id)
    assert isinstance(third, Full)
    assert third.result_id not in (first.result_id, second.result_id)
    assert codes(third.items) == ["SEC101"]


async def test_pull_reflects_an_edit_immediately_despite_debounce(lsp: Client, uri: str) -> None:
    await initialize(lsp, vscode_capabilities(pull=True), {"diagnostics": {"debounceMs": 5000}})
    lsp.open(uri, "clean\n", version=1)
    await lsp.wait_version(uri, 1)
    lsp.change(uri, 2, insert(0, 0, WRITE18))
    report = await lsp.pull(uri)
    assert isinstance(report, Full)
    assert codes(report.items) == ["SEC101"]


async def test_pull_ranges_use_the_negotiated_encoding(lsp: Client, uri: str) -> None:
    await initialize(lsp, vscode_capabilities(pull=True, encodings=["utf-8", "utf-16"]))
    lsp.open(uri, f"𝔽 {WRITE18}\n", version=1)
    report = await lsp.pull(uri)
    assert isinstance(report, Full)
    assert report.items[0].range.start.character == 5


async def test_settings_change_invalidates_result_ids(pull_client: Client, uri: str) -> None:
    c = pull_client
    c.open(uri, f"{WRITE18}\n", version=1)
    first = await c.pull(uri)
    assert isinstance(first, Full)
    assert codes(first.items) == ["SEC101"]
    c.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"texlean": {"rules": {"SEC101": "off"}}})
    )
    await settle(c)
    second = await c.pull(uri, previous=first.result_id)
    assert isinstance(second, Full)
    assert second.result_id != first.result_id
    assert codes(second.items) == []


async def test_push_mode_keeps_pushing_after_a_pull(lsp: Client, uri: str) -> None:
    await initialize(
        lsp, vscode_capabilities(pull=True), {"diagnostics": {"mode": "push", "debounceMs": 0}}
    )
    lsp.open(uri, f"{WRITE18}\n", version=1)
    await lsp.wait_version(uri, 1)
    start = len(lsp.published)
    assert isinstance(await lsp.pull(uri), Full)
    lsp.change(uri, 2, insert(0, 0, "{"))
    p = await lsp.wait_publish(uri, after=start)
    assert p.version == 2
    assert codes(p) == ["SEC101", "STR002"]


async def test_pull_mode_never_pushes(lsp: Client, uri: str) -> None:
    await initialize(
        lsp, vscode_capabilities(pull=True), {"diagnostics": {"mode": "pull", "debounceMs": 0}}
    )
    lsp.open(uri, f"{WRITE18}\n", version=1)
    lsp.change(uri, 2, insert(0, 0, "{"))
    await settle(lsp)
    await quiet()
    assert lsp.publishes(uri) == []
    report = await lsp.pull(uri)
    assert isinstance(report, Full)
    assert codes(report.items) == ["SEC101", "STR002"]


async def test_pull_for_a_document_that_is_not_open_is_an_error(
    pull_client: Client,
) -> None:
    from pygls.exceptions import JsonRpcException

    try:
        await pull_client.pull("file:///e2e/missing.tex")
    except JsonRpcException as exc:
        assert "not open" in str(exc)
    else:
        raise AssertionError("expected an error response")


async def test_reopened_document_with_the_same_version_is_not_unchanged(
    pull_client: Client, uri: str
) -> None:
    # VS Code reopens a file changed on disk with version 1 again
    c = pull_client
    c.open(uri, f"{WRITE18}\n", version=1)
    first = await c.pull(uri)
    assert isinstance(first, Full) and codes(first.items) == ["SEC101"]
    c.close(uri)
    c.open(uri, "clean\n", version=1)
    second = await c.pull(uri, previous=first.result_id)
    assert isinstance(second, Full), second
    assert second.items == [] or second.items == ()
    assert second.result_id != first.result_id


async def test_save_with_text_that_differs_is_not_unchanged(pull_client: Client, uri: str) -> None:
    c = pull_client
    c.open(uri, "clean\n", version=1)
    first = await c.pull(uri)
    assert isinstance(first, Full) and codes(first.items) == []
    c.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri), text=f"{WRITE18}\n"
        )
    )
    second = await c.pull(uri, previous=first.result_id)
    assert isinstance(second, Full), second
    assert codes(second.items) == ["SEC101"]


async def test_switching_to_pull_mode_withdraws_pushed_diagnostics(
    push_client: Client, uri: str
) -> None:
    c = push_client
    c.open(uri, f"{WRITE18}\n", version=1)
    assert codes(await c.wait_version(uri, 1)) == ["SEC101"]
    start = len(c.published)
    c.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"texlean": {"diagnostics": {"mode": "pull", "debounceMs": 0}}}
        )
    )
    p = await c.wait_publish(uri, after=start)
    assert list(p.diagnostics) == []
    c.change(uri, 2, insert(0, 0, "{"))
    await settle(c)
    await quiet()
    assert [q for q in c.published[start:] if q.diagnostics] == []
