"""Case reminders as .ics: deadline alarms at 30, 7 and 1 days, follow-ups for waiting steps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icalendar import Calendar

from ally.case.reminders import ReminderSummary, ReminderWords, case_reminders
from ally.case.tracker import case_view, current_plan
from ally.model.case import AnswersEvent, CaseEvent, MarkEvent, StatusEvent, StepStatus
from tests.case.test_case_cli import ally
from tests.case.test_tracker import started

STAMP = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)


def calendar_for(
    events: list[CaseEvent], today: dt.date, **options: object
) -> tuple[Calendar, ReminderSummary]:
    view = case_view(events, today)
    data, summary = case_reminders(view, current_plan(events, today), now=STAMP, **options)  # type: ignore[arg-type]
    return Calendar.from_ical(data), summary


def events_of(calendar: Calendar) -> dict[str, object]:
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def alarm_days(event: object) -> list[int]:
    return sorted(-alarm["trigger"].dt.days for alarm in event.walk("VALARM"))  # type: ignore[attr-defined]


def test_a_deadline_has_alarms_30_7_and_1_days_before() -> None:
    events: list[CaseEvent] = [started("us", dt.date(2026, 4, 21), last_incident="2026-04-20")]
    calendar, summary = calendar_for(events, dt.date(2026, 5, 4))
    found = events_of(calendar)
    eeoc = found["Deadline: Last day to file a charge with the EEOC"]
    assert eeoc["dtstart"].dt == dt.date(2026, 10, 19)  # 20 April + 180 days
    assert alarm_days(eeoc) == [1, 7, 30]
    assert "Equal Employment Opportunity Commission" in str(eeoc["description"])
    # No state given: the 300-day limit of states with their own agency is shown too.
    fepa = found[
        "Deadline: Last day to file a charge with the EEOC if your state has its own agency"
    ]
    assert fepa["dtstart"].dt == dt.date(2027, 2, 15)  # 20 April + 300 days, a Sunday
    assert summary.deadlines == 2 and summary.follow_ups == 0
    # Close to the day, only the alarms still ahead are kept.
    calendar, _ = calendar_for(events, dt.date(2026, 10, 15))
    assert alarm_days(events_of(calendar)["Deadline: Last day to file a charge with the EEOC"]) == [
        1
    ]


def test_a_waiting_step_gets_a_follow_up_on_the_day_it_would_escalate() -> None:
    events: list[CaseEvent] = [
        started("us", dt.date(2026, 4, 21), last_incident="2026-04-20"),
        StatusEvent(on=dt.date(2026, 4, 22), step="employer-hr", status=StepStatus.WAITING),
    ]
    calendar, summary = calendar_for(events, dt.date(2026, 5, 4))
    follow = events_of(calendar)["Follow up: Make a formal complaint to HR"]
    assert follow["dtstart"].dt == dt.date(2026, 5, 22)  # the pack waits 30 days
    assert "EEOC" in str(follow["description"]) and "2026-04-22" in str(follow["description"])
    assert alarm_days(follow) == [0]
    assert summary.follow_ups == 1


def test_a_step_taken_stops_its_clock_and_passed_deadlines_are_reported() -> None:
    taken: list[CaseEvent] = [
        started("us", dt.date(2026, 4, 21), last_incident="2026-04-20"),
        StatusEvent(on=dt.date(2026, 5, 1), step="agency-complaint", status=StepStatus.DONE),
    ]
    calendar, summary = calendar_for(taken, dt.date(2026, 5, 4))
    assert calendar.walk("VEVENT") == [] and summary.deadlines == 0
    late = [started("us", dt.date(2026, 4, 21), last_incident="2025-01-02")]
    calendar, summary = calendar_for(late, dt.date(2026, 5, 4))
    assert calendar.walk("VEVENT") == []
    assert summary.passed == [
        "Last day to file a charge with the EEOC",
        "Last day to file a charge with the EEOC if your state has its own agency",
    ]


def test_an_event_clock_counts_from_the_recorded_event() -> None:
    events: list[CaseEvent] = [started("ca", dt.date(2026, 1, 5), federally_regulated="yes")]
    _, before = calendar_for(events, dt.date(2026, 2, 2))
    assert any("Federal Court" in title for title in before.undated)
    events.append(MarkEvent(on=dt.date(2026, 2, 1), name="investigation_report_received"))
    calendar, _ = calendar_for(events, dt.date(2026, 2, 2))
    days = {event["dtstart"].dt for event in calendar.walk("VEVENT")}
    assert dt.date(2026, 3, 3) in days


def test_the_same_reminder_keeps_its_uid_and_discreet_hides_the_details() -> None:
    events: list[CaseEvent] = [started("us", dt.date(2026, 4, 21), last_incident="2026-04-20")]
    first, _ = calendar_for(events, dt.date(2026, 5, 4))
    again, _ = calendar_for(events, dt.date(2026, 6, 4))
    uids = [str(event["uid"]) for event in first.walk("VEVENT")]
    assert uids == [str(event["uid"]) for event in again.walk("VEVENT")]
    discreet, _ = calendar_for(events, dt.date(2026, 5, 4), discreet=True)
    text = discreet.to_ical().decode()
    assert "EEOC" not in text and "Reminder" in text


def test_the_words_can_be_given_in_another_language() -> None:
    events: list[CaseEvent] = [
        AnswersEvent(on=dt.date(2026, 6, 1), pack="generic", answers={"context": ["work"]}),
        StatusEvent(on=dt.date(2026, 6, 1), step="employer-hr", status=StepStatus.WAITING),
    ]
    words = ReminderWords(follow_up="Hacer seguimiento: %(title)s")
    calendar, _ = calendar_for(events, dt.date(2026, 6, 2), words=words)
    assert any(title.startswith("Hacer seguimiento: ") for title in events_of(calendar))


def test_the_cli_writes_the_calendar(tmp_path: Path) -> None:
    vault = str(tmp_path / "vault")
    assert ally("vault", "init", "--vault", vault, cwd=tmp_path).returncode == 0
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "pack: us\nanswers:\n  in_danger_now: no\n  context: [work]\n  sexual: yes\n"
        "  harasser: [boss]\n  employer_size: 40\n  federal_employee: no\n"
        "  last_incident: 2026-04-20\n"
    )
    on = ("--on", "2026-04-21", "--vault", vault)
    assert ally("case", "situation", str(answers), *on, cwd=tmp_path).returncode == 0
    waiting = ("employer-hr", "--status", "waiting", "--on", "2026-04-22", "--vault", vault)
    assert ally("case", "update", *waiting, cwd=tmp_path).returncode == 0
    target = tmp_path / "reminders.ics"
    made = ally(
        "case",
        "reminders",
        "--ics",
        str(target),
        "--today",
        "2026-05-04",
        "--vault",
        vault,
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    assert "2 deadline(s) and 1 follow-up" in made.stdout
    calendar = Calendar.from_ical(target.read_bytes())
    assert {event["dtstart"].dt for event in calendar.walk("VEVENT")} == {
        dt.date(2026, 10, 19),
        dt.date(2027, 2, 15),  # 300 days, for a state with its own agency (no state given)
        dt.date(2026, 5, 22),
    }
    nowhere = ally(
        "case",
        "reminders",
        "--ics",
        str(tmp_path / "no" / "such" / "dir" / "r.ics"),
        "--today",
        "2026-05-04",
        "--vault",
        vault,
        cwd=tmp_path,
    )
    assert nowhere.returncode == 2 and "Could not write" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr
    bad_day = ally(
        "case",
        "reminders",
        "--ics",
        str(target),
        "--today",
        "soon",
        "--vault",
        vault,
        cwd=tmp_path,
    )
    assert bad_day.returncode == 2 and "not a date" in bad_day.stderr


def test_a_follow_up_already_past_is_marked_overdue() -> None:
    events: list[CaseEvent] = [
        started("us", dt.date(2026, 4, 21), last_incident="2026-04-20"),
        StatusEvent(on=dt.date(2026, 4, 22), step="employer-hr", status=StepStatus.WAITING),
    ]
    calendar, _ = calendar_for(events, dt.date(2026, 6, 10))
    found = events_of(calendar)
    assert "Follow up: Make a formal complaint to HR" not in found
    follow = found["Overdue: Follow up: Make a formal complaint to HR"]
    assert follow["dtstart"].dt == dt.date(2026, 6, 10), "shown today, not in the past"
    assert str(follow["description"]).startswith("Overdue since 2026-05-22.")
    assert alarm_days(follow) == [0]
