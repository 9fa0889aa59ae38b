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
from ally.documents.casefile import CaseFile, Selection, build_casefile
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
from ally.documents.platforms import load_platforms, platform_context
from ally.knowledge.schema import Pack
from ally.model.answers import AnswerValue
from ally.model.plan import Plan, PlanStep


@dataclass
class DraftRequest:
    """What the person asked for, beyond the step: all optional."""

    details: LetterDetails = field(default_factory=LetterDetails)
    selection: Selection | None = None
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


def choose_selection(
    source: EvidenceSource, kind: LetterKind, asked: Selection | None
) -> tuple[Selection, list[str]]:
    """The person's own choice, else the incidents of the letter's context (work, online...).

    A letter to HR should not carry incidents about an ex-partner. When no entry is marked
    with the letter's context, every incident goes in and the person is told to check.
    """
    if asked is not None and (asked.entries or asked.contexts):
        return asked, []
    base = asked or Selection()
    if kind.context is None:
        return base, []
    entries = [e for e in source.entries() if not e.forgotten and e.kind == "incident"]
    tagged = [e for e in entries if kind.context in (e.payload or {}).get("contexts", [])]
    if tagged:
        left = len(entries) - len(tagged)
        notes = (
            [f"Only incidents marked '{kind.context}' are included ({left} others left out)."]
            if left
            else []
        )
        return replace(base, contexts=frozenset({kind.context})), notes
    if entries:
        return base, [
            f"No incident in your journal is marked '{kind.context}', so all {len(entries)} are "
            "included. Remove any that do not belong in this letter, or choose with --entry."
        ]
    return base, []


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
    """Write the first draft of one letter."""
    step, kind = resolve(plan, target)
    folders = folders if folders is not None else pack_folders(pack.lineage)
    selection, notes = choose_selection(source, kind, request.selection)
    case = build_casefile(
        source, selection, zone=request.zone, jurisdiction=pack.name, images=False
    )
    data = LetterInput(
        pack=pack,
        plan=plan,
        case=case,
        details=request.details,
        answers=answers or {},
        today=today or (plan.today if plan else dt.date.today()),
        language=request.language,
        extra=_extra(kind, request, folders, notes),
    )
    letter = render_letter(data, kind, step, folders)
    letter.notes[:0] = notes
    return Draft(letter, case, step, kind)


def _extra(
    kind: LetterKind, request: DraftRequest, folders: list[Path], notes: list[str]
) -> dict[str, Any]:
    if kind.id == "platform-report":
        platform = request.platform or request.details.platform
        return platform_context(load_platforms(folders), platform, request.max_chars)
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
