"""Code actions for clients other than the default: no documentChanges, UTF-8 and UTF-16.

Each test starts its own server (test_code_actions.py shares one).
"""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import Client, initialize, only, vscode_capabilities
from .test_code_actions import TEXT, WRITE18, actions, apply_edits, by_title, text_edits


async def test_changes_without_document_changes_support(lsp: Client, uri: str) -> None:
    caps = vscode_capabilities()
    assert caps.workspace is not None
    caps.workspace.workspace_edit = types.WorkspaceEditClientCapabilities(document_changes=False)
    await initialize(lsp, caps)
    lsp.open(uri, TEXT, version=1)
    d = only(await lsp.wait_version(uri, 1), "SEC101")
    found = by_title(await actions(lsp, uri, d.range, [d]))
    action = found["Suppress SEC101 in this file"]
    assert action.edit is not None and action.edit.document_changes is None
    assert apply_edits(TEXT, text_edits(action, uri, None)).startswith(
        "% texlean: disable SEC101\n"
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
async def test_positions_in_the_negotiated_encoding(lsp: Client, uri: str, encoding: str) -> None:
    await initialize(lsp, vscode_capabilities(encodings=[encoding]))
    text = f"😀 é {WRITE18} 𝔽 tail\n"
    lsp.open(uri, text, version=1)
    d = only(await lsp.wait_version(uri, 1), "SEC101")
    prefix = "😀 é "
    units = len(prefix.encode("utf-8")) if encoding == "utf-8" else 5
    assert d.range.start.character == units
    found = by_title(await actions(lsp, uri, d.range, [d]))
    removed = apply_edits(text, text_edits(found[f"Remove {WRITE18}"], uri, 1), encoding)
    assert removed == "😀 é  𝔽 tail\n"
    commented = apply_edits(text, text_edits(found[f"Comment out {WRITE18}"], uri, 1), encoding)
    assert commented == f"😀 é % {WRITE18}\n𝔽 tail\n"
