"""Keystroke latency through the real server over stdio (debounce 0).

Latency is the time from writing a ``didChange`` to reading the
``publishDiagnostics`` for that version (the client waits for it before the
next keystroke).  Scenarios:

(a) typing in the middle of the big document (algebra.tex, 1.77 MB);
(b) the same keystrokes in a 2 KB document cut from around the same place
    (the baseline: ratio a/b);
(c) typing at the very top of the big document (new lines shift every chunk);
(d) cold open of the big document: didOpen to the first publish, each in a
    fresh server (and a warm re-open under another URI, chunk cache full);
(e) one keystroke inserting ``\\makeatletter`` on the first line: the
    catcode of ``@`` changes, so every chunk is lexed again (cold: first time
    in that server; warm: the same states were analysed before);
and typing bursts: keystrokes every 30 ms without waiting (5 bursts of 30);
reported is the time from a burst's last keystroke to the publish of its
version (median over the bursts).  A flood (3 x 50 keystrokes back to back)
shows whether queued changes are coalesced.

Run alone: ``.venv/bin/python bench/latency.py [--corpus FILE] [--keystrokes N]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from common import (
    INIT_OPTIONS,
    corpus_arg,
    ratio,
    read_corpus,
    summary_ms,
    table,
    write_results,
)
from lsp_client import LspClient, measure_overhead

BIG_URI = "file:///bench/algebra.tex"
SMALL_URI = "file:///bench/small.tex"
PHRASE = "We now show that the module M is flat over R, as claimed. "
ENTER_EVERY = 60  # characters typed before an Enter
BACKSPACE_EVERY = 23  # keystrokes between two corrections
WARMUP = 10
SAMPLED = 100  # keystrokes of a separate pass that asks texlean/status after each publish

TARGETS = {"keystroke_p50_ms": 10.0, "top_edit_p50_ms": 20.0, "open_s": 1.0}


@dataclass
class Key:
    """One keystroke as an LSP change: replace [start, end) on ``line`` by ``text``."""

    line: int
    start: int
    end: int
    text: str

    def change(self) -> dict[str, Any]:
        return {
            "range": {
                "start": {"line": self.line, "character": self.start},
                "end": {"line": self.line, "character": self.end},
            },
            "text": self.text,
        }


def typing(line: int, col: int, count: int) -> Iterator[Key]:
    """``count`` keystrokes of someone typing prose at (line, col): letters, Enters, backspaces."""
    typed_on_line = 0
    i = 0
    for n in range(count):
        if n % BACKSPACE_EVERY == BACKSPACE_EVERY - 1 and typed_on_line > 0:
            col -= 1
            typed_on_line -= 1
            i -= 1
            yield Key(line, col, col + 1, "")
            continue
        if typed_on_line >= ENTER_EVERY:
            yield Key(line, col, col, "\n")
            line, col, typed_on_line = line + 1, 0, 0
            continue
        ch = PHRASE[i % len(PHRASE)]
        yield Key(line, col, col, ch)
        col += 1
        typed_on_line += 1
        i += 1


def middle_line(lines: list[str]) -> tuple[int, int]:
    """A prose line near the middle of the document and the column after its first word."""
    mid = len(lines) // 2
    for k in range(len(lines)):
        for idx in (mid + k, mid - k):
            if not 0 <= idx < len(lines):
                continue
            line = lines[idx]
            if (
                len(line) > 40
                and line[0].isalpha()
                and "\\" not in line
                and "$" not in line
                and "%" not in line
            ):
                return idx, line.index(" ")
    raise SystemExit("bench: no prose line found in the corpus")


def small_document(lines: list[str], at: int, size: int = 2048) -> tuple[str, int]:
    """About ``size`` characters of paragraphs around line ``at``; the line's index in them."""
    lo = hi = at
    while sum(len(x) + 1 for x in lines[lo : hi + 1]) < size:
        if lo > 0:
            lo -= 1
        if hi < len(lines) - 1:
            hi += 1
        if lo == 0 and hi == len(lines) - 1:
            break
    return "\n".join(lines[lo : hi + 1]) + "\n", at - lo


def type_and_wait(
    client: LspClient, uri: str, version: int, keys: list[Key], sample_server: bool = False
) -> tuple[list[float], list[float], int]:
    """Send each key, wait for its publish; (latencies s, server analysis ms, last version)."""
    latencies: list[float] = []
    server_ms: list[float] = []
    for key in keys:
        version += 1
        sent = client.did_change(uri, version, [key.change()])
        pub = client.wait_publish(uri, version, timeout=60)
        latencies.append(pub.received - sent)
        if sample_server:
            last = client.status()["lastAnalysis"]
            server_ms.append(last["milliseconds"])
    return latencies, server_ms, version


def burst(
    client: LspClient, uri: str, version: int, keys: list[Key], gap: float, rounds: int = 5
) -> dict[str, Any]:
    """``rounds`` bursts of keystrokes every ``gap`` s, sent without waiting; for each,
    the time from its last keystroke to the publish of that version (median reported)."""
    start_seq = client.publish_count
    per_round = max(1, len(keys) // rounds)
    lags: list[float] = []
    last_pub = None
    for r in range(rounds):
        t0 = time.perf_counter()
        last_sent = 0.0
        for n, key in enumerate(keys[r * per_round : (r + 1) * per_round]):
            due = t0 + n * gap
            while (now := time.perf_counter()) < due:
                time.sleep(min(0.002, due - now))
            version += 1
            last_sent = client.did_change(uri, version, [key.change()])
        last_pub = client.wait_publish(uri, version, timeout=60)
        lags.append(last_pub.received - last_sent)
        time.sleep(0.1)
    assert last_pub is not None
    publishes = [p for p in client.publishes[uri] if p.seq > start_seq]
    stats = summary_ms(lags)
    return {
        "keystrokes": per_round * rounds,
        "rounds": rounds,
        "gap_ms": gap * 1000,
        "last_keystroke_to_last_publish_ms": stats["p50_ms"],
        "last_keystroke_to_last_publish_max_ms": stats["max_ms"],
        "publishes_received": len(publishes),
        "stale_after_final": sum(1 for p in publishes if p.seq > last_pub.seq),
        "version": version,
    }


def cold_opens(text: str, count: int) -> dict[str, Any]:
    """(d) and (e), each in a fresh server."""
    opens: list[float] = []
    open_server_ms: list[float] = []
    reopen: list[float] = []
    make_cold: list[float] = []
    make_cold_server: list[float] = []
    make_revert: list[float] = []
    make_warm: list[float] = []
    reanalysed: list[int] = []
    for _ in range(count):
        with LspClient() as client:
            client.initialize(INIT_OPTIONS)
            sent = client.did_open(BIG_URI, text, 1)
            pub = client.wait_publish(BIG_URI, 1, timeout=120)
            opens.append(pub.received - sent)
            open_server_ms.append(client.status()["lastAnalysis"]["milliseconds"])

            insert = Key(0, 0, 0, "\\makeatletter\n")
            remove_change = {
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}},
                "text": "",
            }
            sent = client.did_change(BIG_URI, 2, [insert.change()])
            pub = client.wait_publish(BIG_URI, 2, timeout=120)
            make_cold.append(pub.received - sent)
            last = client.status()["lastAnalysis"]
            make_cold_server.append(last["milliseconds"])
            reanalysed.append(last["reanalysed"])
            sent = client.did_change(BIG_URI, 3, [remove_change])
            pub = client.wait_publish(BIG_URI, 3, timeout=120)
            make_revert.append(pub.received - sent)
            sent = client.did_change(BIG_URI, 4, [insert.change()])
            pub = client.wait_publish(BIG_URI, 4, timeout=120)
            make_warm.append(pub.received - sent)

            sent = client.did_open(BIG_URI + ".copy", text, 1)
            pub = client.wait_publish(BIG_URI + ".copy", 1, timeout=120)
            reopen.append(pub.received - sent)
    return {
        "open_cold": summary_ms(opens),
        "open_cold_server_analysis_ms": open_server_ms,
        "open_warm_other_uri": summary_ms(reopen),
        "makeatletter_cold": summary_ms(make_cold),
        "makeatletter_cold_server_analysis_ms": make_cold_server,
        "makeatletter_chunks_reanalysed": reanalysed,
        "makeatletter_revert": summary_ms(make_revert),
        "makeatletter_warm": summary_ms(make_warm),
    }


def run(
    corpus: str, keystrokes: int = 300, opens: int = 3, burst_keys: int = 150
) -> dict[str, Any]:
    lines = corpus.split("\n")
    mline, mcol = middle_line(lines)
    small_text, sline = small_document(lines, mline)
    total = WARMUP + keystrokes + SAMPLED
    keys_mid = list(typing(mline, mcol, total))
    keys_small = list(typing(sline, mcol, total))
    keys_top = list(typing(0, 0, total))

    overhead = measure_overhead(300)
    out: dict[str, Any] = {
        "corpus_bytes": len(corpus.encode("utf-8")),
        "corpus_lines": len(lines),
        "small_bytes": len(small_text.encode("utf-8")),
        "typing_at": {"line": mline, "character": mcol},
        "warmup_keystrokes": WARMUP,
        "client_overhead": overhead,
    }

    with LspClient() as client:
        client.initialize(INIT_OPTIONS)
        client.did_open(BIG_URI, corpus, 1)
        client.wait_publish(BIG_URI, 1, timeout=120)
        v = 1
        _, _, v = type_and_wait(client, BIG_URI, v, keys_mid[:WARMUP])
        lat, _, v = type_and_wait(client, BIG_URI, v, keys_mid[WARMUP : WARMUP + keystrokes])
        _, srv, v = type_and_wait(
            client, BIG_URI, v, keys_mid[WARMUP + keystrokes :], sample_server=True
        )
        out["a_middle_big"] = {
            **summary_ms(lat),
            "server_analysis": summary_ms([s / 1000 for s in srv]),
        }
        out["a_middle_big"]["last_analysis"] = client.status()["lastAnalysis"]
        # undo the typing, so the top edits start from the original document
        v += 1
        client.did_change(BIG_URI, v, [{"text": corpus}])
        client.wait_publish(BIG_URI, v, timeout=120)
        _, _, v = type_and_wait(client, BIG_URI, v, keys_top[:WARMUP])
        lat, _, v = type_and_wait(client, BIG_URI, v, keys_top[WARMUP : WARMUP + keystrokes])
        _, srv, v = type_and_wait(
            client, BIG_URI, v, keys_top[WARMUP + keystrokes :], sample_server=True
        )
        out["c_top_big"] = {
            **summary_ms(lat),
            "server_analysis": summary_ms([s / 1000 for s in srv]),
        }
        out["c_top_big"]["last_analysis"] = client.status()["lastAnalysis"]
        bkeys = list(typing(mline, mcol, burst_keys))
        v += 1
        client.did_change(BIG_URI, v, [{"text": corpus}])
        client.wait_publish(BIG_URI, v, timeout=120)
        out["burst_big"] = burst(client, BIG_URI, v, bkeys, 0.030)
        v = out["burst_big"]["version"] + 1
        client.did_change(BIG_URI, v, [{"text": corpus}])
        client.wait_publish(BIG_URI, v, timeout=120)
        out["flood_big"] = burst(client, BIG_URI, v, bkeys, 0.0, rounds=3)
        out["server_rss_bytes"] = client.status()["rssBytes"]

    with LspClient() as client:
        client.initialize(INIT_OPTIONS)
        client.did_open(SMALL_URI, small_text, 1)
        client.wait_publish(SMALL_URI, 1, timeout=30)
        v = 1
        _, _, v = type_and_wait(client, SMALL_URI, v, keys_small[:WARMUP])
        lat, _, v = type_and_wait(client, SMALL_URI, v, keys_small[WARMUP : WARMUP + keystrokes])
        _, srv, v = type_and_wait(
            client, SMALL_URI, v, keys_small[WARMUP + keystrokes :], sample_server=True
        )
        out["b_middle_small"] = {
            **summary_ms(lat),
            "server_analysis": summary_ms([s / 1000 for s in srv]),
        }
        bkeys = list(typing(sline, mcol, burst_keys))
        v += 1
        client.did_change(SMALL_URI, v, [{"text": small_text}])
        client.wait_publish(SMALL_URI, v, timeout=30)
        out["burst_small"] = burst(client, SMALL_URI, v, bkeys, 0.030)

    out.update(cold_opens(corpus, opens))

    a, b = out["a_middle_big"], out["b_middle_small"]
    out["ratios"] = {
        "big_over_small_p50": ratio(a["p50_ms"], b["p50_ms"]),
        "big_over_small_p95": ratio(a["p95_ms"], b["p95_ms"]),
        "top_over_small_p50": ratio(out["c_top_big"]["p50_ms"], b["p50_ms"]),
        "burst_big_over_small": ratio(
            out["burst_big"]["last_keystroke_to_last_publish_ms"],
            out["burst_small"]["last_keystroke_to_last_publish_ms"],
        ),
    }
    out["targets"] = {
        "keystroke_p50_le_10ms": a["p50_ms"] <= TARGETS["keystroke_p50_ms"],
        "top_edit_p50_le_20ms": out["c_top_big"]["p50_ms"] <= TARGETS["top_edit_p50_ms"],
        "open_le_1s": out["open_cold"]["p50_ms"] <= TARGETS["open_s"] * 1000,
    }
    return out


def rows(r: dict[str, Any]) -> list[list[Any]]:
    """Summary rows: scenario, n, p50 ms, p95 ms, ratio to the 2 KB baseline."""
    base = r["b_middle_small"]["p50_ms"]
    out = []
    for key, label in (
        ("b_middle_small", "(b) keystroke, 2 KB doc [baseline]"),
        ("a_middle_big", "(a) keystroke, middle of big doc"),
        ("c_top_big", "(c) keystroke, top of big doc"),
        ("open_cold", "(d) cold open big doc"),
        ("open_warm_other_uri", "(d') re-open, chunk cache warm"),
        ("makeatletter_cold", "(e) \\makeatletter at top, cold"),
        ("makeatletter_revert", "(e') remove it again"),
        ("makeatletter_warm", "(e'') insert it again, warm"),
    ):
        s = r[key]
        out.append([label, s["n"], s["p50_ms"], s["p95_ms"], ratio(s["p50_ms"], base)])
    for key, label in (
        ("burst_small", "burst 30 ms, 2 KB: last key→publish"),
        ("burst_big", "burst 30 ms, big: last key→publish"),
        ("flood_big", "flood (50 back to back), big: last key→publish"),
    ):
        s = r[key]
        ms = s["last_keystroke_to_last_publish_ms"]
        out.append(
            [label, s["rounds"], ms, s["last_keystroke_to_last_publish_max_ms"], ratio(ms, base)]
        )
    return out


HEADER = ["latency scenario", "n", "p50 ms", "p95 ms*", "x 2KB p50"]


def report(r: dict[str, Any]) -> str:
    ov = r["client_overhead"]
    parts = [
        f"corpus: {r['corpus_bytes']:,} bytes, {r['corpus_lines']:,} lines; "
        f"small: {r['small_bytes']:,} bytes; typing at line {r['typing_at']['line']}",
        table(rows(r), HEADER),
        "* for the bursts: n is the number of bursts, p95 the worst burst",
        f"server-side analysis p50 (separate pass, {SAMPLED} keys): big {r['a_middle_big']['server_analysis']['p50_ms']} ms, "
        f"top {r['c_top_big']['server_analysis']['p50_ms']} ms, "
        f"2 KB {r['b_middle_small']['server_analysis']['p50_ms']} ms; "
        f"\\makeatletter re-analysed {r['makeatletter_chunks_reanalysed']} chunks "
        f"in {r['makeatletter_cold_server_analysis_ms']} ms",
        f"client overhead (echo server round trip): p50 {ov['echo_round_trip_p50_ms']:.3f} ms, "
        f"p95 {ov['echo_round_trip_p95_ms']:.3f} ms; encoding a keystroke {ov['encode_keystroke_us']:.1f} µs",
        f"flood: {r['flood_big']['publishes_received']} publishes for "
        f"{r['flood_big']['keystrokes']} keystrokes sent back to back "
        f"(stale after final: {r['flood_big']['stale_after_final']})",
        "targets: " + ", ".join(f"{k} {'OK' if v else 'MISSED'}" for k, v in r["targets"].items()),
    ]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus_arg(parser)
    parser.add_argument("--keystrokes", type=int, default=300)
    parser.add_argument("--opens", type=int, default=3, help="fresh servers for (d) and (e)")
    args = parser.parse_args()
    result = run(read_corpus(args.corpus), args.keystrokes, args.opens)
    print(report(result))
    print(f"written {write_results('latency', result)}")


if __name__ == "__main__":
    main()
