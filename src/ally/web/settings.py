"""Settings of this Ally as a whole, chosen by the person on the safety page.

Only camouflage for now: a neutral name, title and icon instead of "Ally", and a neutral
first screen, for a person who shares the device with someone who must not recognise it.
It belongs to the whole app, not to a session, because the first screen is shown before
anyone is known (and after quick exit, when the session is gone).
"""

from __future__ import annotations

import threading

from ally.web.i18n import N_
from ally.web.storage import WebStorage

CAMOUFLAGE_NAMES: dict[str, str] = {
    "notes": N_("Notes"),
    "recipes": N_("Recipes"),
    "budget": N_("Budget"),
}
"""The neutral names a person can choose, by key (translated where shown)."""


class AppSettings:
    """Read once, then kept in memory; a change is written through at once."""

    def __init__(self, storage: WebStorage) -> None:
        self.storage = storage
        self._lock = threading.Lock()
        self._camouflage: str | None = None
        self._loaded = False

    def camouflage(self) -> str | None:
        """The key of the neutral name in use (see ``CAMOUFLAGE_NAMES``), or None."""
        with self._lock:
            if not self._loaded:
                with self.storage.transaction() as db:
                    rows = db.query("SELECT value FROM web_settings WHERE name = 'camouflage'")
                value = str(rows[0][0]) if rows else None
                self._camouflage = value if value in CAMOUFLAGE_NAMES else None
                self._loaded = True
            return self._camouflage

    def set_camouflage(self, key: str | None) -> None:
        if key is not None and key not in CAMOUFLAGE_NAMES:
            raise ValueError("unknown camouflage name")
        with self._lock, self.storage.transaction() as db:
            db.execute("DELETE FROM web_settings WHERE name = 'camouflage'")
            if key is not None:
                db.execute(
                    "INSERT INTO web_settings (name, value) VALUES ('camouflage', ?)", (key,)
                )
            self._camouflage = key
            self._loaded = True
