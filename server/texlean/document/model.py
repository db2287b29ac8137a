"""A document: its lines, its version and its incrementally analysed chunks."""

from __future__ import annotations

from ..analysis.pipeline import INITIAL, ChunkResult, ChunkState
from .chunked import ChunkedDocument
from .lines import LineStore


class Document:
    __slots__ = ("chunked", "language_id", "store", "uri", "version")

    def __init__(self, uri: str, text: str, version: int, language_id: str = "latex") -> None:
        self.uri = uri
        self.version = version
        self.language_id = language_id
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
        self.chunked.edit(self.store.replace(start, end, text))

    def set_text(self, text: str) -> None:
        self.store.set_text(text)
        self.chunked.reset(len(self.store))
