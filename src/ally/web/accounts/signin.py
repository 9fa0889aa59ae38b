"""Signing in, signing up (where the organisation allows it) and signing out."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.hosted import audit
from ally.hosted.accounts import Account, Organisation
from ally.hosted.errors import (
    HostedError,
    NameTakenError,
    NoSuchOrganisationError,
    SignInError,
    SignInThrottledError,
    SignUpClosedError,
    WeakPasswordError,
)
from ally.hosted.sessions import Current
from ally.web import sealing
from ally.web.accounts.gate import (
    ACCOUNT_COOKIE,
    SIGN_IN,
    end_account_session,
    end_visits,
    start_bound_visit,
)
from ally.web.accounts.hosting import HostedWeb
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.person.journal import client_of
from ally.web.sessions import WebSession
from ally.web.state import web_state

router = APIRouter()

NOT_RIGHT = N_(
    "That organisation, name, password or code is not right. Check for typos and Caps Lock; "
    "codes change every 30 seconds."
)
WAIT = N_("Too many sign-ins failed. Nothing was tried.")
CLOSED = N_(
    "This organisation does not let people create their own accounts. Ask an advocate there "
    "to invite you."
)
TAKEN = N_("That sign-in name is taken. Choose another one.")
SHORT = N_(
    "Choose a password of at least 10 characters. A few unrelated words are easy to remember."
)
MISMATCH = N_("The two passwords are not the same. Type them again.")
BAD_NAME = N_("Choose a sign-in name of 1 to 200 characters.")


def hosted(request: Request) -> HostedWeb:
    found = web_state(request).hosted
    if found is None:  # never mounted without it; kept as a guard
        raise PageError(404, N_("There is no page at this address."))
    return found


def _org(request: Request, slug: str) -> Organisation | None:
    try:
        return hosted(request).accounts.org_by_slug(slug) if slug.strip() else None
    except NoSuchOrganisationError:
        return None


@router.get("/account/sign-in")
def sign_in_form(request: Request, visit: VisitDep, org: str = "") -> Response:
    return render(request, visit, "accounts/sign_in.html", org=org[:40], error=None, wait=0)


@router.post("/account/sign-in")
def sign_in(request: Request, visit: VisitDep, form: FormDep) -> Response:
    slug = form.get("org").strip()[:40]
    organisation = _org(request, slug)
    try:
        if organisation is None:
            raise SignInError()
        token, current = hosted(request).sessions.sign_in(
            organisation, form.get("name"), form.get("password"), form.get("code"),
            client_of(request),
        )  # fmt: skip
    except SignInThrottledError as waiting:
        response = render(
            request, visit, "accounts/sign_in.html", 429, org=slug, error=WAIT,
            wait=waiting.retry_after,
        )  # fmt: skip
        response.headers["Retry-After"] = str(waiting.retry_after)
        return response
    except SignInError:
        return render(
            request, visit, "accounts/sign_in.html", 400, org=slug, error=NOT_RIGHT, wait=0
        )
    return _signed_in(request, visit, token, current)


def _signed_in(request: Request, visit: Visit, token: str, current: Current) -> Response:
    """Drop whatever this browser had before, and start afresh as this account."""
    state = web_state(request)
    if visit.session.row is not None:
        end_visits(state, [visit.session.row])
    visit.session = WebSession(sealing.new_token())
    visit.cookies[ACCOUNT_COOKIE] = token
    if current.account.is_staff:
        return see_other("/account")
    start_bound_visit(state, visit, current.session)
    return see_other("/")


@router.get("/account/sign-up")
def sign_up_form(request: Request, visit: VisitDep, org: str = "") -> Response:
    organisation = _org(request, org)
    if organisation is None:
        raise PageError(
            404, N_("There is no organisation with that short name. Check the address.")
        )
    return _sign_up_page(request, visit, organisation, 200, None)


def _sign_up_page(
    request: Request, visit: Visit, org: Organisation, status: int, error: str | None
) -> Response:
    return render(request, visit, "accounts/sign_up.html", status, org=org, error=error)


@router.post("/account/sign-up")
def sign_up(request: Request, visit: VisitDep, form: FormDep) -> Response:
    organisation = _org(request, form.get("org"))
    if organisation is None:
        raise PageError(
            404, N_("There is no organisation with that short name. Check the address.")
        )
    if form.get("password") != form.get("again"):
        return _sign_up_page(request, visit, organisation, 400, MISMATCH)
    service = hosted(request)
    try:
        account: Account = service.accounts.sign_up(
            organisation, form.get("name"), form.get("password")
        )
    except SignUpClosedError:
        return _sign_up_page(request, visit, organisation, 403, CLOSED)
    except NameTakenError:
        return _sign_up_page(request, visit, organisation, 409, TAKEN)
    except WeakPasswordError:
        return _sign_up_page(request, visit, organisation, 400, SHORT)
    except HostedError:
        return _sign_up_page(request, visit, organisation, 400, BAD_NAME)
    audit.append(
        service.store, organisation.id, account.id, "sign-up", int(service.accounts.clock())
    )
    token, current = service.sessions.start(account)
    return _signed_in(request, visit, token, current)


@router.post("/account/sign-out")
def sign_out(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """End this account session everywhere it is used, and this browser's visit with it."""
    state = web_state(request)
    end_account_session(request, visit)
    if visit.session.row is not None:
        end_visits(state, [visit.session.row])
    visit.session = WebSession(sealing.new_token())
    return see_other(SIGN_IN)
