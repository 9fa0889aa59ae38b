"""Putting a letter together: which letter, which incidents, and the extra facts it needs.

The CLI and the web app call :func:`draft` with the plan, the journal and the person's details;
everything about the wording stays in the templates (:mod:`ally.documents.letters`).
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ally.documents import abuse
from ally.documents.casefile import (
    CaseFile,
    Selection,
    build_casefile,
    matches,
    status_events,
    stored_zone,
)
from ally.documents.checklist import (
    Addressees,
    Checklist,
    Choice,
    Service,
    build_checklist,
    link_host,
    on_host,
)
from ally.documents.content import ContentRule, ContentRules
from ally.documents.evidence import EvidenceSource
from ally.documents.law import LawBook
from ally.documents.letters import (
    KIND_BY_ID,
    STANDALONE,
    Letter,
    LetterDetails,
    LetterError,
    LetterInput,
    LetterKind,
    kind_for,
    letter_steps,
    note,
    pack_folders,
    render_letter,
)
from ally.documents.platforms import Platform, load_platforms, platform_context
from ally.documents.steps import StepTaken, from_case, from_items, merged
from ally.errors import UsageError
from ally.knowledge.schema import Pack
from ally.model.answers import AnswerValue
from ally.model.journal import Entry, IncidentTime, journal_zone, read_time_kind
from ally.model.plan import Plan, PlanStep


@dataclass
class DraftRequest:
    """What the person asked for, beyond the step: all optional."""

    details: LetterDetails = field(default_factory=LetterDetails)
    selection: Selection | None = None
    """Narrows which entries are ticked by relevance (dates, contexts)."""
    choice: Choice = field(default_factory=Choice)
    """The person's own ticks and unticks on the checklist."""
    platform: str | None = None
    max_chars: int | None = None
    lookup: abuse.Lookup | None = None
    xarf: bool = False
    language: str = "en"
    zone: dt.tzinfo | None = None


@dataclass
class Draft:
    letter: Letter
    case: CaseFile
    step: PlanStep | None
    kind: LetterKind
    rule: ContentRule
    checklist: Checklist
    dropped_links: int = 0
    """Links left out because they are not on the service reported (see the notes)."""
    hosts: tuple[str, ...] = ()
    """The service's domains, for a host or platform report."""


def resolve(plan: Plan | None, target: str) -> tuple[PlanStep | None, LetterKind]:
    """A plan step id (its letter) or a standalone kind such as cease-and-desist."""
    if target in STANDALONE:
        return None, KIND_BY_ID[target]
    if plan is None:
        raise LetterError(
            f"To write the letter for {target!r}, Ally needs your plan: give your answers file "
            "with --answers."
        )
    for step in plan.steps():
        if step.id == target:
            kind = kind_for(step)
            if kind is None:
                raise LetterError(
                    f"The step {target!r} does not involve writing to anyone, so it has no letter."
                )
            return step, kind
    available = [step.id for step, _ in letter_steps(plan)] + list(STANDALONE)
    raise LetterError(
        f"{target!r} is not a step with a letter in your plan. Letters you can write: "
        + ", ".join(available)
        + "."
    )


def service_of(details: LetterDetails, platform: Platform | None, rule: ContentRule) -> Service:
    """The domains (and platform) a report to a host or platform is about: the platform's
    own domains; else the host named, else the hosts of the links given."""
    if rule.audience != "service":
        return Service()
    if platform is not None and platform.id != "other":
        return Service(
            hosts=frozenset(platform.domains),
            platform=platform.id,
            names=frozenset({platform.name.split(" (")[0]}),
        )
    hosts: set[str] = set()
    if details.host:
        try:
            _, name = abuse.classify(details.host)
        except UsageError:
            name = ""
        hosts = {name} if name else set()
    if not hosts:
        hosts = {host for link in details.links if (host := link_host(link))}
    return Service(hosts=frozenset(host.removeprefix("www.") for host in hosts))


def _service_links(
    details: LetterDetails, service: Service, notes: list[str], language: str = "en"
) -> LetterDetails:
    """Only the links on the service reported: a host is not told about another site."""
    if not service.hosts:
        return details
    kept = [link for link in details.links if on_host(link_host(link) or "", service.hosts)]
    dropped = len(details.links) - len(kept)
    if dropped:
        hosts = ", ".join(sorted(service.hosts)[:3])
        english = (
            f"{dropped} of your links {'is' if dropped == 1 else 'are'} not on {hosts}, so "
            f"this report leaves {'it' if dropped == 1 else 'them'} out."
        )
        key = "links_one" if dropped == 1 else "links_many"
        notes.append(note(language, key, english, count=dropped, hosts=hosts))
    return details.model_copy(update={"links": kept})


def _narrowed(entries: list[Entry], selection: Selection | None, zone: dt.tzinfo) -> list[Entry]:
    """The entries within the dates and contexts asked for (--since, --until, --context)."""
    if selection is None or not (selection.since or selection.until or selection.contexts):
        return entries
    wanted = replace(selection, notes=True, entries=frozenset(), exact=False)
    return [entry for entry in entries if matches(entry, wanted, zone)]


def draft(
    pack: Pack,
    plan: Plan | None,
    target: str,
    source: EvidenceSource,
    request: DraftRequest,
    *,
    answers: Mapping[str, AnswerValue] | None = None,
    today: dt.date | None = None,
    folders: list[Path] | None = None,
) -> Draft:
    """Write the first draft of one letter, with the checklist of what it includes."""
    step, kind = resolve(plan, target)
    answers = answers or {}
    refuse_to_manager(kind, answers)
    folders = folders if folders is not None else pack_folders(pack.lineage)
    rules = ContentRules(folders)
    rule = rules.rule(kind.id, step.id if step else None)
    everything = source.entries()
    zone = (
        request.zone or stored_zone(everything) or dt.datetime.now().astimezone().tzinfo or dt.UTC
    )
    notes = _shared_notes(request.details, step, kind, rule, request.language)
    given = request
    book = LawBook(folders)
    agency = book.agencies.get(step.id) if step is not None else None
    about = (agency.context if agency else None) or kind.context
    own = request.details.for_letter(target, kind.id)
    own = _organisation(request.details, own, plan, (target, kind.id), about, answers, book)
    request = replace(request, details=own)
    extra = _extra(kind, rule, request, folders, notes)
    before = earlier_step(plan, step)
    if before is not None:
        extra["earlier"] = _earlier(
            pack, plan, before, source, replace(given, xarf=False), answers, today, folders
        )
    platform = extra.get("platform_model")
    entries = [read_time_kind(entry) for entry in everything]
    service = service_of(request.details, platform, rule)
    details = _service_links(request.details, service, notes, request.language)
    listed = build_checklist(
        _narrowed(entries, request.selection, zone),
        rule,
        context=about,
        service=service,
        zone=zone,
        choice=request.choice,
        addressees=addressees(plan, step, about, rules, book, request.details),
    )
    case = build_casefile(
        source,
        Selection(entries=listed.ticked(), exact=True),
        zone=zone,
        jurisdiction=pack.name,
        images=False,
    )
    data = LetterInput(
        steps=_steps_taken(plan, step, rule, case, entries, zone),
        pack=pack,
        plan=plan,
        case=case,
        details=details,
        answers=answers,
        today=today or (plan.today if plan else dt.date.today()),
        language=request.language,
        extra={k: v for k, v in extra.items() if k != "platform_model"},
        rule=rule,
        law=book,
    )
    letter = render_letter(data, kind, step, folders)
    letter.notes[:0] = notes
    dropped = len(request.details.links) - len(details.links)
    return Draft(letter, case, step, kind, rule, listed, dropped, tuple(sorted(service.hosts)))


POLICE_KIND = "police-summary"


def addressees(
    plan: Plan | None,
    step: PlanStep | None,
    about: str | None,
    rules: ContentRules,
    book: LawBook,
    details: LetterDetails,
) -> Addressees:
    """Whom this letter's reader counts as the same case, to tick the person's own steps and
    replies: the steps of the letter's route and of its context (HR and the agencies, for work)
    and the words naming their people; and what marks a step to the police."""
    steps = related_steps(plan, step)
    police: set[str] = set()
    words = set(rules.addressees.get(about, frozenset())) if about else set()
    for other in plan.steps() if plan is not None else []:
        kind = kind_for(other)
        agency = book.agencies.get(other.id)
        if kind is not None and kind.id == POLICE_KIND:
            police.add(other.id)
        elif about is not None and about in (
            kind.context if kind else None,
            agency and agency.context,
        ):
            steps.add(other.id)
    for agency in book.agencies.values():
        if about is not None and agency.context == about:
            for name in (agency.name, agency.dual_with or ""):
                words |= {
                    part.strip().lower()
                    for part in re.split(r"[()]", name)
                    if len(part.strip()) > 1
                }
    for given in (details.organisation, details.recipient_organisation, details.recipient_name):
        if given:
            words.add(given.lower())
    return Addressees(
        steps=frozenset(steps),
        words=frozenset(words),
        police=rules.police,
        police_steps=frozenset(police - steps),
    )


def _letter_context(plan: Plan | None, name: str, book_contexts: Mapping[str, str]) -> str | None:
    """The context of the letter a details section is named after (a kind or a step id)."""
    if name in book_contexts:
        return book_contexts[name]
    if name in KIND_BY_ID:
        return KIND_BY_ID[name].context
    for step in plan.steps() if plan is not None else []:
        if step.id == name:
            kind = kind_for(step)
            return kind.context if kind else None
    return None


def _organisation(
    shared: LetterDetails,
    own: LetterDetails,
    plan: Plan | None,
    names: tuple[str, ...],
    about: str | None,
    answers: Mapping[str, AnswerValue],
    book: LawBook,
) -> LetterDetails:
    """The organisation this letter is about: its own section's, else the one named in a
    letter about the same place (the landlord's letter names the landlord the housing agency
    is told about), else the shared one, except that the shared one (the employer) is never
    named in a letter about somewhere else when the person also has a work problem."""
    part = shared.part(*names)
    if part is not None and part.organisation:
        return own
    contexts = {name: a.context for name, a in book.agencies.items() if a.context}
    for name, other in shared.letters.items():
        same = about is not None and _letter_context(plan, name, contexts) == about
        if name not in names and other.organisation and same:
            update: dict[str, Any] = {"organisation": other.organisation}
            if other.organisation_address:
                update["organisation_address"] = other.organisation_address
            return own.model_copy(update=update)
    places = answers.get("context")
    elsewhere = about not in (None, "work")
    if elsewhere and isinstance(places, list) and "work" in places:
        return own.model_copy(update={"organisation": None, "organisation_address": None})
    return own


MANAGER_ANSWERS = frozenset({"boss"})


def refuse_to_manager(kind: LetterKind, answers: Mapping[str, AnswerValue]) -> None:
    """A cease-and-desist letter is not written to the person's own current manager: at work
    the employer's process (HR, a supervisor, an agency) is the route, and a demand letter to
    one's boss can make things worse without stopping anything."""
    if kind.id != "cease-and-desist":
        return
    harassers = answers.get("harasser")
    if isinstance(harassers, list) and harassers and set(harassers) <= MANAGER_ANSWERS:
        raise LetterError(
            "Your answers say the person harassing you is your manager. Ally does not write a "
            "cease-and-desist letter to your own manager: write to HR or a more senior manager "
            "instead (the formal complaint in your plan), and keep the agency's time limit in "
            "mind. If a lawyer advises a letter like this, they can write it for you."
        )


def offered_standalone(answers: Mapping[str, AnswerValue]) -> list[str]:
    """The standalone letters to offer for these answers (no cease-and-desist to a manager)."""
    found = []
    for kind_id in STANDALONE:
        try:
            refuse_to_manager(KIND_BY_ID[kind_id], answers)
        except LetterError:
            continue
        found.append(kind_id)
    return found


def _shared_notes(
    details: LetterDetails,
    step: PlanStep | None,
    kind: LetterKind,
    rule: ContentRule,
    language: str = "en",
) -> list[str]:
    """Say when a recipient's own details (reference, ask) were given for every letter."""
    shared = [name for name in details.shared_per_letter() if name in ("reference", "outcome")]
    shared = [name for name in shared if name in rule.details]
    if not shared or details.part(step.id if step else None, kind.id) is not None:
        return []
    name = step.id if step else kind.id
    fields = ", ".join(shared)
    english = (
        f"Your details give {fields} for every letter. To give this letter its own, put them "
        f"under `letters: {name}:` in your details file."
    )
    return [note(language, "shared", english, fields=fields, name=name)]


def related_steps(plan: Plan | None, step: PlanStep | None) -> set[str]:
    """The step itself and the steps that lead to it (HR's refusal leads to the agency), whose
    case statuses belong in its "Steps taken"."""
    if plan is None or step is None:
        return set()
    found, grown = {step.id}, True
    while grown:
        grown = False
        for other in plan.steps():
            if other.id not in found and any(edge.to in found for edge in other.escalation):
                found.add(other.id)
                grown = True
    return found


def _steps_taken(
    plan: Plan | None,
    step: PlanStep | None,
    rule: ContentRule,
    case: CaseFile,
    entries: list[Entry],
    zone: dt.tzinfo,
) -> list[StepTaken]:
    """The letter's entries of the person's steps and replies, with the case tracker's
    statuses of this step and the steps leading to it (never for a host or platform)."""
    items = [
        item
        for item in case.items
        if (item.action is not None and rule.allows("action"))
        or (item.reply is not None and rule.allows("reply"))
    ]
    events: list[StepTaken] = []
    if rule.audience != "service" and rule.allows("action") and plan is not None:
        titles = {s.id: s.title for s in plan.steps()}
        events = from_case(status_events(entries), titles, zone, related_steps(plan, step))
    return merged(from_items(items), events)


def earlier_step(plan: Plan | None, step: PlanStep | None) -> PlanStep | None:
    """The step this one escalates from by the same route (the host, for the upstream
    provider), whose report the letter refers to and attaches."""
    if plan is None or step is None:
        return None
    for other in plan.steps():
        same_route = other.id != step.id and other.route == step.route
        if same_route and any(edge.to == step.id for edge in other.escalation):
            return other
    return None


def _earlier(
    pack: Pack,
    plan: Plan | None,
    before: PlanStep,
    source: EvidenceSource,
    request: DraftRequest,
    answers: Mapping[str, AnswerValue],
    today: dt.date | None,
    folders: list[Path],
) -> dict[str, Any]:
    """What the next level up is told about the first report: to whom, when, its ticket, what
    came back, and the report itself (already cut down to what that service may see). Only
    dates, names of the services and reference numbers are taken from the journal's steps and
    replies, never their free text, which may say more about the person."""
    first = draft(
        pack, plan, before.id, source, request, answers=answers, today=today, folders=folders
    )
    part = request.details.part(before.id, first.kind.id)
    # The hosting company (the upstream provider's customer): the organisation named for the
    # host's letter, else the one a lookup found; never the desk or person the report went to.
    found = [c.organisation for c in request.lookup.contacts] if request.lookup else []
    host_name = (part.recipient_organisation if part else None) or next(
        (name for name in found if name), ""
    )
    told: dict[str, Any] = {
        "step": before.id,
        "title": before.title,
        "host": host_name,
        "to": (part.recipient_organisation if part else None) or "",
        "sent_on": part.sent_on.isoformat() if part and part.sent_on else "",
        "reference": (part.reference if part else None) or "",
        "replies": [],
        "subject": first.letter.subject,
        "text": first.letter.text(),
    }
    entries = source.entries()
    zone = journal_zone(entries)
    for entry in entries:
        if entry.forgotten or entry.payload is None or entry.payload.get("step") != before.id:
            continue
        if entry.kind == "action":
            action = entry.action()
            day = _local_day(action.when, zone)
            told["sent_on"] = told["sent_on"] or day
            told["to"] = told["to"] or (action.to or "")
            told["reference"] = told["reference"] or (action.reference or "")
        elif entry.kind == "reply":
            reply = entry.reply()
            day = _local_day(reply.when, zone)
            told["reference"] = told["reference"] or (reply.reference or "")
            told["replies"].append({"when": day, "outcome": reply.outcome})
    return told


def _local_day(when: IncidentTime, zone: dt.tzinfo) -> str:
    """The day something happened where the person lives ('' when only described)."""
    days = when.local_days(zone)
    return days[0].isoformat() if days else ""


def _extra(
    kind: LetterKind,
    rule: ContentRule,
    request: DraftRequest,
    folders: list[Path],
    notes: list[str],
) -> dict[str, Any]:
    if kind.id == "platform-report":
        platforms = load_platforms(folders)
        chosen = request.platform or request.details.platform
        values = platform_context(platforms, chosen, request.max_chars)
        values["platform_model"] = platforms[(chosen or "other").lower()]
        return values
    if kind.id == "abuse-report":
        notes.append(note(request.language, "forward", abuse.FORWARD_WARNING))
        return {"host": host_context(request), "xarf": request.xarf}
    return {}


def host_target(details: LetterDetails) -> str | None:
    """The domain or address to report: as given, else the host of the first link."""
    if details.host:
        return details.host
    for link in details.links:
        host = urllib.parse.urlsplit(link if "://" in link else "https://" + link).hostname
        if host:
            return host
    return None


def host_context(request: DraftRequest) -> dict[str, Any]:
    """The ``host`` value of the abuse-report template."""
    target = host_target(request.details)
    kind, name = abuse.classify(target) if target else ("", "")
    manual = abuse.manual_route()
    guess = abuse.rfc2142_guess(kind, name)
    if guess:
        manual.insert(0, f"For {name}, try {guess} first.")
    contacts = []
    if request.details.abuse_contact:
        contacts.append(
            {"email": request.details.abuse_contact, "role": "given by you", "organisation": ""}
        )
    if request.lookup is not None:
        contacts += [
            {"email": c.email, "role": c.role, "organisation": c.organisation or ""}
            for c in request.lookup.contacts
        ]
    return {
        "target": name,
        "kind": kind,
        "contacts": contacts,
        "manual": manual,
        "warning": abuse.FORWARD_WARNING,
        "lookup_done": request.lookup is not None,
    }
