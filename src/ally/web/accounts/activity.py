"""What happened in your account: the audit trail each account sees of itself.

A person sees their sign-ins and failed sign-ins, what they shared and took back, and every
time an advocate read what they shared, with the advocate's name and the time. Staff see
their own actions. The words for each kind of event live here, shared with the admin's log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.hosted import audit
from ally.web.accounts.account import signed_in
from ally.web.accounts.signin import hosted
from ally.web.i18n import N_
from ally.web.pages import VisitDep, render
from ally.web.person.journal import viewer_zone

router = APIRouter()
SHOWN = 200
"""The newest events shown on one page."""

EVENT_WORDS: dict[str, str] = {
    "sign-in": N_("Signed in"),
    "sign-in-failed": N_("A sign-in failed (wrong password or code)"),
    "sign-in-refused": N_("A sign-in was refused: too many failed tries"),
    "sign-out": N_("Signed out"),
    "session-ended": N_("A session was ended"),
    "sign-up": N_("Account created"),
    "case-key-made": N_("A key for shared cases was made"),
    "case-shared": N_("Case shared"),
    "case-share-updated": N_("New entries added to a share"),
    "case-share-revoked": N_("A share was taken back"),
    "case-share-extended": N_("Shared with a new team member"),
    "case-share-narrowed": N_("No longer shared with a former team member"),
    "shared-case-read": N_("Shared case read"),
    "shared-file-read": N_("Shared file opened"),
    "shared-letter-drafted": N_("A letter was drafted from the shared case"),
    "case-note-added": N_("A note was added to the shared case"),
    "invitation-made": N_("Invitation link made"),
    "invitation-withdrawn": N_("Invitation link withdrawn"),
    "invitation-used": N_("Account created from an invitation"),
    "account-disabled": N_("Account disabled"),
    "sessions-revoked": N_("Signed out everywhere by an admin"),
    "signup-opened": N_("Open sign-up turned on"),
    "signup-closed": N_("Open sign-up turned off"),
    "chain-verified": N_("The audit log was checked"),
}


FAILED_SIGN_INS = frozenset({"sign-in-failed", "sign-in-refused"})
"""Tries that did not get in: whoever typed the name is not known, so never shown as "You"
(a person checking whether someone is trying their account must see the difference)."""
TRIED_YOUR_NAME = N_("Someone who typed your sign-in name (it may have been you)")


@dataclass(frozen=True)
class Line:
    """One event as shown: when, what, who did it, about whom (names already chosen)."""

    at: dt.datetime
    what: str
    who: str
    about: str


def words(kind: str) -> str:
    return EVENT_WORDS.get(kind, kind)


@router.get("/account/activity")
def activity_page(request: Request, visit: VisitDep) -> Response:
    """This account's own trail: what it did, and what staff did with what it shared."""
    current = signed_in(request)
    service = hosted(request)
    me = current.account
    found = audit.events(service.store, me.org, me.id, newest=SHOWN)
    with service.store.transaction() as db:  # staff names only: the person chose to share
        rows = db.query(
            "SELECT id, login FROM hosted_accounts WHERE org = ? AND role IN ('advocate', 'admin')",
            (me.org,),
        )
    staff = {str(r[0]): str(r[1]) for r in rows}
    you = visit._("You")
    unknown = visit._(TRIED_YOUR_NAME)
    lines = [
        Line(
            dt.datetime.fromtimestamp(e.at, dt.UTC),
            visit._(words(e.kind)),
            unknown
            if e.kind in FAILED_SIGN_INS
            else you
            if e.account in (me.id, None)
            else staff.get(str(e.account), visit._("Someone")),
            "",
        )
        for e in reversed(found)
    ]
    return render(
        request, visit, "accounts/activity.html", lines=lines, shown=SHOWN,
        zone=viewer_zone(request, visit),
    )  # fmt: skip
