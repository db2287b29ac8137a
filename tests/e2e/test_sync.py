"""Text synchronisation: open/change/close as real clients send them."""

from __future__ import annotations

import pytest_lsp

from .conftest import Client, codes, initialize, insert, only, replace, whole

WRITE18 = "\\write18{ls}"


async def test_every_language_id_is_analysed_and_published_with_its_version(
    push_client: Client,
) -> None:
    # VS Code and Emacs send latex, Neovim tex or plaintex (from version 0); any other
    # id a client may use for a .tex buffer is read as LaTeX too
    for language_id, version in [("latex", 1), ("tex", 0), ("plaintex", 0), ("context", 7)]:
        uri = f"file:///e2e/lang-{language_id}.tex"
        push_client.open(uri, f"x {WRITE18}\n{{\n", version=version, language_id=language_id)
        p = await push_client.wait_publish(uri)
        assert p.version == version, language_id
        assert codes(p) == ["SEC101", "STR002"], language_id


async def test_neovim_starts_at_version_zero(lsp: Client, uri: str) -> None:
    await initialize(lsp, pytest_lsp.client_capabilities("neovim"))
    lsp.open(uri, f"{WRITE18}\n", version=0, language_id="tex")
    p = await lsp.wait_publish(uri)
    assert p.version == 0
    assert codes(p) == ["SEC101"]
    lsp.change(uri, 1, insert(0, 0, "%\n"))
    p = await lsp.wait_version(uri, 1)
    assert only(p, "SEC101").range.start.line == 1


async def test_incremental_edits_move_and_remove_findings(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, f"first line\nsecond {WRITE18} line\n", version=1)
    p = await c.wait_version(uri, 1)
    d = only(p, "SEC101")
    assert (d.range.start.line, d.range.start.character) == (1, 7)
    assert (d.range.end.line, d.range.end.character) == (1, 7 + len(WRITE18))

    # a line break inserted before it: one line down, column from the line start
    c.change(uri, 2, insert(1, 3, "\n"))
    d = only(await c.wait_version(uri, 2), "SEC101")
    assert (d.range.start.line, d.range.start.character) == (2, 4)

    # two changes in one notification apply in order
    c.change(uri, 3, replace(0, 0, 0, 5, "1st"), insert(0, 0, "%% "))
    d = only(await c.wait_version(uri, 3), "SEC101")
    assert (d.range.start.line, d.range.start.character) == (2, 4)

    # deleting the backslash removes the finding
    c.change(uri, 4, replace(2, 4, 2, 5, ""))
    p = await c.wait_version(uri, 4)
    assert codes(p) == []

    # a whole-document change replaces everything
    c.change(uri, 5, whole(f"{{\n{WRITE18}"))
    p = await c.wait_version(uri, 5)
    assert codes(p) == ["SEC101", "STR002"]
    assert only(p, "SEC101").range.start.line == 1


async def test_crlf_documents_get_the_right_lines(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, f"a\r\nb\r\n\r\n{WRITE18}\r\nend\r\n", version=1)
    d = only(await c.wait_version(uri, 1), "SEC101")
    assert (d.range.start.line, d.range.start.character) == (3, 0)
    assert (d.range.end.line, d.range.end.character) == (3, len(WRITE18))

    c.change(uri, 2, insert(1, 1, "\r\nmore\r\n"))
    d = only(await c.wait_version(uri, 2), "SEC101")
    assert (d.range.start.line, d.range.end.character) == (5, len(WRITE18))

    # an edit that ends at the end of a line (before its CRLF) leaves the line break
    c.change(uri, 3, replace(0, 0, 0, 1, "x"))
    d = only(await c.wait_version(uri, 3), "SEC101")
    assert d.range.start.line == 5


async def test_lone_cr_and_mixed_line_ends(push_client: Client, uri: str) -> None:
    push_client.open(uri, f"a\rb\n\r\nc\r{WRITE18}\n", version=1)
    d = only(await push_client.wait_version(uri, 1), "SEC101")
    assert (d.range.start.line, d.range.start.character) == (4, 0)


async def test_change_to_a_document_that_is_not_open_is_ignored(
    push_client: Client, uri: str
) -> None:
    c = push_client
    c.change("file:///never/opened.tex", 2, insert(0, 0, "x"))
    c.open(uri, WRITE18, version=1)
    p = await c.wait_version(uri, 1)
    assert codes(p) == ["SEC101"]
    assert not c.publishes("file:///never/opened.tex")
    status = await c.status()
    assert status["openDocuments"] == 1
    assert any("not open" in m.message for m in c.log_messages)


async def test_reopening_a_document_starts_from_the_new_text(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, WRITE18, version=1)
    await c.wait_version(uri, 1)
    c.close(uri)
    await c.wait_publish(uri, lambda p: p.version is None and not p.diagnostics)
    start = len(c.published)
    # VS Code reopens with version 1 again, and different text
    c.open(uri, "clean\n", version=1)
    p = await c.wait_version(uri, 1, after=start)
    assert codes(p) == []
