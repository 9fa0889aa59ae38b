"""Run `ally` inside the test process, the way a child process would see it.

Starting ``python -m ally.cli.main`` costs several seconds before the command does anything
(Python, then every import of the CLI; more again when coverage follows the child), and CI
runs the whole suite against a 30-minute limit. Tests that are about what a command does,
not about the process boundary, call :func:`run_ally` instead: it runs the same entry point
(:func:`ally.cli.main.main`, with its error handling, exit codes and umask) with the same
arguments, environment, working directory and standard input, and returns what
``subprocess.run(..., capture_output=True, text=True)`` would: exit code, stdout, stderr.

What a fresh process would start with is set up for each call and put back after it: the
environment (and the time zone it names), the working directory, ``sys.argv``, the umask,
the standard streams (not terminals, as with pipes) and the CLI's consoles, which read
``COLUMNS`` when they are made. Tests about the process itself (a pty, signals, ``--passphrase-fd``
file descriptors, entry points, ``ally serve``) keep using real child processes.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from ally.cli import main as cli_main
from ally.cli.console import literal_console
from ally.vault import Vault
from ally.vault.crypto import MIN_WORK_FACTOR

ALLY = [sys.executable, "-m", "ally.cli.main"]
"""How the tests that need a real process start `ally`."""


def run_ally(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    input: str | None = None,  # subprocess.run's name
    weak_journals: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run([*ALLY, *args], capture_output=True, text=True, ...)``, in-process.

    ``env`` is the whole environment, as for subprocess.run (None: this process's). With
    ``weak_journals``, see :func:`weakly_locked_journals`.
    """
    stdout, stderr = io.BytesIO(), io.BytesIO()
    with (
        _environment(env),
        _directory(cwd),
        _streams(input or "", stdout, stderr),
        weakly_locked_journals(weak_journals),
    ):
        code = _call_main([*args])
    return subprocess.CompletedProcess(
        [*ALLY, *args], code, _text(stdout.getvalue()), _text(stderr.getvalue())
    )


def _call_main(args: list[str]) -> int:
    """Exit code of ``ally.cli.main.main()``; an unexpected exception prints its traceback
    and exits 1, as the interpreter does in a child process."""
    saved_argv, saved_umask = sys.argv, os.umask(0o022)
    os.umask(saved_umask)
    sys.argv = ["ally", *args]
    try:
        with warnings.catch_warnings():  # main() replaces showwarning; put back after
            _python_warning_filters()
            cli_main.main()
        return 0
    except SystemExit as stop:
        return _exit_code(stop.code)
    except Exception:  # a child process prints the traceback and exits 1
        traceback.print_exc()
        return 1
    finally:
        sys.argv = saved_argv
        os.umask(saved_umask)


def _python_warning_filters() -> None:
    """The filters a new interpreter starts with (pytest's own would show more)."""
    warnings.resetwarnings()
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message"): printed, exit status 1
    return 1


def _text(data: bytes) -> str:
    """Decoded as text=True does (universal newlines)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    saved = dict(os.environ)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    time.tzset()  # the zone TZ names, as a new process would read it
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        time.tzset()


@contextmanager
def _directory(cwd: str | Path | None) -> Iterator[None]:
    saved = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved)


@contextmanager
def _streams(stdin: str, stdout: io.BytesIO, stderr: io.BytesIO) -> Iterator[None]:
    """Pipes, not terminals; and fresh CLI consoles, which read COLUMNS when made."""
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(stdout, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(
        stderr, encoding="utf-8", errors="backslashreplace", write_through=True
    )
    consoles = _fresh_consoles()
    try:
        yield
    finally:
        for text in (sys.stdout, sys.stderr):
            text.flush()
            text.detach()  # keep the BytesIO open for reading
        sys.stdin, sys.stdout, sys.stderr = saved
        for (module, name), console in consoles.items():
            setattr(module, name, console)


def _fresh_consoles() -> dict[tuple[object, str], Console]:
    """Replace the consoles the CLI made at import by new ones; returns the old ones."""
    replaced: dict[tuple[object, str], Console] = {}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("ally.cli.") or module is None:
            continue
        for name, value in list(vars(module).items()):
            if isinstance(value, Console):
                replaced[module, name] = value
                setattr(module, name, literal_console(stderr=value.stderr))
    return replaced


_LOCKING = (Vault.create, Vault.recover, Vault.change_passphrase)


@contextmanager
def weakly_locked_journals(on: bool = True) -> Iterator[None]:
    """Journals made (and passphrases set) meanwhile use scrypt's least work, 2**10, not 2**18.

    Every later command unlocks the journal with the work its file names: ~1.7 s each at the
    default, ~5 ms at the least. For tests about what commands do with a journal, not about
    how strongly it is locked (tests/vault checks that, with the default). The commands run
    unchanged; only the default of these methods' ``work_factor`` argument is lowered.
    """
    if not on:
        yield
        return
    saved = [dict(method.__kwdefaults__ or {}) for method in _LOCKING]
    for method in _LOCKING:
        assert method.__kwdefaults__ is not None and "work_factor" in method.__kwdefaults__
        method.__kwdefaults__["work_factor"] = MIN_WORK_FACTOR
    try:
        yield
    finally:
        for method, defaults in zip(_LOCKING, saved, strict=True):
            method.__kwdefaults__.clear()
            method.__kwdefaults__.update(defaults)
