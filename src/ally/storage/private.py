"""Folders and files only their owner can open (0700 and 0600), whatever the umask.

A person's answers and journal are encrypted, but the vault's metadata (how many entries,
when) and the encrypted files themselves are still theirs alone: another account on the same
computer must not be able to copy them. The usual umask (022) would make new folders 0755 and
files 0644, so everything Ally stores is made private here explicitly, and the command line
also sets a umask of 077 for whatever else it writes (reports, letters, bundles).

On Windows these modes mean little (access is governed by ACLs and the profile folder is
private already), so nothing is changed there.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
PRIVATE_UMASK = 0o077

_POSIX = sys.platform != "win32"


def private_folder(path: Path, *, ours_from: Path | None = None) -> Path:
    """``path`` and every missing parent, created 0700.

    Folders that already exist are left as they are (a person's home, a shared mount), except
    those at or below ``ours_from`` (Ally's own data folder), which are made 0700 even if an
    older Ally made them 0755.
    """
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # made by someone else meanwhile
        _chmod(folder, FOLDER_MODE)
    if ours_from is not None and path.is_relative_to(ours_from):
        for folder in [path, *path.parents]:
            tighten(folder)
            if folder == ours_from:
                break
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if missing (0600, never wider), or make an existing one 0600."""
    if _POSIX:
        descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
        try:
            os.fchmod(descriptor, FILE_MODE)
        finally:
            os.close(descriptor)
    else:
        path.touch(exist_ok=True)
    return path


def tighten(path: Path) -> None:
    """Make an existing file 0600 or folder 0700 if it is open to others (old installs)."""
    if not _POSIX or not path.exists():
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    wanted = FOLDER_MODE if path.is_dir() else FILE_MODE
    if mode & 0o077:
        _chmod(path, wanted)


def private_umask() -> None:
    """From now on this process creates files 0600 and folders 0700 by default."""
    if _POSIX:
        os.umask(PRIVATE_UMASK)


def _chmod(path: Path, mode: int) -> None:
    if _POSIX:
        with contextlib.suppress(PermissionError):  # not ours (a shared parent): leave it
            path.chmod(mode)
