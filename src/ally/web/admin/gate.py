"""Who reaches the admin pages: a signed-in admin whose session began with a TOTP code.

Runs as a dependency of every admin route, after ``pages.get_visit`` (which found the
account session). Anyone else is refused the same way, whatever the page: an anonymous
visitor is sent to sign in; a person or an advocate gets a plain "not for you" page. The
admin's organisation comes from their own account, never from the request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from ally.hosted.sessions import Current
from ally.web.accounts.gate import SIGN_IN
from ally.web.i18n import N_
from ally.web.pages import PageError, Redirect, VisitDep

NOT_ADMIN = N_("This page is for the organisation's admins. Nothing was changed.")
NO_CODE = N_(
    "Admin pages need the code from your authenticator app. Sign out, then sign in again "
    "with the code."
)


def admin_session(request: Request, visit: VisitDep) -> Current:
    current: Current | None = getattr(request.state, "account", None)
    if current is None:
        raise Redirect(SIGN_IN)
    if current.account.role != "admin":
        raise PageError(403, NOT_ADMIN)
    if not current.second_factor:
        raise PageError(403, NO_CODE)
    return current


AdminDep = Annotated[Current, Depends(admin_session)]
