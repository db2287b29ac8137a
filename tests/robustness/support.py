"""Helpers for the robustness tests: the raw stdio client, a synthetic big document, edits.

The tests drive ``python -m texlean serve`` through ``bench/lsp_client.py`` (a raw
stdio client, imported through ``sys.path``).  The big document is generated
here, deterministically, so the suite needs no corpus on the machine.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

from lsp_client import LspClient, Publish, ServerDied  # noqa: E402

__all__ = ["LspClient", "Publish", "ServerDied"]

INIT_OPTIONS = {"diagnostics": {"debounceMs": 0, "trigger": "change"}}

_WORDS = [
    "module",
    "ring",
    "ideal",
    "prime",
    "flat",
    "finite",
    "local",
    "scheme",
    "morphism",
    "sheaf",
    "category",
    "functor",
    "exact",
    "sequence",
    "kernel",
    "cokernel",
    "image",
    "quotient",
    "field",
    "extension",
    "algebra",
    "integral",
    "closure",
    "dimension",
    "height",
    "depth",
    "regular",
    "noetherian",
    "artinian",
    "graded",
    "complete",
]
_ENVS = ("theorem", "lemma", "proposition", "definition", "remark", "example")


def synthetic_document(target_bytes: int = 1_850_000, seed: int = 1729) -> str:
    """A LaTeX document of about ``target_bytes``: sections, paragraphs with inline
    math, theorem-like environments with proofs, lists, comments.  Same text every run."""
    rng = random.Random(seed)
    out = [
        "\\documentclass{amsart}\n\\usepackage{amsmath,amssymb,amsthm}\n",
        "".join(f"\\newtheorem{{{env}}}{{{env.title()}}}\n" for env in _ENVS),
        "\\begin{document}\n\\title{Synthetic}\n\\maketitle\n\n",
    ]
    size = sum(len(p) for p in out)
    n = 0

    def sentence() -> str:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 14))]
        if rng.random() < 0.4:
            k = rng.randrange(len(words))
            words[k] = (
                f"${rng.choice('MNRAS')}_{{{rng.randint(1, 9)}}} \\otimes_R {rng.choice('AB')}$"
            )
        text = " ".join(words)
        return text[0].upper() + text[1:] + ". "

    def paragraph() -> str:
        lines, line = [], ""
        for _ in range(rng.randint(3, 7)):
            line += sentence()
            if len(line) > 60:
                lines.append(line.rstrip())
                line = ""
        if line:
            lines.append(line.rstrip())
        return "\n".join(lines) + "\n\n"

    while size < target_bytes:
        n += 1
        if n % 25 == 1:
            part = f"\\section{{Part {n}}}\n\\label{{section-{n}}}\n\n"
        elif n % 7 == 0:
            env = rng.choice(_ENVS)
            part = (
                f"\\begin{{{env}}}\n\\label{{{env}-{n}}}\n{paragraph().rstrip()}\n"
                f"\\end{{{env}}}\n\n\\begin{{proof}}\n{paragraph().rstrip()}\n"
                f"See Lemma \\ref{{{env}-{n}}}.\n\\end{{proof}}\n\n"
            )
        elif n % 11 == 0:
            part = (
                f"% comment {n}: {rng.choice(_WORDS)} {rng.choice(_WORDS)}\n"
                "\\begin{enumerate}\n"
                + "".join(f"\\item {sentence().rstrip()}\n" for _ in range(3))
                + "\\end{enumerate}\n\n"
            )
        elif n % 13 == 0:
            part = (
                "\\begin{equation}\n"
                f"\\label{{equation-{n}}}\n0 \\to M \\to N^{{\\oplus {n}}} \\to Q \\to 0\n"
                "\\end{equation}\n\n"
            )
        else:
            part = paragraph()
        out.append(part)
        size += len(part)
    out.append("\\end{document}\n")
    return "".join(out)


def prose_lines(lines: list[str]) -> list[int]:
    """Lines where a typed letter changes no lexer or structure state."""
    return [
        i
        for i, line in enumerate(lines)
        if len(line) > 20 and line[0].isalpha() and not any(c in line for c in "\\$%{}&#^_~@")
    ]


def apply_change(lines: list[str], change: dict[str, Any]) -> None:
    """Apply one LSP range change to ``lines`` (split on ``\\n``; ASCII text only)."""
    rng = change["range"]
    sl, sc = rng["start"]["line"], rng["start"]["character"]
    el, ec = rng["end"]["line"], rng["end"]["character"]
    joined = lines[sl][:sc] + change["text"] + lines[el][ec:]
    lines[sl : el + 1] = joined.split("\n")


def change(
    line: int, start: int, end: int, text: str, end_line: int | None = None
) -> dict[str, Any]:
    return {
        "range": {
            "start": {"line": line, "character": start},
            "end": {"line": line if end_line is None else end_line, "character": end},
        },
        "text": text,
    }
