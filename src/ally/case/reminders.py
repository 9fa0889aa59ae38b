"""A case's reminders as an iCalendar (.ics) file, for the person's own calendar.

``ally.documents.ics`` works from a plan alone. This follows the case instead, so the file
matches what the case page shows: deadlines whose clock still runs (a step already taken
stops its clock), clocks started by case events (``event:NAME``), and a follow-up for each
step that is waiting for an answer, on the day its "no answer" escalation would trigger.

* a **deadline** is an all-day event on the last day, with alarms 30, 7 and 1 days before;
* a **follow-up** is an all-day event on the day the answer is overdue, with an alarm that day;
  one whose day has already passed is marked overdue and put on today, so it is seen.

Events keep the same UID when the file is made again, so importing an updated file changes
the events instead of doubling them. A calendar is often synced or shared, so ``discreet``
gives every event a neutral title and no details. The words are passed in (``ReminderWords``)
so the web app can write them in the person's language; the defaults are English.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event

from ally.case.tracker import CLOSED
from ally.documents.ics import ALARM_DAYS, calendar_event
from ally.model.case import CaseView, DeadlineWatch, StepState, StepStatus
from ally.model.plan import Plan, PlanEscalation

PRODID = "-//Ally//Ally case reminders//EN"
UID_NAMESPACE = uuid.UUID("5d0c8f0e-2b7a-4a4e-8d1c-3f6b9a7e2c41")


@dataclass(frozen=True)
class ReminderWords:
    """Every sentence in the file, with ``%(name)s`` placeholders (gettext style)."""

    calendar: str = "Ally: deadlines and reminders"
    deadline: str = "Deadline: %(title)s"
    deadline_text: str = (
        "%(title)s, with %(body)s: the last day is %(date)s.\n"
        "Step: %(step)s.\n"
        "Counted from: %(start)s.\n"
        "Check this date with %(body)s, a lawyer or an advocate."
    )
    follow_up: str = "Follow up: %(title)s"
    overdue: str = "Overdue: %(title)s"
    overdue_text: str = "Overdue since %(date)s."
    follow_up_text: str = (
        "You have been waiting for an answer since %(since)s. "
        "If there is still no answer, the next step is: %(next)s."
    )
    discreet_title: str = "Reminder"
    discreet_text: str = "Open Ally for the details."


@dataclass(frozen=True)
class ReminderSummary:
    """What went into the file, and what could not, for the person to read."""

    deadlines: int
    follow_ups: int
    passed: list[str]
    """Titles of deadlines whose last day has gone (no event: an alarm would be too late)."""
    undated: list[str]
    """Titles of deadlines whose start is not known yet (e.g. an event not recorded)."""


def _uid(*parts: str) -> str:
    return f"{uuid.uuid5(UID_NAMESPACE, ':'.join(parts))}@ally.invalid"


def _alarm(event: Event, days_before: int, description: str) -> None:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", dt.timedelta(days=-days_before))
    event.add_component(alarm)


@dataclass(frozen=True)
class _Writer:
    words: ReminderWords
    day_words: Callable[[dt.date], str]
    discreet: bool
    today: dt.date
    stamp: dt.datetime

    def deadline(self, pack: str, watch: DeadlineWatch, step_title: str) -> Event:
        assert watch.due is not None
        start = watch.starts_from
        if watch.start is not None:
            start = f"{start} ({self.day_words(watch.start)})"
        title = self.words.deadline % {"title": watch.title}
        text = self.words.deadline_text % {
            "title": watch.title,
            "body": watch.body,
            "date": self.day_words(watch.due),
            "step": step_title,
            "start": start,
        }
        title, text = self._maybe_discreet(title, text)
        event = calendar_event(
            _uid(pack, "deadline", watch.deadline), watch.due, title, text, self.stamp
        )
        for days in ALARM_DAYS:
            if watch.due - dt.timedelta(days=days) >= self.today:
                _alarm(event, days, title)
        return event

    def follow_up(self, pack: str, state: StepState, edge: PlanEscalation, day: dt.date) -> Event:
        assert state.since is not None
        title = self.words.follow_up % {"title": state.title}
        text = self.words.follow_up_text % {
            "since": self.day_words(state.since),
            "next": edge.to_title,
        }
        if edge.says:
            text = f"{text}\n{edge.says}"
        if day < self.today:
            title = self.words.overdue % {"title": title}
            text = self.words.overdue_text % {"date": self.day_words(day)} + " " + text
            day = self.today
        title, text = self._maybe_discreet(title, text)
        event = calendar_event(
            _uid(pack, "follow-up", state.step, edge.to), day, title, text, self.stamp
        )
        _alarm(event, 0, title)
        return event

    def _maybe_discreet(self, title: str, text: str) -> tuple[str, str]:
        if self.discreet:
            return self.words.discreet_title, self.words.discreet_text
        return title, text


def follow_up_days(view: CaseView, plan: Plan) -> list[tuple[StepState, PlanEscalation, dt.date]]:
    """For each waiting step, the day its "no answer" escalation triggers (as the tracker does:
    only when the next step is still open)."""
    steps = {step.id: step for step in plan.steps()}
    status = {state.step: state.status for state in view.steps}
    found = []
    for state in view.waiting:
        step = steps.get(state.step)
        if step is None or state.since is None:
            continue
        for edge in step.escalation:
            if edge.on != "no_answer" or edge.after_days is None:
                continue
            target = status.get(edge.to)
            if target is None or target in CLOSED or target is StepStatus.WAITING:
                continue
            found.append((state, edge, state.since + dt.timedelta(days=edge.after_days)))
    return found


def case_reminders(
    view: CaseView,
    plan: Plan,
    *,
    words: ReminderWords | None = None,
    day_words: Callable[[dt.date], str] = dt.date.isoformat,
    discreet: bool = False,
    now: dt.datetime | None = None,
) -> tuple[bytes, ReminderSummary]:
    """The .ics file for where the case stands on ``view.today``, and what is in it."""
    words = words or ReminderWords()
    writer = _Writer(words, day_words, discreet, view.today, now or dt.datetime.now(dt.UTC))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", words.discreet_title if discreet else words.calendar)
    titles = {state.step: state.title for state in view.steps}
    seen: set[str] = set()
    deadlines, passed, undated = 0, [], []
    for watch in view.deadlines:
        if watch.deadline in seen:
            continue
        seen.add(watch.deadline)
        if watch.due is None:
            undated.append(watch.title)
        elif watch.due < view.today:
            passed.append(watch.title)
        else:
            step_title = titles.get(watch.step, watch.step)
            calendar.add_component(writer.deadline(view.pack, watch, step_title))
            deadlines += 1
    follow_ups = follow_up_days(view, plan)
    for state, edge, day in follow_ups:
        calendar.add_component(writer.follow_up(view.pack, state, edge, day))
    summary = ReminderSummary(deadlines, len(follow_ups), passed, undated)
    return calendar.to_ical(), summary
