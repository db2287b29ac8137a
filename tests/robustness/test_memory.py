"""Server memory over long sessions, read from ``texlean/status`` (rssBytes).

1. 10,000 single-character edits on the ~1.8 MB document (each waited for):
   RSS after 10,000 edits within 10% of RSS after the first 1,000.  The first
   1,000 edits are the warm-up (allocator arenas, caches, the first results);
   from there on a keystroke must not cost memory that is never given back.

2. Opening and closing small documents.  A warm-up round opens and closes
   500 distinct documents (this fills the chunk cache, which is content
   addressed and bounded, and grows the allocator's arenas).  Then two rounds
   open and close 500 documents each under new URIs with the warm-up's
   contents: the cache already holds their chunks, so anything RSS gains is
   per-document state that closing failed to release.  Tolerance: 1.5 MB for
   the 1,000 documents, i.e. 1.5 KB per document — above the allocator's
   granularity (CPython's arenas are 1 MB; between rounds RSS varies by about
   0.1–1 MB), below what one leaked object graph per notification costs.
"""

from __future__ import annotations

import random
import string
import time

import pytest

from .support import LspClient, prose_lines

EDITS = 10_000
WARMUP_EDITS = 1_000
EDIT_TOLERANCE = 0.10
OPEN_CLOSE_TOLERANCE = int(1.5 * 2**20)
DOCS_PER_ROUND = 500
MB = 2**20


def small_document(n: int) -> str:
    return (
        "\\documentclass{article}\n\\usepackage{amsmath,amsthm}\n"
        "\\newtheorem{theorem}{Theorem}\n\\begin{document}\n"
        f"\\section{{Document {n}}}\\label{{sec-{n}}}\n\n"
        f"Let $x_{{{n}}} \\in \\mathbf{{R}}$ with $x_{{{n}}}^2 = {n}$; see Section~\\ref{{sec-{n}}}.\n"
        f"% comment number {n}\n\n"
        f"\\begin{{theorem}}\\label{{thm-{n}}}\nFor every prime $p > {n}$ the module $M$ is flat.\n"
        "\\end{theorem}\n\n\\begin{proof}\n"
        + f"Consider $0 \\to M_{{{n}}} \\to N \\to Q \\to 0$. " * 6
        + "\n\\end{proof}\n\n"
        + "".join(f"\\subsection{{Part {k} of {n}}}\nText {k} about {n}.\n\n" for k in range(4))
        + "\\end{document}\n"
    )


@pytest.mark.slow
def test_rss_flat_over_10000_single_character_edits(
    server: LspClient, big_document: str, record
) -> None:
    uri = "file:///robustness/memory.tex"
    lines = big_document.split("\n")
    candidates = prose_lines(lines)
    rng = random.Random(99)
    server.did_open(uri, big_document, 1)
    server.wait_publish(uri, 1, timeout=30)
    rss_open = server.status()["rssBytes"]
    curve: dict[int, int] = {}
    started = time.perf_counter()
    for n in range(1, EDITS + 1):
        row = rng.choice(candidates)
        line = lines[row]
        if n % 2 or len(line) < 10:  # type a letter at a random place of a prose line
            col = rng.randrange(1, len(line))
            ch = rng.choice(string.ascii_lowercase)
            lines[row] = line[:col] + ch + line[col:]
            c = {"range": _range(row, col, col), "text": ch}
        else:  # backspace over one
            col = rng.randrange(1, len(line) - 1)
            lines[row] = line[:col] + line[col + 1 :]
            c = {"range": _range(row, col, col + 1), "text": ""}
        server.did_change(uri, n + 1, [c])
        server.wait_publish(uri, n + 1, timeout=30)
        if n % 1000 == 0:
            server.forget(uri)
            curve[n] = server.status()["rssBytes"]
    seconds = time.perf_counter() - started
    status = server.status()
    doc = next(d for d in status["documents"] if d["uri"] == uri)
    assert doc["version"] == EDITS + 1 and doc["lines"] == len(lines)

    base, last = curve[WARMUP_EDITS], curve[EDITS]
    record(
        rss_after_open_mb=round(rss_open / MB, 1),
        rss_curve_mb={k: round(v / MB, 1) for k, v in curve.items()},
        ratio_10000_over_1000=round(last / base, 3),
        growth_per_edit_bytes=round((last - base) / (EDITS - WARMUP_EDITS)),
        chunk_cache=status["cache"],
        seconds=round(seconds, 1),
    )
    assert last <= base * (1 + EDIT_TOLERANCE), (
        f"RSS grew from {base / MB:.1f} MB after {WARMUP_EDITS} edits to {last / MB:.1f} MB "
        f"after {EDITS} ({(last - base) / (EDITS - WARMUP_EDITS):.0f} bytes per edit)"
    )


def _range(line: int, start: int, end: int) -> dict:
    return {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}}


def _open_close_round(server: LspClient, first_uri: int, contents: list[str]) -> None:
    for k, text in enumerate(contents):
        uri = f"file:///robustness/small-{first_uri + k}.tex"
        server.did_open(uri, text, 1)
        server.wait_publish(uri, 1, timeout=10)
        server.did_close(uri)
        server.wait_publish(uri, None, timeout=10)
        server.forget(uri)


@pytest.mark.slow
def test_open_close_500_documents_releases_them(server: LspClient, record) -> None:
    contents = [small_document(n) for n in range(DOCS_PER_ROUND)]
    rss0 = server.status()["rssBytes"]
    _open_close_round(server, 0, contents)  # warm-up: distinct documents
    warm = server.status()
    _open_close_round(server, DOCS_PER_ROUND, contents)
    mid = server.status()["rssBytes"]
    _open_close_round(server, 2 * DOCS_PER_ROUND, contents)
    end = server.status()
    growth = end["rssBytes"] - warm["rssBytes"]
    record(
        rss_start_mb=round(rss0 / MB, 1),
        rss_after_warmup_mb=round(warm["rssBytes"] / MB, 1),
        rss_after_round2_mb=round(mid / MB, 1),
        rss_after_round3_mb=round(end["rssBytes"] / MB, 1),
        growth_after_warmup_bytes=growth,
        growth_per_document_bytes=round(growth / (2 * DOCS_PER_ROUND)),
        chunk_cache_entries=end["cache"]["entries"],
    )
    assert end["openDocuments"] == 0
    assert end["cache"]["documentResults"] == 0, "closed documents keep cached results"
    assert growth <= OPEN_CLOSE_TOLERANCE, (
        f"opening and closing {2 * DOCS_PER_ROUND} documents after a warm-up grew RSS by "
        f"{growth / MB:.2f} MB ({growth / (2 * DOCS_PER_ROUND):.0f} bytes per document)"
    )
