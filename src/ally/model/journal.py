"""The journal's plain data: incidents, notes, entries and attachments.

These types are what the vault stores (encrypted) and what the web app, the importers, the
letters and the case tracker read back. They do no I/O: the vault turns them into encrypted
records, and everything else only ever sees these decrypted, validated objects.

An :class:`Incident` is written so that "I don't remember exactly" is a normal answer: its
time may be exact, a range, or only a description ("early March, after the team meeting").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
"""Entry kinds are short lowercase words ("incident", "note", "message", ...)."""

CONTENT_KINDS_RESERVED = frozenset({"key", "attachment", "forget", "share", "unshare"})
"""Kinds the vault uses for its own records; journal entries cannot use them."""

BOOKKEEPING_KINDS = frozenset({"case", "settings"})
"""Entries Ally keeps for itself in the journal (the case's step statuses and clocks): chained
and encrypted like the rest, but never shown as journal entries, in the timeline or in any
list to pick from (they have no "what happened" to show)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


SETTINGS_KIND = "settings"
"""The journal's own settings (the person's time zone): bookkeeping, the latest one counts."""


def journal_zone_name(entries: list[Entry]) -> str | None:
    """The time zone the person chose for this journal (the latest setting), if any."""
    name = None
    for entry in entries:
        if entry.kind == SETTINGS_KIND and entry.payload and not entry.forgotten:
            value = entry.payload.get("timezone")
            if isinstance(value, str) and value:
                name = value
    return name


def computer_zone() -> dt.tzinfo:
    """This computer's zone: what typed times were read in when the journal keeps none."""
    return dt.datetime.now().astimezone().tzinfo or dt.UTC


def journal_zone(entries: list[Entry]) -> dt.tzinfo:
    """The zone the person's typed times were read in, and the one to show them in: the
    zone the journal keeps (``vault add --timezone``, the web form or its settings page), or
    this computer's zone when it keeps none (as the times were read then)."""
    name = journal_zone_name(entries)
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return computer_zone()


def in_zone(payload: dict[str, Any], zone: dt.tzinfo) -> dict[str, Any]:
    """A payload whose ``when`` times were written without a zone, read in the person's zone
    (so a typed 21:52 stays 21:52 where they live, whatever the computer's zone is); a
    start given as a bare date, or only a ``day``, becomes that calendar day."""
    when = payload.get("when")
    if not isinstance(when, dict):
        return payload
    fixed = dict(when)
    day = fixed.get("day")
    if fixed.get("start") is None and isinstance(day, str) and len(day.strip()) == 10:
        fixed["start"] = day.strip()
    for key in ("start", "end"):
        value = fixed.get(key)
        if not isinstance(value, str):
            continue
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            continue
        if len(value.strip()) == 10 and key == "start" and "day" not in fixed:
            fixed["day"] = value.strip()
        if moment.tzinfo is None:
            fixed[key] = moment.replace(tzinfo=zone).isoformat()
    return {**payload, "when": fixed}


def _utc(value: dt.datetime) -> dt.datetime:
    """Naive datetimes are taken as local time and stored in UTC, so sorting is meaningful.
    Callers that know the person's zone attach it first (typed times are read in it)."""
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(dt.UTC)


class IncidentTime(_Strict):
    """When something happened: exact, a range (``start``..``end``), or only described.

    ``approximate`` marks a remembered rather than recorded time; the description keeps the
    person's own words ("the week before my birthday").
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    approximate: bool = False
    description: str | None = None
    day: dt.date | None = None
    """Set when only the date is known: the incident is that calendar day where the person
    lives, whatever zone a report is read in (``start`` is its first moment, for sorting)."""

    @field_validator("start", "end")
    @classmethod
    def _to_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else _utc(value)

    @model_validator(mode="after")
    def _consistent(self) -> IncidentTime:
        if self.start is None and not self.description:
            raise ValueError(
                'give a date and time ("start": "2026-09-10T21:52"), a date ("start" or "day": '
                '"2026-09-10"), or describe roughly when it happened ("description")'
            )
        if self.end is not None and self.start is None:
            raise ValueError("a range needs a start as well as an end")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("the end of the range is before its start")
        return self

    def sort_key(self) -> dt.datetime | None:
        """The moment used to place the incident on a timeline (None: place by record time)."""
        return self.start

    @classmethod
    def on_day(cls, day: dt.date, zone: dt.tzinfo, **extra: Any) -> IncidentTime:
        """A date without a time, in the person's zone: it stays that date everywhere."""
        start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        return cls(start=start, day=day, **extra)

    def local_days(self, zone: dt.tzinfo) -> tuple[dt.date, dt.date] | None:
        """The first and last calendar day of the incident where the person lives (None when
        it is known only by a description). A date given without a time stays that date; a
        typed time, stored as an instant, is dated in ``zone``, not by its UTC day."""
        if self.start is None:
            return None
        first = self.day if self.day is not None else self.start.astimezone(zone).date()
        last = self.end.astimezone(zone).date() if self.end is not None else first
        return first, max(first, last)

    def summary(self) -> str:
        """A short human form: '2024-03-02 14:30 UTC', 'about 2024-03', or the description."""
        if self.day is not None:
            text = ("about " if self.approximate else "") + self.day.isoformat()
            return text + (f" ({self.description})" if self.description else "")
        if self.start is None:
            return self.description or ""
        text = self.start.strftime("%Y-%m-%d %H:%M UTC")
        if self.end is not None:
            text += " – " + self.end.strftime("%Y-%m-%d %H:%M UTC")
        if self.approximate:
            text = "about " + text
        if self.description:
            text += f" ({self.description})"
        return text


class Incident(_Strict):
    """One thing that happened, in the person's words, with what makes it usable as evidence."""

    when: IncidentTime
    what: str = Field(min_length=1)
    where: str | None = None
    who: list[str] = Field(default_factory=list)
    witnesses: list[str] = Field(default_factory=list)
    impact: str | None = None
    tags: list[str] = Field(default_factory=list)
    contexts: list[str] = Field(
        default_factory=list, description="Plan contexts it belongs to (e.g. work, online)."
    )


ACTION_VERBS = ("reported", "complained", "filed", "called", "asked", "other")
"""What the person did: told someone, made a formal complaint, filed with an agency or court,
called, asked for something (a follow-up, a copy of a record)."""

REPLY_OUTCOMES = ("acknowledged", "acted", "refused", "asked", "closed", "other")
"""What came back: a receipt, action taken, a refusal, a request for more, a closed case."""

COMPLAINT_VERBS = frozenset({"reported", "complained", "filed"})
"""Actions that are a complaint in law's sense (a protected activity): what retaliation follows."""


class Action(_Strict):
    """Something the person did about the harassment: reported it, complained, filed, called.

    Kept apart from incidents because it is not done *to* the person: it must never be counted
    as one of the harasser's contacts, and letters list it under "Steps taken".
    """

    when: IncidentTime
    what: str = Field(min_length=1)
    did: str = Field(default="reported", pattern="^(" + "|".join(ACTION_VERBS) + ")$")
    to: str | None = Field(default=None, description="Who it went to (HR, the police, EEOC).")
    reference: str | None = Field(default=None, description="A ticket, case or crime number.")
    step: str | None = Field(default=None, description="The plan step it belongs to, if any.")
    tags: list[str] = Field(default_factory=list)
    contexts: list[str] = Field(default_factory=list)

    @property
    def is_complaint(self) -> bool:
        return self.did in COMPLAINT_VERBS


class Reply(_Strict):
    """What came back from someone the person went to: an answer, a refusal, a case number."""

    when: IncidentTime
    what: str = Field(min_length=1)
    by: str | None = Field(default=None, description="Who answered (HR, the host, the police).")
    outcome: str = Field(default="other", pattern="^(" + "|".join(REPLY_OUTCOMES) + ")$")
    reference: str | None = Field(default=None, description="The reference number they gave.")
    step: str | None = Field(default=None, description="The plan step it belongs to, if any.")
    tags: list[str] = Field(default_factory=list)
    contexts: list[str] = Field(default_factory=list)


class Note(_Strict):
    """Free text: a thought, a call log, anything that is not a single incident."""

    text: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)


class Attachment(BaseModel):
    """A file stored with an entry (a photo, screenshot, PDF, recording, export...)."""

    model_config = ConfigDict(frozen=True)

    id: str
    entry_id: str
    seq: int
    recorded_at: dt.datetime
    filename: str | None
    media_type: str | None
    size: int | None
    forgotten: bool = False


class Entry(BaseModel):
    """One version of a journal entry, decrypted.

    ``id`` names this version; ``root_id`` names the entry across edits (the first version's
    id). ``seq`` is the entry's number in the journal (that of its first version), which stays
    the same across edits; ``version_seq`` is this version's own number. ``payload`` is None
    when the entry was forgotten: only the tombstone remains.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    root_id: str
    seq: int
    version_seq: int
    kind: str
    version: int
    recorded_at: dt.datetime
    payload: dict[str, Any] | None
    conversation_id: str | None = None
    forgotten: bool = False
    attachments: tuple[Attachment, ...] = ()

    @property
    def is_bookkeeping(self) -> bool:
        return self.kind in BOOKKEEPING_KINDS

    def incident(self) -> Incident:
        """This entry as an Incident (raises ValueError for other kinds or forgotten entries)."""
        if self.kind != "incident" or self.payload is None:
            raise ValueError("this entry is not a readable incident")
        return Incident.model_validate(self.payload)

    def note(self) -> Note:
        """This entry as a Note (raises ValueError for other kinds or forgotten entries)."""
        if self.kind != "note" or self.payload is None:
            raise ValueError("this entry is not a readable note")
        return Note.model_validate(self.payload)

    def action(self) -> Action:
        """This entry as an Action (raises ValueError for other kinds or forgotten entries)."""
        if self.kind != "action" or self.payload is None:
            raise ValueError("this entry is not a readable action")
        return Action.model_validate(self.payload)

    def reply(self) -> Reply:
        """This entry as a Reply (raises ValueError for other kinds or forgotten entries)."""
        if self.kind != "reply" or self.payload is None:
            raise ValueError("this entry is not a readable reply")
        return Reply.model_validate(self.payload)

    def occurred_at(self) -> dt.datetime:
        """When it happened if known (incidents, actions, replies, dated messages), else when it
        was recorded."""
        if self.kind in TIMED_KINDS and self.payload is not None:
            try:
                moment = TIMED_KINDS[self.kind].model_validate(self.payload).when.sort_key()
            except ValueError:  # free JSON from an earlier version: see read_time_kind
                moment = None
            if moment is not None:
                return moment
        for key in ("sent_at", "captured_at"):  # a message's or a web page's own time
            if self.payload is not None and isinstance(self.payload.get(key), str):
                try:
                    return _utc(dt.datetime.fromisoformat(self.payload[key]))
                except ValueError:
                    pass
        return self.recorded_at

    def summary(self, width: int = 60) -> str:
        """One line for lists: the start of what happened, or of the text."""
        if self.payload is None:
            return "(forgotten)"
        text = ""
        for key in ("what", "text", "body", "title"):
            value = self.payload.get(key)
            if isinstance(value, str) and value:
                text = value
                break
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"


TIMED_KINDS: dict[str, type[Incident] | type[Action] | type[Reply]] = {
    "incident": Incident,
    "action": Action,
    "reply": Reply,
}
"""Kinds whose payload says when it happened (``when``), as an :class:`IncidentTime`."""


REVIEW_KIND = "review"
"""A review decision about another entry (marked as evidence, or not relevant).

Decisions are entries of their own, pointing at the entry they are about, so marking a
message never makes a new version of it: only real changes to what was said count as edits.
Vaults written before this kept the decision in a new version of the message, under
``payload["review"]``; :func:`review_decisions` reads both.
"""


def review_decisions(entries: list[Entry]) -> dict[str, str]:
    """The latest review decision for each entry, by the entry's root id."""
    decisions: dict[str, tuple[int, str]] = {}
    for entry in entries:
        payload = entry.payload
        if entry.forgotten or payload is None:
            continue
        if entry.kind == REVIEW_KIND:
            target, decision = payload.get("entry"), payload.get("decision")
            order = entry.version_seq
        else:
            review = payload.get("review")
            if not isinstance(review, dict):
                continue
            target, decision, order = entry.root_id, review.get("decision"), entry.version_seq
        fresh = target not in decisions or decisions[str(target)][0] < order
        if isinstance(target, str) and isinstance(decision, str) and fresh:
            decisions[target] = (order, decision)
    return {target: decision for target, (_, decision) in decisions.items()}


ACTION_TAGS = frozenset({"action", "my-step", "reported", "complained", "filed", "complaint"})
"""Tags that mark an incident as something the person did (how earlier versions recorded it)."""
REPLY_TAGS = frozenset({"reply", "response", "answer", "outcome"})
"""Tags that mark an incident as an answer the person received."""


def _loose_when(payload: dict[str, Any], recorded_at: dt.datetime) -> dict[str, Any]:
    """A ``when`` for a payload written without one (or as a plain date string)."""
    when = payload.get("when")
    if isinstance(when, dict):
        return when
    for key in ("when", "date", "on", "at"):
        value = payload.get(key)
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                return {"description": value, "approximate": True}
            return {"start": parsed.isoformat(), "approximate": len(value) <= 10}
    return {"start": recorded_at.isoformat(), "approximate": True}


def _loose_text(payload: dict[str, Any]) -> str | None:
    for key in ("what", "text", "body", "note", "title"):
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _as(model: type[Action] | type[Reply], payload: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return model.model_validate(payload).model_dump(mode="json")
    except ValueError:
        return None


def read_time_kind(entry: Entry) -> Entry:
    """The entry as today's code reads it, for vaults written before actions and replies had
    kinds of their own: an incident tagged as the person's own step (``reported``, ``action``)
    reads as an action, one tagged ``reply`` as a reply (the people it names are who it went
    to, or who answered); an ``action`` or ``reply`` saved as free JSON reads with its text and
    date. Nothing is rewritten in the vault; anything that does not fit is left as it was."""
    payload = entry.payload
    if payload is None or entry.forgotten:
        return entry
    if entry.kind == "incident":
        tags = {str(tag).lower() for tag in payload.get("tags") or []}
        kind = "action" if tags & ACTION_TAGS else "reply" if tags & REPLY_TAGS else None
        if kind is None:
            return entry
        who = ", ".join(str(name) for name in payload.get("who") or []) or None
        mapped: dict[str, Any] = {
            "when": payload.get("when"),
            "what": payload.get("what"),
            "tags": payload.get("tags") or [],
            "contexts": payload.get("contexts") or [],
            ("to" if kind == "action" else "by"): who,
        }
        model: type[Action] | type[Reply] = Action if kind == "action" else Reply
        fitted = _as(model, mapped)
        return (
            entry if fitted is None else entry.model_copy(update={"kind": kind, "payload": fitted})
        )
    if entry.kind in ("action", "reply"):
        model = Action if entry.kind == "action" else Reply
        if _as(model, payload) is not None:
            return entry
        text = _loose_text(payload)
        if text is None:
            return entry
        known = set(model.model_fields) - {"when", "what"}
        loose = {key: value for key, value in payload.items() if key in known}
        loose |= {"when": _loose_when(payload, entry.recorded_at), "what": text}
        fitted = _as(model, loose) or _as(
            model, {"when": _loose_when(payload, entry.recorded_at), "what": text}
        )
        return entry if fitted is None else entry.model_copy(update={"payload": fitted})
    return entry
