"""Formalization: LaTeX statements to Lean 4 + Mathlib statements, deterministically.

The public entry points (:mod:`.api`) take LaTeX and give a :class:`Translation`:
a Lean declaration that is always syntactically valid (what cannot be translated
becomes an explicit, commented hole), its status, what was left out, and the
hazards where a literal Lean reading changes the meaning.  Nothing here knows
about LSP; the vocabulary lives in ``grammars/`` (``lean.toml``, ``phrases.toml``).
"""

from __future__ import annotations

from .api import (
    Context,
    Hazard,
    Translation,
    formalize_math,
    formalize_statement,
    lean_for_command,
)

__all__ = [
    "Context",
    "Hazard",
    "Translation",
    "formalize_math",
    "formalize_statement",
    "lean_for_command",
]
