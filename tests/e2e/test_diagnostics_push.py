"""Pushed diagnostics: versions, triggers, debounce, close, and an edit storm."""

from __future__ import annotations

import asyncio
import itertools

from lsprotocol import types

from .conftest import Client, codes, initialize, insert, only, quiet, replace, settle

WRITE18 = "\\write18{ls}"
CATCODE = "\\catcode`\\|=0 \n"


def versions(c: Client, uri: str, after: int = 0) -> list[int | None]:
    return [p.version for p in c.published[after:] if p.uri == uri]


async def test_open_publishes_with_the_open_version(push_client: Client, uri: str) -> None:
    push_client.open(uri, f"{WRITE18}\n", version=42)
    p = await push_client.wait_publish(uri)
    assert p.version == 42
    d = only(p, "SEC101")
    assert d.source == "texlean"
    assert "ls" in d.message


async def test_catcode_edit_at_the_top_relexes_the_rest(push_client: Client, uri: str) -> None:
    c = push_client
    body = "Some text.\n" * 5 + "|write18{ls}\n" + "More text.\n" * 5
    c.open(uri, body, version=1)
    assert codes(await c.wait_version(uri, 1)) == []

    c.change(uri, 2, insert(0, 0, CATCODE))
    p = await c.wait_version(uri, 2)
    d = only(p, "SEC101")
    assert d.range.start.line == 6
    assert (d.range.start.character, d.range.end.character) == (0, len("|write18{ls}"))

    c.change(uri, 3, replace(0, 0, 1, 0, ""))
    assert codes(await c.wait_version(uri, 3)) == []


async def test_every_analysed_version_is_published_even_if_unchanged(
    push_client: Client, uri: str
) -> None:
    c = push_client
    c.open(uri, f"{WRITE18}\ntext\n", version=1)
    first = await c.wait_version(uri, 1)
    c.change(uri, 2, insert(1, 0, "more "))
    second = await c.wait_version(uri, 2)
    c.change(uri, 3, insert(1, 0, "and "))
    third = await c.wait_version(uri, 3)
    assert first.diagnostics == second.diagnostics == third.diagnostics
    assert versions(c, uri) == [1, 2, 3]


async def test_versions_only_increase(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, "x\n", version=1)
    for v in range(2, 40):
        c.change(uri, v, insert(0, 0, "\\relax " if v % 2 else WRITE18 + " "))
        if v % 5 == 0:
            await asyncio.sleep(0.005)
    await c.wait_version(uri, 39)
    await quiet(0.2)
    seen = versions(c, uri)
    assert seen[-1] == 39
    assert all(isinstance(v, int) for v in seen)
    assert seen == sorted(set(seen))  # strictly increasing: never a stale or repeated one


async def test_save_trigger_publishes_on_save_only(lsp: Client, uri: str) -> None:
    await initialize(lsp, options={"diagnostics": {"trigger": "save", "debounceMs": 0}})
    lsp.open(uri, "clean\n", version=1)
    assert codes(await lsp.wait_version(uri, 1)) == []

    start = len(lsp.published)
    lsp.change(uri, 2, insert(0, 0, WRITE18))
    lsp.change(uri, 3, insert(0, 0, "{"))
    await settle(lsp)
    await quiet()
    assert lsp.publishes(uri)[-1].version == 1
    assert len(lsp.published) == start

    lsp.save(uri)
    p = await lsp.wait_version(uri, 3, after=start)
    assert codes(p) == ["SEC101", "STR002"]


async def test_debounce_coalesces_quick_edits(lsp: Client, uri: str) -> None:
    await initialize(lsp, options={"diagnostics": {"debounceMs": 300}})
    lsp.open(uri, "text\n", version=1)
    await lsp.wait_version(uri, 1)  # opening analyses at once
    start = len(lsp.published)
    lsp.change(uri, 2, insert(0, 0, "a"))
    await asyncio.sleep(0.05)
    lsp.change(uri, 3, insert(0, 0, "b"))
    await asyncio.sleep(0.05)
    lsp.change(uri, 4, insert(0, 0, WRITE18))
    p = await lsp.wait_publish(uri, after=start)
    assert p.version == 4
    assert codes(p) == ["SEC101"]
    await quiet(0.5)
    assert versions(lsp, uri, after=start) == [4]


async def test_debounce_waits_before_publishing(lsp: Client, uri: str) -> None:
    await initialize(lsp, options={"diagnostics": {"debounceMs": 300}})
    lsp.open(uri, "text\n", version=1)
    await lsp.wait_version(uri, 1)
    start = len(lsp.published)
    lsp.change(uri, 2, insert(0, 0, "a"))
    await settle(lsp)
    await asyncio.sleep(0.1)
    assert versions(lsp, uri, after=start) == []
    await lsp.wait_version(uri, 2, after=start, timeout=2)


async def test_close_clears_diagnostics(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, f"{WRITE18}\n", version=1)
    assert codes(await c.wait_version(uri, 1)) == ["SEC101"]
    start = len(c.published)
    c.close(uri)
    p = await c.wait_publish(uri, after=start)
    assert p.diagnostics == [] or p.diagnostics == ()
    assert c.diagnostics[uri] in ([], ())
    assert (await c.status())["openDocuments"] == 0


async def test_close_cancels_a_pending_analysis(lsp: Client, uri: str) -> None:
    await initialize(lsp, options={"diagnostics": {"debounceMs": 200}})
    lsp.open(uri, "text\n", version=1)
    await lsp.wait_version(uri, 1)
    start = len(lsp.published)
    lsp.change(uri, 2, insert(0, 0, WRITE18))
    lsp.close(uri)
    await lsp.wait_publish(uri, after=start)
    await quiet(0.5)
    assert [(p.version, len(p.diagnostics)) for p in lsp.publishes(uri)[-1:]] == [(None, 0)]
    assert versions(lsp, uri, after=start) == [None]


async def test_two_documents_are_independent(push_client: Client) -> None:
    c = push_client
    a, b = "file:///e2e/a.tex", "file:///e2e/b.tex"
    c.open(a, f"{WRITE18}\n", version=1)
    c.open(b, "{\n", version=5)
    assert codes(await c.wait_version(a, 1)) == ["SEC101"]
    assert codes(await c.wait_version(b, 5)) == ["STR002"]
    c.change(a, 2, replace(0, 0, 0, 1, ""))
    assert codes(await c.wait_version(a, 2)) == []
    c.close(b)
    await c.wait_publish(b, lambda p: p.version is None)
    assert (await c.status())["openDocuments"] == 1


async def test_edit_storm_ends_with_the_final_version(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, "start\n", version=1)
    await c.wait_version(uri, 1)
    start = len(c.published)
    last = 2001
    for v in range(2, last + 1):
        c.change(uri, v, insert(0, 0, "x" if v != last else WRITE18 + " "))
    p = await c.wait_version(uri, last, after=start, timeout=30)
    assert codes(p) == ["SEC101"]
    await quiet(0.3)
    seen = versions(c, uri, after=start)
    assert seen[-1] == last
    assert seen == sorted(set(seen))
    status = await c.status()
    assert status["documents"][0]["version"] == last


def _paragraphs(n: int) -> str:
    return "".join(
        f"Paragraph {i} with $a_{{{i}}} + b^2 = \\sqrt{{c}}$ and \\emph{{words}}.\n\n"
        for i in range(n)
    )


async def test_analysis_out_of_budget_is_continued_to_the_end(lsp: Client, uri: str) -> None:
    await initialize(lsp, options={"diagnostics": {"debounceMs": 0}, "analysis": {"timeoutMs": 10}})
    lsp.open(uri, _paragraphs(3000) + WRITE18 + "\n", version=1)
    first = await lsp.wait_version(uri, 1, timeout=30)
    assert "SEC900" in codes(first)  # 10 ms is not enough for 3,000 paragraphs
    final = await lsp.wait_publish(uri, lambda p: "SEC900" not in codes(p), timeout=60)
    assert final.version == 1
    assert codes(final) == ["SEC101"]
    await quiet(0.3)
    mine = lsp.publishes(uri)
    assert mine[-1] is final
    assert {p.version for p in mine} == {1}
    # a slice that found nothing new is not published again
    assert all(a.diagnostics != b.diagnostics for a, b in itertools.pairwise(mine))
    last = (await lsp.status())["lastAnalysis"]
    assert last["version"] == 1


async def test_a_chunk_no_budget_can_finish_is_not_retried_forever(lsp: Client, uri: str) -> None:
    await initialize(lsp, options={"diagnostics": {"debounceMs": 0}, "analysis": {"timeoutMs": 10}})
    # one paragraph of 1,900 lines is one chunk: 10 ms never suffice for it
    line = "Text $x^{2} + \\frac{a}{b}$ and \\textbf{more} {\\it words} here.\n"
    lsp.open(uri, line * 1900 + "\n" + WRITE18 + "\n", version=1)
    first = await lsp.wait_version(uri, 1, timeout=30)
    assert "SEC900" in codes(first)
    await quiet(0.5)
    assert len(lsp.publishes(uri)) == 1
    # and the server stopped trying: the last analysis stays the same one
    last = (await lsp.status())["lastAnalysis"]
    await asyncio.sleep(0.3)
    assert (await lsp.status())["lastAnalysis"] == last
    assert last["version"] == 1

    # with a larger budget it completes
    start = len(lsp.published)
    lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={
                "texlean": {"diagnostics": {"debounceMs": 0}, "analysis": {"timeoutMs": 20000}}
            }
        )
    )
    p = await lsp.wait_publish(uri, after=start, timeout=30)
    assert codes(p) == ["SEC101"]
