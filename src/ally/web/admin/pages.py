"""The admin pages: the organisation at a glance (counts, staff, links, settings), the
actions on staff accounts, and the organisation's audit log with its chain check.

Every handler takes :data:`AdminDep` (the admin gate) first, and every core call passes the
admin's own account, so the organisation is theirs whatever the form says.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.hosted import audit
from ally.hosted.admin import Admin
from ally.hosted.invitations import LIFETIME, Invitations
from ally.hosted.sessions import Current
from ally.web.accounts.activity import Line, words
from ally.web.accounts.gate import end_visits
from ally.web.accounts.invitations import invitation_link
from ally.web.accounts.signin import hosted
from ally.web.admin.gate import AdminDep
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.state import web_state

router = APIRouter()
SHOWN = 200
BAD_SETTING = N_("Choose on or off. Nothing was changed.")


def _admin(request: Request) -> Admin:
    return Admin(hosted(request).sessions)


@router.get("/admin")
def overview(request: Request, visit: VisitDep, current: AdminDep) -> Response:
    return _overview(request, visit, current, None)


def _overview(request: Request, visit: Visit, current: Current, link: str | None) -> Response:
    panel = _admin(request)
    me = current.account
    org = hosted(request).accounts.org_by_id(me.org)
    pending = [
        {"id": i.id, "until": dt.datetime.fromtimestamp(i.expires, dt.UTC)}
        for i in Invitations(hosted(request).accounts).pending(me.org)
        if i.role == "advocate"
    ]
    return render(
        request, visit, "admin/overview.html", org=org, counts=panel.counts(me),
        staff=panel.staff(me), me=me.id, pending=pending, link=link,
        days=LIFETIME // 86400,
    )  # fmt: skip


@router.post("/admin/invite")
def invite_advocate(
    request: Request, visit: VisitDep, current: AdminDep, form: FormDep
) -> Response:
    """A new advocate's link, shown once on the overview."""
    made = Invitations(hosted(request).accounts).make(current.account, "advocate")
    return _overview(request, visit, current, invitation_link(request, made.token))


@router.post("/admin/invitations/withdraw")
def withdraw(request: Request, visit: VisitDep, current: AdminDep, form: FormDep) -> Response:
    Invitations(hosted(request).accounts).withdraw(current.account, form.get("invitation"))
    return see_other("/admin")


@router.post("/admin/accounts/disable")
def disable(request: Request, visit: VisitDep, current: AdminDep, form: FormDep) -> Response:
    """Disable a staff account: its sessions end now, in every app process."""
    ended = _admin(request).disable(current.account, form.get("account"))
    end_visits(web_state(request), hosted(request).visits_of(ended))
    return see_other("/admin")


@router.post("/admin/accounts/end-sessions")
def end_sessions(request: Request, visit: VisitDep, current: AdminDep, form: FormDep) -> Response:
    ended = _admin(request).end_sessions(current.account, form.get("account"))
    end_visits(web_state(request), hosted(request).visits_of(ended))
    return see_other("/admin")


@router.post("/admin/settings")
def settings(request: Request, visit: VisitDep, current: AdminDep, form: FormDep) -> Response:
    """Open sign-up on or off. Anything else changes nothing (a half-sent form, say)."""
    choice = form.get("open_signup")
    if choice not in ("on", "off"):
        raise PageError(400, BAD_SETTING)
    _admin(request).set_open_signup(current.account, choice == "on")
    return see_other("/admin")


@router.get("/admin/audit")
def audit_page(request: Request, visit: VisitDep, current: AdminDep) -> Response:
    return _audit_page(request, visit, current, None)


@router.post("/admin/audit/verify")
def verify(request: Request, visit: VisitDep, current: AdminDep, form: FormDep) -> Response:
    """Check the whole chain now; the check itself is recorded after it."""
    panel = _admin(request)
    broken = panel.verify(current.account)
    total = panel.event_count(current.account)
    audit.append(
        hosted(request).store, current.account.org, current.account.id, "chain-verified",
        int(hosted(request).sessions.clock()),
    )  # fmt: skip
    return _audit_page(request, visit, current, {"broken": broken, "total": total})


def _audit_page(
    request: Request, visit: Visit, current: Current, result: dict[str, int | None] | None
) -> Response:
    panel = _admin(request)
    staff = panel.names(current.account)
    lines = [
        Line(
            dt.datetime.fromtimestamp(e.at, dt.UTC),
            visit._(words(e.kind)),
            _who(visit, staff, e.account),
            _who(visit, staff, e.subject) if e.subject and e.subject != e.account else "",
        )
        for e in reversed(panel.log(current.account, SHOWN))
    ]
    return render(request, visit, "admin/audit.html", lines=lines, shown=SHOWN, result=result)


def _who(visit: Visit, staff: dict[str, str], account: str | None) -> str:
    """A staff member by name; a person only as "a person" and a short reference (the start
    of their random account id), so repeated events can be told apart without naming them."""
    if account is None:
        return visit._("Unknown name")
    if account in staff:
        return staff[account]
    return visit._("A person (ref. %(ref)s)") % {"ref": account[:6]}
