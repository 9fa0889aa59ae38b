"""The welcome page, the language switcher, quick exit and the idle-lock keep-alive."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.web.i18n import LANGUAGES
from ally.web.pages import FormDep, VisitDep, local_path, render, see_other
from ally.web.sealing import new_token
from ally.web.sessions import WebSession
from ally.web.state import web_state

router = APIRouter()


@router.get("/")
def welcome(request: Request, visit: VisitDep) -> Response:
    return render(request, visit, "person/welcome.html")


@router.post("/language")
def choose_language(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """The switcher is a plain form, so it works without JavaScript."""
    language = form.get("lang")
    if language in LANGUAGES:
        visit.session.data["lang"] = language
        web_state(request).sessions.save(visit.session)
    return see_other(local_path(form.get("next")))


@router.get("/exit")
def quick_exit(request: Request, visit: VisitDep) -> Response:
    """Leave for a neutral site. With a save code, Ally also locks, so "back" shows nothing.

    The browser is asked to drop Ally's cached pages; the history entry itself can only be
    replaced with JavaScript (ally.js does that, and Esc triggers it).
    """
    state = web_state(request)
    if state.vaults is not None:
        state.vaults.lock(visit.session.row)  # the journal always locks: its passphrase reopens it
    if visit.session.has_code:
        state.sessions.lock(visit.session)
        # A new cookie too, so the browser cannot restore a locked page from its back-forward cache.
        visit.session = WebSession(new_token())
    response = see_other(state.config.quick_exit_url)
    response.headers["clear-site-data"] = '"cache"'
    return response


@router.get("/still-here")
def still_here(visit: VisitDep) -> Response:
    """Called by ally.js when the person chooses to stay: opening the session counts as activity."""
    return Response(status_code=204)
