"""Detection during an import: in the importing process, or in a helper process beside it.

Why a helper: detection is about half of a large import's work, and the other half (reading,
sealing pages, writing the vault) does not depend on it until a page is written. On a computer
with a second core, a helper process scores chunk after chunk while the import seals and
writes the chunks before, so a large import takes about half the time.

What stays the same: the helper gets each chunk's texts and gives back exactly what would be
stored for them (:func:`stored_detection`), chunk by chunk in the order they were sent, so the
import writes the very pages it writes alone. Only a few chunks are on their way at any moment
(memory stays flat). Everything is still written in the import's one transaction: if the helper
dies, the import stops with an :class:`EvidenceError` inside the transaction, so the vault is
left as it was. Small imports never start a helper (starting one costs about half a second).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any, Protocol

from ally.evidence.detect import NOTHING_ASSESSED, NOTHING_STRONG, Assessment, Detector
from ally.evidence.detect.model import MODEL_PATH
from ally.evidence.errors import EvidenceError

Detection = dict[str, Any]
"""A message's detection as stored in its payload."""

NOTHING_DETECTED: Detection = {
    "flagged": False,
    "scores": NOTHING_ASSESSED.scores,
    "reasons": [],
}
"""The stored detection of a message in which nothing was found (shared by those payloads, which
are only serialised)."""

PARALLEL_FROM = 10_000
"""New messages from which an import detects in a helper process (below, starting the helper
costs more than it saves)."""
PARALLEL_BYTES = 1 << 20
"""A first import of a file at least this large starts the helper before checking the file, so
the helper is ready when the messages come (a chat message takes about 60-100 bytes)."""
CHUNKS_AHEAD = 2
"""Chunks on their way to the helper: enough that it never waits, few enough for flat memory."""
HELPER_GRACE = 30.0
"""Seconds a closing helper may take to finish its chunk before it is killed."""
HELPER_DIED = (
    "Checking the messages for harassment stopped unexpectedly (its helper process ended, "
    "perhaps because the computer ran short of memory). Nothing was saved. Please import the "
    "file again."
)
HELPER_FAILED = (
    "Checking the messages for harassment failed, so nothing was saved. Please import the file "
    "again; if it fails again, please report it"
)


def stored_detection(assessment: Assessment) -> Detection:
    """What a message's payload keeps of its assessment."""
    if assessment is NOTHING_ASSESSED or assessment is NOTHING_STRONG:  # most messages
        return NOTHING_DETECTED
    return {
        "flagged": assessment.flagged,
        "scores": assessment.scores,
        "reasons": assessment.reasons(),
    }


def detect_texts(detector: Detector, texts: list[str]) -> list[Detection]:
    """The stored detection of each text, in order (identical texts are scored once)."""
    return [stored_detection(assessment) for assessment in detector.assess_many(texts)]


class Pending(Protocol):
    def result(self) -> list[Detection]: ...


class Detections(Protocol):
    """Scores chunks of texts; ``result`` of what ``submit`` returned gives them back."""

    ahead: int
    """How many chunks may be submitted before the oldest one's result is taken."""

    def submit(self, texts: list[str]) -> Pending: ...

    def close(self) -> None: ...


class _Ready:
    """A chunk already scored."""

    __slots__ = ("value",)

    def __init__(self, value: list[Detection]) -> None:
        self.value = value

    def result(self) -> list[Detection]:
        return self.value


class InProcess:
    """Detection in the importing process, chunk by chunk as it is submitted (``detector``
    None: the default one, loaded when there is something to score)."""

    ahead = 0

    def __init__(self, detector: Detector | None) -> None:
        self.detector = detector

    def submit(self, texts: list[str]) -> Pending:
        if not texts:
            return _Ready([])
        if self.detector is None:
            self.detector = Detector()
        return _Ready(detect_texts(self.detector, texts))

    def close(self) -> None:
        pass


class Helper:
    """Detection in one helper process: a new Python interpreter (not a fork, so it is safe
    to start from a threaded web server, and it runs none of the caller's own script) that
    loads the same model and answers chunk after chunk over a pipe, in order.

    A thread reads the answers as they come, so neither process ever waits on a full pipe.
    The helper ends when its input closes: when the import closes it, or when the importing
    process ends in any way (even ``kill -9``)."""

    ahead = CHUNKS_AHEAD

    def __init__(self, model_path: Path | None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a traceback could quote a message: never shown
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._input: IO[bytes] = self.process.stdin
        self._output: IO[bytes] = self.process.stdout
        self._answers: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._sent = self._taken = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            self._send((list(sys.path), None if model_path is None else str(model_path)))
        except EvidenceError:
            self.close()
            raise

    def submit(self, texts: list[str]) -> Pending:
        if not texts:
            return _Ready([])
        self._send(texts)
        self._sent += 1
        return _FromHelper(self, self._sent)

    def take(self, number: int) -> list[Detection]:
        """The answer to the ``number``-th chunk sent (answers are taken in order)."""
        if number != self._taken + 1:
            raise RuntimeError("detections taken out of order")
        self._taken = number
        kind, value = self._answers.get()
        if kind == "ok":
            detections: list[Detection] = value
            return detections
        if kind == "error":
            raise EvidenceError(f"{HELPER_FAILED} ({value}).")
        self._answers.put((kind, value))  # ended: so is every later answer
        raise EvidenceError(HELPER_DIED)

    def close(self) -> None:
        """Close the helper's input, so it ends, and wait for it (killed if it hangs)."""
        with contextlib.suppress(OSError):  # it had died already
            self._input.close()
        try:
            self.process.wait(timeout=HELPER_GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join()
        self._output.close()

    def _send(self, value: Any) -> None:
        try:
            pickle.dump(value, self._input, protocol=pickle.HIGHEST_PROTOCOL)
            self._input.flush()
        except (OSError, ValueError) as error:  # a broken pipe: the helper ended
            raise EvidenceError(HELPER_DIED) from error

    def _read(self) -> None:
        try:
            while True:
                self._answers.put(pickle.load(self._output))
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            self._answers.put(("ended", None))


class _FromHelper:
    """A chunk the helper is scoring."""

    __slots__ = ("helper", "number")

    def __init__(self, helper: Helper, number: int) -> None:
        self.helper, self.number = helper, number

    def result(self) -> list[Detection]:
        return self.helper.take(self.number)


def can_use_helper(detector: Detector | None) -> bool:
    """Whether this computer has a core to spare and the helper can rebuild ``detector``
    (None: the default one): only a plain ``Detector`` (a subclass may score differently, and
    a helper could not know how)."""
    return (detector is None or type(detector) is Detector) and _cores() >= 2


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def open_detections(detector: Detector | None, helper: bool) -> Detections:
    """A helper process when asked for and possible; else detection in this process
    (``detector`` None: the default one, loaded here only if this process detects)."""
    if helper and (detector is None or type(detector) is Detector) and sys.executable:
        try:
            return Helper(MODEL_PATH if detector is None else detector.model_path)
        except (OSError, EvidenceError):  # no processes allowed here: detect in this one
            pass
    return InProcess(detector)


# In the helper process.

_BOOT = (
    "import pickle, sys; path, model = pickle.load(sys.stdin.buffer); sys.path[:] = path; "
    "from ally.evidence.detecting import serve; serve(model)"
)
"""The helper's start-up line: the importing process's module path first, so it finds the
same Ally, then the model's path."""


def serve(model_path: str | None) -> None:
    """The helper's loop: chunks of texts in, their detections out, until the input ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the import, which closes us
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    detector = Detector(None if model_path is None else Path(model_path))
    while True:
        try:
            texts = pickle.load(source)
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = ("ok", detect_texts(detector, texts))
        except Exception as error:  # the import stops and says what kind (never the text)
            answer = ("error", type(error).__name__)
        pickle.dump(answer, sink, protocol=pickle.HIGHEST_PROTOCOL)
        sink.flush()
