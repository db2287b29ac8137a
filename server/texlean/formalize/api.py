"""The formalizer's contract: what callers (the server, the CLI, the benchmark) rely on.

:func:`formalize_statement` reads a theorem-like environment's body or an informal
statement ("Let $x$ be … Show that …") and returns a :class:`Translation`: a Lean 4 +
Mathlib declaration that always parses (what could not be translated is an explicit hole,
see :func:`hole`), its status, the LaTeX left untranslated, and the hazards where the
literal Lean reading differs from the mathematics.  Nothing here raises on any input, and
the work is bounded (long inputs are cut, deep nesting becomes a hole).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

Status = str  # "complete" | "partial" | "failed"

MAX_LENGTH = 20_000


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
# words Lean's parser reserves: a declaration cannot be named by one of them
LEAN_KEYWORDS = frozenset(
    [
        "at",
        "by",
        "do",
        "fun",
        "if",
        "in",
        "let",
        "then",
        "else",
        "from",
        "have",
        "show",
        "with",
        "end",
        "open",
        "where",
        "match",
        "theorem",
        "lemma",
        "def",
        "example",
        "sorry",
        "import",
        "namespace",
        "section",
        "variable",
        "universe",
        "instance",
        "structure",
        "class",
        "deriving",
        "mutual",
        "calc",
        "suffices",
        "using",
        "Type",
        "Prop",
        "Sort",
        "λ",
        "Π",
        "Σ",
        "fun",
        "for",
        "unless",
        "return",
        "mut",
        "axiom",
        "abbrev",
        "inductive",
        "private",
        "protected",
        "noncomputable",
        "partial",
        "unsafe",
        "macro",
        "syntax",
        "notation",
        "infix",
        "infixl",
        "infixr",
        "prefix",
        "postfix",
        "local",
        "scoped",
        "attribute",
        "opaque",
    ]
)
# a Lean name as a blueprint's \lean{…} gives it: dotted, primes allowed
_DOTTED = re.compile(r"[^\W\d][\w'!?]*(?:\.[^\W\d][\w'!?]*)*")
_KINDS = frozenset({"theorem", "lemma", "example"})


def lean_name(raw: str) -> str:
    """A Lean identifier from a label, a title or an id (stable, ASCII, not a keyword)."""
    name = _NAME.sub("_", raw.strip()).strip("_") or "statement"
    if name[0].isdigit():
        name = "s_" + name
    if name in LEAN_KEYWORDS:
        name += "_"
    return name


def blueprint_name(raw: str) -> str:
    """The name a blueprint's ``\\lean{…}`` gives, kept as written when it is a valid
    (possibly dotted) Lean name, so that the blueprint's link holds; else :func:`lean_name`."""
    name = raw.strip()
    if _DOTTED.fullmatch(name) and not any(p in LEAN_KEYWORDS for p in name.split(".")):
        return name
    return lean_name(name)


def hole(latex: str) -> str:
    """An explicit hole for LaTeX that could not be translated (a valid Lean term)."""
    text = " ".join(latex.split()).replace("-/", "- /").replace("/-", "/ -")
    if len(text) > 200:
        text = text[:197] + "..."
    return f'(sorry : Prop) /- untranslated: "{text}" -/'


def _failed(ident: str, kind: str, latex: str) -> Translation:
    statement = f": {hole(latex)}"
    head = "example" if kind == "example" else f"{kind} {ident}"
    return Translation(
        name=ident,
        lean=f"{head} {statement} := by sorry",
        status="failed",
        untranslated=(latex.strip(),) if latex.strip() else (),
        hazards=(Hazard("FRM009", (("what", _short(latex)),)),),
        statement=statement,
    )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(kind: str) -> str:
    from .phrases import phrases

    k = kind.strip().lower()
    if k in _KINDS:
        return k
    return phrases().environments.get(k, "theorem")


def formalize_statement(
    latex: str,
    *,
    name: str,
    kind: str = "theorem",
    context: Context = EMPTY_CONTEXT,
) -> Translation:
    """A Lean declaration for a statement: the body of a theorem-like environment,
    or an informal statement ("Let $x$ be … Show that …")."""
    return _translate(latex, name=name, kind=kind, context=context, math=False)


def formalize_math(
    latex: str, *, name: str = "selection", context: Context = EMPTY_CONTEXT
) -> Translation:
    """A Lean declaration for a selection of math (a formula, possibly with relations)."""
    return _translate(latex, name=name, kind="theorem", context=context, math=True)


def _translate(latex: str, *, name: str, kind: str, context: Context, math: bool) -> Translation:
    ident = blueprint_name(name)  # a valid (dotted) Lean name is kept; anything else cleaned
    try:
        decl_kind = _kind(kind)
    except Exception:
        decl_kind = "theorem"
    try:
        return _translate_unsafe(latex, ident, decl_kind, context, math)
    except RecursionError:
        return _failed(ident, decl_kind, latex)
    except Exception:  # the contract: never raise, whatever the input
        return _failed(ident, decl_kind, latex)


def _translate_unsafe(
    latex: str, ident: str, kind: str, context: Context, math: bool
) -> Translation:
    from .build import balanced, build
    from .hazards import hazards_for
    from .statement import read_statement
    from .vocabulary import vocabulary

    cut = len(latex) > MAX_LENGTH
    src = latex[:MAX_LENGTH] if cut else latex
    if math:
        src_for_reader = "\\(" + src + "\\)"
        shift = 2
    else:
        src_for_reader = src
        shift = 0
    vocab = vocabulary().with_user(context.vocabulary)
    problem = read_statement(src_for_reader, vocab, context.macros, frozenset(context.functions))
    if math:
        problem.claims.extend(problem.hyps)
        problem.hyps = []
    built = build(problem, vocab, src_for_reader, kind, ident)
    if not balanced(built.lean):
        return _failed(ident, kind, latex)
    untranslated = [u for u in built.untranslated if u[0]]
    if cut:
        untranslated.append(("(the text after the first 20000 characters)", MAX_LENGTH, len(latex)))
    hazards = hazards_for(problem.notes, built.issues, untranslated, shift, len(latex))
    status = built.status
    if cut and status == "complete":
        status = "partial"
    return Translation(
        name=ident,
        lean=built.lean,
        status=status,
        untranslated=tuple(dict.fromkeys(u[0] for u in untranslated)),
        hazards=hazards,
        statement=built.statement,
    )


def math_command(command: str) -> bool:
    """Whether the translator's vocabulary knows ``command`` as math (``\\left``, ``\\alpha``,
    ``\\frac``; not ``\\write``)."""
    from .vocabulary import vocabulary

    return vocabulary().knows(command)


def lean_for_command(command: str) -> str | None:
    """The Lean/Mathlib counterpart of a LaTeX math command (\\binom -> Nat.choose)."""
    from .vocabulary import vocabulary

    try:
        return vocabulary().lean_for(command)
    except Exception:
        return None
