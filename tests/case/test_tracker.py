"""The case with a controllable clock: escalation, deadline warnings and re-planning."""

from __future__ import annotations

import datetime as dt

import pytest

from ally.case.tracker import CaseError, case_view, clock_start
from ally.knowledge.loader import load_pack
from ally.model.answers import ApproxDate
from ally.model.case import AnswersEvent, MarkEvent, StatusEvent, StepStatus

WORK = {
    "in_danger_now": "no",
    "context": ["work"],
    "harasser": ["boss"],
    "sexual": "yes",
    "threats": "no",
    "stalking": "no",
    "employer_size": 40,
    "federal_employee": "no",
}


def started(pack: str, on: dt.date, **extra: object) -> AnswersEvent:
    """The work situation, keeping only the questions this pack asks."""
    asked = {question.id for question in load_pack(pack).questions}
    answers = {key: value for key, value in {**WORK, **extra}.items() if key in asked}
    return AnswersEvent(on=on, pack=pack, answers=answers)


def test_refusal_brings_the_agency_to_the_top_with_the_reason() -> None:
    events = [
        started("us", dt.date(2026, 4, 1), last_incident="2026-04-20"),
        StatusEvent(on=dt.date(2026, 4, 21), step="employer-hr", status=StepStatus.WAITING),
        StatusEvent(on=dt.date(2026, 5, 3), step="employer-hr", status=StepStatus.REFUSED),
    ]
    view = case_view(events, today=dt.date(2026, 5, 4))
    first = view.next_actions[0]
    assert first.step == "agency-complaint"
    assert first.escalated_from == "employer-hr"
    assert "refused on 3 May 2026" in first.reason
    assert "EEOC" in first.title


def test_no_answer_within_the_window_escalates_only_after_the_window() -> None:
    events = [
        started("generic", dt.date(2026, 3, 1)),
        StatusEvent(on=dt.date(2026, 3, 2), step="employer-hr", status=StepStatus.WAITING),
    ]
    before = case_view(events, today=dt.date(2026, 3, 31))  # 29 days: the pack waits 30
    assert all(action.escalated_from is None for action in before.next_actions)
    assert [state.step for state in before.waiting] == ["employer-hr"]
    after = case_view(events, today=dt.date(2026, 4, 1))
    assert after.next_actions[0].step == "agency-complaint"
    assert (
        "No answer to" in after.next_actions[0].reason
        and "(30 days)" in after.next_actions[0].reason
    )


def test_online_platform_silence_escalates_to_the_regulator_or_host() -> None:
    answers = {"in_danger_now": "no", "context": ["online"], "online_where": ["social", "website"]}
    events = [
        AnswersEvent(on=dt.date(2026, 6, 1), pack="au", answers=answers),
        StatusEvent(on=dt.date(2026, 6, 1), step="platform-report", status=StepStatus.WAITING),
    ]
    view = case_view(events, today=dt.date(2026, 6, 3))
    assert view.next_actions[0].escalated_from == "platform-report"
    assert view.next_actions[0].step == "esafety-complaint"


@pytest.mark.parametrize(
    ("pack", "due"), [("us", dt.date(2026, 11, 2)), ("us-ca", dt.date(2027, 3, 2))]
)
def test_eeoc_180_or_300_days_by_state(pack: str, due: dt.date) -> None:
    # 2026-05-06 + 180 days = Mon 2 Nov 2026; + 300 days = Tue 2 Mar 2027.
    view = case_view(
        [started(pack, dt.date(2026, 5, 6), last_incident="2026-05-06")], dt.date(2026, 5, 7)
    )
    eeoc = next(d for d in view.deadlines if d.deadline == "eeoc-charge")
    assert eeoc.due == due


def test_uk_tribunal_three_months_less_one_day() -> None:
    events = [started("gb", dt.date(2026, 3, 1), last_incident="2026-03-01")]
    view = case_view(events, today=dt.date(2026, 5, 1))
    tribunal = next(d for d in view.deadlines if d.deadline == "tribunal-claim")
    assert tribunal.due == dt.date(2026, 5, 31)
    assert tribunal.days_left == 30 and tribunal.warning == "30"


@pytest.mark.parametrize(
    ("today", "warning"),
    [
        (dt.date(2026, 4, 30), None),
        (dt.date(2026, 5, 1), "30"),
        (dt.date(2026, 5, 24), "7"),
        (dt.date(2026, 5, 30), "1"),
        (dt.date(2026, 5, 31), "1"),
        (dt.date(2026, 6, 1), "passed"),
    ],
)
def test_warnings_at_30_7_and_1_days(today: dt.date, warning: str | None) -> None:
    view = case_view([started("gb", dt.date(2026, 3, 1), last_incident="2026-03-01")], today)
    tribunal = next(d for d in view.deadlines if d.deadline == "tribunal-claim")
    assert tribunal.warning == warning


def test_approximate_journal_dates_start_the_clock_at_the_earliest_day() -> None:
    journal = [ApproxDate.parse("2026-05-20"), ApproxDate.parse("2026-06")]
    assert clock_start(None, journal) == ApproxDate.parse("2026-06-01")
    events = [started("gb", dt.date(2026, 6, 2))]
    view = case_view(events, today=dt.date(2026, 6, 2), journal_dates=journal)
    tribunal = next(d for d in view.deadlines if d.deadline == "tribunal-claim")
    assert tribunal.start == dt.date(2026, 6, 1)
    assert tribunal.due == dt.date(2026, 8, 31)
    # A later exact entry in the journal moves the clock forward; an earlier answer does not win.
    later = [*journal, ApproxDate.parse("2026-06-15")]
    view = case_view(
        [started("gb", dt.date(2026, 6, 2), last_incident="2026-05-01")],
        dt.date(2026, 6, 20),
        later,
    )
    assert next(d for d in view.deadlines if d.deadline == "tribunal-claim").due == dt.date(
        2026, 9, 14
    )


def test_a_case_event_starts_an_event_clock() -> None:
    events = [started("ca", dt.date(2026, 1, 5), federally_regulated="yes")]
    before = case_view(events, today=dt.date(2026, 2, 2))
    review = next(d for d in before.deadlines if d.deadline == "federal-court-review")
    assert review.due is None
    events.append(MarkEvent(on=dt.date(2026, 2, 1), name="investigation_report_received"))
    after = case_view(events, today=dt.date(2026, 2, 2))
    review = next(d for d in after.deadlines if d.deadline == "federal-court-review")
    assert (review.start, review.due, review.days_left) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 3),
        29,
    )


def test_replanning_keeps_history() -> None:
    events = [
        started("generic", dt.date(2026, 1, 10)),
        StatusEvent(
            on=dt.date(2026, 1, 12), step="employer-hr", status=StepStatus.DONE, note="sent email"
        ),
        AnswersEvent(
            on=dt.date(2026, 2, 1),
            pack="generic",
            answers={"in_danger_now": "yes", "context": ["online"], "threats": "yes"},
        ),
    ]
    view = case_view(events, today=dt.date(2026, 2, 1))
    hr = next(state for state in view.steps if state.step == "employer-hr")
    assert not hr.in_current_plan
    assert hr.status is StepStatus.DONE and hr.history[0].note == "sent email"
    assert view.replanned == [dt.date(2026, 2, 1)]
    assert view.next_actions[0].step == "emergency-call"


def test_done_steps_stop_their_deadline_clock() -> None:
    events = [
        started("us", dt.date(2026, 5, 6), last_incident="2026-05-06"),
        StatusEvent(on=dt.date(2026, 6, 1), step="agency-complaint", status=StepStatus.DONE),
    ]
    view = case_view(events, today=dt.date(2026, 6, 2))
    assert "eeoc-charge" not in {d.deadline for d in view.deadlines}


def test_a_case_without_a_situation() -> None:
    with pytest.raises(CaseError, match="no situation yet"):
        case_view([], today=dt.date(2026, 1, 1))


def test_a_silent_host_escalates_to_the_upstream_network_or_registrar() -> None:
    answers = {"in_danger_now": "no", "context": ["online"], "online_where": ["website"]}
    events = [
        AnswersEvent(on=dt.date(2026, 6, 1), pack="generic", answers=answers),
        StatusEvent(on=dt.date(2026, 6, 1), step="host-abuse-report", status=StepStatus.WAITING),
    ]
    assert case_view(events, today=dt.date(2026, 6, 7)).next_actions[0].escalated_from is None
    view = case_view(events, today=dt.date(2026, 6, 8))
    assert view.next_actions[0].step == "upstream-abuse-report"
    assert "registrar" in view.next_actions[0].reason


def test_a_refused_target_is_not_suggested_again() -> None:
    events = [
        started("generic", dt.date(2026, 3, 1)),
        StatusEvent(on=dt.date(2026, 3, 2), step="employer-supervisor", status=StepStatus.REFUSED),
        StatusEvent(on=dt.date(2026, 3, 3), step="employer-hr", status=StepStatus.REFUSED),
    ]
    view = case_view(events, today=dt.date(2026, 3, 4))
    assert [a.step for a in view.next_actions if a.escalated_from] == ["agency-complaint"]
