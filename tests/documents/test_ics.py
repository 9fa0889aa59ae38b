"""Deadlines and follow-up reminders as .ics, parsed back with the icalendar library."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from ally.documents.ics import build_calendar
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack
from ally.model.plan import Plan

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def gb_plan(last: str = "2026-10-01") -> Plan:
    pack = load_pack("gb")
    answers = normalise_answers(
        pack,
        {
            "in_danger_now": "no",
            "context": ["work"],
            "harasser": ["coworker"],
            "last_incident": last,
        },
    )
    return build_plan(pack, answers, TODAY)


def events(data: bytes) -> list[dict[str, object]]:
    calendar = Calendar.from_ical(data)
    return [
        {
            "uid": str(event["uid"]),
            "summary": str(event["summary"]),
            "start": event.decoded("dtstart"),
            "description": str(event.get("description", "")),
            "alarms": len(event.subcomponents),
            "triggers": sorted(-alarm.decoded("trigger").days for alarm in event.walk("VALARM")),
        }
        for event in calendar.walk("VEVENT")
    ]


def test_deadlines_and_follow_ups_parse() -> None:
    plan = gb_plan()
    data, summary = build_calendar(plan, sent={"employer-hr": dt.date(2026, 11, 20)}, now=NOW)
    found = events(data)
    dated = [d for step in plan.steps() for d in step.deadlines if d.due and d.due >= TODAY]
    assert summary.deadlines == len({d.id for d in dated}) >= 1
    assert summary.follow_ups == 1
    follow = next(e for e in found if str(e["summary"]).startswith("Follow up"))
    assert follow["start"] == dt.date(2026, 12, 20)
    assert follow["triggers"] == [0], "an alarm on the day the answer is due"
    deadline = next(e for e in found if str(e["summary"]).startswith("Deadline"))
    due = deadline["start"]
    assert isinstance(due, dt.date)
    expected = sorted(days for days in (30, 7, 1) if due - dt.timedelta(days=days) >= TODAY)
    assert deadline["triggers"] == expected and 30 in expected, "30, 7 and 1 days before"
    assert "Check this date" in str(deadline["description"])
    assert "employer-supervisor" in summary.waiting


def test_uids_are_stable() -> None:
    first, _ = build_calendar(gb_plan(), now=NOW)
    again, _ = build_calendar(gb_plan(), now=NOW + dt.timedelta(days=3))
    assert [e["uid"] for e in events(first)] == [e["uid"] for e in events(again)]


def test_discreet_calendar_says_nothing() -> None:
    data, _ = build_calendar(
        gb_plan(), sent={"employer-hr": dt.date(2026, 11, 20)}, discreet=True, now=NOW
    )
    for event in events(data):
        assert event["summary"] == "Reminder"
        assert event["description"] == "Open Ally for the details."
    assert b"tribunal" not in data.lower() and b"harass" not in data.lower()


def test_passed_deadlines_are_reported_not_scheduled() -> None:
    data, summary = build_calendar(gb_plan(last="2025-01-01"), now=NOW)
    assert summary.passed
    assert all(
        not str(e["summary"]).startswith("Deadline: " + summary.passed[0]) for e in events(data)
    )


def test_the_same_alarms_as_the_case_reminders() -> None:
    from ally.case import reminders
    from ally.documents import ics

    assert ics.ALARM_DAYS == reminders.ALARM_DAYS == (30, 7, 1)


def test_a_follow_up_in_the_past_is_marked_overdue_and_shown_today() -> None:
    plan = gb_plan()
    data, _ = build_calendar(plan, sent={"employer-hr": dt.date(2026, 9, 1)}, now=NOW)
    follow = next(e for e in events(data) if "Follow up" in str(e["summary"]))
    assert str(follow["summary"]).startswith("Overdue: Follow up")
    assert str(follow["description"]).startswith("Overdue since 2026-10-01.")
    assert follow["start"] == TODAY and follow["triggers"] == [0]
    discreet, _ = build_calendar(
        plan, sent={"employer-hr": dt.date(2026, 9, 1)}, discreet=True, now=NOW
    )
    assert "Overdue" not in discreet.decode(), "a shared calendar says nothing"
