"""Share your case with an advocate (hosted mode): choose who, what, and take it back.

The person picks one advocate or the whole team, ticks the entries to share (their files go
with them), whether their plan goes too, and whether entries they add later are shared as
well. Everything is encrypted in this process to the advocates' case keys and the person's
own journal key before it is stored (``ally.hosted.sharing``), so the journal must be open.
"Stop sharing" deletes what a share holds at once. Notes advocates wrote for the person are
shown here, opened with the journal's key.

Mounted only in hosted mode (the app factory includes this router there).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.case.store import VaultCase
from ally.hosted.accounts import Account
from ally.hosted.sessions import Current
from ally.hosted.sharing import MAX_FILE_BYTES, ShareContent, Sharing, SharingError
from ally.model.case import AnswersEvent
from ally.model.journal import SETTINGS_KIND, Attachment, Entry, computer_zone, journal_zone_name
from ally.vault import Vault, VaultError
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Redirect, Visit, VisitDep, render, see_other
from ally.web.person.flow import load_interview
from ally.web.person.gate import journal_needed
from ally.web.person.journal import keeper, zone_of
from ally.web.person.share_chats import (
    MESSAGE_KINDS,
    NOT_LISTED,
    chosen_chats,
    day_span,
    imported,
)
from ally.web.person.tracking import sync_situation
from ally.web.state import web_state

router = APIRouter()

CHOOSE = N_("Please choose who to share with.")
NOTHING = N_("Please tick your plan, a chat or at least one entry to share.")


def _sharing(request: Request) -> Sharing:
    hosted = web_state(request).hosted
    if hosted is None:
        raise PageError(404, N_("There is no page at this address."))
    return hosted.sharing


def _person(request: Request) -> Account:
    current: Current | None = getattr(request.state, "account", None)
    if current is None or current.account.role != "person":
        raise Redirect("/account/sign-in")
    return current.account


@router.get("/share")
def share_page(request: Request, visit: VisitDep) -> Response:
    after_unlock(request, visit)  # a share with the team reaches whoever joined it since
    return _page(request, visit, 200, None)


def after_unlock(request: Request, visit: Visit) -> None:
    """With the journal open, bring the person's team shares up to the team as it is now
    (``Sharing.refresh_for_person``): advocates who made a case key since are added, disabled
    ones taken out, each recorded in the person's trail. Nothing to do costs two queries."""
    hosted = web_state(request).hosted
    current: Current | None = getattr(request.state, "account", None)
    if hosted is None or current is None or current.account.role != "person":
        return
    if not hosted.sharing.stale_team_shares(current.account.org, current.account.id):
        return
    with keeper(request).using(visit.session.row) as vault:
        if vault is not None:
            hosted.sharing.refresh_for_person(
                current.account, vault.recipient, vault.open_addressed
            )


def _page(request: Request, visit: Visit, status: int, error: str | None) -> Response:
    person = _person(request)
    sharing = _sharing(request)
    vaults = keeper(request)
    with vaults.using(visit.session.row) as vault:
        if vault is None and not sharing.shares_of(person):
            return journal_needed(request, visit, "/share", N_("Share with an advocate"))
        # Locked: what is shared, and "Stop sharing", still show; stopping never waits.
        return _render(request, visit, vault, status, error)


def _render(
    request: Request, visit: Visit, vault: Vault | None, status: int, error: str | None
) -> Response:
    """The page, while this request holds the journal (or None: locked). Imported chats are
    listed one per conversation from the search index (``share_chats``), never page by page."""
    person = _person(request)
    sharing = _sharing(request)
    entries = vault.timeline(skip=NOT_LISTED) if vault else []
    notes = _notes(sharing, person, vault) if vault else []
    zone = zone_of(vault) if vault else computer_zone()
    found = imported(vault) if vault else None
    advocates = sharing.advocates(person)
    names = dict(advocates)
    return render(
        request, visit, "person/share.html", status, entries=entries,
        shares=_shares(sharing, person, names),
        advocates=advocates, names=names, notes=notes, error=error,
        has_plan=bool(load_interview(visit)), locked=vault is None, zone=zone,
        chats=found.chats if found else [], originals=found.originals if found else [],
        span=lambda chat: day_span(chat, zone),
    )  # fmt: skip


def _shares(sharing: Sharing, person: Account, names: dict[str, str]) -> list[dict[str, Any]]:
    """The person's shares as the page lists them; for a team share, who on the team can read
    it now (it follows the team: ``Sharing.refresh_for_person``)."""
    return [
        {"info": s, "counts": sharing.counts(person, s.id), "since": _day(s.created),
         "readers": sorted(names[r] for r in s.readers if r in names)}
        for s in sharing.shares_of(person)
    ]  # fmt: skip


def _day(moment: int) -> dt.date:
    return dt.datetime.fromtimestamp(moment, dt.UTC).date()


def _notes(sharing: Sharing, person: Account, vault: Vault) -> list[dict[str, Any]]:
    """Advocates' notes, opened with the journal's key (one that does not open is skipped:
    the journal open now is the decoy, or the note was damaged)."""
    shown = []
    for note in sharing.notes_for_person(person):
        try:
            text = vault.open_addressed(note.sealed).decode()
        except (VaultError, UnicodeDecodeError):
            continue
        shown.append({"author": note.author, "day": _day(note.at), "text": text})
    return shown


@router.post("/share")
def share(request: Request, visit: VisitDep, form: FormDep) -> Response:
    person = _person(request)
    sharing = _sharing(request)
    target = form.get("with")
    to: str | None = None if target == "team" else target
    if not target or (to is not None and to not in dict(sharing.advocates(person))):
        return _page(request, visit, 400, CHOOSE)
    chosen = set(form.getlist("entry"))
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/share")
        content = _content(request, visit, vault, chosen, form.get("plan") == "yes")
        content.chats = chosen_chats(vault, form)
        if content.case is None and not content.entries and not content.chats:
            return _page_with(request, visit, vault, NOTHING)
        try:
            sharing.share(
                person, vault.recipient, to, content, new_entries=form.get("new") == "yes"
            )
        except SharingError:
            return _page_with(
                request,
                visit,
                vault,
                N_("That advocate cannot receive shared cases yet. Choose someone else."),
            )
    return see_other("/share")


def _page_with(request: Request, visit: Visit, vault: Vault, error: str) -> Response:
    """The page with an error, while this request still holds the journal."""
    return _render(request, visit, vault, 400, error)


def _content(
    request: Request, visit: Visit, vault: Vault, chosen: set[str], with_plan: bool
) -> ShareContent:
    entries = [e for e in vault.timeline(skip=MESSAGE_KINDS) if e.root_id in chosen]
    files = [(a, data) for e in entries for a, data in _files(vault, e)]
    return ShareContent(case=_case(request, visit, vault) if with_plan else None,
                        entries=entries, files=files, timezone=_zone_name(vault))  # fmt: skip


def _zone_name(vault: Vault) -> str | None:
    """The journal's zone, shared with the entries so the advocate reads their times as the
    person typed them (with the plan shared or not)."""
    return journal_zone_name(vault.entries(kind=SETTINGS_KIND))


def _files(vault: Vault, entry: Entry) -> list[tuple[Attachment, bytes]]:
    return [
        (a, b"".join(vault.read_attachment(a.id)))
        for a in entry.attachments
        if not a.forgotten and (a.size or 0) <= MAX_FILE_BYTES
    ]


def _case(request: Request, visit: Visit, vault: Vault) -> dict[str, Any] | None:
    """What the advocate's pages work the plan and deadlines out from: the case's events (with
    the interview's latest answers) and the dates of the journal's incidents, no more."""
    case = VaultCase(vault)
    interview = load_interview(visit)
    if interview is not None and interview.current() is None:
        events = sync_situation(case, interview, web_state(request).config.today())
    else:
        events = case.events()
    if not any(isinstance(event, AnswersEvent) for event in events):
        return None
    return {
        "events": [event.model_dump(mode="json") for event in events],
        "journal_dates": [day.model_dump(mode="json") for day in case.journal_dates()],
        "timezone": _zone_name(vault),
    }


@router.post("/share/{share_id}/stop")
def stop(request: Request, visit: VisitDep, form: FormDep, share_id: str) -> Response:
    """Take a share back. Works with the journal locked too: stopping must never wait."""
    _sharing(request).revoke(_person(request), share_id[:64])
    return see_other("/share")


def shared_new_entry(request: Request, vault: Vault, entry_id: str) -> None:
    """After the person adds an entry: share it with every share that asked for new ones."""
    hosted = web_state(request).hosted
    current: Current | None = getattr(request.state, "account", None)
    if hosted is None or current is None or current.account.role != "person":
        return
    if not any(s.new_entries for s in hosted.sharing.shares_of(current.account)):
        return
    entry = vault.entry(entry_id)
    hosted.sharing.refresh_for_person(current.account, vault.recipient, vault.open_addressed)
    hosted.sharing.add_new(current.account, entry, _files(vault, entry), _zone_name(vault))
