"""Bounded caches: chunk analyses by content and entry state, document results by version."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

V = TypeVar("V")


def content_hash(text: str) -> bytes:
    """A 128-bit digest of ``text`` (lone surrogates included)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class SizedCache(Generic[V]):
    """An LRU cache bounded by entries and by an approximate size in bytes."""

    def __init__(
        self, max_entries: int, max_bytes: int, size_of: Callable[[V], int] | None = None
    ) -> None:
        self._size_of = size_of or (lambda _v: 1)
        self.max_entries = max_entries
        self._cache: LRUCache[Hashable, tuple[V, int]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda item: item[1]
        )
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        item = self._cache.get(key)
        if item is None:
            self.misses += 1
            return None
        self.hits += 1
        return item[0]

    def put(self, key: Hashable, value: V) -> None:
        size = max(1, self._size_of(value))
        if size > self._cache.maxsize:
            return
        self._cache[key] = (value, size)
        while len(self._cache) > self.max_entries:
            self._cache.popitem()

    def discard(self, predicate: Callable[[Hashable], bool]) -> None:
        for key in [k for k in self._cache if predicate(k)]:
            del self._cache[key]

    def clear(self) -> None:
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)

    @property
    def approx_bytes(self) -> int:
        return int(self._cache.currsize)
