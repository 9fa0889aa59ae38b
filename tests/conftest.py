"""The suite must never write into the checkout.

A test once opened SQLite with a ``file:/tmp/...?mode=ro`` URI as if it were a path, which made
a folder called ``file:`` at the repository root, and it was committed by accident. So the run
notes the files git does not know (and does not ignore) before the tests, and fails if new ones
appear after them. Files the tests keep on purpose go to gitignored folders (test-artifacts/).
Only the controlling process checks (with xdist, the workers run in between).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests are judged on what they find, never on how fast a busy machine runs one
# example: Hypothesis's default 200 ms deadline, and its health check that fails a test whose
# data is slow to generate, made a loaded CI run fail on timing alone. A test that sets
# its own settings keeps them; this changes only the defaults.
settings.register_profile("ally", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ally")

ROOT = Path(__file__).resolve().parents[1]
_BEFORE = pytest.StashKey[frozenset[str] | None]()
_MADE_HOME = pytest.StashKey[str]()
"""The ALLY_HOME folder this process made for the run (to remove at its end)."""


def untracked_files(root: Path) -> frozenset[str] | None:
    """Paths below ``root`` that git neither tracks nor ignores; None outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard", "-z"],
            cwd=root,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None  # an unpacked sdist, or no git: nothing to compare against
    return frozenset(name for name in done.stdout.decode().split("\0") if name)


def new_files(before: frozenset[str] | None, after: frozenset[str] | None) -> list[str]:
    """What appeared between the two listings (nothing when either is unknown)."""
    if before is None or after is None:
        return []
    return sorted(after - before)


def pytest_configure(config: pytest.Config) -> None:
    """Ally's data folder for the run is a fresh temporary one, so a test that forgets to
    choose its own never writes into the developer's real journal folder (a hosted test once
    left a server key in ~/.local/share/ally). Set before xdist starts its workers, which
    inherit it; a run that sets ALLY_HOME itself keeps its choice."""
    if "ALLY_HOME" not in os.environ:
        os.environ["ALLY_HOME"] = tempfile.mkdtemp(prefix="ally-test-home-")
        config.stash[_MADE_HOME] = os.environ["ALLY_HOME"]


def pytest_unconfigure(config: pytest.Config) -> None:
    """The data folder made for the run goes with it (only the process that made it removes
    it: xdist's workers inherit it), so runs do not pile up folders in /tmp."""
    made = config.stash.get(_MADE_HOME, None)
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)
        if os.environ.get("ALLY_HOME") == made:
            del os.environ["ALLY_HOME"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests (browsers, crashes, the authorisation matrix) run first.

    xdist hands out tests in this order. Collected by folder, the slowest ones came last
    (tests/web's browser tests), so one worker was still running a 50-second test while the
    other had nothing left to do. Started first, they share the workers while the many short
    tests fill in around them. A stable sort: every worker sees the same order, as xdist needs.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        session.config.stash[_BEFORE] = untracked_files(ROOT)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return
    appeared = new_files(session.config.stash.get(_BEFORE, None), untracked_files(ROOT))
    if appeared:
        shown = "\n  ".join(appeared[:20])
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", "tests wrote into the checkout", red=True)
            reporter.write_line(f"New files that git does not ignore:\n  {shown}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
