"""An edit storm: 2,000 didChange sent without waiting, on a ~1.8 MB document (debounce 0).

What must hold: the server ends on the final version (its last publish is for
it; the hazard pass may publish that version again), never publishes an older
version after a newer one, keeps the text right
(same line count as a local mirror of the edits) and still answers requests.
"""

from __future__ import annotations

import itertools
import random
import time

import pytest

from .support import LspClient, apply_change, change, prose_lines

STORM = 2_000
URI = "file:///robustness/storm.tex"


def storm_changes(lines: list[str], count: int, seed: int = 7) -> list[dict]:
    """Typing in the middle (letters, Enter, backspace) with, every 20th edit, a line
    split or a two-line deletion somewhere else.  ``lines`` is updated as a mirror."""
    rng = random.Random(seed)
    candidates = prose_lines(lines)
    row = candidates[len(candidates) // 2]
    col = lines[row].index(" ")
    out = []
    for n in range(count):
        target = rng.choice(candidates)
        elsewhere = target < len(lines) - 2 and len(lines[target]) >= 10 and abs(target - row) > 2
        if n % 20 == 19 and elsewhere:
            if n % 40 == 39:  # join two lines, deleting the tail of one and the head of the next
                c = change(target, 5, 3, "", end_line=target + 1)
                c["range"]["end"]["character"] = min(3, len(lines[target + 1]))
            else:  # split a line
                c = change(target, 5, 5, "\n")
        elif n % 17 == 16 and col > 0:
            c = change(row, col - 1, col, "")
            col -= 1
        elif n % 61 == 60:
            c = change(row, col, col, "\n")
            row, col = row + 1, 0
        else:
            c = change(row, col, col, rng.choice("abcdefghij klmnop"))
            col += 1
        # typing position moves when lines are added or removed above it
        before = len(lines)
        start_line = c["range"]["start"]["line"]
        apply_change(lines, c)
        if start_line < row and len(lines) != before:
            row += len(lines) - before
        out.append(c)
    return out


@pytest.mark.slow
def test_edit_storm_ends_on_the_final_version(server: LspClient, big_document: str, record) -> None:
    lines = big_document.split("\n")
    changes = storm_changes(lines, STORM)
    assert len(changes) == STORM
    server.did_open(URI, big_document, 1)
    server.wait_publish(URI, 1, timeout=30)
    first_seq = server.publish_count

    started = time.perf_counter()
    for version, c in enumerate(changes, start=2):
        last_sent = server.did_change(URI, version, [c])
    sent_all = time.perf_counter() - started
    final = 1 + len(changes)
    pub = server.wait_publish(URI, final, timeout=60)
    lag = pub.received - last_sent

    # let any stragglers arrive: a request round trip, a pause, another round trip
    status = server.status()
    time.sleep(0.5)
    status = server.status()

    storm = [p for p in server.publishes[URI] if p.seq > first_seq]
    versions = [p.version for p in storm]
    assert storm[-1].version == final, f"last publish was v{storm[-1].version}, not v{final}"
    assert all(v is not None for v in versions)
    regressions = [(a, b) for a, b in itertools.pairwise(versions) if b < a]
    assert not regressions, f"older versions published after newer ones: {regressions[:5]}"
    # the formalization hazard pass may publish the final version again (with its hazards);
    # nothing older may follow it
    after_final = [p.version for p in storm if p.seq > pub.seq and p.version != final]
    assert not after_final, f"published after the final version: {after_final[:5]}"

    doc = next(d for d in status["documents"] if d["uri"] == URI)
    assert doc["version"] == final
    assert doc["lines"] == len(lines), "the server's text diverged from the edits"
    record(
        edits=len(changes),
        send_seconds=round(sent_all, 3),
        last_change_to_final_publish_ms=round(lag * 1000, 1),
        publishes_during_storm=len(storm),
        rss_mb=round(status["rssBytes"] / 2**20, 1),
    )


def test_storm_of_full_replacements_on_a_small_document(server: LspClient, record) -> None:
    """500 whole-text replacements back to back: the last one wins."""
    uri = "file:///robustness/full.tex"
    server.did_open(uri, "start\n", 1)
    server.wait_publish(uri, 1, timeout=10)
    for version in range(2, 502):
        server.did_change(
            uri, version, [{"text": f"\\section{{v{version}}}\n{{unclosed {version}\n"}]
        )
    pub = server.wait_publish(uri, 501, timeout=30)
    server.status()
    assert server.latest[uri].seq == pub.seq
    assert pub.count >= 1  # the unclosed brace of the final text is reported
    record(publishes=len(server.publishes[uri]))
