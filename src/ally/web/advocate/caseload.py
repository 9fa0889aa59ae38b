"""The caseload: the people who shared their case with this advocate, the case whose
deadline comes first at the top, each with its next step and its deadlines soonest first.

Showing a case's next step means opening its shared plan, so each case listed is a read of
shared content and is recorded in the audit log like any other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.web.advocate.access import hosted, unlocked_key
from ally.web.advocate.casework import dated, worked_out
from ally.web.pages import VisitDep, render
from ally.web.state import web_state

router = APIRouter()


@router.get("/advocate")
def caseload_page(request: Request, visit: VisitDep) -> Response:
    advocate, identity = unlocked_key(request)
    sharing = hosted(request).sharing
    sharing.refresh_for_advocate(advocate, identity)  # team shares reach colleagues who joined
    today = web_state(request).config.today()
    rows: list[dict[str, Any]] = []
    for info in sharing.caseload(advocate):
        shared = sharing.open_case(advocate, identity, info.id, entries=False)
        worked = worked_out(shared.case, today, visit.language)
        deadlines = dated(worked.view if worked else None)
        rows.append(
            {
                "share": info,
                "next": worked.view.next_actions[0]
                if worked and worked.view.next_actions
                else None,
                "deadlines": deadlines,
                "soonest": deadlines[0].due if deadlines else None,
                "since": dt.datetime.fromtimestamp(info.updated, dt.UTC).date(),
            }
        )
    rows.sort(key=lambda r: (r["soonest"] is None, r["soonest"] or today, r["share"].person_login))
    pending = sharing.pending_for(advocate)
    return render(request, visit, "advocate/caseload.html", rows=rows, today=today, pending=pending)
