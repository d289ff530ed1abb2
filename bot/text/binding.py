"""One value per context, with a published fallback: how a snapshot's own segmenter and
lexicon reach code that does not receive the snapshot.

``Knowledge.bound`` binds its segmenter and lexicon for a question (a thread or task sees only
its own binding, so a reload never changes a question in flight); code outside a question
gets the last successful build's (``publish``), else a default made once on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

T = TypeVar("T")


class BoundSlot(Generic[T]):
    """The bound value of this context, else the published one, else ``default()``."""

    def __init__(
        self,
        name: str,
        default: Callable[[], T],
        lock: threading.Lock | threading.RLock | None = None,
    ) -> None:
        self._bound: ContextVar[T | None] = ContextVar(name, default=None)
        self._published: T | None = None
        self._default = default
        self._lock = lock or threading.Lock()

    def publish(self, value: T) -> None:
        """Make ``value`` the one unbound callers use (a successful build calls this)."""
        self._published = value

    @contextmanager
    def active(self, value: T) -> Iterator[T]:
        """Bind ``value`` in this context (thread, task) until the block ends."""
        token = self._bound.set(value)
        try:
            yield value
        finally:
            self._bound.reset(token)

    def current(self) -> T:
        found = self._bound.get() or self._published
        if found is None:
            with self._lock:
                if self._published is None:
                    self._published = self._default()
                found = self._published
        return found
