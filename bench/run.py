"""Run every benchmark and print a summary table (``make bench``).

Each benchmark also runs alone (``bench/latency.py``, ``bench/lex.py``,
``bench/memory.py``); results go to ``bench/results/<name>.json`` and
``bench/results/summary.json``.

``--quick`` runs fewer keystrokes, opens and edits (a smoke run, not figures).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import latency
import lex
import memory
from common import corpus_arg, mb, read_corpus, table, write_results


def summary_rows(lat: dict[str, Any], lx: dict[str, Any], mem: dict[str, Any]) -> list[list[Any]]:
    a, b, c = lat["a_middle_big"], lat["b_middle_small"], lat["c_top_big"]
    e, oc = mem["edit_session"], mem["open_close"]
    lex_row = lx["rows"]["texlean lex, whole document"]
    ana_row = lx["rows"]["texlean analyse_text, whole document"]
    trivial = lx["rows"]["baseline re.finditer(\\S+), whole document"]
    rows: list[list[Any]] = [
        [
            "keystroke p50, big doc (ms)",
            a["p50_ms"],
            b["p50_ms"],
            lat["ratios"]["big_over_small_p50"],
            "<= 10",
            a["p50_ms"] <= 10,
        ],
        [
            "keystroke p95, big doc (ms)",
            a["p95_ms"],
            b["p95_ms"],
            lat["ratios"]["big_over_small_p95"],
            "",
            "",
        ],
        [
            "top-of-doc keystroke p50 (ms)",
            c["p50_ms"],
            b["p50_ms"],
            lat["ratios"]["top_over_small_p50"],
            "<= 20",
            c["p50_ms"] <= 20,
        ],
        [
            "top-of-doc keystroke p95 (ms)",
            c["p95_ms"],
            b["p95_ms"],
            round(c["p95_ms"] / b["p95_ms"], 2),
            "",
            "",
        ],
        [
            "cold open, big doc (ms, p50)",
            lat["open_cold"]["p50_ms"],
            "",
            "",
            "<= 1000",
            lat["open_cold"]["p50_ms"] <= 1000,
        ],
        [
            "\\makeatletter at top, cold (ms, p50)",
            lat["makeatletter_cold"]["p50_ms"],
            b["p50_ms"],
            round(lat["makeatletter_cold"]["p50_ms"] / b["p50_ms"], 1),
            "",
            "",
        ],
        [
            "burst 30 ms: last key -> publish, big (ms)",
            lat["burst_big"]["last_keystroke_to_last_publish_ms"],
            lat["burst_small"]["last_keystroke_to_last_publish_ms"],
            lat["ratios"]["burst_big_over_small"],
            "",
            "",
        ],
        [
            "lex whole doc (ms, MB/s)",
            f"{lex_row['median_ms']} ({lex_row['mb_per_s']} MB/s)",
            f"{trivial['median_ms']} re \\S+",
            lx["ratios"]["lex_over_trivial_regex"],
            "",
            "",
        ],
        [
            "analyse whole doc (ms, MB/s)",
            f"{ana_row['median_ms']} ({ana_row['mb_per_s']} MB/s)",
            f"{lex_row['median_ms']} lex",
            lx["ratios"]["analyse_over_lex"],
            "",
            "",
        ],
    ]
    if "pylatexenc_over_lex_50k" in lx["ratios"]:
        pyl = lx["rows"]["baseline pylatexenc get_latex_nodes, 50 KB slice"]
        lex50 = lx["rows"]["texlean lex, 50 KB slice"]
        rows.append(
            [
                "lex 50 KB slice (ms)",
                lex50["median_ms"],
                f"{pyl['median_ms']} pylatexenc",
                round(lex50["median_ms"] / pyl["median_ms"], 3),
                "",
                "",
            ]
        )
    rows += [
        ["RSS after open, big doc (MB)", mb(e["rss_after_open_bytes"]), f"{mb(e['rss_start_bytes'])} empty", round(e["rss_after_open_bytes"] / e["rss_start_bytes"], 2), "", ""],
        [f"RSS after {e['edits']:,} edits (MB)", mb(e["rss_after_last_bytes"]), f"{mb(e['rss_after_1000_bytes'])} @1,000", e["ratio_last_over_1000"], "<= 1.10", e["within_10_percent"]],
        ["RSS open+close 500 docs x3 (MB)", mb(oc["rounds"][-1]["rssBytes"]), f"{mb(oc['rounds'][1]['rssBytes'])} @round 1", round(oc["rounds"][-1]["rssBytes"] / oc["rounds"][1]["rssBytes"], 3), "", ""],
    ]  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus_arg(parser)
    parser.add_argument("--quick", action="store_true", help="a smoke run with small counts")
    args = parser.parse_args()
    corpus = read_corpus(args.corpus)
    quick = args.quick
    started = time.perf_counter()

    print("== lex ==", flush=True)
    lx = lex.run(corpus, runs=3 if quick else 7)
    write_results("lex", lx)
    print(lex.report(lx), flush=True)

    print("\n== latency ==", flush=True)
    lat = latency.run(corpus, keystrokes=50 if quick else 300, opens=1 if quick else 3)
    write_results("latency", lat)
    print(latency.report(lat), flush=True)

    print("\n== memory ==", flush=True)
    mem = memory.run(corpus, edits=2000 if quick else 10_000)
    write_results("memory", mem)
    print(memory.report(mem), flush=True)

    rows = summary_rows(lat, lx, mem)
    print("\n== summary ==")
    print(table(rows, ["metric", "value", "baseline", "ratio", "target", "met"]))
    path = write_results(
        "summary",
        {
            "quick": quick,
            "seconds": round(time.perf_counter() - started, 1),
            "rows": [dict(zip(["metric", "value", "baseline", "ratio", "target", "met"], r, strict=True)) for r in rows],
            "latency": lat,
            "lex": lx,
            "memory": mem,
        },
    )  # fmt: skip
    print(f"\nwritten {path} ({time.perf_counter() - started:.0f} s)")
    missed = [r[0] for r in rows if r[5] is False]
    if missed:
        print("targets missed: " + "; ".join(missed), file=sys.stderr)


if __name__ == "__main__":
    main()
