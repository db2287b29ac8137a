"""Types of the optional C extension (server/texlean/_speedups.c)."""

from collections.abc import Sequence

def scan(text: str, at_letter: bool, /) -> list[str] | None: ...
def chunk_starts(
    lines: Sequence[str], start: int, stop: int, max_lines: int, hard_max_lines: int, /
) -> list[int]: ...
