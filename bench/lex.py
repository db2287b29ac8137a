"""Whole-document throughput, in process: texlean's lexer and analysis against baselines.

- ``texlean.tex.lexer.lex`` over the whole corpus (median of N runs), MB/s and tokens;
- ``texlean.engine.Engine().analyse_text`` over the whole corpus (a fresh engine
  each run, so no cache helps);
- baselines on the same text: ``re.finditer(r"\\S+")`` (a trivial pattern: the
  floor for anything regex-driven in CPython) and
  ``re.finditer(r"\\\\[A-Za-z]+|[{}$%]")`` (a naive catcode-blind tokenizer);
- pylatexenc 2 (``LatexWalker.get_latex_nodes``) on a 50 KB slice, compared
  with texlean's lexer and analysis on the same slice (pylatexenc is too slow
  for the whole document: about 0.2 MB/s).

Run alone: ``.venv/bin/python bench/lex.py [--corpus FILE] [--runs N]``.
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from common import corpus_arg, ratio, read_corpus, table, write_results

SLICE_CHARS = 50_000


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    samples = []
    result = None
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t)
    return samples, result


def slice_at_paragraph(text: str, size: int) -> str:
    mid = len(text) // 2
    start = text.find("\n\n", mid) + 2
    end = text.find("\n\n", start + size)
    return text[start : end + 1]


def run(corpus: str, runs: int = 7) -> dict[str, Any]:
    from texlean.engine import Engine
    from texlean.tex.lexer import lex

    size_mb = len(corpus.encode("utf-8")) / 1e6
    rows: dict[str, dict[str, Any]] = {}

    def record(name: str, samples: list[float], mbytes: float, **extra: Any) -> None:
        med = statistics.median(samples)
        rows[name] = {
            "runs": len(samples),
            "median_ms": round(med * 1000, 2),
            "min_ms": round(min(samples) * 1000, 2),
            "max_ms": round(max(samples) * 1000, 2),
            "mb_per_s": round(mbytes / med, 2),
            **extra,
        }

    samples, (tokens, _) = timed(lambda: lex(corpus), runs)
    record("texlean lex, whole document", samples, size_mb, tokens=len(tokens))
    del tokens

    samples, report = timed(lambda: Engine().analyse_text(corpus), runs)
    record(
        "texlean analyse_text, whole document",
        samples,
        size_mb,
        findings=len(report.findings),
        complete=report.complete,
    )

    trivial = re.compile(r"\S+")
    samples, count = timed(lambda: sum(1 for _ in trivial.finditer(corpus)), runs)
    record("baseline re.finditer(\\S+), whole document", samples, size_mb, tokens=count)

    naive = re.compile(r"\\[A-Za-z]+|\\.|[{}$%&#^_~]|[^\\{}$%&#^_~]+")
    samples, count = timed(lambda: sum(1 for _ in naive.finditer(corpus)), runs)
    record("baseline naive regex tokenizer, whole document", samples, size_mb, tokens=count)

    piece = slice_at_paragraph(corpus, SLICE_CHARS)
    piece_mb = len(piece.encode("utf-8")) / 1e6
    samples, (tokens, _) = timed(lambda: lex(piece), runs)
    record("texlean lex, 50 KB slice", samples, piece_mb, tokens=len(tokens))
    samples, _ = timed(lambda: Engine().analyse_text(piece), runs)
    record("texlean analyse_text, 50 KB slice", samples, piece_mb)
    try:
        from pylatexenc.latexwalker import LatexWalker

        def walk() -> int:
            nodes, _, _ = LatexWalker(piece, tolerant_parsing=True).get_latex_nodes()
            return len(nodes)

        samples, count = timed(walk, max(3, runs // 2))
        record("baseline pylatexenc get_latex_nodes, 50 KB slice", samples, piece_mb, nodes=count)
    except ImportError:
        pass

    lex_row = rows["texlean lex, whole document"]
    out: dict[str, Any] = {
        "corpus_bytes": len(corpus.encode("utf-8")),
        "slice_bytes": len(piece.encode("utf-8")),
        "rows": rows,
        "ratios": {
            "lex_over_trivial_regex": ratio(
                lex_row["median_ms"],
                rows["baseline re.finditer(\\S+), whole document"]["median_ms"],
            ),
            "lex_over_naive_tokenizer": ratio(
                lex_row["median_ms"],
                rows["baseline naive regex tokenizer, whole document"]["median_ms"],
            ),
            "analyse_over_lex": ratio(
                rows["texlean analyse_text, whole document"]["median_ms"], lex_row["median_ms"]
            ),
        },
    }
    pyl = rows.get("baseline pylatexenc get_latex_nodes, 50 KB slice")
    if pyl is not None:
        out["ratios"]["pylatexenc_over_lex_50k"] = ratio(
            pyl["median_ms"], rows["texlean lex, 50 KB slice"]["median_ms"]
        )
        out["ratios"]["pylatexenc_over_analyse_50k"] = ratio(
            pyl["median_ms"], rows["texlean analyse_text, 50 KB slice"]["median_ms"]
        )
    return out


HEADER = ["throughput", "runs", "median ms", "MB/s", "output"]


def table_rows(r: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            name,
            row["runs"],
            row["median_ms"],
            row["mb_per_s"],
            next((f"{row[k]:,} {k}" for k in ("tokens", "nodes", "findings") if k in row), ""),
        ]
        for name, row in r["rows"].items()
    ]


def report(r: dict[str, Any]) -> str:
    ratios = ", ".join(f"{k} {v}" for k, v in r["ratios"].items())
    return "\n".join(
        [
            f"corpus {r['corpus_bytes']:,} bytes; slice {r['slice_bytes']:,} bytes",
            table(table_rows(r), HEADER),
            f"ratios (time / time): {ratios}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus_arg(parser)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    result = run(read_corpus(args.corpus), args.runs)
    print(report(result))
    print(f"written {write_results('lex', result)}")


if __name__ == "__main__":
    main()
