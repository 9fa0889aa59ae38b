"""Opt-in details for a bug report: the chain of causes under an error, with no personal data.

Off by default. ``ally --debug ...`` or ``ALLY_DEBUG=1`` turns it on for the CLI; for
``ally serve`` it adds the chain to the server's log when a request fails on the server's side.

What is printed, and why it is safe to paste into a public issue:

* each error in the chain (the error, then its ``__cause__`` or ``__context__``): its type,
  and where it was raised (file, line and function, paths cut to the package);
* the message only of errors Ally defines (``ally.*`` classes), whose messages are written to
  be shown to the person and never hold their data (see :mod:`ally.errors`); for an
  ``OSError`` its errno name (``ENOSPC``), never its message, which quotes a path;
* nothing else: no messages of other libraries' errors (pydantic, PyYAML and the email
  package quote the input they failed on, which may be journal text), no local variables,
  no paths outside the Python installation (a home folder names its owner).
"""

from __future__ import annotations

import errno
import os
import platform
import sys
import traceback
from collections.abc import Iterator, Mapping
from pathlib import PurePath

from ally import __version__

ENV = "ALLY_DEBUG"
_OFF = frozenset({"", "0", "false", "no", "off"})


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``ALLY_DEBUG`` asks for details (any value but empty, 0, false, no, off)."""
    return environ.get(ENV, "").strip().lower() not in _OFF


def chain(error: BaseException) -> Iterator[BaseException]:
    """The error, then what caused it, down to the first; each once (a chain can loop)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if current.__cause__ is not None:
            current = current.__cause__
        elif current.__suppress_context__:
            current = None
        else:
            current = current.__context__


def describe(error: BaseException) -> str:
    """The chain under ``error`` as text for a bug report (see the module notes)."""
    lines = [f"Details for a bug report (Ally {__version__}, Python {platform.python_version()}):"]
    for depth, link in enumerate(chain(error)):
        lines.append(("Error: " if depth == 0 else "Caused by: ") + _summary(link))
        lines.extend(
            f"  at {short_path(frame.filename)}:{frame.lineno} in {frame.name}"
            for frame in traceback.extract_tb(link.__traceback__)
        )
    lines.append("(Messages from other libraries are left out: they can quote your data.)")
    return "\n".join(lines)


def _summary(error: BaseException) -> str:
    kind = type(error)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    if kind.__module__.startswith("ally.") and str(error):
        return f"{name}: {error}"
    if isinstance(error, OSError) and error.errno is not None:
        return f"{name} [{errno.errorcode.get(error.errno, error.errno)}]"
    return name


def short_path(filename: str) -> str:
    """A source path cut to its package (``ally/vault/crypto.py``), never a home folder."""
    path = PurePath(filename)
    roots = sorted((PurePath(entry) for entry in sys.path if entry), key=lambda p: -len(p.parts))
    for root in roots:
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    parts = path.parts
    if "ally" in parts:  # an editable install outside sys.path, e.g. a src/ checkout
        return PurePath(*parts[len(parts) - 1 - parts[::-1].index("ally") :]).as_posix()
    return path.name
