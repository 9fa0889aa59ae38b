"""Statutory deadlines: date arithmetic, and the one place a deadline's clock is worked out.

``deadline_clock`` is the single computation of when a deadline's clock started and its last
day, used by the plan (page, text, JSON), the case page, letters, reports and calendars, so
they always agree for the same answers, journal and case. Approximate starts use the earliest
possible day: better to show a person too little time than too much. ``counted`` says, beside
every last day, what was counted. Pure: the caller passes the journal's dates and the case's
events (``ClockFacts``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from dateutil.relativedelta import relativedelta

from ally.knowledge.conditions import AllOf, AnyOf, Compare, Node, parse
from ally.knowledge.messages import message, unit
from ally.knowledge.schema import Deadline, Length, Pack
from ally.model.answers import AnswerValue, ApproxDate, JournalDate


def add_length(start: dt.date, length: Length) -> dt.date:
    """``start`` plus the length, less any ``minus_days``."""
    end = start + relativedelta(
        years=length.years, months=length.months, weeks=length.weeks, days=length.days
    )
    return end - dt.timedelta(days=length.minus_days)


def due_date(deadline: Deadline, start: dt.date) -> dt.date:
    end = add_length(start, deadline.length)
    if deadline.weekend_rolls_forward and end.weekday() >= 5:
        end += dt.timedelta(days=7 - end.weekday())
    return end


def describe_length(deadline: Deadline, language: str = "en") -> str:
    """The length in words, e.g. '3 months less 1 day (weekends and holidays count)'."""
    length = deadline.length
    parts = [
        f"{amount} {unit(language, name, amount)}"
        for amount, name in (
            (length.years, "year"),
            (length.months, "month"),
            (length.weeks, "week"),
            (length.days, "day"),
        )
        if amount
    ]
    text = message(language, "and").join(parts)
    if length.minus_days:
        amount = length.minus_days
        text += message(language, "less", amount=amount, unit=unit(language, "day", amount))
    text += message(language, "counting")
    if deadline.weekend_rolls_forward:
        text += message(language, "rolls")
    return text + ")"


# --- the one deadline clock ---------------------------------------------------------------------

JOURNAL_CLOCK = "last_incident"
"""The one answer the journal can move: the last incident happened no earlier than any
incident recorded in the journal, so a later recorded incident starts the clock later."""

StartBasis = Literal["answer", "answer_first_day", "journal", "event", "not_yet"]


@dataclass(frozen=True)
class ClockFacts:
    """What starts clocks besides the answers, from the person's journal and case.

    ``journal`` says whether the journal was read: ``"counted"`` (its incidents are in
    ``journal_dates``), ``"locked"`` (it exists but could not be read, and the hint says so)
    or ``"none"`` (there is no journal here, as for ``ally plan``).
    """

    journal_dates: tuple[ApproxDate, ...] = ()
    marks: Mapping[str, dt.date] = field(default_factory=dict)
    """Case events by name (``event:NAME`` starts), each on the earliest day it was recorded."""
    journal: Literal["counted", "locked", "none"] = "none"


NO_FACTS = ClockFacts()


@dataclass(frozen=True)
class DeadlineClock:
    """When a deadline's clock started, its last day, and what was counted to get there."""

    start: dt.date | None
    due: dt.date | None
    basis: StartBasis
    given: ApproxDate | None
    """What the person answered for the start, if anything (shown back in the hint)."""


def latest_incident(
    answered: AnswerValue | None, journal_dates: Sequence[ApproxDate]
) -> ApproxDate | None:
    """The last incident, as early as the record allows: the latest of the earliest possible
    days of the answer and of every incident in the journal (the last incident happened no
    earlier than any of them). None when there is neither."""
    candidates = [date.earliest for date in journal_dates]
    if isinstance(answered, ApproxDate):
        candidates.append(answered.earliest)
    if not candidates:
        return None
    return ApproxDate.parse(max(candidates))


PLACE_QUESTION = "context"
"""The interview's "where does it happen" question; journal incidents carry the same words."""


def _places(node: Node) -> set[str] | None:
    """The places a condition requires (``context has work``), or None when it holds
    whatever the place (a place under ``not`` or beside an ``or`` without one says nothing)."""
    if isinstance(node, Compare):
        if node.question == PLACE_QUESTION and node.op == "has" and isinstance(node.value, str):
            return {node.value}
        return None
    if isinstance(node, AllOf):
        found = [places for item in node.items if (places := _places(item)) is not None]
        return set().union(*found) if found else None
    if isinstance(node, AnyOf):
        each = [_places(item) for item in node.items]
        if any(places is None for places in each):
            return None
        return set().union(*(places for places in each if places is not None))
    return None


def deadline_places(pack: Pack, deadline: Deadline) -> frozenset[str]:
    """The places a deadline is about, from pack data: its own condition (``context has
    work``), else the conditions of the steps that give it, when every one of them names a
    place. Empty: the deadline is about no one place, and every incident counts."""
    own = _places(parse(deadline.when))
    if own:
        return frozenset(own)
    givers = [step for step in pack.steps if deadline.id in step.deadlines]
    each = [_places(parse(step.when)) for step in givers]
    if not each or any(places is None for places in each):
        return frozenset()
    return frozenset(set().union(*(places for places in each if places is not None)))


def relevant_dates(
    journal_dates: Sequence[ApproxDate], places: frozenset[str]
) -> tuple[ApproxDate, ...]:
    """The journal's incidents that can start a clock about ``places``: those in one of the
    places and those recorded without a place (Ally cannot tell, so they count as they did
    before). An incident recorded only elsewhere (an online post, for a work deadline)
    does not move the clock."""
    if not places:
        return tuple(journal_dates)
    return tuple(
        date
        for date in journal_dates
        if not isinstance(date, JournalDate) or not date.contexts or places & set(date.contexts)
    )


def with_facts(
    pack: Pack, answers: Mapping[str, AnswerValue], facts: ClockFacts
) -> dict[str, AnswerValue]:
    """The answers with the last incident moved by the journal, for the plan's conditions too
    (a condition on how long ago it happened must agree with the deadline's clock)."""
    moved = dict(answers)
    if facts.journal_dates and any(q.id == JOURNAL_CLOCK for q in pack.questions):
        start = latest_incident(answers.get(JOURNAL_CLOCK), facts.journal_dates)
        if start is not None and start != answers.get(JOURNAL_CLOCK):
            moved[JOURNAL_CLOCK] = start
    return moved


def deadline_clock(
    pack: Pack, deadline: Deadline, answers: Mapping[str, AnswerValue], facts: ClockFacts = NO_FACTS
) -> DeadlineClock:
    """The one computation of a deadline's start and last day, for every page and document.

    ``answers`` are the person's own (not moved by the journal). A date question starts the
    clock on the earliest possible day of the answer; the last incident starts it on the
    latest recorded incident if that is later (see ``latest_incident``); ``event:NAME`` starts
    it on the day the event was first recorded in the case.
    """
    if deadline.starts.startswith("event:"):
        day = facts.marks.get(deadline.starts.removeprefix("event:"))
        if day is None:
            return DeadlineClock(None, None, "not_yet", None)
        return DeadlineClock(day, due_date(deadline, day), "event", None)
    question = pack.question(deadline.starts)
    given = answers.get(deadline.starts)
    answered = given if isinstance(given, ApproxDate) and question.type.value == "date" else None
    start = answered
    basis: StartBasis = "not_yet"
    if answered is not None:
        basis = "answer" if answered.precision == "day" else "answer_first_day"
    dates = relevant_dates(facts.journal_dates, deadline_places(pack, deadline))
    if deadline.starts == JOURNAL_CLOCK and dates:
        latest = latest_incident(answered, dates)
        if latest is not None and (answered is None or latest.earliest > answered.earliest):
            start, basis = latest, "journal"
    if start is None:
        return DeadlineClock(None, None, "not_yet", None)
    return DeadlineClock(start.earliest, due_date(deadline, start.earliest), basis, answered)


def counted(
    deadline: Deadline, clock: DeadlineClock, starts_from: str, facts: ClockFacts, language: str
) -> str:
    """What was counted, in words: the hint shown beside every last day (pack language)."""
    values = {
        "date": clock.start.isoformat() if clock.start else "",
        "what": starts_from[:1].lower() + starts_from[1:],
        "given": _given(clock.given),
    }
    text = message(language, f"counted.{clock.basis}", **values)
    if deadline.starts == JOURNAL_CLOCK and facts.journal == "locked":
        text += " " + message(language, "counted.journal_locked")
    return text


def _given(value: ApproxDate | None) -> str:
    if value is None:
        return ""
    if value.precision == "day":
        return value.earliest.isoformat()
    if value.precision == "month":
        return value.earliest.strftime("%Y-%m")
    if value.precision == "year":
        return str(value.earliest.year)
    return f"{value.earliest.isoformat()}/{value.latest.isoformat()}"
