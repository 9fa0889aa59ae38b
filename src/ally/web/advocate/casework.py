"""A shared case worked out for an advocate's pages, with the person's own functions.

The share holds the case's events and the journal's incident dates (never the journal
itself); ``case_view`` and ``current_plan`` (``ally.case.tracker``) turn them into the next
step and the deadlines exactly as the person's case page does, through the one deadline
clock (``knowledge/deadlines.deadline_clock``), counted from today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import TypeAdapter, ValidationError

from ally.case.tracker import case_view, current_plan, situation
from ally.errors import AllyError
from ally.hosted.accounts import Account
from ally.hosted.sharing import SharedCase, Sharing
from ally.model.answers import JournalDate
from ally.model.case import CaseEvent, CaseView, DeadlineWatch
from ally.model.journal import Entry
from ally.model.plan import Plan
from ally.vault.crypto import Identity

_EVENT = TypeAdapter(CaseEvent)


@dataclass(frozen=True)
class Worked:
    view: CaseView
    plan: Plan
    events: list[CaseEvent]


def worked_out(case: dict[str, Any] | None, today: dt.date, language: str) -> Worked | None:
    """The case as of ``today``, or None when no plan was shared (or it cannot be read)."""
    if not case:
        return None
    try:
        events = [_EVENT.validate_python(e) for e in case.get("events", [])]
        dates = [JournalDate.model_validate(d) for d in case.get("journal_dates", [])]
        return Worked(
            case_view(events, today, dates, language),
            current_plan(events, today, dates, language),
            events,
        )
    except (AllyError, ValidationError, ValueError, OverflowError):
        return None


def shared_zone(shared: SharedCase) -> dt.tzinfo:
    """The person's time zone, shared with their entries and their plan, for showing their
    entries' times as they typed them. A share made before the zone travelled with entries
    (and without the plan) shows UTC: each time with its offset (UTC+00:00), never as a bare
    date that could be the wrong day."""
    name = shared.timezone
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return dt.UTC


def dated(view: CaseView | None) -> list[DeadlineWatch]:
    """The deadlines that have a date, soonest first (as ``case_view`` orders them)."""
    return [d for d in view.deadlines if d.due is not None] if view else []


def answers_of(worked: Worked) -> dict[str, Any]:
    return dict(situation(worked.events).answers)


class SharedEvidence:
    """The shared entries as a journal for letter drafting (an ``EvidenceSource``): files
    are decrypted from the share when a letter lists them, and each read is recorded."""

    def __init__(
        self, sharing: Sharing, advocate: Account, identity: Identity, shared: SharedCase
    ) -> None:
        self._sharing = sharing
        self._advocate = advocate
        self._identity = identity
        self._shared = shared

    def entries(self) -> list[Entry]:
        return list(self._shared.entries)

    def read_attachment(self, ref: str) -> Iterator[bytes]:
        yield self._sharing.read_file(self._advocate, self._identity, self._shared.share.id, ref)

    def head_code(self) -> str:
        return "shared copy"
