"""Rendered resource documents kept in memory, keyed by the dataset version: a document is made once per
release, format, page and reader language, and served from here until the data changes.

Bounded by bytes (least recently used out first); `B40_DOC_CACHE_BYTES=0` turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

V = TypeVar("V")


def _weight(value: Any) -> int:
    """Bytes held: a body, or a (body, details) pair such as a page and whether a next page exists."""
    return len(value[0]) if isinstance(value, tuple) else len(value)


class DocumentCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for `key`, else `make()`'s (bytes, or a (bytes, details) tuple), kept."""
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return body  # type: ignore[no-any-return]
            self.misses += 1
        made = make()  # outside the lock: two threads may make the same document once each, never wrongly
        size = _weight(made)
        if size <= self.max_bytes // 8:  # one huge page may not push out everything else
            with self._lock:
                if key not in self._items:
                    self._items[key] = made
                    self.size += size
                while self.size > self.max_bytes and self._items:
                    _, old = self._items.popitem(last=False)
                    self.size -= _weight(old)
        return made
