"""Rendered plan pages of sessions in use, kept in memory for a few minutes.

Building a plan and rendering it take most of a plan page's time (issue 19: about 28 ms and
21 ms of a 50 ms request on the shared machine), yet a person reloading their plan, or coming
back to it from a letter, asks for the same page again. This cache keeps the finished page so
the second request costs only the session's unsealing.

Why it cannot show one person's plan to another: every entry belongs to one session row (the
owner) and its key is a digest of everything the page is made from, the session's own form
token and data included, so another session can never compute it; a lookup also checks the
owner. Why it adds no new exposure: it holds only what the session already had in memory
while the page was rendered, never on disk; entries expire after ``seconds``, the oldest go
first beyond ``size``, and a session's entries are dropped the moment it locks, quick-exits
or is deleted (``forget``).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SIZE = 128
"""At most this many pages (about 100 KB each: some 13 MB per app process)."""
SECONDS = 300.0
"""A page is reused for at most five minutes; after that it is built again."""


@dataclass(frozen=True)
class _Entry:
    owner: str
    expires: float
    body: bytes


class PageCache:
    """A bounded, expiring, thread-safe map from (session, inputs digest) to a page body."""

    def __init__(
        self,
        size: int = SIZE,
        seconds: float = SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.seconds = seconds
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(owner: str, inputs: Any) -> str:
        """A digest of the owner and every input of the page; the inputs are never kept."""
        text = json.dumps([owner, inputs], sort_keys=True, default=repr, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, owner: str, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.owner != owner or entry.expires <= self.clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.body

    def put(self, owner: str, key: str, body: bytes) -> None:
        with self._lock:
            self._entries[key] = _Entry(owner, self.clock() + self.seconds, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, owner: str) -> None:
        """Drop every page of this session (it locked, quick-exited or was deleted)."""
        with self._lock:
            for key in [key for key, entry in self._entries.items() if entry.owner == owner]:
                del self._entries[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
