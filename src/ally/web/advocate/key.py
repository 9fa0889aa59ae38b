"""The case key page: make a key (first visit) or unlock it, and lock it again.

The key opens every case shared with this advocate, so it has its own passphrase (not the
sign-in password) and stays unlocked only for this account session, wrapped under its cookie
(``web/keyring.py``), so any app process can use it for that browser and no other.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.hosted.keys import MIN_PASSPHRASE, CaseKeyError
from ally.vault import WrongPassphraseError
from ally.vault.throttle import UnlockRefusedError
from ally.web.advocate.access import current, hosted
from ally.web.i18n import N_
from ally.web.pages import FormDep, Visit, VisitDep, render, see_other
from ally.web.person.journal import client_of

router = APIRouter()

SHORT = N_(
    "Choose a passphrase of at least 10 characters. A few unrelated words are easy to remember."
)
MISMATCH = N_("The two passphrases are not the same. Type them again.")
WRONG = N_("That passphrase does not open your case key. Check for typos and Caps Lock.")
WAIT = N_("Too many tries. Nothing was tried. Wait a few minutes and try again.")


@router.get("/advocate/key")
def key_page(request: Request, visit: VisitDep) -> Response:
    return _page(request, visit, 200, None)


def _page(request: Request, visit: Visit, status: int, error: str | None) -> Response:
    who = current(request)
    service = hosted(request)
    return render(
        request, visit, "advocate/key.html", status, error=error,
        has_key=service.keys.has_key(who.account),
        unlocked=service.keyring.get(who) is not None, minimum=MIN_PASSPHRASE,
    )  # fmt: skip


@router.post("/advocate/key/create")
def create_key(request: Request, visit: VisitDep, form: FormDep) -> Response:
    who = current(request)
    passphrase = form.get("passphrase")
    if passphrase != form.get("confirm"):
        return _page(request, visit, 400, MISMATCH)
    if len(passphrase) < MIN_PASSPHRASE:
        return _page(request, visit, 400, SHORT)
    service = hosted(request)
    try:
        identity = service.keys.create(who.account, passphrase)
    except CaseKeyError:
        return _page(request, visit, 409, N_("You already have a case key. Unlock it below."))
    service.keyring.keep(who, identity)
    return see_other("/advocate")


@router.post("/advocate/key/unlock")
def unlock_key(request: Request, visit: VisitDep, form: FormDep) -> Response:
    who = current(request)
    service = hosted(request)
    try:
        identity = service.keys.unlock(who.account, form.get("passphrase"), client_of(request))
    except WrongPassphraseError:
        return _page(request, visit, 400, WRONG)
    except UnlockRefusedError as refused:
        response = _page(request, visit, 429, WAIT)
        response.headers["Retry-After"] = str(max(1, int(refused.retry_after)))
        return response
    except CaseKeyError:
        return _page(request, visit, 400, N_("You have no case key yet. Make one below."))
    service.keyring.keep(who, identity)
    # Team shares this key opens reach colleagues who made their key since (sharing.py).
    service.sharing.refresh_for_advocate(who.account, identity)
    return see_other("/advocate")


@router.post("/advocate/key/lock")
def lock_key(request: Request, visit: VisitDep, form: FormDep) -> Response:
    hosted(request).keyring.lock(current(request))
    return see_other("/advocate/key")
