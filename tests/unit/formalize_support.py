"""Helpers for the formalizer's unit tests: translate, and read a declaration back.

A :class:`~texlean.formalize.api.Translation`'s ``statement`` is ``(x : ℝ) (h₀ : …) : goal``;
:func:`parts` splits it into its variables, its hypotheses and its goal, so that a test
can check the piece it is about (the goal of a formula) without depending on what else
the translator decides to add around it.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from texlean.formalize import Context, Translation, formalize_math, formalize_statement

_HYP = re.compile(r"^h[₀-₉]+$")
_OPEN = "([{⟨"
_CLOSE = ")]}⟩"


def math(latex: str, *, context: Context | None = None) -> Translation:
    if context is None:
        return formalize_math(latex)
    return formalize_math(latex, context=context)


def stmt(latex: str, *, name: str = "t", kind: str = "theorem") -> Translation:
    return formalize_statement(latex, name=name, kind=kind)


def codes(t: Translation) -> set[str]:
    return {h.code for h in t.hazards}


def _skip_comment(text: str, i: int) -> int:
    depth = 0
    while i < len(text):
        if text.startswith("/-", i):
            depth += 1
            i += 2
        elif text.startswith("-/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return i


def top_level_split(text: str) -> list[str]:
    """``text`` cut at each top-level ``(…)`` group and at the first top-level ``:``:
    the groups, then the ``:``'s right-hand side (comments are skipped, not split)."""
    out: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        if text.startswith("/-", i):
            i = _skip_comment(text, i)
            continue
        ch = text[i]
        if ch in _OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth == 0:
                out.append(text[start : i + 1])
        elif ch == ":" and depth == 0:
            out.append(text[i + 1 :].strip())
            return out
        i += 1
    out.append("")
    return out


@dataclass(frozen=True)
class Parts:
    variables: dict[str, str]  # name -> Lean type, in binder order
    hyps: list[str]  # the hypotheses' propositions, in order
    goal: str


def parts(t: Translation) -> Parts:
    """The variables, hypotheses and goal of a translation's statement."""
    pieces = top_level_split(t.statement)
    variables: dict[str, str] = {}
    hyps: list[str] = []
    for group in pieces[:-1]:
        inner = group[1:-1]
        names, _, ty = inner.partition(" : ")
        for name in names.split():
            if _HYP.match(name):
                hyps.append(ty.strip())
            else:
                variables[name] = ty.strip()
    return Parts(variables, hyps, pieces[-1])


def goal(t: Translation) -> str:
    return parts(t).goal


def comments_balanced(lean: str) -> bool:
    """Whether every ``/-`` comment of ``lean`` is closed, and no ``-/`` closes nothing
    (Lean's block comments nest)."""
    depth = 0
    i = 0
    while i < len(lean):
        if lean.startswith("/-", i):
            depth += 1
            i += 2
        elif lean.startswith("-/", i):
            depth -= 1
            if depth < 0:
                return False
            i += 2
        elif depth == 0 and lean.startswith("--", i):
            nl = lean.find("\n", i)
            i = len(lean) if nl < 0 else nl
        else:
            i += 1
    return depth == 0


def without_comments(lean: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(lean):
        if lean.startswith("/-", i):
            i = _skip_comment(lean, i)
            out.append(" ")
            continue
        out.append(lean[i])
        i += 1
    return "".join(out)


def leq_path() -> Path | None:
    """The shared Lean statement parser (``tools/leq.py``), when this checkout has it."""
    candidates = [os.environ.get("TEXLEAN_SHARED", ""), "/work/shared"]
    here = Path(__file__).resolve().parents[3] / "shared"
    candidates.append(str(here))
    for c in candidates:
        if c and (Path(c) / "tools" / "leq.py").is_file():
            return Path(c) / "tools" / "leq.py"
    return None


def load_leq() -> ModuleType | None:
    path = leq_path()
    if path is None:
        return None
    spec = importlib.util.spec_from_file_location("texlean_tests_leq", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
