"""A case kept in the person's vault: each event is an encrypted, chained journal entry.

Keeping the case in the journal rather than a table of its own means it is encrypted at rest,
tamper-evident, exported with the journal, and never edited in place: re-planning or changing
a status adds an event, so the history of what was done is never lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ally.model.answers import JournalDate
from ally.model.case import CaseEvent
from ally.model.journal import SETTINGS_KIND, Entry, journal_zone
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

    def journal_dates(self) -> list[JournalDate]:
        """When each recorded incident happened, as a range where it is only approximate,
        dated where the person lives: a deadline counts calendar days there, so an evening
        incident in California is not moved to the next (UTC) day. Each date keeps the
        incident's places, for deadlines about one place (``deadlines.relevant_dates``)."""
        zone = journal_zone(self.vault.entries(kind=SETTINGS_KIND))
        dates = []
        for entry in self.vault.entries(kind="incident"):
            if entry.payload is None:
                continue
            incident = entry.incident()
            days = incident.when.local_days(zone)
            if days is not None:
                dates.append(_as_range(days, incident.contexts))
        return dates


def _as_range(days: tuple[dt.date, dt.date], contexts: list[str]) -> JournalDate:
    first, last = days
    precision = "day" if first == last else "range"
    return JournalDate(earliest=first, latest=last, precision=precision, contexts=tuple(contexts))
