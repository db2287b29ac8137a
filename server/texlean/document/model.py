"""A document: its lines, its version and its incrementally analysed chunks."""

from __future__ import annotations

import itertools

from ..analysis.pipeline import INITIAL, ChunkResult, ChunkState
from .chunked import ChunkedDocument
from .lines import LineStore

_SERIALS = itertools.count(1)


class Document:
    """An open document.

    ``serial`` tells documents apart for the whole life of the process (unlike
    ``id()``, which a new object may reuse once the old one is gone) and
    ``revision`` counts the edits, so a cached result can be keyed by what the
    text is, not only by the version the client claims.
    """

    __slots__ = ("chunked", "language_id", "revision", "serial", "store", "uri", "version")

    def __init__(self, uri: str, text: str, version: int, language_id: str = "latex") -> None:
        self.uri = uri
        self.version = version
        self.language_id = language_id
        self.serial = next(_SERIALS)
        self.revision = 0
        self.store = LineStore(text)
        self.chunked: ChunkedDocument[ChunkState, ChunkResult] = ChunkedDocument(
            INITIAL, len(self.store)
        )

    @property
    def lines(self) -> list[str]:
        return self.store.lines

    def text(self) -> str:
        return self.store.text()

    def replace(self, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
        """Apply an incremental edit given in (line, code point column) positions."""
        self.revision += 1
        self.chunked.edit(self.store.replace(start, end, text))

    def set_text(self, text: str) -> None:
        self.revision += 1
        self.store.set_text(text)
        self.chunked.reset(len(self.store))
