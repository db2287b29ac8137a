"""Formalization benchmark (not a test): the translator on miniF2F's validation split.

Every ``informal`` statement of ``minif2f_valid.jsonl`` goes through
``formalize_statement(informal, name=id)``; the candidates are scored with the shared
equivalence checker (``python3 leq.py score REF.jsonl CAND.jsonl``) against the reference
``formal`` statements and against ``formal_yangky11``.  Printed and written to
``bench/results/formalize.json``: complete / partial / failed counts, equivalent counts
and percentages, unparsable outputs (must be 0), and the median / p95 time per statement.

The shared data is found through ``$TEXLEAN_SHARED``, ``../shared`` or ``/work/shared``.

    .venv/bin/python bench/formalize.py [--data FILE] [--details]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
if str(REPO / "server") not in sys.path:
    sys.path.insert(0, str(REPO / "server"))

from texlean.formalize import formalize_statement  # noqa: E402


def shared_dir() -> Path | None:
    candidates = [os.environ.get("TEXLEAN_SHARED", ""), str(REPO / ".." / "shared"), "/work/shared"]
    for c in candidates:
        if c and (Path(c) / "tools" / "leq.py").is_file():
            return Path(c).resolve()
    return None


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def score(leq: Path, ref: Path, cand: Path, details: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(leq), "score", str(ref), str(cand), "--details", str(details)],
        capture_output=True,
        text=True,
        check=False,
    )
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()
    fields = dict(re.findall(r"(\w+)=(\d+)", line))
    rows = [json.loads(x) for x in details.read_text(encoding="utf-8").splitlines() if x.strip()]
    return {
        "line": line,
        "items": int(fields.get("items", 0)),
        "equivalent": int(fields.get("equivalent", 0)),
        "unparsable": int(fields.get("unparsable_candidates", 0)),
        "missing": int(fields.get("missing", 0)),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="the JSONL development set")
    parser.add_argument("--details", action="store_true", help="print every non-equivalent item")
    parser.add_argument("--repeat", type=int, default=3, help="timing repetitions per statement")
    args = parser.parse_args(argv)
    shared = shared_dir()
    if shared is None:
        print("formalize benchmark skipped: the shared tools (leq.py) are not available")
        return 0
    data = args.data or shared / "data" / "formalization" / "minif2f_valid.jsonl"
    rows = [json.loads(x) for x in data.read_text(encoding="utf-8").splitlines() if x.strip()]
    candidates: list[dict[str, str]] = []
    statuses: Counter[str] = Counter()
    times: list[float] = []
    hazards: Counter[str] = Counter()
    for row in rows:
        best = float("inf")
        result = None
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            result = formalize_statement(row["informal"], name=row["id"])
            best = min(best, time.perf_counter() - t0)
        assert result is not None
        times.append(best)
        statuses[result.status] += 1
        hazards.update(h.code for h in result.hazards)
        candidates.append({"id": row["id"], "lean": result.lean, "status": result.status})
    RESULTS.mkdir(parents=True, exist_ok=True)
    leq = shared / "tools" / "leq.py"
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        cand = tmpdir / "cand.jsonl"
        cand.write_text(
            "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in candidates), encoding="utf-8"
        )
        ref_formal = tmpdir / "ref_formal.jsonl"
        ref_formal.write_text(
            "".join(
                json.dumps({"id": r["id"], "formal": r["formal"]}, ensure_ascii=False) + "\n"
                for r in rows
            ),
            encoding="utf-8",
        )
        ref_yang = tmpdir / "ref_yangky11.jsonl"
        ref_yang.write_text(
            "".join(
                json.dumps(
                    {"id": r["id"], "formal": r.get("formal_yangky11") or r["formal"]},
                    ensure_ascii=False,
                )
                + "\n"
                for r in rows
            ),
            encoding="utf-8",
        )
        vs_formal = score(leq, ref_formal, cand, tmpdir / "details_formal.jsonl")
        vs_yang = score(leq, ref_yang, cand, tmpdir / "details_yang.jsonl")
    n = len(rows)
    either = sum(
        1
        for a, b in zip(vs_formal["rows"], vs_yang["rows"], strict=True)
        if a["verdict"] == "equivalent" or b["verdict"] == "equivalent"
    )
    ms = [t * 1000 for t in times]
    summary: dict[str, Any] = {
        "items": n,
        "complete": statuses["complete"],
        "partial": statuses["partial"],
        "failed": statuses["failed"],
        "equivalent_formal": vs_formal["equivalent"],
        "equivalent_formal_pct": round(100 * vs_formal["equivalent"] / n, 1) if n else 0.0,
        "equivalent_yangky11": vs_yang["equivalent"],
        "equivalent_yangky11_pct": round(100 * vs_yang["equivalent"] / n, 1) if n else 0.0,
        "equivalent_either": either,
        "unparsable": vs_formal["unparsable"],
        "median_ms": round(statistics.median(ms), 3) if ms else 0.0,
        "p95_ms": round(percentile(ms, 95), 3),
        "max_ms": round(max(ms), 3) if ms else 0.0,
        "hazards": dict(sorted(hazards.items())),
        "targets": {"equivalent_pct": ">= 35", "unparsable": "0", "median_ms": "<= 10"},
    }
    summary["meets_targets"] = (
        summary["equivalent_formal_pct"] >= 35
        and summary["unparsable"] == 0
        and summary["median_ms"] <= 10
    )
    by_id = {c["id"]: c for c in candidates}
    details = [
        {"id": r["id"], "status": by_id[r["id"]]["status"], "verdict": r["verdict"], "detail": r["detail"],
         "lean": by_id[r["id"]]["lean"]}
        for r in vs_formal["rows"]
    ]  # fmt: skip
    out = {
        "summary": summary,
        "leq_formal": vs_formal["line"],
        "leq_yangky11": vs_yang["line"],
        "details": details,
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in (RESULTS / "formalize.json", RESULTS / f"formalize-{stamp}.json"):
        path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.details:
        for d in details:
            if d["verdict"] != "equivalent":
                print(f"-- {d['id']} [{d['status']}] {d['verdict']}: {d['detail'][:300]}")
                print("   ", d["lean"][:400])
    print(f"formalize: {n} statements from {data}")
    print(
        f"  complete / partial / failed : {summary['complete']} / {summary['partial']} / {summary['failed']}"
    )
    print(
        f"  equivalent vs formal        : {summary['equivalent_formal']} ({summary['equivalent_formal_pct']} %)"
    )
    print(
        f"  equivalent vs formal_yangky11: {summary['equivalent_yangky11']} ({summary['equivalent_yangky11_pct']} %)"
    )
    print(f"  equivalent vs either        : {either}")
    print(f"  unparsable outputs          : {summary['unparsable']}")
    print(
        f"  time per statement          : median {summary['median_ms']} ms, p95 {summary['p95_ms']} ms, max {summary['max_ms']} ms"
    )
    print(f"  leq (formal)     : {vs_formal['line']}")
    print(f"  leq (yangky11)   : {vs_yang['line']}")
    print(f"  targets met: {summary['meets_targets']}  -> {RESULTS / 'formalize.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
