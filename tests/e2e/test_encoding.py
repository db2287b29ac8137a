"""Position encodings: UTF-16 by default, UTF-8 when the client offers it."""

from __future__ import annotations

import pytest_lsp
from lsprotocol import types

from .conftest import Client, codes, initialize, insert, only, replace, vscode_capabilities

WRITE18 = "\\write18{ls}"
ASTRAL = "𝔽"  # U+1D53D: 2 UTF-16 code units, 4 UTF-8 bytes


def start_end(d: types.Diagnostic) -> tuple[int, int, int, int]:
    r = d.range
    return r.start.line, r.start.character, r.end.line, r.end.character


async def test_utf16_is_the_default(lsp: Client, uri: str) -> None:
    result = await initialize(lsp, vscode_capabilities())
    assert result.capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)
    assert (await lsp.status())["positionEncoding"] == "utf-16"


async def test_astral_insert_moves_range_by_two_utf16_units(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, f"ab {WRITE18} cd\n", version=1)
    before = start_end(only(await c.wait_version(uri, 1), "SEC101"))
    assert before == (0, 3, 0, 3 + len(WRITE18))

    c.change(uri, 2, insert(0, 1, ASTRAL))
    after = start_end(only(await c.wait_version(uri, 2), "SEC101"))
    assert after == (0, 5, 0, 5 + len(WRITE18))

    # positions the client sends are read in UTF-16 too: character 3 is just
    # after the astral character (a + 2 units), so this lands between 𝔽 and b
    c.change(uri, 3, insert(0, 3, "é"))
    after = start_end(only(await c.wait_version(uri, 3), "SEC101"))
    assert after == (0, 6, 0, 6 + len(WRITE18))

    # delete the astral character again: its range is 2 units wide
    c.change(uri, 4, replace(0, 1, 0, 3, ""))
    after = start_end(only(await c.wait_version(uri, 4), "SEC101"))
    assert after == (0, 4, 0, 4 + len(WRITE18))


async def test_utf8_is_negotiated_when_offered(lsp: Client, uri: str) -> None:
    result = await initialize(lsp, vscode_capabilities(encodings=["utf-8", "utf-16"]))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    assert (await lsp.status())["positionEncoding"] == "utf-8"

    lsp.open(uri, f"ab {WRITE18} cd\n", version=1)
    assert start_end(only(await lsp.wait_version(uri, 1), "SEC101"))[1] == 3

    lsp.change(uri, 2, insert(0, 1, ASTRAL))
    assert start_end(only(await lsp.wait_version(uri, 2), "SEC101")) == (
        0,
        7,
        0,
        7 + len(WRITE18),
    )
    lsp.change(uri, 3, insert(0, 5, "é"))  # byte 5 = after a𝔽
    assert start_end(only(await lsp.wait_version(uri, 3), "SEC101"))[1] == 9


async def test_utf8_positions_from_the_client_are_read_as_bytes(lsp: Client, uri: str) -> None:
    await initialize(lsp, vscode_capabilities(encodings=["utf-8", "utf-16"]))
    # no backslash yet: no finding
    lsp.open(uri, f"{ASTRAL}{ASTRAL}write18{{ls}}\n", version=1)
    assert codes(await lsp.wait_version(uri, 1)) == []
    # byte 8 is just after the two astral characters; read as UTF-16 it would be
    # inside "write18" and no command would appear
    lsp.change(uri, 2, insert(0, 8, "\\"))
    d = only(await lsp.wait_version(uri, 2), "SEC101")
    assert start_end(d) == (0, 8, 0, 8 + len(WRITE18))


async def test_neovim_gets_utf8(lsp: Client, uri: str) -> None:
    result = await initialize(lsp, pytest_lsp.client_capabilities("neovim"))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    lsp.open(uri, f"{ASTRAL} {WRITE18}\n", version=0, language_id="tex")
    assert start_end(only(await lsp.wait_version(uri, 0), "SEC101"))[1] == 5


async def test_utf16_only_client_never_gets_utf8(lsp: Client, uri: str) -> None:
    result = await initialize(lsp, vscode_capabilities(encodings=["utf-16"]))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
    lsp.open(uri, f"{ASTRAL} {WRITE18}\n", version=1)
    assert start_end(only(await lsp.wait_version(uri, 1), "SEC101"))[1] == 3
