"""Deadlines and follow-up reminders as an iCalendar (.ics) file.

Two kinds of event come from a plan:

* a **deadline**: an all-day event on the last day a step can be taken (a tribunal or agency
  time limit), with alarms 30, 7 and 1 days before (the same as the case reminders);
* a **follow-up**: for a step the person has taken (they say when they sent the letter), the
  day the plan says to escalate if nobody has answered, e.g. "no answer from HR after 30 days:
  go to the agency". A follow-up whose day has already passed is marked overdue and put on
  today, so it is seen rather than written silently into the past.

Events keep the same UID when the file is made again, so importing an updated file changes
the events instead of doubling them. A calendar is often synced or shared, so ``discreet``
gives every event a neutral title and no details.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event

from ally.model.plan import Plan, PlanDeadline, PlanStep

PRODID = "-//Ally//Ally deadlines and reminders//EN"
UID_NAMESPACE = uuid.UUID("0b2f3a51-7e0c-4f43-9a55-6a1d3a2b9c10")
ALARM_DAYS = (30, 7, 1)
"""Days before a deadline that its alarms ring: one list for the plan and the case calendars."""
DISCREET_TITLE = "Reminder"
DISCREET_TEXT = "Open Ally for the details."


@dataclass(frozen=True)
class CalendarSummary:
    """What went into the file, and what could not, for the person to read."""

    deadlines: int
    follow_ups: int
    passed: list[str]
    undated: list[str]
    waiting: list[str]
    """Steps with a follow-up that need a sent date (``--sent STEP=DATE``)."""


def _uid(*parts: str) -> str:
    return f"{uuid.uuid5(UID_NAMESPACE, ':'.join(parts))}@ally.invalid"


def _alarms(event: Event, day: dt.date, today: dt.date, description: str) -> None:
    for days in ALARM_DAYS:
        if day - dt.timedelta(days=days) >= today:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", description)
            alarm.add("trigger", dt.timedelta(days=-days))
            event.add_component(alarm)


def _same_day_alarm(event: Event, description: str) -> None:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", dt.timedelta(0))
    event.add_component(alarm)


def calendar_event(uid: str, day: dt.date, title: str, text: str, stamp: dt.datetime) -> Event:
    """An all-day event that does not mark the person as busy (shared by the case reminders)."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", title)
    event.add("description", text)
    event.add("transp", "TRANSPARENT")
    return event


def _deadline_text(step: PlanStep, deadline: PlanDeadline) -> str:
    lines = [
        f"{deadline.title}, with {deadline.body}.",
        f"Step: {step.title}.",
        f"Counted: {deadline.how_counted} from {deadline.starts_from.lower()}"
        + (" (the earliest possible start date)" if deadline.approximate_start else "")
        + ".",
    ]
    if deadline.certainty == "may_apply":
        lines.append("This time limit may apply to you; check it.")
    if deadline.note:
        lines.append(deadline.note)
    lines.append("Check this date with the body concerned, a lawyer or an advocate.")
    return "\n".join(lines)


def build_calendar(
    plan: Plan,
    *,
    sent: Mapping[str, dt.date] | None = None,
    discreet: bool = False,
    now: dt.datetime | None = None,
) -> tuple[bytes, CalendarSummary]:
    """The .ics file for a plan, and a summary of what is (and is not) in it."""
    sent = sent or {}
    stamp = now or dt.datetime.now(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", DISCREET_TITLE if discreet else "Ally: deadlines and reminders")
    seen: set[str] = set()
    counts = {"deadline": 0, "follow_up": 0}
    passed: list[str] = []
    undated: list[str] = []
    waiting: list[str] = []
    for step in plan.steps():
        for deadline in step.deadlines:
            if deadline.id in seen:
                continue
            seen.add(deadline.id)
            if deadline.due is None:
                undated.append(deadline.title)
                continue
            if deadline.due < plan.today:
                passed.append(deadline.title)
                continue
            title = DISCREET_TITLE if discreet else f"Deadline: {deadline.title}"
            text = DISCREET_TEXT if discreet else _deadline_text(step, deadline)
            event = calendar_event(
                _uid(plan.pack, "deadline", deadline.id), deadline.due, title, text, stamp
            )
            _alarms(event, deadline.due, plan.today, title)
            calendar.add_component(event)
            counts["deadline"] += 1
        for edge in step.escalation:
            if edge.on != "no_answer" or not edge.after_days:
                continue
            if step.id not in sent:
                waiting.append(step.id)
                continue
            due = sent[step.id] + dt.timedelta(days=edge.after_days)
            overdue = due < plan.today
            day = plan.today if overdue else due
            title = DISCREET_TITLE if discreet else f"Follow up: {step.title}"
            text = (
                DISCREET_TEXT
                if discreet
                else (
                    f"You took this step on {sent[step.id].isoformat()}. If you have had no answer, "
                    f"the next step is: {edge.to_title}." + (f"\n{edge.says}" if edge.says else "")
                )
            )
            if overdue and not discreet:
                title = f"Overdue: {title}"
                text = f"Overdue since {due.isoformat()}. {text}"
            event = calendar_event(
                _uid(plan.pack, "follow-up", step.id, edge.to), day, title, text, stamp
            )
            _same_day_alarm(event, title)
            calendar.add_component(event)
            counts["follow_up"] += 1
    summary = CalendarSummary(
        counts["deadline"], counts["follow_up"], passed, undated, sorted(set(waiting))
    )
    return calendar.to_ical(), summary
