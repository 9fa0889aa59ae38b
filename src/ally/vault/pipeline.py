"""A one-stage background pipeline: hashing and storing overlap with encryption.

Encryption holds the interpreter lock, but file and database writes release it, so handing
ciphertext blocks to a second thread keeps both cores busy on a large attachment. The queue is
short (a few 1 MiB blocks), so memory stays flat however large the file is.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable

_DONE = object()


class Pipeline:
    """Feeds blocks, in order, to ``consumer`` on a worker thread; errors come back to the caller."""

    def __init__(self, consumer: Callable[[bytes | bytearray], object], depth: int = 4) -> None:
        self._consumer = consumer
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._free: deque[bytearray] = deque()
        self._thread = threading.Thread(target=self._run, name="ally-vault-pipeline", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is None:
                try:
                    self._consumer(item)  # type: ignore[arg-type]
                except BaseException as error:  # handed back to the writing thread
                    self._error = error
            if isinstance(item, bytearray) and len(self._free) < 8:
                self._free.append(item)

    def buffer(self, size: int) -> bytearray:
        """A buffer for the next block: a recycled one when one of that size is free.

        Recycling matters: a fresh 1 MiB buffer costs the kernel 256 zeroed pages.
        The consumer must not keep a reference to a block after it returns.
        """
        while self._free:
            block = self._free.popleft()
            if len(block) == size:
                return block
        return bytearray(size)

    def put(self, block: bytes | bytearray) -> None:
        if self._error is not None:
            self.close()
        self._queue.put(block)

    def close(self) -> None:
        """Wait until every block was consumed; re-raise the consumer's error, if any."""
        if self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
