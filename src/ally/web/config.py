"""Settings for one running web app, fixed when the app is created.

Everything that differs between a person's own computer (``ally serve``) and a hosted
service lives here, so the routes never read the environment themselves.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ally.vault.location import data_dir, default_location

LOCK_CHOICES = (5, 15, 30, 60, 240)
"""Minutes a person can choose before Ally locks itself (WCAG 2.2.1: the limit is adjustable)."""


def default_database() -> str:
    """The embedded SQLite database in the person's data directory (``ALLY_HOME`` moves it)."""
    return str(data_dir() / "ally.sqlite3")


@dataclass(frozen=True)
class WebConfig:
    database: str | Path = field(default_factory=default_database)
    lock_minutes: int = 15
    """Idle minutes before a session locks, unless the person picks another choice."""
    retention_days: int = 30
    """Sessions unused this long are deleted, with their step statuses."""
    quick_exit_url: str = "https://www.bbc.com/weather"
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")
    default_pack: str | None = None
    vault: str | None = field(default_factory=default_location)
    """Where the journal (evidence vault) lives: a folder or postgresql:// URL; None: no journal."""
    max_upload_bytes: int = 2 * 1024**3
    unlock_concurrency: int = 2
    """Passphrase checks (scrypt: ~1 s and 256 MiB each) allowed to run at once."""
    clock: Callable[[], float] = time.time
    """Seconds since the epoch; tests pass a fake clock to exercise the idle lock."""
    today: Callable[[], dt.date] = dt.date.today
    """The calendar day plans and the case count from; tests pass a fake to move time."""
