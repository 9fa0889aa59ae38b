"""Invitation links: staff invite a person (``/account/invite``), and anyone with a link
makes their own account from it (``/account/invitation``). Admins invite advocates from the
admin pages; the link leads here all the same.

The link's token is in its address (that is what a link is), so the invitation page is
never cached and sends no referrer (``base.html``); the token goes on in a hidden field.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.hosted.errors import (
    CodeNotRightError,
    HostedError,
    InvitationError,
    NameTakenError,
    NotAllowedError,
    WeakPasswordError,
)
from ally.hosted.invitations import LIFETIME, MAX_TOKEN, Invitation, Invitations
from ally.web.accounts.account import signed_in
from ally.web.accounts.signin import BAD_NAME, MISMATCH, SHORT, TAKEN, _signed_in, hosted
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.state import web_state

router = APIRouter()

GONE = N_(
    "This invitation link does not work any more: it was used already, withdrawn, or it "
    "expired. Ask the person who invited you for a new link."
)
WRONG_CODE = N_(
    "That code is not right. Check that the app shows Ally's code and type the six digits it "
    "shows now; codes change every 30 seconds."
)
STAFF_ONLY = N_("Only advocates and admins can invite people. Nothing was changed.")


def invitations(request: Request) -> Invitations:
    return Invitations(hosted(request).accounts)


def invitation_link(request: Request, token: str) -> str:
    """The full address to send: the public address when one is set, else this one."""
    base = web_state(request).config.public_url or str(request.base_url)
    return f"{base.rstrip('/')}/account/invitation?token={token}"


def grouped(secret: str) -> str:
    """A TOTP secret in groups of four, as people type it into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- the invitee ---------------------------------------------------------------------------


@router.get("/account/invitation")
def invitation_form(request: Request, visit: VisitDep, token: str = "") -> Response:
    found = invitations(request).find(token[:MAX_TOKEN])
    if found is None:
        raise PageError(404, GONE)
    return _form(request, visit, token, found, 200, None)


def _form(
    request: Request, visit: Visit, token: str, found: Invitation, status: int, error: str | None
) -> Response:
    service = invitations(request)
    secret = service.setup_secret(token) if found.role == "advocate" else None
    org = service.organisation(found)
    return render(
        request, visit, "accounts/invitation.html", status, token=token, invitation=found,
        org=org, error=error, secret=grouped(secret) if secret else None,
        secret_uri=_uri(secret, org.slug) if secret else None,
    )  # fmt: skip


def _uri(secret: str, slug: str) -> str:
    from ally.hosted import totp

    return totp.provisioning_uri(secret, f"Ally ({slug})", "Ally")


@router.post("/account/invitation")
def accept(request: Request, visit: VisitDep, form: FormDep) -> Response:
    token = form.get("token")[:MAX_TOKEN]
    service = invitations(request)
    found = service.find(token)
    if found is None:
        raise PageError(404, GONE)
    if form.get("password") != form.get("again"):
        return _form(request, visit, token, found, 400, MISMATCH)
    try:
        account = service.accept(token, form.get("name"), form.get("password"), form.get("code"))
    except InvitationError:
        raise PageError(404, GONE) from None
    except CodeNotRightError:
        return _form(request, visit, token, found, 400, WRONG_CODE)
    except NameTakenError:
        return _form(request, visit, token, found, 409, TAKEN)
    except WeakPasswordError:
        return _form(request, visit, token, found, 400, SHORT)
    except HostedError:
        return _form(request, visit, token, found, 400, BAD_NAME)
    # A staff member has just shown a code from their app: this session has both factors.
    token_, current = hosted(request).sessions.start(account, second_factor=account.is_staff)
    return _signed_in(request, visit, token_, current)


# --- staff inviting a person ---------------------------------------------------------------


def _staff(request: Request) -> None:
    if not signed_in(request).account.is_staff:
        raise PageError(403, STAFF_ONLY)


@router.get("/account/invite")
def invite_page(request: Request, visit: VisitDep) -> Response:
    _staff(request)
    return _invite_page(request, visit, None)


def _invite_page(request: Request, visit: Visit, link: str | None) -> Response:
    me = signed_in(request).account
    pending = [
        {"id": i.id, "until": dt.datetime.fromtimestamp(i.expires, dt.UTC)}
        for i in invitations(request).pending(me.org, me.id)
        if i.role == "person"
    ]
    return render(
        request, visit, "accounts/invite.html", link=link, pending=pending,
        days=LIFETIME // 86400,
    )  # fmt: skip


@router.post("/account/invite")
def invite(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """A new link for a person, shown once (only its hash is kept)."""
    _staff(request)
    try:
        made = invitations(request).make(signed_in(request).account, "person")
    except NotAllowedError:
        raise PageError(403, STAFF_ONLY) from None
    return _invite_page(request, visit, invitation_link(request, made.token))


@router.post("/account/invite/withdraw")
def withdraw(request: Request, visit: VisitDep, form: FormDep) -> Response:
    _staff(request)
    invitations(request).withdraw(signed_in(request).account, form.get("invitation"))
    return see_other("/account/invite")
