"""``texlean check`` against ``chktex`` over the Stacks project, in the same run.

    .venv/bin/python bench/check_vs_chktex.py [--corpus DIR] [--runs 3]

Both tools see the same .tex files: texlean with ``--jobs 1`` and ``--jobs 2``
(``--format json --quiet``, so printing costs the same whatever it finds),
chktex file by file through ``xargs -P 1`` and ``-P 2`` with its default
checks (``chktex -q``: every warning its default chktexrc enables).  Prints
the median wall time of each and the ratios to chktex at the same
parallelism.

The comparison is cold: texlean runs with ``--no-cache``, so every document
is analysed.  Reported apart, and labelled so: the warm run, a second run
over unchanged files with texlean's result cache (a fresh ``--cache-dir``
filled by one run first), which is what a CI job or a pre-commit hook that
keeps ``.texlean_cache`` pays.  Also apart: ``--jobs 1`` with the
pure-Python prefilter (``TEXLEAN_SPEEDUPS=0``: what a machine without a C
compiler at install gets) and, once, without the prefilter at all
(``TEXLEAN_PREFILTER=0``: every chunk through the full analysis).  Not a test:
it needs the corpus and chktex (``apt-get install chktex``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path("/work/shared/corpus/stacks")


def timed(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            env=None if env is None else {**os.environ, **env},
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    files = sorted(str(p) for p in args.corpus.glob("*.tex"))
    if not files:
        print(f"no .tex files in {args.corpus}", file=sys.stderr)
        return 2
    chktex = shutil.which("chktex")
    if chktex is None:
        print("chktex is not installed (apt-get install chktex)", file=sys.stderr)
        return 2
    texlean = [str(ROOT / ".venv" / "bin" / "texlean"), "check", "--format", "json", "--quiet"]
    # byte-compiled as an installed package is (an editable install is not, and with
    # PYTHONDONTWRITEBYTECODE every run would compile ~120 modules again: ~0.2 s)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "server" / "texlean")],
        stdout=subprocess.DEVNULL,
        check=False,
    )
    size = sum(Path(f).stat().st_size for f in files)
    print(f"{len(files)} files, {size / 1e6:.1f} MB, median of {args.runs} runs")
    listing = "\0".join(files).encode()
    rows = []
    for jobs in (1, 2):
        t = timed([*texlean, "--no-cache", "--jobs", str(jobs), *files], args.runs)
        xargs = ["sh", "-c", f"xargs -0 -n 1 -P {jobs} {chktex} -q < /tmp/texlean-bench-files"]
        Path("/tmp/texlean-bench-files").write_bytes(listing)
        c = timed(xargs, args.runs)
        rows.append((jobs, t, c))
        print(
            f"cold, --jobs {jobs}: texlean {t:.2f} s, chktex (xargs -P {jobs}) {c:.2f} s,"
            f" ratio {t / c:.2f}"
        )
    c1 = timed([chktex, "-q", *files], args.runs)
    print(f"chktex -q over all files in one process: {c1:.2f} s")
    t1 = rows[0][1]
    print(f"cold, --jobs 1 against chktex in one process: ratio {t1 / c1:.2f}")
    with tempfile.TemporaryDirectory(prefix="texlean-bench-cache-") as folder:
        warm = [*texlean, "--cache-dir", folder, "--jobs", "1", *files]
        subprocess.run(warm, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        w = timed(warm, args.runs)
    print(
        f"warm (second run over unchanged files, result cache): texlean {w:.2f} s,"
        f" ratio {w / c1:.2f} to chktex in one process"
    )
    cold1 = [*texlean, "--no-cache", "--jobs", "1", *files]
    py = timed(cold1, args.runs, {"TEXLEAN_SPEEDUPS": "0"})
    print(
        f"cold, --jobs 1, pure-Python prefilter (TEXLEAN_SPEEDUPS=0): texlean {py:.2f} s,"
        f" ratio {py / rows[0][2]:.2f} to chktex file by file"
    )
    full = timed(cold1, 1, {"TEXLEAN_PREFILTER": "0"})
    print(
        f"cold, --jobs 1, no prefilter (TEXLEAN_PREFILTER=0, one run): texlean {full:.2f} s,"
        f" {full / t1:.1f}x the run with it"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
