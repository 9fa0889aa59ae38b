"""Safety and privacy: the idle lock, save codes, "continue where I left off", camouflage,
the journal's duress passphrase, failure limit and recovery code, the neutral locked page and
the ways on from it, and deleting everything."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.vault import PassphraseError, VaultError
from ally.vault.throttle import UnlockRefusedError
from ally.web.config import LOCK_CHOICES
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.person.journal import new_passphrase_problem
from ally.web.sealing import new_token
from ally.web.sessions import CONTINUE_COOKIE, LEFT_COOKIE, WebSession
from ally.web.settings import CAMOUFLAGE_NAMES
from ally.web.state import web_state
from ally.web.vaults import VaultKeeper

router = APIRouter()


FAILURE_LIMITS = (3, 5, 10)
"""The limits on wrong passphrases the safety page offers (the CLI takes any)."""


@router.get("/privacy")
def privacy(request: Request, visit: VisitDep) -> Response:
    return _privacy_page(request, visit, 200, None)


def _privacy_page(request: Request, visit: Visit, status: int, error: str | None) -> Response:
    return render(
        request,
        visit,
        "person/privacy.html",
        status,
        lock_choices=LOCK_CHOICES,
        camouflage_names=CAMOUFLAGE_NAMES,
        session_can_continue=visit.session.can_continue,
        journal=_journal_safety(request, visit),
        failure_limits=FAILURE_LIMITS,
        duress_error=error,
    )


def _journal_safety(request: Request, visit: Visit) -> dict[str, object] | None:
    """The open journal's duress, limit and recovery settings; None when it is locked.

    Read from the journal this session opened, so under duress the decoy answers (it has
    none of them, like any journal where they were never set up).
    """
    vaults = web_state(request).vaults
    if vaults is None:
        return None
    with vaults.using(visit.session.row) as vault:
        if vault is None:
            return None
        return {
            "mode": vault.duress_mode(),
            "limit": vault.failure_limit(),
            "recovery": vault.has_recovery_code(),
        }


def _open_journal(request: Request, visit: Visit) -> tuple[VaultKeeper, str]:
    vaults = web_state(request).vaults
    if vaults is None or not vaults.is_unlocked(visit.session.row):
        raise PageError(403, N_("Unlock your journal first, then change these settings."))
    assert visit.session.row is not None
    return vaults, visit.session.row


@router.post("/privacy/duress")
def set_duress(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Set the duress passphrase. Three scrypt derivations: they take a gate slot."""
    vaults, row = _open_journal(request, visit)
    passphrase, mode = form.get("passphrase"), form.get("mode")
    if mode not in ("decoy", "wipe"):
        raise PageError(400, N_("Please choose what the duress passphrase does."))
    problem = new_passphrase_problem(form)
    if problem is not None:
        return _privacy_page(request, visit, 422, problem)
    try:
        with vaults.throttle.derivation(), vaults.using(row) as vault:
            assert vault is not None
            vault.set_duress(passphrase, mode)
    except PassphraseError:
        error = N_("The duress passphrase must be different from the journal's passphrase.")
        return _privacy_page(request, visit, 422, error)
    except UnlockRefusedError:
        error = N_("Ally is busy checking other passphrases. Nothing was saved. Please try again.")
        return _privacy_page(request, visit, 503, error)
    except VaultError:  # PostgreSQL: no right to make the decoy's schema, or it is taken
        error = N_(
            "The decoy journal could not be made where this journal is kept. Nothing was saved."
        )
        return _privacy_page(request, visit, 422, error)
    return see_other("/privacy#duress-heading")


@router.post("/privacy/duress/off")
def duress_off(request: Request, visit: VisitDep, form: FormDep) -> Response:
    vaults, row = _open_journal(request, visit)
    with vaults.using(row) as vault:
        assert vault is not None
        vault.clear_duress()
    return see_other("/privacy#duress-heading")


@router.post("/privacy/limit")
def set_limit(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Set the failure limit; a recovery code made for it is shown once, on this response."""
    vaults, row = _open_journal(request, visit)
    try:
        limit = int(form.get("failures"))
    except ValueError:
        limit = -1
    if limit != 0 and limit not in FAILURE_LIMITS:
        raise PageError(400, N_("Please choose one of the limits in the list."))
    with vaults.using(row) as vault:
        assert vault is not None
        code = vault.set_failure_limit(limit or None)
    if code is not None:
        return render(request, visit, "person/recovery_code.html", code=code)
    return see_other("/privacy#limit-heading")


@router.post("/privacy/recovery")
def new_recovery_code(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Shown once, in this response only: the code is never stored."""
    vaults, row = _open_journal(request, visit)
    with vaults.using(row) as vault:
        assert vault is not None
        code = vault.make_recovery_code()
    return render(request, visit, "person/recovery_code.html", code=code)


@router.post("/privacy/continue")
def choose_continue(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Turn "continue where I left off" on (a secret in this browser's cookie) or off."""
    sessions = web_state(request).sessions
    if form.get("allow") == "yes":
        visit.cookies[CONTINUE_COOKIE] = sessions.allow_continue(visit.session)
    else:
        sessions.stop_continue(visit.session)
        visit.cookies[CONTINUE_COOKIE] = None
    return see_other("/privacy#continue-heading")


@router.post("/privacy/camouflage")
def choose_camouflage(request: Request, visit: VisitDep, form: FormDep) -> Response:
    name = form.get("name")
    if web_state(request).hosted is not None:  # one setting for the whole app: not one person's
        raise PageError(403, N_("On a hosted Ally, the organisation chooses how it looks."))
    if name not in (*CAMOUFLAGE_NAMES, "off"):
        raise PageError(400, N_("Please choose one of the names in the list."))
    web_state(request).settings.set_camouflage(None if name == "off" else name)
    return see_other("/privacy#camouflage-heading")


@router.post("/privacy/lock")
def choose_lock(request: Request, visit: VisitDep, form: FormDep) -> Response:
    try:
        minutes = int(form.get("minutes"))
    except ValueError:
        minutes = 0
    if minutes not in LOCK_CHOICES:
        raise PageError(400, N_("Please choose one of the times in the list."))
    visit.session.lock_after = minutes * 60
    web_state(request).sessions.save(visit.session)
    return see_other("/privacy")


@router.post("/privacy/code")
def make_code(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Shown once, in this response only: the code is never stored, so it cannot be shown again."""
    code = web_state(request).sessions.make_code(visit.session)
    return render(request, visit, "person/code.html", code=code)


@router.post("/privacy/forget")
def forget(request: Request, visit: VisitDep, form: FormDep) -> Response:
    web_state(request).sessions.forget(visit.session)
    _replace_session(visit, WebSession(new_token()))
    visit.cookies[CONTINUE_COOKIE] = None
    response = render(request, visit, "person/forgotten.html")
    response.headers["clear-site-data"] = '"cache"'
    return response


@router.get("/resume")
def resume_form(request: Request, visit: VisitDep) -> Response:
    return render(request, visit, "person/resume.html", error=None)


@router.post("/resume")
def resume(request: Request, visit: VisitDep, form: FormDep) -> Response:
    restored = web_state(request).sessions.resume(form.get("code"))
    if restored is None:
        error = N_("We could not find saved answers for this code. Check it and try again.")
        template = "person/locked.html" if form.get("from") == "locked" else "person/resume.html"
        return _locked_or_resume(request, visit, template, error)
    _replace_session(visit, restored)
    return see_other("/interview")


@router.post("/continue")
def continue_here(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Carry on in this browser, if the person turned "continue where I left off" on."""
    restored = web_state(request).sessions.continue_with(request.cookies.get(CONTINUE_COOKIE))
    if restored is None:
        error = N_(
            "There is nothing to continue in this browser. Use your save code, or start again."
        )
        return _locked_or_resume(request, visit, "person/locked.html", error)
    _replace_session(visit, restored)
    return see_other("/interview")


@router.get("/locked")
def locked(request: Request, visit: VisitDep) -> Response:
    """The neutral page: after quick exit or the idle lock, whatever address is opened."""
    if visit.session.row is None:
        visit.cookies[LEFT_COOKIE] = "1"
    return _locked_or_resume(request, visit, "person/locked.html", None)


def _locked_or_resume(request: Request, visit: Visit, template: str, error: str | None) -> Response:
    sessions = web_state(request).sessions
    return render(
        request,
        visit,
        template,
        status=400 if error else 200,
        error=error,
        neutral=template == "person/locked.html",
        hosted=web_state(request).hosted is not None,
        can_continue=sessions.can_continue_with(request.cookies.get(CONTINUE_COOKIE)),
    )


def _replace_session(visit: Visit, session: WebSession) -> None:
    """Swap in another session; the security middleware sends its cookie. The browser may
    show Ally's pages again."""
    session.new_cookie = True
    visit.session = session
    visit.cookies[LEFT_COOKIE] = None
