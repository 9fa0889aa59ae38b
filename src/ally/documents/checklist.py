"""Which journal entries go into a letter: ticked by relevance, then the person's own choice.

Before a draft is written the person sees every entry the letter could carry, each ticked or
not with the reason, and can change any of them (``--entry``/``--exclude`` in the terminal,
checkboxes on the web page, which words the reasons from :attr:`Candidate.why`). Nothing is
dropped silently: entries a letter kind may never carry (a note, for a host) are not offered,
and the draft says how many were left out and why.

Relevance follows the letter's content rule (:mod:`ally.documents.content`):

* ``context``: incidents of the letter's context (work for HR), messages marked as evidence,
  and the person's own actions and the replies they received that are about that context or
  addressed to its people (:class:`Addressees`: HR, the employer, the agencies of a work case).
  A step that went to the police is never ticked for another context's letter (a crime
  reference is the person's to share), and a step addressed to someone else is left unticked
  with its reason: both stay in the list for the person to tick;
* ``service``: only entries with a link on the service reported (the host's domain, the
  platform's domains), or, for a platform, messages imported from it;
* ``all`` / ``none``: every allowed entry, or none until the person ticks one.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ally.documents.casefile import entry_moment, format_moment, message_view
from ally.documents.content import ContentRule
from ally.errors import UsageError
from ally.model.journal import Entry, review_decisions

URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+")
SHOWN_KINDS = {"incident", "message", "snapshot", "action", "reply", "note"}
PLURAL_WORDS = {
    "incident": "incidents",
    "message": "messages",
    "snapshot": "saved web pages",
    "action": "the steps you took",
    "reply": "the replies you received",
    "note": "your notes",
}
KIND_WORDS = {
    "incident": "incident",
    "message": "message",
    "snapshot": "saved web page",
    "action": "something you did",
    "reply": "a reply you received",
    "note": "note",
}


@dataclass(frozen=True)
class Service:
    """What a report to a host or platform is about: its domains, and a platform's id."""

    hosts: frozenset[str] = frozenset()
    platform: str | None = None
    names: frozenset[str] = frozenset()

    @property
    def known(self) -> bool:
        return bool(self.hosts or self.platform)


@dataclass(frozen=True)
class Addressees:
    """Whom a letter's reader counts as "the same case": the plan steps of the letter's route
    (the step itself, those leading to it and the agencies of its context) and the words that
    name its people (``addressees`` in ``letters/content.yaml``, the organisation's name).
    ``police`` words mark a step that went to the police."""

    steps: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    police: frozenset[str] = frozenset()
    police_steps: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """One entry the letter could carry, ticked or not, and why."""

    entry_id: str
    seq: int
    kind: str
    when: str
    summary: str
    ticked: bool
    reason: str
    why: str = ""
    """The reason as a code the web page words in the person's language: evidence, step,
    answer, incident, context, no-context, chosen, left-out, not-chosen, service,
    not-service, not-about, police, not-addressed, included."""
    context: str = ""
    """The letter's context, for the reasons ``context`` and ``no-context``."""

    @property
    def kind_word(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind)


@dataclass
class Checklist:
    candidates: list[Candidate]
    notes: list[str] = field(default_factory=list)
    """Why some entries are not offered at all (in words for the person, no entry content)."""
    refused: dict[str, int] = field(default_factory=dict)
    """Entries of kinds this letter never carries, counted by kind (the notes say the same)."""
    unreviewed: int = 0
    """Imported messages not offered because they are neither flagged nor marked."""
    service_unknown: bool = False
    """A report to a service that does not yet know which site or platform it is about."""

    def ticked(self) -> frozenset[str]:
        return frozenset(c.entry_id for c in self.candidates if c.ticked)


@dataclass(frozen=True)
class Choice:
    """The person's own ticks and unticks, by entry number or id."""

    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    only: bool = False
    """True when ``include`` is the whole list (the web form sends every ticked box)."""

    @property
    def given(self) -> bool:
        return bool(self.include or self.exclude or self.only)


def entry_links(payload: object) -> Iterator[str]:
    """Every web address written anywhere in an entry (text, links, a saved page's URL)."""
    for text in _strings(payload):
        for match in URL.finditer(text):
            yield match.group(0).rstrip(".,;:!?")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("provenance", "detection", "review"):
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def link_host(link: str) -> str | None:
    """The host name of a link (``www.`` and a port are kept out), lower case."""
    text = link if "://" in link else "https://" + link
    try:
        host = urllib.parse.urlsplit(text).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def on_host(host: str, targets: Iterable[str]) -> bool:
    """True when ``host`` is one of ``targets`` or a name under one (www.x.org under x.org)."""
    return any(host == t or host.endswith("." + t) for t in targets)


def _mentions_host(text: str, hosts: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(re.search(r"(?<![\w.-])" + re.escape(h) + r"(?![\w-])", lowered) for h in hosts)


def is_on_service(entry: Entry, service: Service) -> bool:
    """Whether the entry is about content on the service reported (see the module docstring)."""
    payload = entry.payload or {}
    if service.platform and entry.kind == "message":
        message = message_view(entry)
        if message is not None and message.platform == service.platform:
            return True
    for link in entry_links(payload):
        host = link_host(link)
        if host and on_host(host, service.hosts):
            return True
    texts = list(_strings(payload))
    if any(_mentions_host(text, service.hosts) for text in texts):
        return True
    online = "online" in (payload.get("contexts") or [])
    return online and any(
        re.search(r"(?i)\b" + re.escape(name) + r"\b", text)
        for name in service.names
        for text in texts
    )


def _names(text: str, words: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", lowered) for word in words)


def _step_texts(payload: dict[str, object]) -> list[str]:
    """Whom a step went to or came from, what it says, and its reference (the words that show
    whom it is addressed to)."""
    keys = ("to", "by", "what", "text", "reference")
    return [str(payload[key]) for key in keys if isinstance(payload.get(key), str)]


def _step_reason(entry: Entry, context: str | None, addressees: Addressees) -> str | None:
    """Why the person's own step or a reply is relevant to the letter, or a reason starting
    with "not " (kept unticked), for a letter of ``context``."""
    payload = entry.payload or {}
    contexts = payload.get("contexts") or []
    ticked = "a step you took" if entry.kind == "action" else "an answer you received"
    if context is None:
        return ticked
    step = payload.get("step")
    texts = _step_texts(payload)
    police = step in addressees.police_steps or any(_names(t, addressees.police) for t in texts)
    if police and step not in addressees.steps:
        return POLICE
    if step in addressees.steps or context in contexts:
        return ticked
    if contexts:
        return None
    if any(_names(text, addressees.words) for text in texts):
        return ticked
    return NOT_ADDRESSED


POLICE = "not ticked: it went to the police (tick it if this reader should know)"
NOT_ADDRESSED = "not ticked: it was not addressed to this reader (tick it to include it)"


def _context_reason(
    entry: Entry, context: str | None, decisions: dict[str, str], addressees: Addressees
) -> str | None:
    """Why an entry is relevant to an organisation's letter, or None."""
    payload = entry.payload or {}
    contexts = payload.get("contexts") or []
    if entry.kind == "message":
        return "marked as evidence" if decisions.get(entry.root_id) == "evidence" else None
    if entry.kind in ("action", "reply"):
        return _step_reason(entry, context, addressees)
    if context is None:
        return "an incident"
    return f"about {context}" if context in contexts else None


def _offered(entry: Entry, rule: ContentRule, decisions: dict[str, str]) -> bool:
    """Entries the person can choose from: allowed kinds; messages only once flagged or marked
    (a chat export can hold thousands, and the review page is where they are chosen)."""
    if entry.forgotten or entry.payload is None or not rule.allows(entry.kind):
        return False
    if entry.kind == "message":
        flagged = bool((entry.payload.get("detection") or {}).get("flagged"))
        return flagged or entry.root_id in decisions
    return True


def build_checklist(
    entries: list[Entry],
    rule: ContentRule,
    *,
    context: str | None,
    service: Service,
    zone: dt.tzinfo,
    choice: Choice = Choice(),
    addressees: Addressees = Addressees(),
) -> Checklist:
    """Every entry the letter may carry, ticked by relevance and then by the person's choice."""
    decisions = review_decisions(entries)
    _check_choice(entries, choice)
    offered = [e for e in entries if _offered(e, rule, decisions)]
    ticks = _relevance(offered, rule, context, service, decisions, addressees)
    candidates = []
    for entry in sorted(offered, key=lambda e: (entry_moment(e), e.seq)):
        reason = ticks.get(entry.root_id)
        ticked = reason is not None and not reason.startswith("not ticked")
        why = _why(reason, rule) if reason else ""
        if choice.given:
            picked = _named(entry, choice.include)
            if _named(entry, choice.exclude):
                ticked, reason, why = False, "you left it out", "left-out"
            elif picked:
                ticked, reason, why = True, "you chose it", "chosen"
            elif choice.only:
                ticked, reason, why = False, "you did not choose it", "not-chosen"
        candidates.append(
            Candidate(
                entry_id=entry.root_id,
                seq=entry.seq,
                kind=entry.kind,
                when=format_moment(entry_moment(entry), zone),
                summary=entry.summary(70),
                ticked=ticked,
                reason=reason or _unticked_reason(rule),
                why=why or ("not-service" if rule.pick == "service" else "not-about"),
                context=context or "",
            )
        )
    listed = Checklist(candidates)
    listed.notes = _left_out(entries, rule, decisions, choice, listed)
    if rule.pick == "service" and not service.known:
        listed.service_unknown = True
        listed.notes.append(
            "Ally does not know which website or platform this report is about yet, so no "
            "entry is included. Give the link to the content and Ally will include the "
            "entries that mention it."
        )
    return listed


WHY = {
    "marked as evidence": "evidence",
    "a step you took": "step",
    "an answer you received": "answer",
    "an incident": "incident",
    "on this service": "service",
    "included": "included",
    POLICE: "police",
    NOT_ADDRESSED: "not-addressed",
}


def _why(reason: str, rule: ContentRule) -> str:
    """The code of a relevance reason (see :attr:`Candidate.why`)."""
    if reason in WHY:
        return WHY[reason]
    if reason.startswith("no incident is marked"):
        return "no-context"
    return "context" if reason.startswith("about ") else "included"


def _relevance(
    offered: list[Entry],
    rule: ContentRule,
    context: str | None,
    service: Service,
    decisions: dict[str, str],
    addressees: Addressees,
) -> dict[str, str]:
    if rule.pick == "none":
        return {}
    if rule.pick == "all":
        return {e.root_id: "included" for e in offered}
    if rule.pick == "service":
        return {e.root_id: "on this service" for e in offered if is_on_service(e, service)}
    found = {}
    for entry in offered:
        reason = _context_reason(entry, context, decisions, addressees)
        if reason:
            found[entry.root_id] = reason
    if context and not any(e.kind == "incident" and e.root_id in found for e in offered):
        # No incident is marked with this context: offer them all ticked, and say so.
        for entry in offered:
            if entry.kind == "incident":
                found[entry.root_id] = "no incident is marked '" + context + "'"
    return found


def _unticked_reason(rule: ContentRule) -> str:
    if rule.pick == "service":
        return "not on this service"
    return "not about this"


def _named(entry: Entry, names: frozenset[str]) -> bool:
    return bool({entry.id, entry.root_id, str(entry.seq)} & names)


def _check_choice(entries: list[Entry], choice: Choice) -> None:
    known: set[str] = set()
    for entry in entries:
        if not entry.forgotten:
            known |= {entry.id, entry.root_id, str(entry.seq)}
    missing = sorted((choice.include | choice.exclude) - known)
    if missing:
        raise UsageError(
            "These entries are not in the journal (or were forgotten): "
            + ", ".join(missing)
            + ". `ally vault list` shows the numbers."
        )


def _left_out(
    entries: list[Entry],
    rule: ContentRule,
    decisions: dict[str, str],
    choice: Choice,
    listed: Checklist,
) -> list[str]:
    """Counts of what is never offered, by kind, so the person knows it exists."""
    refused: dict[str, int] = {}
    unreviewed = 0
    for entry in entries:
        if entry.forgotten or entry.payload is None or entry.kind not in SHOWN_KINDS:
            continue
        if not rule.allows(entry.kind):
            refused[entry.kind] = refused.get(entry.kind, 0) + 1
            if _named(entry, choice.include):
                raise UsageError(
                    f"Entry {entry.seq} is a {KIND_WORDS.get(entry.kind, entry.kind)}: this "
                    "letter does not include those, to keep it to what its reader needs."
                )
        elif not _offered(entry, rule, decisions) and entry.kind == "message":
            unreviewed += 1
    listed.refused, listed.unreviewed = dict(sorted(refused.items())), unreviewed
    notes = []
    if unreviewed:
        notes.append(
            f"{unreviewed} imported message{'s are' if unreviewed != 1 else ' is'} not "
            "listed because they are not flagged or marked as evidence. Mark the ones you "
            "want as evidence when you review your messages."
        )
    for kind, count in sorted(refused.items()):
        notes.append(
            f"This letter never includes {PLURAL_WORDS.get(kind, kind)} ({count} in your "
            "journal), to keep it to what its reader needs."
        )
    return notes
