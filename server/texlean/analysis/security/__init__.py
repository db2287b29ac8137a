"""Security analysis: what compiling the document would do that it should not.

The analysis entry point is :func:`analyse`; the literal reading of the
dangerous constructs lives in :mod:`.literal` until the symbolic interpreter
(:mod:`.machine`) replaces it.
"""

from __future__ import annotations

from .literal import INITIAL, SecState, analyse

__all__ = ["INITIAL", "SecState", "analyse"]
