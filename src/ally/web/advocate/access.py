"""Who is asking and with which key: what every advocate page needs first."""

from __future__ import annotations

from starlette.requests import Request

from ally.hosted.accounts import Account
from ally.hosted.sessions import Current
from ally.vault.crypto import Identity
from ally.web.accounts.signin import hosted as hosted  # one guard, re-exported
from ally.web.i18n import N_
from ally.web.pages import PageError, Redirect

KEY_PAGE = "/advocate/key"


def current(request: Request) -> Current:
    """The signed-in advocate (the gate let only advocates through to these pages)."""
    found: Current | None = getattr(request.state, "account", None)
    if found is None:
        raise Redirect("/account/sign-in")
    if found.account.role != "advocate":
        raise PageError(404, N_("There is no page at this address."))
    return found


def advocate(request: Request) -> Account:
    return current(request).account


def unlocked_key(request: Request) -> tuple[Account, Identity]:
    """The advocate and their unlocked case key; to the key page if it is locked."""
    who = current(request)
    identity = hosted(request).keyring.get(who)
    if identity is None:
        raise Redirect(KEY_PAGE)
    return who.account, identity
