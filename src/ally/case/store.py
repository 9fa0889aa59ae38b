"""A case kept in the person's vault: each event is an encrypted, chained journal entry.

Keeping the case in the journal rather than a table of its own means it is encrypted at rest,
tamper-evident, exported with the journal, and never edited in place: re-planning or changing
a status adds an event, so the history of what was done is never lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ally.model.answers import ApproxDate
from ally.model.case import CaseEvent
from ally.model.journal import Entry, IncidentTime
from ally.vault import Vault

CASE_KIND = "case"
_EVENT = TypeAdapter(CaseEvent)


class VaultCase:
    """The case events stored in one open vault."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def events(self) -> list[CaseEvent]:
        """Every readable case event, in recorded order (forgotten ones are skipped)."""
        found = []
        for entry in self.vault.entries(kind=CASE_KIND):
            if entry.payload is None:
                continue
            try:
                found.append(_EVENT.validate_python(entry.payload))
            except ValidationError:
                continue  # written by a newer Ally; leave it for that version to read
        return found

    def record(self, event: CaseEvent) -> Entry:
        payload: dict[str, Any] = event.model_dump(mode="json")
        return self.vault.add_entry(CASE_KIND, payload)

    def journal_dates(self) -> list[ApproxDate]:
        """When each recorded incident happened, as a range where it is only approximate."""
        dates = []
        for entry in self.vault.entries(kind="incident"):
            if entry.payload is None:
                continue
            when = entry.incident().when
            if when.start is not None:
                dates.append(_as_range(when))
        return dates


def _as_range(when: IncidentTime) -> ApproxDate:
    start = when.start.date() if when.start else dt.date.min
    end = when.end.date() if when.end else start
    return ApproxDate(earliest=start, latest=end, precision="day" if start == end else "range")
