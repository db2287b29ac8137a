"""Malformed input: every bad request gets an error response, and the server keeps serving.

The requests are written to the server as raw JSON (``Client.raw_request``),
so nothing on the client side validates or converts them first; a request the
server never answers fails the test after a timeout instead of hanging it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable
from typing import Any

import pytest
import pytest_asyncio
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcParseError,
)

from .conftest import TIMEOUT, Client, codes, insert, plain

WRITE18 = "\\write18{ls}"
TEXT = f"x {WRITE18}\nsecond line\n"


async def expect_error(request: Awaitable[Any]) -> JsonRpcException:
    try:
        result = await request
    except JsonRpcException as exc:
        return exc
    raise AssertionError(f"expected an error response, got the result {result!r}")


async def still_serving(c: Client, uri: str) -> None:
    status = await c.status()
    assert status["openDocuments"] >= 1
    report = await c.raw_request("texlean/status")  # no params at all is fine for status
    assert plain(report)["serverVersion"] == status["serverVersion"]
    start = len(c.published)
    version = max(p.version or 0 for p in c.publishes(uri)) + 1
    c.change(uri, version, insert(0, 0, "%"))
    await c.wait_version(uri, version, after=start)


# one server for the module: every test opens its own document and must leave
# the server serving (which each checks with still_serving)
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def uri(request: pytest.FixtureRequest) -> str:
    return f"file:///e2e/malformed/{request.node.name}.tex"


@pytest_asyncio.fixture(loop_scope="module")
async def opened(shared_push_client: Client, uri: str) -> Client:
    shared_push_client.open(uri, TEXT, version=1)
    assert codes(await shared_push_client.wait_version(uri, 1)) == ["SEC101"]
    return shared_push_client


def td(uri: Any) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}}


def range_(sl: int, sc: int, el: int, ec: int) -> dict[str, Any]:
    return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


# -- textDocument/diagnostic ---------------------------------------------------------


BAD_PULLS: list[tuple[str, dict[str, Any], str]] = [
    ("unknown-uri", {"params": td("file:///e2e/unknown.tex")}, "not open"),
    ("missing-textDocument", {"params": {"identifier": "texlean"}}, "textDocument"),
    ("missing-params", {}, "params"),
    ("null-params", {"params": None}, "params"),
    ("array-params", {"params": []}, "params"),
    ("uri-number", {"params": td(5)}, "params.textDocument.uri"),
    ("uri-null", {"params": td(None)}, "params.textDocument.uri"),
    ("uri-missing", {"params": {"textDocument": {}}}, "params.textDocument.uri"),
    ("textDocument-string", {"params": {"textDocument": "file:///x.tex"}}, "params.textDocument"),
]


async def test_bad_pull_requests_get_invalid_params(opened: Client, uri: str) -> None:
    for case, fields, expected in BAD_PULLS:
        exc = await expect_error(opened.raw_request("textDocument/diagnostic", **fields))
        assert isinstance(exc, JsonRpcInvalidParams), (case, exc)
        assert expected in str(exc), (case, str(exc))
        await still_serving(opened, uri)


async def test_ill_typed_uri_is_not_taken_for_a_document_name(opened: Client, uri: str) -> None:
    # cattrs would turn 5 into "5"; the error must name the real problem
    exc = await expect_error(opened.raw_request("textDocument/diagnostic", params=td(5)))
    assert "string" in str(exc)
    assert "document 5" not in str(exc)


# -- texlean/inspect -----------------------------------------------------------------


async def test_inspect_answers_with_tokens(opened: Client, uri: str) -> None:
    result = plain(
        await opened.raw_request("texlean/inspect", params={**td(uri), "range": range_(0, 0, 0, 4)})
    )
    assert result["uri"] == uri and result["version"] == 1
    assert result["chunks"] and result["chunks"][0]["startLine"] == 0
    kinds = [(t["kind"], t["value"]) for t in result["tokens"]]
    assert kinds[:2] == [("text", "x "), ("control-word", "write")], kinds
    first = result["tokens"][0]
    assert first["range"]["start"] == {"line": 0, "character": 0}

    whole = plain(await opened.raw_request("texlean/inspect", params=td(uri)))
    assert len(whole["tokens"]) >= len(result["tokens"])


BAD_INSPECTS: list[tuple[str, dict[str, Any], str]] = [
    ("line-past-end", {"range": range_(0, 0, 9, 0)}, "outside the document"),
    ("character-past-end", {"range": range_(1, 0, 1, 99)}, "outside the document"),
    ("negative-line", {"range": range_(-1, 0, 0, 1)}, "range.start"),
    ("negative-character", {"range": range_(0, -3, 0, 1)}, "range.start"),
    ("range-without-end", {"range": {"start": {"line": 0, "character": 0}}}, "range.end"),
    ("range-string", {"range": "0:0-1:0"}, "range"),
    ("uri-number", {"range": range_(0, 0, 0, 1), "textDocument": {"uri": 7}}, "textDocument.uri"),
    ("textDocument-null", {"textDocument": None}, "textDocument.uri"),
]


async def test_bad_inspect_requests_get_invalid_params(opened: Client, uri: str) -> None:
    for case, params, expected in BAD_INSPECTS:
        exc = await expect_error(
            opened.raw_request("texlean/inspect", params={**td(uri), **params})
        )
        assert isinstance(exc, JsonRpcInvalidParams), (case, exc)
        assert expected in str(exc), (case, str(exc))
        await still_serving(opened, uri)


async def test_inspect_without_usable_params(opened: Client, uri: str) -> None:
    for fields in ({}, {"params": None}, {"params": [1]}, {"params": "x"}):
        exc = await expect_error(opened.raw_request("texlean/inspect", **fields))
        assert isinstance(exc, JsonRpcInvalidParams), (fields, exc)
        await still_serving(opened, uri)


async def test_inspect_unknown_document(opened: Client, uri: str) -> None:
    exc = await expect_error(opened.raw_request("texlean/inspect", params=td("file:///nope.tex")))
    assert isinstance(exc, JsonRpcInvalidParams)
    assert "not open" in str(exc)


# -- other requests --------------------------------------------------------------------


async def test_negative_position_in_a_typed_request(opened: Client, uri: str) -> None:
    # textDocument/hover is not implemented; its params are still checked first
    exc = await expect_error(
        opened.raw_request(
            "textDocument/hover", params={**td(uri), "position": {"line": -1, "character": 0}}
        )
    )
    assert isinstance(exc, JsonRpcInvalidParams | JsonRpcMethodNotFound), exc
    await still_serving(opened, uri)


async def test_unknown_method(opened: Client, uri: str) -> None:
    exc = await expect_error(opened.raw_request("texlean/nonsense", params={}))
    assert isinstance(exc, JsonRpcMethodNotFound)
    await still_serving(opened, uri)


async def test_many_bad_requests_at_once_all_get_answers(opened: Client, uri: str) -> None:
    requests = [opened.raw_request("textDocument/diagnostic", params=td(i)) for i in range(50)] + [
        opened.raw_request("texlean/inspect", params={**td(uri), "range": range_(i, 0, i, 0)})
        for i in range(5, 55)
    ]
    results = await asyncio.gather(*requests, return_exceptions=True)
    assert all(isinstance(r, JsonRpcInvalidParams) for r in results), results
    await still_serving(opened, uri)


# -- broken messages -------------------------------------------------------------------


async def _error_for_null_id(c: Client, body: bytes) -> JsonRpcException:
    return await _error_for_id(c, body, None)


async def _error_for_id(c: Client, body: bytes, msg_id: int | None) -> JsonRpcException:
    """The error response with ``msg_id`` (JSON-RPC uses null when no id could be read)."""
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    c.protocol._request_futures[msg_id] = future  # type: ignore[index]
    c.write_raw(body)
    return await expect_error(asyncio.wait_for(asyncio.wrap_future(future), TIMEOUT))


async def test_invalid_json_gets_a_parse_error(opened: Client, uri: str) -> None:
    exc = await _error_for_null_id(opened, b'{"jsonrpc": "2.0", "id": 1, "method": ')
    assert isinstance(exc, JsonRpcParseError), exc
    await still_serving(opened, uri)


async def test_not_utf8_gets_a_parse_error(opened: Client, uri: str) -> None:
    exc = await _error_for_null_id(opened, b'{"jsonrpc": "2.0", "method": "\xff\xfe"}')
    assert isinstance(exc, JsonRpcParseError), exc
    await still_serving(opened, uri)


async def test_json_that_is_not_a_message_gets_invalid_request(opened: Client, uri: str) -> None:
    for body in (b"[1, 2]", b"17", b'"text"', b"{}"):
        exc = await _error_for_null_id(opened, body)
        assert isinstance(exc, JsonRpcInvalidRequest), (body, exc)
        await still_serving(opened, uri)
    # without "jsonrpc" but with an id: the answer goes to that id
    exc = await _error_for_id(opened, b'{"id": 3, "method": "texlean/status"}', 3)
    assert isinstance(exc, JsonRpcInvalidRequest), exc
    await still_serving(opened, uri)


async def test_bad_notifications_are_dropped_and_logged(opened: Client, uri: str) -> None:
    c = opened
    before = await c.status()
    logged = len(c.log_messages)
    c.raw_notify(
        "textDocument/didChange",
        params={"textDocument": {"uri": uri, "version": 2}},  # no contentChanges
    )
    c.raw_notify(
        "textDocument/didChange",
        params={
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": range_(-1, 0, 0, 0), "text": "{"}],
        },
    )
    c.raw_notify("textDocument/didOpen", params={"textDocument": {"uri": 3}})
    c.raw_notify("textDocument/didClose")
    status = await c.status()
    assert status["openDocuments"] == before["openDocuments"]
    versions = {d["uri"]: d["version"] for d in status["documents"]}
    assert versions[uri] == 1  # none of the changes applied
    # each was reported to the client's log
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while sum("textDocument/did" in m.message for m in c.log_messages[logged:]) < 4:
        assert asyncio.get_running_loop().time() < deadline, c.log_messages
        await asyncio.sleep(0.02)
    await still_serving(c, uri)
    assert codes(c.publishes(uri)[-1]) == []  # the "%" commented the line out
