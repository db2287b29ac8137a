"""Step and time budgets, so that no document can make an analysis run forever."""

from __future__ import annotations

import time


class BudgetExceeded(Exception):
    """Raised by :meth:`Budget.spend` when the steps or the time are used up."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Budget:
    """A countdown of abstract steps and a wall-clock deadline.

    ``spend`` is cheap enough to call every few hundred tokens.  A budget is
    shared by everything one analysis does, so a document of many small
    hostile chunks is bounded as a whole, not chunk by chunk.
    """

    __slots__ = ("deadline", "exhausted", "seconds", "steps")

    def __init__(self, seconds: float = 1.5, steps: int = 50_000_000) -> None:
        self.seconds = seconds
        self.deadline = time.perf_counter() + seconds
        self.steps = steps
        self.exhausted: str | None = None

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps < 0:
            self.exhausted = "steps"
            raise BudgetExceeded("steps")
        if time.perf_counter() > self.deadline:
            self.exhausted = "time"
            raise BudgetExceeded("time")

    @classmethod
    def unlimited(cls) -> Budget:
        return cls(seconds=1e9, steps=1 << 62)
