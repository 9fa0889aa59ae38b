"""Where each plan step stands for a session: done, refused, no answer yet, resolved, not for me.

Kept deliberately plain (session, step id, status, date) for people without a journal. With
the journal unlocked, the same buttons also record the status in the case (``person/tracking``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from ally.web.storage import WebStorage


class StepStatus(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    NO_ANSWER = "no_answer"
    RESOLVED = "resolved"
    NOT_FOR_ME = "not_for_me"


class StepStatusStore:
    def __init__(self, storage: WebStorage) -> None:
        self.storage = storage

    def set(self, session: str, step: str, status: StepStatus, day: dt.date) -> None:
        with self.storage.transaction() as db:
            db.execute(
                "INSERT INTO step_status (session, step, status, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (session, step)"
                " DO UPDATE SET status = excluded.status, updated = excluded.updated",
                (session, step, status.value, day.isoformat()),
            )

    def for_session(self, session: str) -> dict[str, tuple[StepStatus, dt.date]]:
        with self.storage.transaction() as db:
            rows = db.query(
                "SELECT step, status, updated FROM step_status WHERE session = ?", (session,)
            )
        return {
            step: (StepStatus(status), dt.date.fromisoformat(updated))
            for step, status, updated in rows
        }
