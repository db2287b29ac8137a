"""The formalizer's contract: what callers (the server, the CLI, the benchmark) rely on.

Until the translator lands, :func:`formalize_statement` returns an honest
``failed`` translation whose Lean is a valid hole — never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

Status = str  # "complete" | "partial" | "failed"


@dataclass(frozen=True)
class Hazard:
    """A place where the literal Lean reading changes the meaning (rule codes FRM001…).

    ``start``/``end`` are offsets into the LaTeX that was translated (None when the
    hazard belongs to the whole statement); ``params`` fill the rule's message.
    """

    code: str
    params: tuple[tuple[str, str], ...] = ()
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Translation:
    """A Lean 4 declaration for one statement."""

    name: str
    lean: str  # "theorem name (x : ℝ) (h₀ : …) : … := by sorry" (always parses)
    status: Status  # complete | partial | failed
    untranslated: tuple[str, ...] = ()  # the LaTeX pieces left as holes
    hazards: tuple[Hazard, ...] = ()
    statement: str = ""  # the part after the name: binders, ":" and the claim


@dataclass(frozen=True)
class Macro:
    """A document macro to expand before translation (\\newcommand, \\DeclareMathOperator)."""

    arity: int
    body: str  # LaTeX with #1 … #9
    default: str | None = None  # \newcommand's optional first argument
    operator: bool = False  # \DeclareMathOperator: an operator name (\operatorname{body})


@dataclass(frozen=True)
class Context:
    """What the document around a statement says: its macros, its declared functions."""

    macros: Mapping[str, Macro] = field(default_factory=dict)
    functions: frozenset[str] = frozenset()  # symbols the document declares as functions
    vocabulary: Mapping[str, str] = field(default_factory=dict)  # user \cmd -> Lean overrides


EMPTY_CONTEXT = Context()
_NAME = re.compile(r"[^A-Za-z0-9_]+")


def lean_name(raw: str) -> str:
    """A Lean identifier from a label, a title or an id (stable, ASCII, not a keyword)."""
    name = _NAME.sub("_", raw.strip()).strip("_") or "statement"
    if name[0].isdigit():
        name = "s_" + name
    return name


def hole(latex: str) -> str:
    """An explicit hole for LaTeX that could not be translated (a valid Lean term)."""
    text = " ".join(latex.split()).replace("-/", "- /").replace("/-", "/ -")
    if len(text) > 200:
        text = text[:197] + "..."
    return f'(sorry : Prop) /- untranslated: "{text}" -/'


def formalize_statement(
    latex: str,
    *,
    name: str,
    kind: str = "theorem",
    context: Context = EMPTY_CONTEXT,
) -> Translation:
    """A Lean declaration for a statement: the body of a theorem-like environment,
    or an informal statement ("Let $x$ be … Show that …")."""
    ident = lean_name(name)
    statement = f": {hole(latex)}"
    return Translation(
        name=ident,
        lean=f"theorem {ident} {statement} := by sorry",
        status="failed",
        untranslated=(latex.strip(),),
        statement=statement,
    )


def formalize_math(
    latex: str, *, name: str = "selection", context: Context = EMPTY_CONTEXT
) -> Translation:
    """A Lean declaration for a selection of math (a formula, possibly with relations)."""
    return formalize_statement(f"${latex}$", name=name, context=context)


def lean_for_command(command: str) -> str | None:
    """The Lean/Mathlib counterpart of a LaTeX math command (\\binom -> Nat.choose)."""
    return None
