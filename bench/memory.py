"""Server memory (RSS from ``texlean/status``) under long editing sessions.

1. Open the big document; then 10,000 single-character edits (letters typed
   into and deleted from prose lines at seeded random places, each waited for):
   RSS after the open, after 1,000 edits, every 1,000 after that.  The
   target: RSS after 10,000 edits within 10% of RSS after 1,000.
2. A fresh server opens and closes small distinct documents, 500 per round,
   three rounds: RSS before and after each round.  The first round fills
   caches; later rounds should not grow.

Run alone: ``.venv/bin/python bench/memory.py [--corpus FILE] [--edits N]``.
"""

from __future__ import annotations

import argparse
import random
import string
import time
from typing import Any

from common import INIT_OPTIONS, corpus_arg, mb, read_corpus, table, write_results
from lsp_client import LspClient

BIG_URI = "file:///bench/memory/algebra.tex"
SEED = 20240601


def prose_lines(lines: list[str]) -> list[int]:
    """Lines where inserting or deleting a letter cannot change any lexer or structure state."""
    return [
        i
        for i, line in enumerate(lines)
        if len(line) > 20 and line[0].isalpha() and not any(c in line for c in "\\$%{}&#^_~@")
    ]


class Editor:
    """Seeded single-character edits on prose lines, mirrored locally to keep columns valid."""

    def __init__(self, lines: list[str], seed: int = SEED) -> None:
        self.lines = lines
        self.candidates = prose_lines(lines)
        if not self.candidates:
            raise SystemExit("bench: no prose lines to edit")
        self.rng = random.Random(seed)
        self.count = 0

    def next_change(self) -> dict[str, Any]:
        rng = self.rng
        idx = rng.choice(self.candidates)
        line = self.lines[idx]
        self.count += 1
        if self.count % 2 == 1 or len(line) < 10:  # type a letter
            col = rng.randrange(1, len(line))
            ch = rng.choice(string.ascii_lowercase)
            self.lines[idx] = line[:col] + ch + line[col:]
            pos = {"line": idx, "character": col}
            return {"range": {"start": pos, "end": pos}, "text": ch}
        col = rng.randrange(1, len(line) - 1)  # backspace over a letter
        self.lines[idx] = line[:col] + line[col + 1 :]
        return {
            "range": {
                "start": {"line": idx, "character": col},
                "end": {"line": idx, "character": col + 1},
            },
            "text": "",
        }


def small_document(n: int) -> str:
    """A distinct ~1.5 KB document: preamble, sections, math, a theorem, a comment."""
    return (
        "\\documentclass{article}\n\\usepackage{amsmath,amsthm}\n"
        "\\newtheorem{theorem}{Theorem}\n\\begin{document}\n"
        f"\\section{{Document {n}}}\\label{{sec-{n}}}\n\n"
        f"Let $x_{{{n}}} \\in \\mathbf{{R}}$ with $x_{{{n}}}^2 = {n}$. "
        "We study the ring $A[x]$ and its modules; see Section~\\ref{sec-" + str(n) + "}.\n"
        f"% comment number {n}\n\n"
        "\\begin{theorem}\\label{thm-" + str(n) + "}\n"
        f"For every prime $p > {n}$ the module $M_{{{n}}}$ is flat over $A_p$.\n"
        "\\end{theorem}\n\n"
        "\\begin{proof}\n"
        + f"Consider the exact sequence $0 \\to M_{{{n}}} \\to N \\to Q \\to 0$. " * 8
        + "\n\\end{proof}\n\n"
        + "".join(
            f"\\subsection{{Part {k} of {n}}}\nText {k} about $\\{{{n},{k}\\}}$ and more words.\n\n"
            for k in range(5)
        )
        + "\\end{document}\n"
    )


def edits_session(corpus: str, edits: int, every: int = 1000) -> dict[str, Any]:
    editor = Editor(corpus.split("\n"))
    curve: list[dict[str, Any]] = []
    with LspClient() as client:
        client.initialize(INIT_OPTIONS)
        rss_start = client.status()["rssBytes"]
        client.did_open(BIG_URI, corpus, 1)
        client.wait_publish(BIG_URI, 1, timeout=120)
        st = client.status()
        rss_open = st["rssBytes"]
        curve.append({"edits": 0, "rssBytes": rss_open, "cacheEntries": st["cache"]["entries"]})
        t0 = time.perf_counter()
        for version in range(2, edits + 2):
            client.did_change(BIG_URI, version, [editor.next_change()])
            client.wait_publish(BIG_URI, version, timeout=60)
            done = version - 1
            if done % every == 0:
                client.forget(BIG_URI)
                st = client.status()
                curve.append(
                    {
                        "edits": done,
                        "rssBytes": st["rssBytes"],
                        "cacheEntries": st["cache"]["entries"],
                        "cacheApproxBytes": st["cache"]["approxBytes"],
                        "seconds": round(time.perf_counter() - t0, 1),
                    }
                )
        final = client.status()
    at = {c["edits"]: c["rssBytes"] for c in curve}
    first = at.get(min(every, edits), rss_open)
    last = curve[-1]["rssBytes"]
    return {
        "edits": edits,
        "rss_start_bytes": rss_start,
        "rss_after_open_bytes": rss_open,
        "rss_after_1000_bytes": first,
        "rss_after_last_bytes": last,
        "ratio_last_over_1000": round(last / first, 3),
        "within_10_percent": last <= first * 1.10,
        "curve": curve,
        "final_cache": final["cache"],
        "edit_seconds": curve[-1].get("seconds"),
    }


def open_close_session(rounds: int = 3, per_round: int = 500) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    with LspClient() as client:
        client.initialize(INIT_OPTIONS)
        rss = client.status()["rssBytes"]
        out.append({"round": 0, "documents": 0, "rssBytes": rss})
        n = 0
        for r in range(1, rounds + 1):
            t0 = time.perf_counter()
            for _ in range(per_round):
                n += 1
                uri = f"file:///bench/memory/small-{n}.tex"
                client.did_open(uri, small_document(n), 1)
                client.wait_publish(uri, 1, timeout=30)
                client.did_close(uri)
                client.wait_publish(uri, None, timeout=30)
                client.forget(uri)
            st = client.status()
            out.append(
                {
                    "round": r,
                    "documents": n,
                    "rssBytes": st["rssBytes"],
                    "openDocuments": st["openDocuments"],
                    "cacheEntries": st["cache"]["entries"],
                    "documentResults": st["cache"]["documentResults"],
                    "seconds": round(time.perf_counter() - t0, 2),
                }
            )
    return {
        "per_round": per_round,
        "rounds": out,
        "growth_round1_bytes": out[1]["rssBytes"] - out[0]["rssBytes"],
        "growth_after_warmup_bytes": out[-1]["rssBytes"] - out[1]["rssBytes"],
    }


def run(corpus: str, edits: int = 10_000) -> dict[str, Any]:
    return {"edit_session": edits_session(corpus, edits), "open_close": open_close_session()}


def report(r: dict[str, Any]) -> str:
    e, oc = r["edit_session"], r["open_close"]
    rows = [
        ["server started", mb(e["rss_start_bytes"]), ""],
        ["big document opened", mb(e["rss_after_open_bytes"]), ""],
    ]
    rows += [
        [f"after {c['edits']:,} edits", mb(c["rssBytes"]), f"{c['cacheEntries']:,} cache entries"]
        for c in e["curve"][1:]
    ]
    rows += [
        [
            f"open+close round {c['round']} ({c['documents']} docs total)",
            mb(c["rssBytes"]),
            f"{c.get('cacheEntries', 0):,} cache entries, {c.get('openDocuments', 0)} open",
        ]
        for c in oc["rounds"]
    ]
    return "\n".join(
        [
            table(rows, ["server memory", "RSS MB", "note"]),
            f"RSS after {e['edits']:,} edits / after 1,000: {e['ratio_last_over_1000']} "
            f"({'within' if e['within_10_percent'] else 'OUTSIDE'} 10%); "
            f"edits took {e['edit_seconds']} s",
            f"open/close 500 docs: first round +{mb(oc['growth_round1_bytes'])} MB, "
            f"rounds 2..{len(oc['rounds']) - 1} +{mb(oc['growth_after_warmup_bytes'])} MB",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus_arg(parser)
    parser.add_argument("--edits", type=int, default=10_000)
    args = parser.parse_args()
    result = run(read_corpus(args.corpus), args.edits)
    print(report(result))
    print(f"written {write_results('memory', result)}")


if __name__ == "__main__":
    main()
