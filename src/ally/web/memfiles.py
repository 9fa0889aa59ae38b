"""An uploaded file held in memory only, yet reachable by a path with the upload's own name.

The import pipeline reads an export by path: it hashes it, sniffs its format, reads it twice
(a full check, then the import) and opens .zip files at random places. An upload must never
be written to disk in plaintext, so the bytes go into an anonymous in-memory file (Linux
``memfd_create``: RAM, freed when closed or when the process dies) and a symbolic link to it,
named like the uploaded file, is made in a private folder (0700) — on a RAM file system
(``/dev/shm``) where there is one, so not even the file's name reaches a disk. The link
holds no content. The pipeline then reads the upload as if it were a file on disk.

The link sits a few folders deep on purpose: some importers look for media next to the
export in the folders above it, and every folder they try is then one of these empty ones.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from ally.web.i18n import N_
from ally.web.pages import PageError

RAM_FOLDER = Path("/dev/shm")
DEPTH = ("upload", "a", "b", "c", "d", "e", "export")
"""Folders between the private folder and the link (more than importers look upwards)."""
MAX_NAME_BYTES = 200


def supported() -> bool:
    return hasattr(os, "memfd_create") and Path("/proc/self/fd").is_dir()


def link_name(filename: str) -> str:
    """A name that is safe as one path component: no dots-only names, at most 200 bytes."""
    name = filename.replace("/", "_").replace("\\", "_").replace("\x00", "")
    if not name.strip(". "):
        name = "export"
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        _, dot, suffix = name.rpartition(".")
        keep = suffix if dot and len(suffix) <= 10 else ""
        room = MAX_NAME_BYTES - len(keep.encode("utf-8")) - 1
        cut = encoded[:room].decode("utf-8", "ignore")
        name = f"{cut}.{keep}" if keep else cut
    return name


def _base_folder() -> str | None:
    if RAM_FOLDER.is_dir() and os.access(RAM_FOLDER, os.W_OK | os.X_OK):
        return str(RAM_FOLDER)
    return None  # the system's temporary folder: it holds only the link, never the bytes


class MemoryFile:
    """One upload in RAM. Use as a context manager: closing frees the memory and the link."""

    def __init__(self, filename: str) -> None:
        if not supported():
            raise PageError(
                501,
                N_(
                    "Importing an export from the browser needs Ally to run on Linux. "
                    "Use “ally evidence import” in a terminal instead."
                ),
            )
        self.size = 0
        self._fd = os.memfd_create("ally-upload", os.MFD_CLOEXEC)
        self._folder = tempfile.mkdtemp(prefix="ally-import-", dir=_base_folder())
        try:
            parent = Path(self._folder).joinpath(*DEPTH)
            parent.mkdir(parents=True, mode=0o700)
            self.path = parent / link_name(filename)
            self.path.symlink_to(f"/proc/{os.getpid()}/fd/{self._fd}")
        except BaseException:
            self.close()
            raise

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self.size += len(data)

    def close(self) -> None:
        """Forget the upload: the link and its folders go, and the memory is given back."""
        shutil.rmtree(self._folder, ignore_errors=True)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> MemoryFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
