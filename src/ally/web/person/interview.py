"""The interview, one question per page: answer, "I'd rather not say", or back.

Every answer is saved before the next page is shown (post, save, redirect), so closing the
tab loses nothing. Forms carry the question id so a stale tab cannot answer the wrong question.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.errors import AnswersError
from ally.knowledge.dates import FutureDateError
from ally.knowledge.engine import tried_options
from ally.knowledge.interview import Interview, danger_said, safety_now
from ally.knowledge.loader import builtin_pack_ids
from ally.knowledge.schema import Question, QuestionType
from ally.model.answers import Tried
from ally.web.i18n import N_
from ally.web.pages import FormDep, FormFields, Visit, VisitDep, render, see_other
from ally.web.person.flow import (
    FALLBACK_PACK,
    keep_interview,
    load_interview,
    pack_choices,
    start_interview,
)
from ally.web.person.phones import tel
from ally.web.state import web_state

router = APIRouter()

HINTS = {
    QuestionType.DATE: N_(
        "Ally could not read that date. Try for example 28/11/2026, 28 November 2026, "
        "March 2026, last Saturday or two weeks ago."
    ),
    QuestionType.NUMBER: N_(
        "Type one whole number, like 12. A rough guess like “about 50” is fine."
    ),
}
US_DATE_HINT = N_(
    "Ally could not read that date. Try for example 11/28/2026, November 28 2026, "
    "March 2026, last Saturday or two weeks ago."
)
FUTURE = N_("That date is after today. Please check the year, or give just the month.")
EMPTY = N_("Choose an answer, or press “I'd rather not say”.")
OUTCOME_LABELS = {
    "waiting": N_("Waiting for an answer"),
    "refused": N_("They refused"),
    "no-answer": N_("No answer yet"),
    "done": N_("Done"),
    "resolved": N_("Resolved"),
}


@router.get("/interview/start")
def choose_pack(request: Request, visit: VisitDep) -> Response:
    config = web_state(request).config
    chosen = visit.session.data.get("pack") or config.default_pack
    return render(
        request,
        visit,
        "person/start.html",
        packs=pack_choices(visit.language),
        chosen=chosen,
        error=None,
    )


@router.post("/interview/start")
def chose_pack(request: Request, visit: VisitDep, form: FormDep) -> Response:
    action = form.get("action")
    if action == "back":
        return see_other("/")
    pack_id = form.get("answer") if action == "answer" else FALLBACK_PACK
    if pack_id not in builtin_pack_ids():
        packs = pack_choices(visit.language)
        return render(
            request, visit, "person/start.html", 422, packs=packs, chosen=None, error=EMPTY
        )
    start_interview(visit.session, pack_id)
    web_state(request).sessions.save(visit.session)
    return see_other("/interview")


@router.get("/interview")
def question_page(request: Request, visit: VisitDep) -> Response:
    interview = load_interview(visit)
    if interview is None:
        return see_other("/interview/start")
    question = interview.current()
    if question is None:
        return see_other("/plan")
    return _question(request, visit, interview, question)


@router.post("/interview")
def answer(request: Request, visit: VisitDep, form: FormDep) -> Response:
    interview = load_interview(visit)
    if interview is None:
        return see_other("/interview/start")
    question = interview.current()
    if form.get("question") != (question.id if question else ""):
        return see_other("/interview")  # a stale tab or a double submit: show where things are
    action = form.get("action")
    if action == "back":
        if interview.back() is None:
            return see_other("/interview/start")
    elif question is None:
        return see_other("/plan")
    elif action == "skip":
        interview.skip(question.id)
    else:
        in_danger_before = danger_said(interview.pack, interview.answers)
        try:
            interview.answer(question.id, _value(question, form))
        except FutureDateError:
            return _question(request, visit, interview, question, form, FUTURE)
        except AnswersError:
            error = HINTS.get(question.type, EMPTY)
            if question.type is QuestionType.DATE and interview.pack.date_order == "mdy":
                error = US_DATE_HINT
            return _question(request, visit, interview, question, form, error)
        if not in_danger_before and danger_said(interview.pack, interview.answers):
            keep_interview(visit.session, interview)
            web_state(request).sessions.save(visit.session)
            return see_other("/interview/danger")  # before any other question
    keep_interview(visit.session, interview)
    web_state(request).sessions.save(visit.session)
    return see_other("/interview")


@router.get("/interview/danger")
def danger_page(request: Request, visit: VisitDep, stopped: bool = False) -> Response:
    """Danger now: the emergency number and what to do at once, and the choice to stop there
    (the answers so far are kept, so the plan can continue later)."""
    interview = load_interview(visit)
    if interview is None:
        return see_other("/interview/start")
    safety = safety_now(interview.pack, interview.answers, dt.date.today())
    return render(request, visit, "person/danger.html", safety=safety, stopped=stopped, tel=tel)


def _value(question: Question, form: FormFields) -> object:
    """The answer as the engine expects it; an empty one is an AnswersError like a wrong one."""
    if question.type is QuestionType.TRIED:
        return _tried(question, form)
    if question.type is QuestionType.MULTI:
        values = [value for value in form.getlist("answer") if value]
        if not values:
            raise AnswersError("empty")
        return values
    value = form.get("answer").strip()
    if not value:
        raise AnswersError("empty")
    return value


def _tried(question: Question, form: FormFields) -> dict[str, dict[str, str]]:
    """One outcome (and an optional date) per route told; none told is "I'd rather not say"."""
    found = {}
    for option in question.options:
        outcome = form.get(f"tried-{option.value}")
        if outcome:
            on = form.get(f"tried-{option.value}-on").strip()
            found[option.value] = {"outcome": outcome} | ({"on": on} if on else {})
    if not found:
        raise AnswersError("empty")
    return found


def _question(
    request: Request,
    visit: Visit,
    interview: Interview,
    question: Question,
    form: FormFields | None = None,
    error: str | None = None,
) -> Response:
    done, left = interview.progress()
    previous = form.getlist("answer") if form else _previous(interview, question)
    return render(
        request,
        visit,
        "person/question.html",
        status=422 if error else 200,
        question=question,
        number=done + 1,
        total=max(done + left, done + 1),
        date_example="11/28/2026" if interview.pack.date_order == "mdy" else "28/11/2026",
        previous=previous,
        error=error,
        types=QuestionType,
        tried_keys=tried_options(interview.pack, question, interview.answers)
        if question.type is QuestionType.TRIED
        else [],
        tried_previous=_tried_previous(interview, question),
        outcomes=list(OUTCOME_LABELS.items()),
    )


def _tried_previous(interview: Interview, question: Question) -> dict[str, Tried]:
    value = interview.previous(question.id)
    return value if isinstance(value, dict) else {}


def _previous(interview: Interview, question: Question) -> list[str]:
    """The answer given before, shown ticked (or typed in) when the person comes back."""
    value = interview.previous(question.id)
    if value is None or isinstance(value, dict):
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]
