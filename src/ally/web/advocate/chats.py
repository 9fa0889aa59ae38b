"""A shared chat, a page of messages at a time: when (in the person's zone), who, what, and
what the detector flagged and why.

A chat is sealed as a summary and pages of ``CHAT_PAGE`` messages (``ally.hosted.sharing``);
this page decrypts only the one it shows, so a chat of 90,000 messages opens as fast as one
of 200. Each page read is recorded in the person's audit trail, as the case page is.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import Response

from ally.evidence.detect import CATEGORIES, FLAG_LINE, LABELS
from ally.hosted.sharing import CHAT_PAGE, NotSharedError, shared_moment
from ally.web.advocate.access import hosted, unlocked_key
from ally.web.i18n import N_
from ally.web.pages import PageError, VisitDep, render
from ally.web.person.review import CATEGORY_LABELS, DECISION_LABELS

router = APIRouter()

CaseId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
ChatId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
NOT_SHARED = N_("There is no shared chat at this address.")


@router.get("/advocate/cases/{case_id}/chats/{chat_id}")
def chat_page(
    request: Request, visit: VisitDep, case_id: CaseId, chat_id: ChatId, page: PageNumber = 1
) -> Response:
    advocate, identity = unlocked_key(request)
    try:
        info, chat, messages = hosted(request).sharing.read_chat_page(
            advocate, identity, case_id, chat_id, page
        )
    except NotSharedError as error:
        raise PageError(404, NOT_SHARED) from error
    zone = _zone(chat.timezone)
    return render(
        request, visit, "advocate/chat.html", share=info, chat=chat, page=page,
        pages=int(chat.summary.get("pages") or 1), zone=zone, per_page=CHAT_PAGE,
        messages=[shown(m, zone) for m in messages], span=chat.days(zone),
        category_labels=CATEGORY_LABELS, decision_labels=DECISION_LABELS,
    )  # fmt: skip


def _zone(name: str | None) -> dt.tzinfo:
    """The person's zone, sealed with the chat (UTC, shown with its offset, if unknown)."""
    try:
        return ZoneInfo(name) if name else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def shown(message: dict[str, Any], zone: dt.tzinfo) -> dict[str, Any]:
    """One message as the page shows it: its time in the person's zone, and each flagged
    category with the detector's reason (as the person's own review page words it)."""
    return {**message, "when": _moment(message.get("at"), zone), "findings": findings(message)}


def findings(message: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(category, percent, reason) of each flagged category, strongest first."""
    scores = {str(k): float(v) for k, v in (message.get("scores") or {}).items()}
    details = {}
    for reason in message.get("reasons") or ():
        for category in CATEGORIES:
            prefix = f"{LABELS[category]}: "
            if str(reason).startswith(prefix):
                details[category] = str(reason)[len(prefix) :]
    flagged = sorted(
        (c for c in CATEGORIES if scores.get(c, 0.0) >= FLAG_LINE), key=lambda c: -scores[c]
    )
    return [(c, round(100 * scores[c]), details.get(c, "")) for c in flagged]


def _moment(value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    moment = shared_moment(value)
    return moment.astimezone(zone) if moment else None
