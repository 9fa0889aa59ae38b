"""Who may reach which page of a hosted Ally, decided once per request.

Runs inside ``pages.get_visit`` (every page that has a visit goes through it), after the
visit is opened:

* no live account session: only the account pages and the neutral pages (quick exit, the
  locked page, the language switch) are open; anything else goes to the sign-in page, and a
  visit still bound to an ended session is locked and forgotten (revocation reaches every
  app process at its next request);
* advocate pages (``/advocate``): signed-in advocates only (staff sign in with TOTP); anyone
  else signed in is told there is no such page;
* the admin pages (``/admin``) have their own gate (:mod:`ally.web.admin.gate`), which
  refuses anyone but a signed-in admin of the organisation who gave a TOTP code;
* staff (advocates, admins): the account pages only; the person pages are not theirs;
* a person: the visit must be bound to this very account session, else a new visit is
  started and bound; another person's visit is never reused or bound.
"""

from __future__ import annotations

from starlette.requests import Request

from ally.hosted.sessions import Current
from ally.web import sealing
from ally.web.i18n import N_
from ally.web.pages import PageError, Redirect, Visit
from ally.web.sessions import WebSession
from ally.web.state import WebState, web_state

ACCOUNT_COOKIE = "ally_account"
NEUTRAL = frozenset({"/exit", "/locked", "/start-again", "/still-here", "/language"})
"""Open without an account: quick exit signs the account out, so its locked page and
"start again" (which leads on to the sign-in page) must work without one."""
SIGN_IN = "/account/sign-in"


def is_account_page(path: str) -> bool:
    return path == "/account" or path.startswith("/account/")


def is_advocate_page(path: str) -> bool:
    return path == "/advocate" or path.startswith("/advocate/")


def is_admin_page(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


def admit(request: Request, visit: Visit) -> None:
    """Let this request through, move the visit to the right one, or redirect."""
    state = web_state(request)
    assert state.hosted is not None
    current = state.hosted.sessions.open(request.cookies.get(ACCOUNT_COOKIE))
    request.state.account = current
    path = request.url.path
    if current is None:
        if visit.session.row is not None and state.hosted.bound(visit.session.row):
            end_visits(state, [visit.session.row])
            visit.session = WebSession(sealing.new_token())
        if path in NEUTRAL or is_account_page(path):
            return
        raise Redirect(SIGN_IN)
    if path in NEUTRAL or is_account_page(path) or is_admin_page(path):
        return
    if is_advocate_page(path):
        if current.account.role != "advocate":
            raise PageError(404, N_("There is no page at this address."))
        return
    if current.account.is_staff:
        raise Redirect("/account")
    row = visit.session.row
    if row is not None and state.hosted.bound(row) == current.session:
        return
    start_bound_visit(state, visit, current.session)


def start_bound_visit(state: WebState, visit: Visit, session: str) -> None:
    """A new, empty visit for this account session (the old one is left as it was)."""
    assert state.hosted is not None
    visit.session = WebSession(sealing.new_token())
    state.sessions.save(visit.session)
    assert visit.session.row is not None
    state.hosted.bind(visit.session.row, session)


def end_account_session(request: Request, visit: Visit) -> None:
    """Sign this browser's account out everywhere it is used (its visits end with it) and
    drop the cookie: at sign-out, and at quick exit, where whoever picks up the device next
    must not find the account still signed in behind the locked page."""
    state = web_state(request)
    current: Current | None = getattr(request.state, "account", None)
    if current is not None and state.hosted is not None:
        state.hosted.sessions.revoke(current.session, current.account, "sign-out")
        end_visits(state, state.hosted.visits_of([current.session]))
    visit.cookies[ACCOUNT_COOKIE] = None


def end_visits(state: WebState, rows: list[str]) -> None:
    """Lock the journals these visits hold open here and forget the visits' answers."""
    for row in rows:
        if state.vaults is not None:
            state.vaults.lock(row)
        state.sessions.forget(WebSession("-", row=row))
