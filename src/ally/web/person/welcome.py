"""The first screen, the language switcher, quick exit and the idle-lock keep-alive."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.web.accounts.gate import end_account_session
from ally.web.i18n import LANGUAGES
from ally.web.pages import FormDep, VisitDep, local_path, render, see_other
from ally.web.sealing import new_token
from ally.web.sessions import LEFT_COOKIE, WebSession
from ally.web.state import web_state

router = APIRouter()


@router.get("/")
def welcome(request: Request, visit: VisitDep) -> Response:
    """With camouflage on, a neutral first screen that does not say what this is."""
    state = web_state(request)
    if state.settings.camouflage():
        page = render(request, visit, "person/neutral_home.html", neutral=True)
    else:
        page = render(request, visit, "person/welcome.html")
    state.fast.keep(request, visit, bytes(page.body))  # a reload skips all this: fastpages
    return page


@router.get("/welcome")
def welcome_behind_camouflage(request: Request, visit: VisitDep) -> Response:
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
    """Leave for a neutral site, and leave nothing behind that Back or the address can show.

    The journal locks, and so does the session: its cookie stops working at once, whether or
    not there is a save code (without one, and without "continue where I left off", the
    answers are deleted: nothing else could ever open them). Until the person chooses to
    carry on, every page in this browser shows the neutral locked page. The browser is asked
    to drop Ally's cache; the history entry itself can only be replaced with JavaScript
    (ally.js does that). On a hosted Ally the account is signed out as well: behind the
    locked page, "start again" must not open an account that says whose it is and with
    which organisation.
    """
    state = web_state(request)
    if state.vaults is not None:
        state.vaults.lock(visit.session.row)  # its passphrase reopens it
    state.sessions.lock(visit.session)
    if state.hosted is not None:  # hosted: signed out too, so the locked page hides nothing
        end_account_session(request, visit)
    # A new cookie too, so the browser cannot restore a page from its back-forward cache.
    visit.session = WebSession(new_token())
    visit.cookies[LEFT_COOKIE] = "1"
    response = see_other(state.config.quick_exit_url)
    response.headers["clear-site-data"] = '"cache"'
    return response


@router.post("/start-again")
def start_again(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """From the locked page: this browser may see Ally's pages again, with nothing in them."""
    visit.cookies[LEFT_COOKIE] = None
    return see_other("/")


@router.get("/still-here")
def still_here(visit: VisitDep) -> Response:
    """Called by ally.js when the person chooses to stay: opening the session counts as activity."""
    return Response(status_code=204)
