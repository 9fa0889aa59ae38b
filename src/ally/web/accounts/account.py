"""The account page: who is signed in, and their sessions, each of which can be ended."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.hosted.sessions import Current
from ally.web import sealing
from ally.web.accounts.gate import ACCOUNT_COOKIE, SIGN_IN, end_visits
from ally.web.accounts.signin import hosted
from ally.web.pages import FormDep, Redirect, Visit, VisitDep, render, see_other
from ally.web.person.journal import viewer_zone
from ally.web.sessions import WebSession
from ally.web.state import web_state

router = APIRouter()


def signed_in(request: Request) -> Current:
    current: Current | None = getattr(request.state, "account", None)
    if current is None:
        raise Redirect(SIGN_IN)
    return current


@router.get("/account")
def account_page(request: Request, visit: VisitDep) -> Response:
    current = signed_in(request)
    service = hosted(request)
    with service.store.transaction() as db:
        rows = db.query("SELECT name FROM hosted_orgs WHERE id = ?", (current.account.org,))
    sessions = [
        {
            "id": info.id,
            "this": info.id == current.session,
            "since": dt.datetime.fromtimestamp(info.created, dt.UTC),
        }
        for info in service.sessions.live(current.account.id)
    ]
    return render(
        request, visit, "accounts/account.html", account=current.account,
        org_name=str(rows[0][0]) if rows else "", sessions=sessions,
        zone=viewer_zone(request, visit),
    )  # fmt: skip


@router.post("/account/sessions/end")
def end_session(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """End one of this account's sessions (another browser, a lost phone)."""
    current = signed_in(request)
    target = form.get("session")[:64]
    service = hosted(request)
    if service.sessions.revoke(target, current.account):
        end_visits(web_state(request), service.visits_of([target]))
    if target == current.session:
        return _signed_out(visit)
    return see_other("/account")


@router.post("/account/sessions/end-others")
def end_other_sessions(request: Request, visit: VisitDep, form: FormDep) -> Response:
    current = signed_in(request)
    service = hosted(request)
    others = [s.id for s in service.sessions.live(current.account.id) if s.id != current.session]
    service.sessions.revoke_all(current.account, keep=current.session)
    end_visits(web_state(request), service.visits_of(others))
    return see_other("/account")


def _signed_out(visit: Visit) -> Response:
    visit.session = WebSession(sealing.new_token())
    visit.cookies[ACCOUNT_COOKIE] = None
    return see_other(SIGN_IN)
