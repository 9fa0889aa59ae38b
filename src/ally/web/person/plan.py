"""The plan page: phases and steps, why each applies, contacts, deadlines, and where each stands.

With the journal unlocked, showing the plan keeps the case in step with the answers, and the
step buttons are recorded in the case as well (see ``tracking``). Steps that involve writing
link to their letter (``letters``); when the person says where they are, steps a local service
can help with list the nearest ones (``help``), the place kept in the session, never a URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from ally.case.store import VaultCase
from ally.directory.errors import PlaceNotFoundError
from ally.directory.geo import resolve_place
from ally.documents.plan import READING_WIDTH
from ally.documents.plan import render as render_text
from ally.knowledge.deadlines import ClockFacts
from ally.knowledge.interview import Interview
from ally.model.case import StatusEvent
from ally.model.plan import Plan
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.person import help as local_help
from ally.web.person.flow import finished, load_interview, plan_for
from ally.web.person.interview import OUTCOME_LABELS
from ally.web.person.letters import step_letters
from ally.web.person.phones import tel
from ally.web.person.tracking import (
    TO_CASE,
    journal_clocks,
    journal_stamp,
    marked_statuses,
    open_stamp,
    plan_statuses,
    sync_situation,
    tried_from_marks,
)
from ally.web.state import web_state
from ally.web.stepstatus import StepStatus

router = APIRouter()

STATUS_LABELS = {
    StepStatus.DONE: N_("Done"),
    StepStatus.REFUSED: N_("They refused"),
    StepStatus.NO_ANSWER: N_("No answer yet"),
    StepStatus.RESOLVED: N_("Resolved"),
    StepStatus.NOT_FOR_ME: N_("Not for me"),
}


def _finished(visit: Visit) -> Interview:
    interview = load_interview(visit)
    if interview is None:
        raise PageError(404, N_("There is no plan yet. Answer a few questions first."))
    return interview


@router.get("/plan")
def plan_page(request: Request, visit: VisitDep) -> Response:
    interview = load_interview(visit)
    if interview is None:
        return see_other("/interview/start")
    if not finished(web_state(request).finished, visit, interview):
        return see_other("/interview")
    return _show(request, visit, interview)


def _show(
    request: Request,
    visit: Visit,
    interview: Interview,
    status: int = 200,
    place_error: str | None = None,
    typed: str | None = None,
) -> Response:
    state = web_state(request)
    today = state.config.today()
    row = visit.session.row
    marks = state.steps.for_session(row) if row else {}
    cacheable = row is not None and status == 200 and typed is None and place_error is None
    if cacheable:
        # A reload whose inputs have not changed is served before the case is read: the
        # journal's stamp stands for everything the page takes from it (its head).
        assert row is not None
        stamp = journal_stamp(state.vaults, row)
        cached = state.pages.get(row, _page_key(request, visit, interview, today, marks, stamp))
        if cached is not None:
            state.fast.keep(request, visit, cached, stamp)
            return HTMLResponse(cached)
    statuses, case_open, clocks, read_at = _standing(request, visit, interview, marks)
    plan = plan_for(interview, today, clocks, tried_from_marks(statuses))
    page = render(
        request,
        visit,
        "person/plan.html",
        status,
        **_context(request, visit, plan, statuses, clocks),
        case_open=case_open,
        place_text=local_help.saved_place(visit) if typed is None else typed,
        place_error=place_error,
    )
    if cacheable and read_at is not None:
        assert row is not None
        key = _page_key(request, visit, interview, today, marks, read_at)
        body = bytes(page.body)
        state.pages.put(row, key, body)
        state.fast.keep(request, visit, body, read_at)  # the same bytes: held once
    return page


@router.get("/plan/steps/{number}")
def step_page(request: Request, visit: VisitDep, number: int) -> Response:
    """One step whole, with the buttons that say where it stands.

    The plan page carries those buttons only for the "Start here" steps and steps already
    marked; every other step links here. That keeps the plan short on a phone and small to
    send (the buttons were about 28 % of its HTML, issue 19)."""
    interview = load_interview(visit)
    if interview is None:
        return see_other("/interview/start")
    if not finished(web_state(request).finished, visit, interview):
        return see_other("/interview")
    row = visit.session.row
    marks = web_state(request).steps.for_session(row) if row else {}
    statuses, _, clocks, _ = _standing(request, visit, interview, marks)
    plan = plan_for(
        interview, web_state(request).config.today(), clocks, tried_from_marks(statuses)
    )
    numbers = _numbers(plan)
    step = next((step for step in plan.steps() if numbers[step.id] == number), None)
    if step is None:
        raise PageError(404, N_("That step is not in your plan any more. Please reload the plan."))
    return render(
        request,
        visit,
        "person/plan_step.html",
        **_context(request, visit, plan, statuses, clocks),
        step=step,
        n=number,
    )


def _standing(
    request: Request,
    visit: Visit,
    interview: Interview,
    marks: dict[str, tuple[StepStatus, dt.date]],
) -> tuple[dict[str, tuple[StepStatus, dt.date]], bool, ClockFacts, str | None]:
    """The step marks (this visit's ``marks``, and the case's when the journal is open: it
    follows these answers), whether the case is open, the journal's clocks, and the journal's
    stamp they were read at (None if the journal changed meanwhile, new answers included: such
    a page is not kept, the next one is)."""
    state = web_state(request)
    row = visit.session.row
    statuses = marks
    case_open = False
    stamp: str | None = journal_stamp(state.vaults, row)
    if state.vaults is not None:
        with state.vaults.using(row) as vault:
            if vault is not None:
                stamp = open_stamp(vault)
                events = sync_situation(VaultCase(vault), interview, state.config.today())
                statuses = plan_statuses(marks, events)
                case_open = True
                if open_stamp(vault) != stamp:
                    stamp = None
    clocks = journal_clocks(state.vaults, row)
    if stamp is not None and journal_stamp(state.vaults, row) != stamp:
        stamp = None  # locked, unlocked or written to while the clocks were read
    return statuses, case_open, clocks, stamp


def _context(
    request: Request,
    visit: Visit,
    plan: Plan,
    statuses: dict[str, tuple[StepStatus, dt.date]],
    clocks: ClockFacts,
) -> dict[str, Any]:
    """What the plan page and a step's page are both drawn from."""
    place = local_help.plan_place(visit)
    return {
        "plan": plan,
        "statuses": statuses,
        "journal_locked": clocks.journal == "locked",
        "status_labels": STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "status_choices": list(StepStatus),
        "numbers": _numbers(plan),
        "letters": {step.id for _, step, _ in step_letters(plan)},
        "place": place,
        "nearby": local_help.nearby(request, plan, place) if place else {},
        "scope_labels": local_help.SCOPE_LABELS,
        "distance": lambda hit: local_help.distance(hit, visit.language),
        "web_link": local_help.web_link,
        "tel": tel,
    }


def _page_key(
    request: Request,
    visit: Visit,
    interview: Interview,
    today: dt.date,
    marks: dict[str, tuple[StepStatus, dt.date]],
    journal: str,
) -> str:
    """Everything the plan page is made from, as a digest (see ``pagecache`` for why it is safe):
    the session's data (answers, place) and form token, the pack, the day, this visit's marks,
    the journal's stamp (its head: the case's events and the journal's clocks, see
    ``journal_stamp``), language and the app's neutral name. All of it is known without
    decrypting anything, so a reload whose inputs did not change is answered from the cache."""
    state = web_state(request)
    pack = interview.pack
    inputs = {
        "data": visit.session.data,
        "csrf": visit.session.csrf,
        "lock": visit.session.lock_seconds(state.config),
        "language": visit.language,
        "pack": [pack.id, pack.checked.isoformat(), pack.language],
        "today": today.isoformat(),
        "marks": sorted((step, mark.value, on.isoformat()) for step, (mark, on) in marks.items()),
        "journal": journal,
        "camouflage": state.settings.camouflage(),
        "account": repr(getattr(request.state, "account", None)),  # hosted mode's header
    }
    return state.pages.key(visit.session.row or "", inputs)


@router.post("/plan/place")
def set_place(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Keep (or forget) where the person is, in the session only, to show services near them."""
    interview = _finished(visit)
    text = form.get("place").strip()
    if form.get("action") == "forget" or not text:
        visit.session.data.pop("place", None)
    elif len(text) > local_help.MAX_TEXT:
        raise PageError(400, N_("Please give a shorter place name."))
    else:
        try:
            resolve_place(text)
        except PlaceNotFoundError:
            return _show(request, visit, interview, 422, local_help.NO_PLACE, text)
        visit.session.data["place"] = text
    web_state(request).sessions.save(visit.session)
    return see_other("/plan#place")


@router.post("/plan/status")
def set_status(request: Request, visit: VisitDep, form: FormDep) -> Response:
    interview = _finished(visit)
    state = web_state(request)
    today = state.config.today()
    row = visit.session.row
    plan = plan_for(interview, today, tried=tried_from_marks(_marks(request, row)))
    step = form.get("step")
    try:
        status = StepStatus(form.get("status"))
    except ValueError as error:
        raise PageError(400, N_("Please use one of the buttons under the step.")) from error
    if step not in plan.step_ids():
        raise PageError(400, N_("That step is not in your plan any more. Please reload the plan."))
    if visit.session.row is None:
        state.sessions.save(visit.session)
    assert visit.session.row is not None
    state.steps.set(visit.session.row, step, status, today)
    if state.vaults is not None:
        with state.vaults.using(visit.session.row) as vault:
            if vault is not None:  # kept in the case too, with its history
                case = VaultCase(vault)
                sync_situation(case, interview, today)
                case.record(StatusEvent(on=today, step=step, status=TO_CASE[status]))
    # The mark may move the step (a refused one joins "already done"): anchor where it now is.
    marks = _marks(request, visit.session.row)
    plan = plan_for(interview, today, tried=tried_from_marks(marks))
    return see_other(f"/plan#step-{_numbers(plan)[step]}")


@router.get("/plan/download")
def download(request: Request, visit: VisitDep, format: str = "md") -> Response:
    """The plan as a Markdown or text file, for printing or keeping elsewhere."""
    state = web_state(request)
    row = visit.session.row
    clocks = journal_clocks(state.vaults, row)
    tried = tried_from_marks(_marks(request, row))
    plan = plan_for(_finished(visit), state.config.today(), clocks, tried)
    markdown = format != "txt"
    name = "ally-plan.md" if markdown else "ally-plan.txt"
    return PlainTextResponse(
        render_text(plan, markdown=markdown, width=READING_WIDTH),
        media_type="text/markdown" if markdown else "text/plain",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _marks(request: Request, row: str | None) -> dict[str, tuple[StepStatus, dt.date]]:
    state = web_state(request)
    return marked_statuses(state.steps, state.vaults, row)


def _numbers(plan: Plan) -> dict[str, int]:
    """Steps are numbered through the plan; anchors use the number so URLs never name a step."""
    return {step_id: number for number, step_id in enumerate(plan.step_ids(), 1)}
