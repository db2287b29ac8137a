"""Security analysis: what compiling the document would do that it should not.

:func:`analyse` runs the symbolic interpreter (:mod:`.machine`) over a chunk's
tokens from the state the chunk inherits (:mod:`.state`): the primitives it
follows are in :mod:`.primitives`, the ones that reach the outside world in
:mod:`.actions`, which ask the classifiers (:mod:`.shell`, :mod:`.paths`,
:mod:`.lua`, :mod:`.pdf`) what their arguments mean.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...budget import Budget
from ...tex.state import INITIAL as LEX_INITIAL
from ...tex.state import LexState
from ...tex.tokens import Token
from ..findings import Finding
from ..locate import Locator
from . import actions, primitives
from .machine import Machine, finish_registration
from .state import INITIAL, SecState

finish_registration(primitives.LOOP_MACROS)
HANDLER_MODULES = (actions, primitives)  # their handlers register themselves on import


def analyse(
    tokens: Sequence[Token],
    text: str,
    loc: Locator,
    state: SecState,
    budget: Budget | None = None,
    lex_state: LexState = LEX_INITIAL,
) -> tuple[list[Finding], SecState]:
    """The security findings of one chunk, and the state after it."""
    if state.ended:
        return [], state
    machine = Machine(tokens, text, loc, state, lex_state, budget)
    machine.run()
    return machine.findings, machine.exit_state()


__all__ = ["INITIAL", "SecState", "analyse"]
