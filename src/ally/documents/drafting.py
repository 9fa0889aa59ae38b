"""Putting a letter together: which letter, which incidents, and the extra facts it needs.

The CLI and the web app call :func:`draft` with the plan, the journal and the person's details;
everything about the wording stays in the templates (:mod:`ally.documents.letters`).
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ally.documents import abuse
from ally.documents.casefile import CaseFile, Selection, build_casefile, matches
from ally.documents.checklist import (
    Checklist,
    Choice,
    Service,
    build_checklist,
    link_host,
    on_host,
)
from ally.documents.content import ContentRule, ContentRules
from ally.documents.evidence import EvidenceSource
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
    pack_folders,
    render_letter,
)
from ally.documents.platforms import Platform, load_platforms, platform_context
from ally.errors import UsageError
from ally.knowledge.schema import Pack
from ally.model.answers import AnswerValue
from ally.model.journal import Entry
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


def _service_links(details: LetterDetails, service: Service, notes: list[str]) -> LetterDetails:
    """Only the links on the service reported: a host is not told about another site."""
    if not service.hosts:
        return details
    kept = [link for link in details.links if on_host(link_host(link) or "", service.hosts)]
    dropped = len(details.links) - len(kept)
    if dropped:
        notes.append(
            f"{dropped} of your links {'is' if dropped == 1 else 'are'} not on "
            f"{', '.join(sorted(service.hosts)[:3])}, so this report leaves "
            f"{'it' if dropped == 1 else 'them'} out."
        )
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
    folders = folders if folders is not None else pack_folders(pack.lineage)
    rule = ContentRules(folders).rule(kind.id, step.id if step else None)
    zone = request.zone or dt.datetime.now().astimezone().tzinfo or dt.UTC
    notes: list[str] = []
    extra = _extra(kind, rule, request, folders, notes)
    platform = extra.get("platform_model")
    entries = source.entries()
    service = service_of(request.details, platform, rule)
    details = _service_links(request.details, service, notes)
    listed = build_checklist(
        _narrowed(entries, request.selection, zone),
        rule,
        context=kind.context,
        service=service,
        zone=zone,
        choice=request.choice,
    )
    case = build_casefile(
        source,
        Selection(entries=listed.ticked(), exact=True),
        zone=zone,
        jurisdiction=pack.name,
        images=False,
    )
    data = LetterInput(
        pack=pack,
        plan=plan,
        case=case,
        details=details,
        answers=answers or {},
        today=today or (plan.today if plan else dt.date.today()),
        language=request.language,
        extra={k: v for k, v in extra.items() if k != "platform_model"},
        rule=rule,
    )
    letter = render_letter(data, kind, step, folders)
    letter.notes[:0] = notes
    return Draft(letter, case, step, kind, rule, listed)


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
        notes.append(abuse.FORWARD_WARNING)
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
