"""How far an upload in progress has come, readable from every app process (hosted mode).

An import's upload is received by one app process, while ally.js asks every second how far
it is; with no sticky sessions that question may reach another process. So the receiving
process writes the counts (numbers only: phase, bytes received and expected; never a name
or any content) to ``web_upload_progress`` about once a second, and the progress endpoint
reads them there when the upload is not its own. The row goes when the upload ends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ally.web.storage import WebStorage

PUBLISH_SECONDS = 1.0
STALE_SECONDS = 10
"""Counts older than this are from an upload whose process stopped: it is not running."""


class ProgressBoard:
    def __init__(self, storage: WebStorage, clock: Callable[[], float]) -> None:
        self.storage = storage
        self.clock = clock

    def publish(self, session: str, counts: dict[str, Any]) -> None:
        body = json.dumps(
            {k: counts[k] for k in ("phase", "received", "expected", "done", "total")}
        )
        with self.storage.transaction() as db:
            db.execute("DELETE FROM web_upload_progress WHERE session = ?", (session,))
            db.execute(
                "INSERT INTO web_upload_progress (session, body, updated) VALUES (?, ?, ?)",
                (session, body, int(self.clock())),
            )

    def read(self, session: str) -> dict[str, Any] | None:
        with self.storage.transaction() as db:
            rows = db.query("SELECT body FROM web_upload_progress WHERE session = ?", (session,))
        found: dict[str, Any] | None = json.loads(str(rows[0][0])) if rows else None
        return found

    def running(self, session: str) -> bool:
        """Whether an upload of this session is arriving at some app process right now."""
        with self.storage.transaction() as db:
            rows = db.query(
                "SELECT body, updated FROM web_upload_progress WHERE session = ?", (session,)
            )
        if not rows or self.clock() - int(rows[0][1]) > STALE_SECONDS:
            return False
        return json.loads(str(rows[0][0])).get("phase") in ("receiving", "checking", "importing")

    def clear(self, session: str) -> None:
        with self.storage.transaction() as db:
            db.execute("DELETE FROM web_upload_progress WHERE session = ?", (session,))
