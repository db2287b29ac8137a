"""texlean/status: the server's own account of its documents, caches and last analysis."""

from __future__ import annotations

from .conftest import Client, codes, insert, replace

WRITE18 = "\\write18{ls}"


def large_document(paragraphs: int = 2000) -> str:
    parts = ["\\documentclass{article}\n\\begin{document}\n\n"]
    for i in range(paragraphs):
        if i % 10 == 3:
            parts.append(
                f"\\begin{{equation}}\n  \\int_0^{{{i}}} x^2\\,dx = \\frac{{{i}^3}}{{3}}\n"
                "\\end{equation}\n\n"
            )
        else:
            parts.append(
                f"Paragraph {i} has inline math $a_{{{i}}} + b^{{2}} = \\sqrt{{c}}$ and "
                f"some \\emph{{emphasis}}, then $\\alpha_{i} \\leq \\beta$.\n"
                "It runs over a second line with \\textbf{bold} words.\n\n"
            )
    parts.append("\\end{document}\n")
    return "".join(parts)


async def test_status_fields(push_client: Client, uri: str) -> None:
    c = push_client
    status = await c.status()
    assert isinstance(status["serverVersion"], str) and status["serverVersion"]
    assert status["openDocuments"] == 0
    assert status["positionEncoding"] == "utf-16"
    assert isinstance(status["rssBytes"], int) and status["rssBytes"] > 1_000_000
    assert set(status["cache"]) >= {"entries", "hits", "misses"}
    assert set(status["lastAnalysis"]) >= {"chunks", "reused", "reanalysed", "milliseconds"}
    assert status["settings"]["diagnostics"]["debounceMs"] == 0

    c.open(uri, f"{WRITE18}\n\nsecond paragraph\n", version=3)
    await c.wait_version(uri, 3)
    c.open("file:///e2e/b.tex", "b\n", version=1)
    await c.wait_version("file:///e2e/b.tex", 1)
    status = await c.status()
    assert status["openDocuments"] == 2
    assert {d["uri"]: d["version"] for d in status["documents"]} == {
        uri: 3,
        "file:///e2e/b.tex": 1,
    }
    last = status["lastAnalysis"]
    assert last["uri"] == "file:///e2e/b.tex" and last["version"] == 1
    assert last["chunks"] == last["reused"] + last["reanalysed"] >= 1
    assert isinstance(last["milliseconds"], int | float) and last["milliseconds"] >= 0
    assert status["cache"]["misses"] >= 2

    c.close("file:///e2e/b.tex")
    await c.wait_publish("file:///e2e/b.tex", lambda p: p.version is None)
    assert (await c.status())["openDocuments"] == 1


async def test_identical_chunks_hit_the_cache(push_client: Client) -> None:
    c = push_client
    text = "Same paragraph with $x^2$.\n\n" * 5
    c.open("file:///e2e/one.tex", text, version=1)
    await c.wait_version("file:///e2e/one.tex", 1)
    before = (await c.status())["cache"]
    c.open("file:///e2e/two.tex", text, version=1)
    await c.wait_version("file:///e2e/two.tex", 1)
    after = (await c.status())["cache"]
    assert after["hits"] > before["hits"]
    assert after["misses"] == before["misses"]


async def test_one_character_edit_in_a_large_document_reanalyses_little(
    push_client: Client, uri: str
) -> None:
    c = push_client
    text = large_document()
    n_lines = text.count("\n")
    c.open(uri, text, version=1)
    first = await c.wait_version(uri, 1, timeout=30)
    assert codes(first) == []
    status = await c.status()
    chunks = status["lastAnalysis"]["chunks"]
    assert chunks >= 1000, status["lastAnalysis"]
    assert status["documents"][0]["lines"] == n_lines + 1

    # one character in the middle of the document, inside a paragraph
    lines = text.split("\n")
    line = next(i for i in range(n_lines // 2, n_lines) if lines[i].startswith("Paragraph"))
    c.change(uri, 2, insert(line, 0, "X"))
    await c.wait_version(uri, 2, timeout=30)
    last = (await c.status())["lastAnalysis"]
    assert last["version"] == 2
    assert last["chunks"] == chunks
    assert last["reanalysed"] <= 2, last
    assert last["reused"] >= chunks - 2, last

    # a finding introduced near the end is found, and only its chunk is redone
    c.change(uri, 3, insert(n_lines - 3, 0, WRITE18 + " "))
    p = await c.wait_version(uri, 3, timeout=30)
    assert codes(p) == ["SEC101"]
    assert only_line(p) == n_lines - 3
    last = (await c.status())["lastAnalysis"]
    assert last["reanalysed"] <= 2, last

    # and undoing the edit brings back the earlier chunk from the cache
    c.change(uri, 4, replace(n_lines - 3, 0, n_lines - 3, len(WRITE18) + 1, ""))
    p = await c.wait_version(uri, 4, timeout=30)
    assert codes(p) == []
    last = (await c.status())["lastAnalysis"]
    assert last["reanalysed"] <= 2, last
    assert last["cacheHits"] >= 1, last


def only_line(p: object) -> int:
    diagnostics = p.diagnostics  # type: ignore[attr-defined]
    assert len(diagnostics) == 1
    return int(diagnostics[0].range.start.line)
