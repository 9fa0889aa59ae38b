"""Review and search imported messages, over the same core as ``ally evidence review|search``.

Review lists flagged messages first (strongest first), each with its detection scores and the
detector's reasons, and two buttons: keep it as evidence, or mark it not relevant. A mark is a
new version of the message's journal entry, so the import itself stays in the history.

Search terms are sent by POST and the results come back in that response: a sender's name
or a word from a message never appears in a URL (or in the browser's history of addresses).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from ally.errors import UsageError
from ally.evidence.detect import CATEGORIES, FLAG_LINE, LABELS
from ally.evidence.index import message_index
from ally.evidence.review import DECISIONS, Reviewed, mark
from ally.vault import Vault
from ally.web.i18n import N_
from ally.web.pages import (
    FormDep,
    FormFields,
    PageError,
    Visit,
    VisitDep,
    optional_date,
    render,
    see_other,
)
from ally.web.person.gate import journal_needed
from ally.web.person.journal import keeper

router = APIRouter()

PAGE = 20
MAX_SHOWN = 200
REVIEW_TITLE = N_("Review imported messages")
SEARCH_TITLE = N_("Search imported messages")
SEARCH_FIELDS = ("text", "sender", "conversation", "since", "until", "flagged")
CATEGORY_LABELS = {
    "threat": N_("Threat"),
    "stalking": N_("Stalking or watching you"),
    "doxxing": N_("Sharing personal details (doxxing)"),
    "sexual": N_("Sexual harassment or sextortion"),
    "quid_pro_quo": N_("Favours in exchange for sex or dates"),
    "coercive_control": N_("Controlling behaviour"),
    "retaliation": N_("Punishment for reporting"),
    "insult": N_("Insults or intimidation"),
    "identity": N_("Attack on who you are"),
    "self_harm": N_("Urging self-harm"),
}
"""The detector's categories (``ally.evidence.detect.LABELS``), marked for translation."""
DECISION_LABELS = {"evidence": N_("Kept as evidence"), "not_relevant": N_("Not relevant")}
BAD_DATE = N_("Please give dates like 2026-05-03.")
DATES_REVERSED = N_("The first date is after the second. Please swap them.")
LONG_TERM = N_("Please keep each search term under 200 characters.")
Page = Annotated[int, Query(ge=1, le=1_000_000)]


@dataclass(frozen=True)
class Finding:
    """One flagged category of a message, as the page shows it."""

    category: str
    score: int
    """Percent."""
    detail: str
    """The detector's reason, in English, without the category's name."""


@dataclass(frozen=True)
class Shown:
    """A message with what the page needs: its detection findings and its place on the page."""

    item: Reviewed
    number: int
    findings: list[Finding]
    top: int


def findings(item: Reviewed, scores: dict[str, float]) -> list[Finding]:
    """Each flagged category, strongest first, with the detector's reason for it."""
    details = {}
    for reason in item.reasons:
        for category in CATEGORIES:
            prefix = f"{LABELS[category]}: "
            if reason.startswith(prefix):
                details[category] = reason[len(prefix) :]
    flagged = [c for c in CATEGORIES if float(scores.get(c, 0.0)) >= FLAG_LINE]
    flagged.sort(key=lambda c: -float(scores[c]))
    return [Finding(c, round(100 * float(scores[c])), details.get(c, "")) for c in flagged]


def shown(vault: Vault, items: list[Reviewed], first: int = 1) -> list[Shown]:
    found = []
    for number, item in enumerate(items, first):
        scores = item.scores
        top = round(100 * max(scores.values(), default=item.top_score))
        found.append(Shown(item, number, findings(item, scores), top))
    return found


def when(moment: dt.datetime, language: str) -> str:
    """The message's own time and offset, as it was sent: '3 May 2026, 14:30 (UTC+02:00)'."""
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    zone = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{format_date(moment.date(), 'long', locale=language)}, {moment:%H:%M} ({zone})"


def _common(visit: Visit) -> dict[str, Any]:
    return {
        "category_labels": CATEGORY_LABELS,
        "decision_labels": DECISION_LABELS,
        "when": lambda moment: when(moment, visit.language),
    }


@router.get("/evidence/review")
def review_page(request: Request, visit: VisitDep, page: Page = 1, reviewed: str = "") -> Response:
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return journal_needed(request, visit, "/evidence/review", REVIEW_TITLE)
        queue = message_index(vault).queue(include_reviewed=bool(reviewed))
        total = len(queue)
        pages = max(1, -(-total // PAGE))
        page = min(page, pages)
        start = (page - 1) * PAGE
        items = shown(vault, queue.items(start, start + PAGE), start + 1)
        flagged = queue.flagged()
    return render(
        request,
        visit,
        "evidence/review.html",
        items=items,
        total=total,
        flagged=flagged,
        page=page,
        pages=pages,
        reviewed=bool(reviewed),
        **_common(visit),
    )


def _decision(form: FormFields) -> tuple[str, str]:
    """The message and the decision a mark button sends (a 400 for anything else)."""
    decision, entry = form.get("decision"), form.get("entry")
    if decision not in DECISIONS:
        raise PageError(400, N_("Please use one of the buttons under the message."))
    if not (4 <= len(entry) <= 64 and all(ch in "0123456789abcdef" for ch in entry)):
        raise PageError(400, N_("That message is not in your journal. Please reload the page."))
    return entry, decision


def _mark(vault: Vault, entry: str, decision: str) -> None:
    try:
        mark(vault, entry, decision)
    except UsageError as error:
        raise PageError(
            400, N_("That message is not in your journal. Please reload the page.")
        ) from error


@router.post("/evidence/review/mark")
def mark_message(request: Request, visit: VisitDep, form: FormDep) -> Response:
    entry, decision = _decision(form)
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/evidence/review")
        _mark(vault, entry, decision)
    page = form.get("page")
    query = f"?page={page}" if page.isdigit() and len(page) < 8 else ""
    if form.get("reviewed"):
        query += ("&" if query else "?") + "reviewed=yes"
    return see_other(f"/evidence/review{query}#queue")


@dataclass(frozen=True)
class Terms:
    """What the person searched for."""

    text: str | None
    sender: str | None
    conversation: str | None
    since: dt.datetime | None
    until: dt.datetime | None
    flagged: bool


def _day(text: str) -> dt.date | str | None:
    return optional_date(text, BAD_DATE)


def terms_from(values: dict[str, str]) -> Terms | str:
    """The search the form asks for, or the (translatable) reason it cannot be run."""
    if any(len(values.get(name, "")) > 200 for name in SEARCH_FIELDS):
        return LONG_TERM
    since, until = _day(values.get("since", "")), _day(values.get("until", ""))
    if isinstance(since, str) or isinstance(until, str):
        return BAD_DATE
    if since and until and since > until:
        return DATES_REVERSED
    start = dt.datetime.combine(since, dt.time.min).astimezone() if since else None
    end = dt.datetime.combine(until, dt.time.max).astimezone() if until else None
    return Terms(
        text=values.get("text", "").strip() or None,
        sender=values.get("sender", "").strip() or None,
        conversation=values.get("conversation", "").strip() or None,
        since=start,
        until=end,
        flagged=bool(values.get("flagged")),
    )


@router.get("/evidence/search")
def search_page(request: Request, visit: VisitDep) -> Response:
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return journal_needed(request, visit, "/evidence/search", SEARCH_TITLE)
    return render(
        request, visit, "evidence/search.html", values={}, error=None, found=None, **_common(visit)
    )


@router.post("/evidence/search")
def search_messages(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Run the search (after applying a mark, when a result's button was used)."""
    values = {name: form.get(name) for name in SEARCH_FIELDS}
    terms = terms_from(values)
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/evidence/search")
        if form.get("decision"):
            _mark(vault, *_decision(form))
        if isinstance(terms, str):
            return render(
                request,
                visit,
                "evidence/search.html",
                422,
                values=values,
                error=terms,
                found=None,
                **_common(visit),
            )
        found = message_index(vault).search(
            terms.text, terms.sender, terms.since, terms.until, terms.conversation, terms.flagged
        )
        items = shown(vault, found.items(0, MAX_SHOWN))
    return render(
        request,
        visit,
        "evidence/search.html",
        values=values,
        error=None,
        found=items,
        count=len(found),
        limit=MAX_SHOWN,
        **_common(visit),
    )
