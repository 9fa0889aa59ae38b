"""Where vaults live by default: one folder per vault in the user's data directory.

``ALLY_HOME`` replaces the platform data directory (tests, portable installs on a USB stick);
``ALLY_VAULT`` names a vault folder or PostgreSQL URL directly.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def data_dir() -> Path:
    home = os.environ.get("ALLY_HOME")
    return Path(home) if home else Path(user_data_dir("ally", appauthor=False))


def default_location(name: str = "default") -> str:
    """``ALLY_VAULT`` if set, else ``<data dir>/vaults/<name>``."""
    explicit = os.environ.get("ALLY_VAULT")
    if explicit:
        return explicit
    return str(data_dir() / "vaults" / name)
