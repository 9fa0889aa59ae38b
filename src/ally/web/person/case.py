"""The case page: what to do next and why, what is waiting, the deadlines, and what happened.

Everything is read from and written to the person's journal, so the page needs it unlocked;
without it the page says why and links to the journal. Forms post, save and redirect (nothing
from them travels in a URL), and a form that cannot be saved changes nothing. Reminders
download as an iCalendar file in the person's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from babel.dates import format_date
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.case.reminders import ReminderWords, case_reminders
from ally.case.store import VaultCase
from ally.case.tracker import case_view, current_plan
from ally.knowledge.loader import load_pack
from ally.model.answers import MIN_YEAR, ApproxDate
from ally.model.case import (
    AnswersEvent,
    CaseEvent,
    CaseView,
    DeadlineWatch,
    MarkEvent,
    StatusEvent,
)
from ally.model.case import StepStatus as CaseStatus
from ally.model.plan import Plan
from ally.web.i18n import N_
from ally.web.pages import FormDep, FormFields, PageError, Visit, VisitDep, render, see_other
from ally.web.person.flow import load_interview
from ally.web.person.journal import keeper
from ally.web.person.tracking import (
    CASE_LABELS,
    clock_events,
    next_steps,
    split_steps,
    sync_situation,
)
from ally.web.state import web_state

router = APIRouter()

MAX_TEXT = 2000
BAD_DATE = N_("Please give the date like 2026-05-03, or leave it empty for today.")
FUTURE_DATE = N_("That date has not come yet. Please give the day it happened.")
OLD_DATE = N_("Please check the year of that date.")
LONG_TEXT = N_("Please keep the note and the answer under 2000 characters each.")
NO_EVENT = N_("Please choose one of the events in the list.")

REMINDER_WORDS = {
    "calendar": N_("Ally: deadlines and reminders"),
    "deadline": N_("Deadline: %(title)s"),
    "deadline_text": N_(
        "%(title)s, with %(body)s: the last day is %(date)s.\nStep: %(step)s.\n"
        "Counted from: %(start)s.\nCheck this date with %(body)s, a lawyer or an advocate."
    ),
    "follow_up": N_("Follow up: %(title)s"),
    "overdue": N_("Overdue: %(title)s"),
    "overdue_text": N_("Overdue since %(date)s."),
    "follow_up_text": N_(
        "You have been waiting for an answer since %(since)s. "
        "If there is still no answer, the next step is: %(next)s."
    ),
    "discreet_title": N_("Reminder"),
    "discreet_text": N_("Open Ally for the details."),
}


@dataclass(frozen=True)
class Problem:
    """Why a form could not be saved: shown above the page and next to the form."""

    message: str
    target: str
    """The form: "step-N" (the N-th step on the page) or "mark"."""
    values: dict[str, str] = field(default_factory=dict)

    @property
    def field(self) -> str:
        """Which field to mark as wrong: "on" (the date), "text" or "name" (the event)."""
        return {LONG_TEXT: "text", NO_EVENT: "name"}.get(self.message, "on")


def today(request: Request) -> dt.date:
    return web_state(request).config.today()


def _read(
    request: Request, visit: Visit, case: VaultCase
) -> tuple[list[CaseEvent], Sequence[ApproxDate]]:
    """The case's events (with the interview's answers recorded if they changed) and the
    journal's incident dates, which start the clocks."""
    interview = load_interview(visit)
    if interview is not None and interview.current() is None:
        events = sync_situation(case, interview, today(request))
    else:
        events = case.events()
    return events, case.journal_dates()


def _started(events: list[CaseEvent]) -> bool:
    return any(isinstance(event, AnswersEvent) for event in events)


def _worked_out(
    events: list[CaseEvent], day: dt.date, dates: Sequence[ApproxDate], language: str
) -> tuple[CaseView, Plan]:
    try:
        return (
            case_view(events, day, dates, language),
            current_plan(events, day, dates, language),
        )
    except (OverflowError, ValueError) as error:
        raise PageError(
            422, N_("One of the dates you gave is too far away to count deadlines from.")
        ) from error


def _unique(deadlines: list[DeadlineWatch]) -> list[DeadlineWatch]:
    """Each deadline once, even when two steps share it."""
    seen: set[str] = set()
    kept = []
    for deadline in deadlines:
        if deadline.deadline not in seen:
            seen.add(deadline.deadline)
            kept.append(deadline)
    return kept


def _starts(pack_id: str, language: str) -> dict[str, str]:
    return {deadline.id: deadline.starts for deadline in load_pack(pack_id, language).deadlines}


def _show(
    request: Request,
    visit: Visit,
    events: list[CaseEvent],
    dates: Sequence[ApproxDate],
    status: int = 200,
    problem: Problem | None = None,
) -> Response:
    if not _started(events):
        return render(request, visit, "case/start.html", reason="questions")
    view, plan = _worked_out(events, today(request), dates, visit.language)
    current, earlier = split_steps(view)
    deadlines = _unique(view.deadlines)
    return render(
        request,
        visit,
        "case/case.html",
        status,
        view=view,
        pack_language=plan.language,
        next_steps=next_steps(view, plan),
        warnings=[deadline for deadline in deadlines if deadline.warning],
        deadlines=deadlines,
        current=current,
        earlier=earlier,
        numbers={state.step: number for number, state in enumerate(view.steps, 1)},
        labels=CASE_LABELS,
        choices=list(CaseStatus),
        clocks=clock_events(plan, _starts(view.pack, visit.language), events),
        problem=problem,
    )


@router.get("/case")
def case_page(request: Request, visit: VisitDep) -> Response:
    vaults = keeper(request)
    with vaults.using(visit.session.row) as vault:
        if vault is None:
            reason = "unlock" if vaults.exists(visit.session.row) else "create"
            return render(request, visit, "case/start.html", reason=reason)
        events, dates = _read(request, visit, VaultCase(vault))
    return _show(request, visit, events, dates)


def _day(text: str, day: dt.date) -> dt.date | str:
    """The day a form gives (today if empty), or the (translatable) reason it cannot be used."""
    text = text.strip()
    if not text:
        return day
    try:
        given = dt.date.fromisoformat(text)
    except ValueError:
        return BAD_DATE
    if given > day:
        return FUTURE_DATE
    if given.year < MIN_YEAR:
        return OLD_DATE
    return given


def _status_event(form: FormFields, step: str, day: dt.date) -> StatusEvent | str:
    try:
        status = CaseStatus(form.get("status"))
    except ValueError as error:
        raise PageError(400, N_("Please choose one of the statuses in the list.")) from error
    on = _day(form.get("on"), day)
    note, answer = form.get("note").strip(), form.get("answer").strip()
    if isinstance(on, str):
        return on
    if len(note) > MAX_TEXT or len(answer) > MAX_TEXT:
        return LONG_TEXT
    return StatusEvent(
        on=on, step=step, status=status, note=note or None, answer_received=answer or None
    )


@router.post("/case/status")
def record_status(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Record what happened with one step, on the day it happened."""
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/case")
        case = VaultCase(vault)
        events, dates = _read(request, visit, case)
        if not _started(events):
            return see_other("/case")
        view, _ = _worked_out(events, today(request), dates, visit.language)
        steps = [state.step for state in view.steps]
        step = form.get("step")
        if step not in steps:
            raise PageError(400, N_("That step is not in your case. Please reload the page."))
        number = steps.index(step) + 1
        event = _status_event(form, step, today(request))
        if not isinstance(event, str):
            case.record(event)
            return see_other(f"/case#case-step-{number}")
    values = {name: form.get(name) for name in ("status", "on", "note", "answer")}
    problem = Problem(event, f"step-{number}", values)
    return _show(request, visit, events, dates, 422, problem)


@router.post("/case/mark")
def record_mark(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Record an event that starts a deadline's clock, such as a report being received."""
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/case")
        case = VaultCase(vault)
        events, dates = _read(request, visit, case)
        if not _started(events):
            return see_other("/case")
        _, plan = _worked_out(events, today(request), dates, visit.language)
        names = [clock.name for clock in clock_events(plan, _starts(plan.pack, visit.language), [])]
        name = form.get("name")
        on = _day(form.get("on"), today(request)) if name in names else NO_EVENT
        if isinstance(on, dt.date):
            case.record(MarkEvent(on=on, name=name))
            return see_other("/case#clock-events")
    problem = Problem(on, "mark", {"name": name, "on": form.get("on")})
    return _show(request, visit, events, dates, 422, problem)


@router.get("/case/reminders.ics")
def reminders(request: Request, visit: VisitDep, discreet: str = "") -> Response:
    """The case's deadlines and follow-ups as a calendar file, always as a download."""
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/case")
        events, dates = _read(request, visit, VaultCase(vault))
    if not _started(events):
        return see_other("/case")
    view, plan = _worked_out(events, today(request), dates, visit.language)
    words = ReminderWords(**{key: visit._(text) for key, text in REMINDER_WORDS.items()})
    calendar, _ = case_reminders(
        view,
        plan,
        words=words,
        day_words=lambda day: format_date(day, "long", locale=visit.language),
        discreet=bool(discreet),
    )
    return Response(
        calendar,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="ally-reminders.ics"'},
    )
