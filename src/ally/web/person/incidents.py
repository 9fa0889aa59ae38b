"""Incidents: add one (with files), see one, attach more files, download a file.

Files are streamed from the request straight into the vault's attachment writer, which
encrypts them as they arrive: no plaintext is ever written to disk, and memory stays flat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Path
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ally.documents.casefile import stored_zone
from ally.errors import AllyError
from ally.knowledge.dates import DateOrder, FutureDateError, incident_time, read_when
from ally.knowledge.loader import load_pack
from ally.model.journal import SETTINGS_KIND, Action, Entry, Incident, IncidentTime, Reply
from ally.model.snapshot import SNAPSHOT_KIND, Snapshot
from ally.vault import AttachmentWriter, EntryNotFoundError, Vault
from ally.web.drafts import DRAFT_FIELDS, Draft, new_draft_id, valid_draft_id
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Redirect, Visit, VisitDep, render, see_other
from ally.web.person.journal import keeper, zone_of
from ally.web.person.places import PLACE_LABELS, PLACES, interview_place, place_from
from ally.web.person.share import shared_new_entry
from ally.web.state import web_state
from ally.web.uploads import (
    FieldPart,
    FileData,
    FileEnd,
    FileStart,
    check_token,
    multipart_events,
    refuse_if_too_large,
)

router = APIRouter()

EntryNumber = Annotated[int, Path(ge=1, le=10_000_000)]
AttachmentId = Annotated[str, Path(pattern=r"^[0-9a-f]{4,64}$")]
DraftId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
TEXT_FIELDS = (
    "kind",
    "to_whom",
    "reference",
    "did",
    "outcome",
    "when_date",
    "when_time",
    "when_words",
    "what",
    "where",
    "context",
    "who",
    "witnesses",
    "impact",
)
CHECKBOXES = ("approximate", "retaliation")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


UNREADABLE_WHEN = N_(
    "Ally could not read when it happened. Try for example 28/11/2026 18:00, last Saturday, "
    "early March or two weeks ago."
)
FUTURE_WHEN = N_("That date is after today. Please check the year.")


def date_order(visit: Visit) -> DateOrder | None:
    """How the person's pack writes dates (28/11 or 11/28); None before a pack was chosen."""
    pack_id = visit.session.data.get("pack")
    try:
        return load_pack(pack_id).date_order if isinstance(pack_id, str) else None
    except AllyError:
        return None


def _when_from_words(words: str, zone: dt.tzinfo, order: DateOrder | None) -> IncidentTime | str:
    """Words such as "last Saturday at 6pm" read as a date, never filed as "now"."""
    try:
        return incident_time(read_when(words, dt.datetime.now(zone), order), words, zone)
    except FutureDateError:
        return FUTURE_WHEN
    except AllyError:
        return UNREADABLE_WHEN


ENTRY_KINDS = ("incident", "action", "reply")
RETALIATION_TAG = "retaliation"
"""The tag the form's "after I complained or reported it" box stores: letters then name
retaliation (``documents.law.find_conduct``)."""


def entry_from(
    fields: dict[str, str], zone: dt.tzinfo | None = None, order: DateOrder | None = None
) -> tuple[str, dict[str, object]] | str:
    """What the form records: an incident (done to the person), an action (what they did) or
    a reply (what came back), as (kind, payload); or the reason it cannot be saved."""
    kind = fields.get("kind") or "incident"
    if kind not in ENTRY_KINDS:
        return N_("Please choose what you are recording.")
    contexts = place_from(fields)
    if isinstance(contexts, str):
        return contexts
    incident = incident_from(fields, zone, order)
    if isinstance(incident, str):
        return incident
    if kind == "incident":
        tags = [RETALIATION_TAG] if fields.get("retaliation") else []
        update = {"contexts": contexts, "tags": tags}
        return kind, incident.model_copy(update=update).model_dump(mode="json")
    common: dict[str, Any] = {
        "when": incident.when,
        "what": incident.what,
        "reference": fields.get("reference") or None,
        "contexts": contexts,
    }
    step: Action | Reply
    try:
        if kind == "action":
            step = Action(
                **common, to=fields.get("to_whom") or None, did=fields.get("did") or "reported"
            )
        else:
            step = Reply(
                **common, by=fields.get("to_whom") or None, outcome=fields.get("outcome") or "other"
            )
    except ValidationError:
        return N_("Some of this could not be saved. Please check the date and the text.")
    return kind, step.model_dump(mode="json")


def incident_from(
    fields: dict[str, str], zone: dt.tzinfo | None = None, order: DateOrder | None = None
) -> Incident | str:
    """The incident the form describes, or the (translatable) reason it cannot be saved.
    Times are read in the person's zone (the journal's); a date without a time stays that
    calendar day. Words ("last Saturday at 6pm") are read as a date when no date is given."""
    zone = zone or dt.datetime.now().astimezone().tzinfo or dt.UTC
    start = None
    day = None
    words = fields.get("when_words", "").strip()
    if not fields.get("when_date") and words:
        when = _when_from_words(words, zone, order)
        if isinstance(when, str):
            return when
        return _incident(fields, when)
    if fields.get("when_date"):
        try:
            day = dt.date.fromisoformat(fields["when_date"])
            moment = (
                dt.time.fromisoformat(fields["when_time"])
                if fields.get("when_time")
                else dt.time(0, 0)
            )
        except ValueError:
            return N_("Please give the date like 2026-05-03 and the time like 14:30.")
        start = dt.datetime.combine(day, moment, tzinfo=zone)
        if day > dt.datetime.now(zone).date():
            return FUTURE_WHEN
    if start is None:
        return N_("Please give a date, or say roughly when it happened.")
    when = IncidentTime(
        start=start,
        day=None if fields.get("when_time") else day,
        approximate=bool(fields.get("approximate")),
        description=words or None,
    )
    return _incident(fields, when)


def _incident(fields: dict[str, str], when: IncidentTime) -> Incident | str:
    if not fields.get("what", "").strip():
        return N_("Please say what happened, even in a few words.")
    try:
        return Incident(
            when=when,
            what=fields["what"],
            where=fields.get("where") or None,
            who=_lines(fields.get("who", "")),
            witnesses=_lines(fields.get("witnesses", "")),
            impact=fields.get("impact") or None,
        )
    except ValidationError:
        return N_("Some of this could not be saved. Please check the date and the text.")


def _unlocked_or_redirect(request: Request, visit: Visit) -> None:
    if not keeper(request).is_unlocked(visit.session.row):
        raise Redirect("/journal")


@router.get("/journal/new")
def new_incident_form(request: Request, visit: VisitDep, draft: str = "") -> Response:
    """The form; ``?draft=`` fills it from an unfinished incident, and others are listed."""
    drafts = web_state(request).drafts
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/journal")
        unfinished = drafts.drafts(vault)
    chosen = next((d for d in unfinished if d.id == draft), None)
    return render(
        request,
        visit,
        "journal/new.html",
        fields=chosen.fields if chosen else {"context": interview_place(visit)},
        error=None,
        draft_id=chosen.id if chosen else new_draft_id(),
        drafts=[] if chosen else unfinished,
        saved_at=_saved_at,
        places=PLACES,
    )


def _saved_at(draft: Draft) -> dt.datetime:
    return dt.datetime.fromtimestamp(draft.saved, dt.UTC)


@router.post("/journal/draft")
def keep_draft(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """What the page sends before quick exit (and while typing): kept encrypted."""
    draft_id = form.get("draft")
    if not valid_draft_id(draft_id):
        raise PageError(400, N_("This form could not be read."))
    state = web_state(request)
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            raise PageError(409, N_("Your journal is locked. Unlock it, then try again."))
        fields = {name: form.get(name) for name in DRAFT_FIELDS}
        state.drafts.save(vault, draft_id, fields, int(state.config.clock()))
    return Response(status_code=204)


@router.post("/journal/drafts/{draft_id}/delete")
def delete_draft(request: Request, visit: VisitDep, form: FormDep, draft_id: DraftId) -> Response:
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/journal")
        web_state(request).drafts.delete(vault, draft_id)
    return see_other("/journal/new")


class _Upload:
    """Reads a multipart form: checks the token first, stages each file (encrypted as it
    arrives, not yet part of the journal), then saves the incident together with all its
    files in one transaction. If the form is wrong, the upload breaks off or is too large,
    or anything fails, nothing of it is saved and the space its files took is given back."""

    def __init__(self, request: Request, visit: Visit, vault: Vault, entry: Entry | None) -> None:
        self.request = request
        self.visit = visit
        self.vault = vault
        self.entry = entry
        """The entry files are attached to; None for a new incident (``saved`` once stored)."""
        self.saved: Entry | None = None
        self.fields: dict[str, str] = {}
        self.writer: AttachmentWriter | None = None
        self.staged: list[AttachmentWriter] = []
        self.committed = False
        self.error: str | None = None

    def _zone(self) -> dt.tzinfo | None:
        """The journal's time zone, read once: typed times are read in it."""
        if not hasattr(self, "zone"):
            self.zone = stored_zone(self.vault.entries(kind=SETTINGS_KIND))
        return self.zone

    async def run(self) -> None:
        limit = web_state(self.request).config.max_upload_bytes
        try:
            async for event in multipart_events(self.request, limit):
                await self.handle(event)
                if self.error:
                    return
            await self.save()
        finally:
            if not self.committed:
                await anyio.to_thread.run_sync(self._discard)

    def _discard(self) -> None:
        """Drop every staged file, and give their space back to the disk."""
        writers = [*self.staged, *([self.writer] if self.writer else [])]
        for writer in writers:
            writer.abort()
        if any(writer.size for writer in writers):
            self.vault.store.db.reclaim()

    async def handle(self, event: FieldPart | FileStart | FileData | FileEnd) -> None:
        if isinstance(event, FieldPart):
            check_token(event, self.fields, self.visit.session.csrf)
            self.fields[event.name] = event.value
        elif isinstance(event, FileStart):
            check_token(event, self.fields, self.visit.session.csrf)
            if not event.filename:
                return
            if self.entry is None:  # the text comes first: check it before taking any file
                recorded = entry_from(self.fields, self._zone(), date_order(self.visit))
                if isinstance(recorded, str):
                    self.error = recorded
                    return
            self.writer = await anyio.to_thread.run_sync(
                self.vault.staged_attachment, event.filename, event.media_type
            )
        elif isinstance(event, FileData) and self.writer is not None:
            await anyio.to_thread.run_sync(self.writer.write, event.data)
        elif isinstance(event, FileEnd) and self.writer is not None:
            writer, self.writer = self.writer, None
            self.staged.append(writer)
            await anyio.to_thread.run_sync(writer.finish)

    async def save(self) -> None:
        """The incident and every file, or the files for an existing entry: all, or none."""
        if self.entry is not None:
            entry_id = self.entry.id
            await anyio.to_thread.run_sync(self.vault.attach_files, entry_id, self.staged)
            self.committed = True
            return
        recorded = entry_from(self.fields, self._zone(), date_order(self.visit))
        if isinstance(recorded, str):
            self.error = recorded
            return
        kind, payload = recorded
        self.saved = await anyio.to_thread.run_sync(
            self.vault.add_entry_with_files, kind, payload, self.staged
        )
        self.committed = True


@router.post("/journal/new")
async def add_incident(request: Request, visit: VisitDep) -> Response:
    refuse_if_too_large(request, web_state(request).config.max_upload_bytes)
    async with keeper(request).using_async(visit.session.row) as vault:
        if vault is None:
            return see_other("/journal")
        upload = _Upload(request, visit, vault, None)
        await upload.run()
        if upload.saved is not None:  # hosted: shares that asked for new entries get it
            await anyio.to_thread.run_sync(shared_new_entry, request, vault, upload.saved.id)
    draft_id = upload.fields.get("draft", "")
    if upload.error or upload.saved is None:
        fields = {name: upload.fields.get(name, "") for name in (*TEXT_FIELDS, *CHECKBOXES)}
        return render(
            request,
            visit,
            "journal/new.html",
            422,
            fields=fields,
            error=upload.error,
            draft_id=draft_id if valid_draft_id(draft_id) else new_draft_id(),
            drafts=[],
            saved_at=_saved_at,
            places=PLACES,
        )
    if valid_draft_id(draft_id):
        state = web_state(request)
        state.drafts.used(draft_id, int(state.config.clock()))
    return see_other(f"/journal/entries/{upload.saved.seq}")


def _entry(vault: Vault, number: int) -> Entry:
    try:
        return vault.entry(str(number))
    except EntryNotFoundError as error:
        raise PageError(404, N_("There is no journal entry with this number.")) from error


@router.get("/journal/entries/{number}")
def entry_page(request: Request, visit: VisitDep, number: EntryNumber) -> Response:
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/journal")
        entry = _entry(vault, number)
        incident = entry.incident() if entry.kind == "incident" and entry.payload else None
        snapshot = (
            Snapshot.model_validate(entry.payload)
            if entry.kind == SNAPSHOT_KIND and entry.payload
            else None
        )
        return render(
            request,
            visit,
            "journal/entry.html",
            entry=entry,
            incident=incident,
            snapshot=snapshot,
            place_labels=PLACE_LABELS,
            zone=zone_of(vault),
        )


@router.post("/journal/entries/{number}/attach")
async def attach(request: Request, visit: VisitDep, number: EntryNumber) -> Response:
    refuse_if_too_large(request, web_state(request).config.max_upload_bytes)
    async with keeper(request).using_async(visit.session.row) as vault:
        if vault is None:
            return see_other("/journal")
        entry = await anyio.to_thread.run_sync(_entry, vault, number)
        await _Upload(request, visit, vault, entry).run()
    return see_other(f"/journal/entries/{number}")


@router.get("/journal/attachments/{attachment_id}")
def download(request: Request, visit: VisitDep, attachment_id: AttachmentId) -> Response:
    """Always a download, never shown inline: a file from a harasser could be a web page."""
    vaults = keeper(request)
    with vaults.using(visit.session.row) as vault:
        if vault is None:
            return see_other("/journal")
        try:
            attachment = vault.attachment(attachment_id)
        except EntryNotFoundError as error:
            raise PageError(404, N_("There is no file with this number.")) from error
    name = attachment.filename or "file"
    ascii_name = "".join(
        ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in name
    )

    def pieces() -> Iterator[bytes]:
        """One piece at a time, holding the vault only while reading it: a download that
        stops half-way never leaves the journal busy."""
        source: Iterator[bytes] | None = None
        while True:
            with vaults.using(visit.session.row) as reopened:
                if reopened is None:
                    return
                if source is None:
                    source = reopened.read_attachment(attachment_id)
                piece = next(source, None)
            if piece is None:
                return
            yield piece

    return StreamingResponse(
        pieces(),
        media_type="application/octet-stream",
        headers={"content-disposition": f'attachment; filename="{ascii_name}"'},
    )
