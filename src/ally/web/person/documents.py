"""Letters and reports: the letters a plan offers, the evidence report and the deadline calendar.

The same documents ``ally letter``, ``ally report`` and ``ally calendar`` make, from the same
functions. Every download is a form post with the page's token, answered as an attachment:
nothing about the person travels in an address, and the browser never shows the file inline.
The report is made in memory and streamed to the browser; nothing is written to disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.documents.casefile import DEFAULT_TITLE, CaseFile, Selection, build_casefile
from ally.documents.drafting import offered_standalone
from ally.documents.ics import CalendarSummary, build_calendar
from ally.documents.letters import STANDALONE, report_jurisdiction
from ally.documents.report_docx import render_docx
from ally.documents.report_html import paper_for
from ally.documents.report_md import render_markdown
from ally.documents.report_pdf import render_pdf
from ally.knowledge.interview import Interview
from ally.model.answers import AnswerValue
from ally.model.plan import Plan
from ally.web.i18n import N_
from ally.web.pages import FormDep, FormFields, PageError, Visit, VisitDep, optional_date, render
from ally.web.person import jobs
from ally.web.person.journal import keeper
from ally.web.person.letters import KIND_TITLES, finished_plan, step_letters
from ally.web.state import web_state
from ally.web.stepstatus import StepStatus

router = APIRouter()

PAPERS = ("A4", "letter")
SENT = (StepStatus.DONE, StepStatus.NO_ANSWER)
"""Statuses that mean the person has taken the step, so its follow-up reminder can be dated."""
BAD_DATE = N_("Please give dates like 2026-05-03, or leave them empty.")
DATES_REVERSED = N_("The first date is after the second. Please swap them.")
LONG_TEXT = N_("Please keep the title and your name under 200 characters.")


@dataclass(frozen=True)
class ReportChoice:
    """What the report form asks for, checked."""

    selection: Selection | None
    fmt: str
    paper: str
    title: str | None
    person: str | None


def _sent(request: Request, visit: Visit, plan: Plan) -> dict[str, dt.date]:
    """When each step was taken, from the marks on the plan page (for follow-up reminders)."""
    row = visit.session.row
    statuses = web_state(request).steps.for_session(row) if row else {}
    steps = set(plan.step_ids())
    return {step: on for step, (status, on) in statuses.items() if status in SENT and step in steps}


def _calendar(
    request: Request, visit: Visit, plan: Plan, discreet: bool
) -> tuple[bytes, CalendarSummary]:
    return build_calendar(plan, sent=_sent(request, visit, plan), discreet=discreet)


def _extras(answers: Mapping[str, AnswerValue]) -> list[tuple[int, str]]:
    """The standalone letters to offer (by their number in the address): none to a manager."""
    offered = offered_standalone(answers)
    return [
        (number, KIND_TITLES[kind]) for number, kind in enumerate(STANDALONE, 1) if kind in offered
    ]


def _page(
    request: Request,
    visit: Visit,
    status: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    interview, plan = finished_plan(request, visit)
    vaults = web_state(request).vaults
    summary = _calendar(request, visit, plan, True)[1] if plan is not None else None
    return render(
        request,
        visit,
        "documents/documents.html",
        status,
        letters=step_letters(plan) if plan is not None else [],
        extras=_extras(interview.answers if interview else {}),
        kind_titles=KIND_TITLES,
        plan=plan,
        journal_open=vaults is not None and vaults.is_unlocked(visit.session.row),
        has_vaults=vaults is not None,
        summary=summary,
        paper=paper_for(interview.pack.id if interview else None),
        error=error,
        values=values or {},
        jobs=jobs.recent(request, visit, "report"),
    )


@router.get("/documents")
def documents_page(request: Request, visit: VisitDep) -> Response:
    return _page(request, visit)


def _day(text: str) -> dt.date | str | None:
    return optional_date(text, BAD_DATE)


def report_choice(form: FormFields) -> ReportChoice | str:
    """The report the form asks for, or the (translatable) reason it cannot be made."""
    fmt, paper = form.get("format"), form.get("paper")
    if fmt not in jobs.REPORTS or paper not in PAPERS:
        raise PageError(400, N_("Please choose one of the options in the list."))
    since, until = _day(form.get("since")), _day(form.get("until"))
    if isinstance(since, str) or isinstance(until, str):
        return BAD_DATE
    if since and until and since > until:
        return DATES_REVERSED
    title, person = form.get("title").strip(), form.get("name").strip()
    if len(title) > 200 or len(person) > 200:
        return LONG_TEXT
    notes = bool(form.get("notes"))
    chosen = since or until or notes
    selection = Selection(since=since, until=until, notes=notes) if chosen else None
    return ReportChoice(selection, fmt, paper, title or None, person or None)


def _render(case: CaseFile, choice: ReportChoice) -> bytes:
    if choice.fmt == "pdf":
        return render_pdf(case, choice.paper)
    if choice.fmt == "docx":
        return render_docx(case, choice.paper)
    return render_markdown(case).encode("utf-8")


@router.post("/documents/report")
def report(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """The evidence report of the journal, made in memory and sent as a download."""
    choice = report_choice(form)
    values = {
        name: form.get(name)
        for name in ("format", "paper", "title", "name", "since", "until", "notes")
    }
    if isinstance(choice, str):
        return _page(request, visit, 422, choice, values)
    interview, _ = finished_plan(request, visit)
    if jobs.job_store(request) is not None:  # hosted: a worker makes it (jobs.py)
        options = {**_job_options(choice, interview), "language": visit.language}
        return jobs.submit(request, visit, "report", options)
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            raise PageError(
                403, N_("Your journal is locked. Unlock it, then make the report again.")
            )
        case = build_casefile(
            vault,
            choice.selection,
            title=choice.title or DEFAULT_TITLE,
            person=choice.person,
            images=choice.fmt != "md",
            language=visit.language,
        )
    if interview is not None:
        report_jurisdiction(case, interview.pack.id)
    media_type, filename = jobs.REPORTS[choice.fmt]
    return Response(
        _render(case, choice),
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _job_options(choice: ReportChoice, interview: Interview | None) -> dict[str, Any]:
    """The report's choices for the worker (sealed to the journal's key by ``jobs.submit``)."""
    chosen = choice.selection
    selection = (
        {
            "since": chosen.since.isoformat() if chosen.since else None,
            "until": chosen.until.isoformat() if chosen.until else None,
            "notes": chosen.notes,
        }
        if chosen
        else None
    )
    return {
        "format": choice.fmt,
        "paper": choice.paper,
        "title": choice.title,
        "person": choice.person,
        "selection": selection,
        "pack": interview.pack.id if interview else None,
    }


@router.post("/documents/calendar")
def calendar(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """The plan's deadlines (and follow-ups for steps marked as taken) as an .ics download."""
    _, plan = finished_plan(request, visit)
    if plan is None:
        raise PageError(404, N_("There is no plan yet. Answer a few questions first."))
    data, _ = _calendar(request, visit, plan, bool(form.get("discreet")))
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="ally-deadlines.ics"'},
    )
