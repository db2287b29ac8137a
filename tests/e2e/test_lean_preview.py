"""texlean/leanPreview: the Lean text a whole document becomes, without writing a file.

The VS Code extension's *texlean: Show Lean Preview* shows this in a side editor.  The
preview must equal what ``texlean.formalizeDocument`` would write into a new ``.lean``
file: the ``formalize.header`` lines, then one declaration per theorem-like environment.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import from_fs_path

from texlean.formalize.extract import extract

from .conftest import TIMEOUT, Client, initialize, plain, settle

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "theorems.tex"
TEXT = EXAMPLE.read_text(encoding="utf-8")
PREVIEW = "texlean/leanPreview"


async def preview(client: Client, uri: str) -> dict[str, Any]:
    return plain(
        await asyncio.wait_for(
            client.protocol.send_request_async(PREVIEW, {"textDocument": {"uri": uri}}), TIMEOUT
        )
    )


def folder_uri(tmp_path: Path) -> str:
    uri = from_fs_path(str(tmp_path))
    assert uri is not None
    return uri


async def start(lsp: Client, tmp_path: Path, options: Any = None) -> None:
    caps = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            apply_edit=False,  # formalizeDocument then answers with the edit
            configuration=False,
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=False),
        )
    )
    await asyncio.wait_for(
        lsp.initialize_session(
            types.InitializeParams(
                capabilities=caps,
                root_uri=folder_uri(tmp_path),
                workspace_folders=[types.WorkspaceFolder(uri=folder_uri(tmp_path), name="ws")],
                initialization_options=options or {"diagnostics": {"debounceMs": 0}},
            )
        ),
        TIMEOUT,
    )


async def test_preview_of_the_theorems_example(lsp: Client, tmp_path: Path) -> None:
    await start(lsp, tmp_path)
    tex = tmp_path / "theorems.tex"
    tex.write_text(TEXT, encoding="utf-8")
    uri = from_fs_path(str(tex))
    assert uri is not None
    lsp.open(uri, TEXT)
    await lsp.wait_version(uri, 1)
    result = await preview(lsp, uri)
    statements = extract(TEXT).statements
    assert statements, "the example has theorem-like environments"
    assert result["uri"] == uri and result["version"] == 1
    assert result["declarations"] == len(statements)
    assert result["target"] == from_fs_path(str(tmp_path / "theorems.lean"))
    lean = result["lean"]
    assert lean.startswith("import Mathlib\n\n")
    assert lean.endswith("\n")
    assert lean.count("sorry") >= len(statements)
    assert "theorem " in lean
    # a preview writes nothing
    assert not (tmp_path / "theorems.lean").exists()

    # the same text the command writes into a new file
    result_cmd = plain(
        await asyncio.wait_for(
            lsp.workspace_execute_command_async(
                types.ExecuteCommandParams(command="texlean.formalizeDocument", arguments=[uri])
            ),
            TIMEOUT,
        )
    )
    assert result_cmd["declarations"] == len(statements)
    assert result_cmd["applied"] is False and result_cmd["uri"] == result["target"]
    texts = [e["newText"] for edits in result_cmd["edit"]["changes"].values() for e in edits]
    assert texts == [lean]


async def test_preview_follows_edits_and_settings(lsp: Client, tmp_path: Path) -> None:
    await start(lsp, tmp_path, {"formalize": {"header": ["import Mathlib", "open Real"]}})
    uri = from_fs_path(str(tmp_path / "paper.tex"))
    assert uri is not None
    lsp.open(uri, "\\documentclass{article}\n\\begin{document}\nNo statements.\n\\end{document}\n")
    await lsp.wait_version(uri, 1)
    empty = await preview(lsp, uri)
    assert empty["declarations"] == 0
    assert empty["lean"] == "import Mathlib\nopen Real\n"

    body = "\\begin{theorem}\\label{thm:two}\n$1 + 1 = 2$.\n\\end{theorem}\n"
    lsp.change(
        uri,
        2,
        types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=2, character=0), end=types.Position(line=2, character=0)
            ),
            text=body,
        ),
    )
    await settle(lsp)
    after = await preview(lsp, uri)
    assert after["version"] == 2
    assert after["declarations"] == 1
    assert after["lean"].startswith("import Mathlib\nopen Real\n\n")
    assert "theorem " in after["lean"] and "1 + 1 = 2" in after["lean"]


async def test_untitled_documents_have_no_target(lsp: Client, tmp_path: Path) -> None:
    await start(lsp, tmp_path)
    uri = "untitled:Untitled-1"
    lsp.open(uri, "\\begin{lemma}\n$2 + 2 = 4$\n\\end{lemma}\n")
    await lsp.wait_version(uri, 1)
    result = await preview(lsp, uri)
    assert result["declarations"] == 1
    assert result["target"] is None
    assert "theorem " in result["lean"] or "lemma " in result["lean"]


@pytest.mark.parametrize(
    "params",
    [
        None,
        {},
        {"textDocument": {}},
        {"textDocument": {"uri": 5}},
        {"textDocument": {"uri": "file:///not/open.tex"}},
        [1, 2],
    ],
)
async def test_bad_params_are_invalid_params(lsp: Client, params: Any) -> None:
    await initialize(lsp)
    with pytest.raises(JsonRpcInvalidParams):
        await lsp.raw_request(PREVIEW, params=params)
    assert (await lsp.status())["openDocuments"] == 0  # and the server still answers


async def test_uri_shorthand(lsp: Client) -> None:
    await initialize(lsp)
    uri = "file:///work/e2e/short.tex"
    lsp.open(uri, "\\begin{theorem}\n$0 < 1$\n\\end{theorem}\n")
    await lsp.wait_version(uri, 1)
    result = plain(await lsp.raw_request(PREVIEW, params={"uri": uri}))
    assert result["declarations"] == 1
