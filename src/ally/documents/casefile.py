"""The evidence of a case, read once from the journal and shared by every report format.

Building a :class:`CaseFile` is the only place that reads the journal: it picks the entries
asked for, puts them in the order they happened, numbers incidents and exhibits, streams every
attachment once to take its SHA-256 (and a reduced copy of each image), and counts what was
left out or forgotten so the report can say so honestly. The PDF, DOCX and Markdown renderers
and the bundle only format what is here, so all of them say the same thing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import get_decimal_symbol
from pydantic import TypeAdapter, ValidationError

from ally.documents.evidence import EvidenceSource
from ally.documents.images import (
    MAX_SOURCE_BYTES,
    DisplayImage,
    display_copy,
    give_back_memory,
    looks_like_image,
)
from ally.documents.report_i18n import N_, Words, report_language
from ally.errors import UsageError
from ally.model.case import CaseEvent, StatusEvent
from ally.model.journal import (
    Action,
    Attachment,
    Entry,
    Incident,
    IncidentTime,
    Note,
    Reply,
    journal_zone_name,
    read_time_kind,
)
from ally.model.message import Message
from ally.model.pages import message_entries
from ally.model.snapshot import SNAPSHOT_KIND, Snapshot

DEFAULT_TITLE = N_("Evidence report")


@dataclass(frozen=True)
class Selection:
    """Which entries a document covers. Empty fields select everything."""

    since: dt.date | None = None
    until: dt.date | None = None
    contexts: frozenset[str] = frozenset()
    notes: bool = False
    """Notes are private thoughts; they go into a document only when the person asks."""
    entries: frozenset[str] = frozenset()
    """Entry ids, or journal numbers as text ("12"), when the person picks entries one by one."""
    exact: bool = False
    """``entries`` is the whole list, even when empty (a letter's checklist), so nothing else
    is read in."""

    def describe(self, words: Words | None = None) -> list[str]:
        """What was chosen, in words, for the report's summary."""
        words = words or Words()
        parts = []
        if self.since:
            parts.append(words("from %(day)s", day=self.since.isoformat()))
        if self.until:
            parts.append(words("up to %(day)s", day=self.until.isoformat()))
        if self.contexts:
            parts.append(words("about %(contexts)s", contexts=", ".join(sorted(self.contexts))))
        if self.entries or self.exact:
            parts.append(
                words.ngettext("%(num)s chosen entry", "%(num)s chosen entries", len(self.entries))
            )
        if self.notes:
            parts.append(words("including notes"))
        return parts


@dataclass(frozen=True)
class Exhibit:
    """One attached file, numbered for citing (E-1, E-2, ...) with its fingerprint."""

    label: str
    attachment_id: str
    entry_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    recorded_at: dt.datetime
    display: DisplayImage | None = None

    @property
    def is_image(self) -> bool:
        return self.display is not None


@dataclass(frozen=True)
class MessageView:
    """A message quoted as evidence, with where it was read from."""

    platform: str
    conversation: str
    sender: str
    sent_at: dt.datetime | None
    text: str
    provenance: str | None
    source_sha256: str | None
    edited: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class Item:
    """One entry of the report, in the order things happened."""

    number: int
    label: str
    entry: Entry
    moment: dt.datetime
    when: str
    headline: str
    incident: Incident | None = None
    message: MessageView | None = None
    note: Note | None = None
    action: Action | None = None
    reply: Reply | None = None
    exhibits: tuple[Exhibit, ...] = ()
    snapshot: Snapshot | None = None
    details: tuple[tuple[str, str], ...] = ()
    """Label and value rows shown under the entry (a web page's address, capture time and
    fingerprints), for kinds that are neither incidents, messages nor notes."""
    quote: str | None = None

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def dated(self) -> bool:
        """False when the time is only described, so ``moment`` is when it was recorded."""
        timed = self.incident or self.action or self.reply
        return timed is None or timed.when.start is not None

    @property
    def edited(self) -> bool:
        """Whether the person changed what this entry says after first recording it. A message
        is the sender's words: a new version of it (or of its page) only records a review
        decision (marked as evidence, not relevant) or another message being forgotten, so it
        never counts as an edit; the sender's own edits are shown as such."""
        return self.entry.version > 1 and self.message is None


@dataclass
class CaseFile:
    """Everything a report shows, computed once."""

    title: str
    generated_at: dt.datetime
    zone: dt.tzinfo
    head_code: str
    items: list[Item]
    selection: Selection = field(default_factory=Selection)
    person: str | None = None
    jurisdiction: str | None = None
    forgotten: int = 0
    forgotten_files: int = 0
    left_out: int = 0
    declaration: Any = None
    """The jurisdiction's statement of truth or declaration (``law.Declaration``), if known."""
    status_events: list[StatusEvent] = field(default_factory=list)
    """The case tracker's step statuses (sent, refused...), for "Steps taken"; never items."""
    noted_codes: tuple[tuple[str, bool], ...] = ()
    """Journal codes the person noted earlier, each with whether the journal still holds it."""
    step_titles: dict[str, str] = field(default_factory=dict)
    """The pack's step titles by id, in the report's language, for the case tracker's steps."""
    words: Words = field(default_factory=Words)
    """The report's own words (headings, labels, sentences) in the person's language."""

    @property
    def language(self) -> str:
        return self.words.language

    @property
    def incidents(self) -> list[Item]:
        return [item for item in self.items if item.incident is not None]

    @property
    def messages(self) -> list[Item]:
        return [item for item in self.items if item.message is not None]

    @property
    def notes(self) -> list[Item]:
        return [item for item in self.items if item.note is not None]

    @property
    def actions(self) -> list[Item]:
        """What the person did (reported, complained, filed), in the order it happened."""
        return [item for item in self.items if item.action is not None]

    @property
    def replies(self) -> list[Item]:
        """What came back, in the order it happened."""
        return [item for item in self.items if item.reply is not None]

    @property
    def others(self) -> list[Item]:
        known = ("incident", "message", "note", "action", "reply")
        return [i for i in self.items if all(getattr(i, name) is None for name in known)]

    @property
    def exhibits(self) -> list[Exhibit]:
        return [exhibit for item in self.items for exhibit in item.exhibits]

    def span(self) -> tuple[dt.datetime, dt.datetime] | None:
        """First and last known times; entries known only by a description do not count."""
        dated = [item.moment for item in self.items if item.dated]
        if not dated:
            return None
        return dated[0], dated[-1]

    def incident_span(self) -> tuple[dt.datetime, dt.datetime] | None:
        """First and last dated incident or message: the period of the harassment. The
        person's own steps, the replies, notes and saved pages never count, nor when a chat
        was imported (a message without its own time)."""
        dated = [item.moment for item in self.incidents if item.dated]
        dated += [item.moment for item in self.messages if item.message and item.message.sent_at]
        if not dated:
            return None
        return min(dated), max(dated)

    def moment(self, value: dt.datetime) -> str:
        return format_moment(value, self.zone)


# --- time in words ---------------------------------------------------------------------------


def zone_name(zone: dt.tzinfo, at: dt.datetime) -> str:
    """'UTC+01:00' style: an offset is unambiguous where a zone abbreviation is not."""
    offset = at.astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_moment(value: dt.datetime, zone: dt.tzinfo) -> str:
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} ({zone_name(zone, value)})"


def describe_when(when: IncidentTime, zone: dt.tzinfo, words: Words | None = None) -> str:
    """An incident's time in the reader's zone, keeping 'about' and the person's own words."""
    words = words or Words()
    if when.day is not None:
        text = when.day.isoformat()
        if when.end is not None and when.end.astimezone(zone).date() != when.day:
            text = words("%(start)s to %(end)s", start=text, end=format_moment(when.end, zone))
        text = words("about %(when)s", when=text) if when.approximate else text
        return text + (f" ({when.description})" if when.description else "")
    if when.start is None:
        return when.description or words("date not recorded")
    text = format_moment(when.start, zone)
    if when.end is not None:
        text = words("%(start)s to %(end)s", start=text, end=format_moment(when.end, zone))
    if when.approximate:
        text = words("about %(when)s", when=text)
    if when.description:
        text += f" ({when.description})"
    return text


# --- building --------------------------------------------------------------------------------


def code_finding(found: bool, words: Words | None = None) -> str:
    """What the report says about a journal code noted earlier."""
    words = words or Words()
    if found:
        return words("part of this journal's history")
    return words("does NOT match this journal")


def build_casefile(
    source: EvidenceSource,
    selection: Selection | None = None,
    *,
    zone: dt.tzinfo | None = None,
    title: str = DEFAULT_TITLE,
    person: str | None = None,
    jurisdiction: str | None = None,
    now: dt.datetime | None = None,
    images: bool = True,
    noted_codes: tuple[tuple[str, bool], ...] = (),
    language: str | None = None,
) -> CaseFile:
    """Read the journal once and lay out the report's content (see the module docstring).
    ``language`` is the person's: the report's own words are in it where Ally has them."""
    selection = selection or Selection()
    words = Words(report_language(language))
    every = source.entries()
    zone = zone or stored_zone(every) or dt.datetime.now().astimezone().tzinfo or dt.UTC
    # Pages of imported messages are shown message by message (ally.model.pages).
    entries = [read_time_kind(shown) for entry in every for shown in message_entries(entry)]
    chosen = [e for e in entries if not e.forgotten and matches(e, selection, zone)]
    events = status_events(entries) if not (selection.entries or selection.exact) else []
    _check_picked(entries, selection)
    case = CaseFile(
        title=words(DEFAULT_TITLE) if title == DEFAULT_TITLE else title,
        generated_at=now or dt.datetime.now(dt.UTC),
        zone=zone,
        head_code=source.head_code(),
        items=[],
        selection=selection,
        person=person,
        jurisdiction=jurisdiction,
        forgotten=sum(1 for e in entries if e.forgotten),
        left_out=sum(1 for e in entries if not e.forgotten and not e.is_bookkeeping) - len(chosen),
        status_events=[e for e in events if _in_dates(e.on, selection)],
        noted_codes=noted_codes,
        words=words,
    )
    pending: list[tuple[Entry, list[tuple[Exhibit, Future[DisplayImage | None] | None]]]] = []
    with _Converter(images) as converter:
        for entry in chosen:
            exhibits = []
            for attachment in entry.attachments:
                if attachment.forgotten:
                    case.forgotten_files += 1
                    continue
                exhibits.append(_exhibit(source, attachment, converter))
            pending.append((entry, exhibits))
        for entry, found in pending:
            shown = tuple(replace(e, display=f.result()) if f else e for e, f in found)
            case.items.append(_item(entry, zone, shown, words))
    case.items.sort(key=lambda item: (item.moment, item.entry.seq))
    _number(case.items, _Counter(), words)
    return case


class _Converter:
    """Makes the shown copies of images on worker threads while the journal is still read.

    Pillow releases the GIL while it decodes, resizes and encodes, so this uses every core;
    at most two images per worker wait in memory, so a journal of large photos stays small.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.workers = max(1, min(4, os.cpu_count() or 1))
        self.slots = threading.BoundedSemaphore(self.workers * 2)
        self.pool = ThreadPoolExecutor(self.workers) if enabled else None

    def __enter__(self) -> _Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            give_back_memory()

    def submit(self, data: bytes) -> Future[DisplayImage | None]:
        assert self.pool is not None
        self.slots.acquire()
        future = self.pool.submit(display_copy, data)
        future.add_done_callback(lambda _: self.slots.release())
        return future


class _Counter:
    def __init__(self) -> None:
        self.items: dict[str, int] = {}
        self.exhibits = 0

    def item(self, kind: str) -> int:
        self.items[kind] = self.items.get(kind, 0) + 1
        return self.items[kind]

    def exhibit(self) -> str:
        self.exhibits += 1
        return f"E-{self.exhibits}"


_PREFIX = {
    "incident": N_("Incident %(num)s"),
    "message": N_("Message %(num)s"),
    "note": N_("Note %(num)s"),
    "snapshot": N_("Web page %(num)s"),
    "action": N_("Step %(num)s"),
    "reply": N_("Reply %(num)s"),
}


def _number(items: list[Item], counter: _Counter, words: Words) -> None:
    """Number items per kind and exhibits in timeline order (Incident 1, E-1 come first)."""
    for index, item in enumerate(items):
        number = counter.item(item.kind)
        prefix = _PREFIX.get(item.kind)
        label = words(prefix, num=number) if prefix else f"{item.kind.capitalize()} {number}"
        exhibits = tuple(replace(exhibit, label=counter.exhibit()) for exhibit in item.exhibits)
        items[index] = replace(item, number=number, label=label, exhibits=exhibits)


def _item(entry: Entry, zone: dt.tzinfo, exhibits: tuple[Exhibit, ...], words: Words) -> Item:
    moment = entry.occurred_at()
    base: dict[str, Any] = {
        "number": 0,
        "label": "",
        "entry": entry,
        "moment": moment,
        "exhibits": exhibits,
    }
    if entry.kind == "incident":
        incident = entry.incident()
        when = describe_when(incident.when, zone, words)
        if incident.when.start is None:
            # Placed on the timeline by when it was written down; say so.
            day = f"{entry.recorded_at.astimezone(zone):%Y-%m-%d}"
            when += " " + words("(recorded %(day)s)", day=day)
        return Item(**base, when=when, headline=_line(incident.what), incident=incident)
    if entry.kind in ("action", "reply"):
        try:
            timed: Action | Reply = entry.action() if entry.kind == "action" else entry.reply()
        except ValueError:
            return Item(**base, when=format_moment(moment, zone), headline=entry.summary(80))
        when = describe_when(timed.when, zone, words)
        if isinstance(timed, Action):
            return Item(**base, when=when, headline=_line(timed.what), action=timed)
        return Item(**base, when=when, headline=_line(timed.what), reply=timed)
    if entry.kind == "note":
        note = entry.note()
        return Item(**base, when=format_moment(moment, zone), headline=_line(note.text), note=note)
    if entry.kind == SNAPSHOT_KIND and entry.payload is not None:
        return _snapshot_item(base, entry.payload, zone, words)
    message = message_view(entry)
    if message is not None:
        base["moment"] = message.sent_at or moment
        when = format_moment(base["moment"], zone)
        return Item(**base, when=when, headline=_line(message.text), message=message)
    return Item(**base, when=format_moment(moment, zone), headline=entry.summary(80))


def entry_when(entry: Entry, zone: dt.tzinfo, words: Words | None = None) -> str:
    """When an entry happened, in ``zone`` with its offset, worded exactly as the report
    prints it ('2026-09-25 20:00 (UTC-07:00)', 'about 2026-09-10', a date-only incident as
    its date): for every page and list a person or an advocate reads."""
    if entry.payload is None:
        return format_moment(entry.occurred_at(), zone)
    try:
        return _item(entry, zone, (), words or Words()).when
    except ValueError:  # free JSON from an earlier version: its best-known moment
        return format_moment(entry.occurred_at(), zone)


def _snapshot_item(
    base: dict[str, Any], payload: dict[str, Any], zone: dt.tzinfo, words: Words
) -> Item:
    """A web page kept as evidence: placed on the timeline when it was captured."""
    snapshot = Snapshot.model_validate(payload)
    if snapshot.captured_at is not None:
        base["moment"] = _utc(snapshot.captured_at)
    moment = format_moment(base["moment"], zone)
    details = snapshot_facts(snapshot, moment if snapshot.captured_at else None, words)
    if snapshot.title:
        headline = words("Web page: %(title)s (%(url)s)", title=snapshot.title, url=snapshot.url)
    else:
        headline = words("Web page: %(url)s", url=snapshot.url)
    rest = words("[the rest of the page text is in the journal]")
    quote = snapshot.excerpt(rest=rest) or None
    return Item(
        **base,
        when=moment,
        headline=_line(headline),
        snapshot=snapshot,
        details=details,
        quote=quote,
    )


def snapshot_facts(
    snapshot: Snapshot, moment: str | None, words: Words
) -> tuple[tuple[str, str], ...]:
    """A web page's label and value rows, in the order a reader checks them and in the
    report's language. ``moment`` is the capture time already formatted in the report's time
    zone. Where each fact was read from (``url_source``, ``captured_at_source``) and the
    importer's notes were recorded at capture and are shown as recorded."""
    rows = [(words("Address"), snapshot.url), (words("Address from"), snapshot.url_source)]
    if snapshot.file_url:
        rows.append((words("Address in the saved file"), snapshot.file_url))
    if snapshot.captured_at is not None:
        source = snapshot.captured_at_source or words("the file")
        when = moment or snapshot.captured_at.isoformat()
        rows.append(
            (words("Captured"), words("%(when)s (from %(source)s)", when=when, source=source))
        )
    else:
        not_recorded = words("not recorded in the file; see when it was added to the journal")
        rows.append((words("Captured"), not_recorded))
    if snapshot.title:
        rows.append((words("Page title"), snapshot.title))
    page = snapshot.page_file
    if page is not None:
        size = words.ngettext("%(num)s byte", "%(num)s bytes", page.size)
        kind = snapshot.format_label or snapshot.format or page.media_type
        rows.append((words("Saved page"), f"{page.name}, {kind}, {size}, SHA-256 {page.sha256}"))
    shot = snapshot.screenshot
    if shot is not None:
        pixels = f", {shot.width} × {shot.height} px" if shot.width and shot.height else ""
        size = words.ngettext("%(num)s byte", "%(num)s bytes", shot.size)
        rows.append((words("Screenshot"), f"{shot.name}{pixels}, {size}, SHA-256 {shot.sha256}"))
    if snapshot.page_text_sha256:
        characters = words.ngettext(
            "%(num)s character", "%(num)s characters", len(snapshot.page_text)
        )
        rows.append(
            (words("Page text"), f"{characters}, SHA-256 {snapshot.page_text_sha256} (UTF-8)")
        )
    if snapshot.parts:
        rows.append((words("Resources in the file"), str(len(snapshot.parts))))
    rows += [(words("Note"), note) for note in snapshot.notes]
    return tuple(rows)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _line(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def message_view(entry: Entry) -> MessageView | None:
    """A message entry's payload as a quote; None if the payload is not a message at all."""
    payload = entry.payload or {}
    try:
        message = Message.from_payload(payload)
    except ValueError:
        return _loose_message(payload)
    return MessageView(
        platform=message.platform,
        conversation=message.conversation,
        sender=message.sender,
        sent_at=message.timestamp,
        text=message.text,
        provenance=message.provenance.where(),
        source_sha256=message.provenance.source_sha256,
        edited=message.edited,
        deleted=message.deleted,
    )


def _loose_message(payload: dict[str, Any]) -> MessageView | None:
    """Messages saved by hand (or by an older importer) with only some of the fields."""
    text = _first_text(payload, "text", "body")
    if text is None:
        return None
    sent: dt.datetime | None = None
    for key in ("sent_at", "timestamp"):
        value = payload.get(key)
        if isinstance(value, str):
            try:
                sent = dt.datetime.fromisoformat(value)
            except ValueError:
                continue
            sent = sent if sent.tzinfo else sent.astimezone()
            break
    provenance = payload.get("provenance")
    where = sha = None
    if isinstance(provenance, dict):
        where = _first_text(provenance, "source_name")
        sha = _first_text(provenance, "source_sha256")
    return MessageView(
        platform=_first_text(payload, "platform") or "message",
        conversation=_first_text(payload, "conversation") or "",
        sender=_first_text(payload, "sender", "from") or "unknown sender",
        sent_at=sent,
        text=text,
        provenance=where,
        source_sha256=sha,
    )


def _first_text(payload: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _exhibit(
    source: EvidenceSource, attachment: Attachment, converter: _Converter
) -> tuple[Exhibit, Future[DisplayImage | None] | None]:
    """Stream the file once: its SHA-256 always, and a shown copy if it is a small image."""
    digest = hashlib.sha256()
    keep = converter.enabled and looks_like_image(attachment.media_type, attachment.filename)
    kept: list[bytes] = []
    size = 0
    for piece in source.read_attachment(attachment.id):
        digest.update(piece)
        size += len(piece)
        if keep:
            kept.append(piece)
            if size > MAX_SOURCE_BYTES:
                keep, kept = False, []
    future = converter.submit(b"".join(kept)) if keep and kept else None
    exhibit = Exhibit(
        label="",
        attachment_id=attachment.id,
        entry_id=attachment.entry_id,
        filename=safe_filename(attachment.filename, attachment.id),
        media_type=attachment.media_type or "application/octet-stream",
        size=size,
        sha256=digest.hexdigest(),
        recorded_at=attachment.recorded_at,
    )
    return exhibit, future


_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str | None, fallback: str) -> str:
    """A file name without folders or odd characters, safe to print and to write to disk."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" .")
    return base[:120] or f"file-{fallback}"


# --- choosing entries -------------------------------------------------------------------------


def matches(entry: Entry, selection: Selection, zone: dt.tzinfo) -> bool:
    """Whether a selection takes this entry (forgotten entries are the caller's concern).
    Ally's own bookkeeping (the case's records) is never evidence."""
    if entry.is_bookkeeping:
        return False
    if selection.entries or selection.exact:
        return (
            entry.id in selection.entries
            or entry.root_id in selection.entries
            or str(entry.seq) in selection.entries
        )
    if entry.kind == "note" and not selection.notes:
        return False
    day = entry_moment(entry).astimezone(zone).date()
    if selection.since and day < selection.since:
        return False
    if selection.until and day > selection.until:
        return False
    return not selection.contexts or bool(set(_contexts(entry)) & selection.contexts)


_CASE_EVENT: TypeAdapter[CaseEvent] = TypeAdapter(CaseEvent)


def stored_zone(entries: list[Entry]) -> dt.tzinfo | None:
    """The person's time zone as the journal keeps it (``vault add --timezone``), if any:
    reports show times there, with the offset, whatever the computer's zone is."""
    name = journal_zone_name(entries)
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def status_events(entries: Iterable[Entry]) -> list[StatusEvent]:
    """The case tracker's step statuses kept in the journal (unreadable ones are skipped)."""
    found = []
    for entry in entries:
        if not entry.is_bookkeeping or entry.payload is None or entry.forgotten:
            continue
        try:
            event = _CASE_EVENT.validate_python(entry.payload)
        except ValidationError:
            continue
        if isinstance(event, StatusEvent):
            found.append(event)
    return found


def _in_dates(day: dt.date, selection: Selection) -> bool:
    return not (selection.since and day < selection.since) and not (
        selection.until and day > selection.until
    )


def entry_moment(entry: Entry) -> dt.datetime:
    """When an entry happened: a message's own send time, else the journal's best guess."""
    if entry.kind not in ("incident", "note") and entry.payload is not None:
        message = message_view(entry)
        if message is not None and message.sent_at is not None:
            return message.sent_at
    return entry.occurred_at()


def _contexts(entry: Entry) -> Iterable[str]:
    payload = entry.payload or {}
    values = payload.get("contexts")
    if isinstance(values, list):
        yield from (str(value) for value in values)


def _check_picked(entries: list[Entry], selection: Selection) -> None:
    """Entries picked one by one must exist and still have content; otherwise say which."""
    if not selection.entries:
        return
    known: set[str] = set()
    for entry in entries:
        if not entry.forgotten:
            known |= {entry.id, entry.root_id, str(entry.seq)}
    missing = sorted(selection.entries - known)
    if missing:
        raise UsageError(
            "These entries are not in the journal (or were forgotten): "
            + ", ".join(missing)
            + ". `ally vault list` shows the numbers."
        )


# --- the summary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """Counts and names for the summary page, the same in every format."""

    incidents: int
    messages: int
    notes: int
    others: int
    exhibits: int
    images: int
    exhibit_bytes: int
    first: str | None
    last: str | None
    people: list[tuple[str, int]]
    places: list[tuple[str, int]]
    edited: int
    forgotten: int
    forgotten_files: int
    left_out: int
    selection: list[str]


def facts(case: CaseFile, top: int = 8) -> Facts:
    """What the summary says: how much, over what period, who and where most often."""
    people: dict[str, int] = {}
    places: dict[str, int] = {}
    for item in case.incidents:
        assert item.incident is not None
        for name in dict.fromkeys(item.incident.who):
            people[name] = people.get(name, 0) + 1
        if item.incident.where:
            places[item.incident.where] = places.get(item.incident.where, 0) + 1
    span = case.incident_span()
    exhibits = case.exhibits
    return Facts(
        incidents=len(case.incidents),
        messages=len(case.messages),
        notes=len(case.notes),
        others=len(case.others),
        exhibits=len(exhibits),
        images=sum(1 for exhibit in exhibits if exhibit.is_image),
        exhibit_bytes=sum(exhibit.size for exhibit in exhibits),
        first=case.moment(span[0]) if span else None,
        last=case.moment(span[1]) if span else None,
        people=_top(people, top),
        places=_top(places, top),
        edited=sum(1 for item in case.items if item.edited),
        forgotten=case.forgotten,
        forgotten_files=case.forgotten_files,
        left_out=case.left_out,
        selection=case.selection.describe(case.words),
    )


def _top(counts: dict[str, int], top: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:top]


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 incident', '3 incidents'; irregular forms are passed in ('entry is', 'entries are')."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


SIZE_UNITS = (N_("%(size)s KB"), N_("%(size)s MB"), N_("%(size)s GB"))


def human_size(size: int, words: Words | None = None) -> str:
    """1536 -> '1.5 KB' ('1,5 Ko' in French): sizes for people; exact byte counts are in the
    appendix."""
    words = words or Words()
    if size < 1024:
        return words.ngettext("%(num)s byte", "%(num)s bytes", size)
    value = size / 1024
    for unit in SIZE_UNITS:
        if value < 1024 or unit == SIZE_UNITS[-1]:
            break
        value /= 1024
    number = f"{value:.1f}".replace(".", get_decimal_symbol(words.language))
    return words(unit, size=number)
