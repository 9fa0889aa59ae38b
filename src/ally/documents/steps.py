"""Steps taken: what the person did about the harassment and what came back, in date order.

A recipient (HR, an agency, a court) wants the history: told HR on a date, refused on a date,
filed with the agency, its reference. It comes from two places: the journal's ``action`` and
``reply`` entries, and the case tracker's step statuses (sent and waiting, refused, resolved,
with the answer received), which are kept in the journal as the case's own records. Both are
merged into one dated list; the case records are never shown as entries of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ally.documents.casefile import CaseFile, Item
from ally.model.case import StatusEvent, StepStatus

REPLY_WORDS = {
    "acknowledged": "acknowledged it",
    "acted": "said they acted",
    "refused": "refused to act",
    "asked": "asked for more information",
    "closed": "closed it",
    "other": "answered",
}
STATUS_SAYS = {
    StepStatus.DONE: "I did this",
    StepStatus.WAITING: "sent; waiting for an answer",
    StepStatus.REFUSED: "they refused to act",
    StepStatus.RESOLVED: "resolved",
}


@dataclass(frozen=True)
class StepTaken:
    """One dated line of the history, in words a recipient reads."""

    moment: dt.datetime
    when: str
    source: str
    """'action' or 'reply' (a journal entry), or 'case' (the case tracker)."""
    text: str
    who: str
    outcome: str
    reference: str
    step: str
    label: str = ""
    code: str = ""
    """What came of it, as a code a translated letter words itself: a reply's outcome
    (acknowledged, refused...) or a case status (done, waiting, refused, resolved)."""
    title: str = ""
    """For a case status: the step's title (``text`` is the English sentence)."""
    said: str = ""
    """For a case status: the answer received and the person's note, as they wrote them."""


def from_items(items: Iterable[Item]) -> list[StepTaken]:
    """The action and reply entries of a case file as steps taken."""
    found = []
    for item in items:
        if item.action is not None:
            action = item.action
            found.append(
                StepTaken(
                    moment=item.moment,
                    when=item.when,
                    source="action",
                    text=" ".join(action.what.split()),
                    who=action.to or "",
                    outcome="",
                    reference=action.reference or "",
                    step=action.step or "",
                    label=item.label,
                )
            )
        elif item.reply is not None:
            reply = item.reply
            found.append(
                StepTaken(
                    moment=item.moment,
                    when=item.when,
                    source="reply",
                    text=" ".join(reply.what.split()),
                    who=reply.by or "",
                    outcome=REPLY_WORDS.get(reply.outcome, "answered"),
                    code=reply.outcome if reply.outcome in REPLY_WORDS else "other",
                    reference=reply.reference or "",
                    step=reply.step or "",
                    label=item.label,
                )
            )
    return found


def from_case(
    events: Iterable[StatusEvent],
    titles: Mapping[str, str],
    zone: dt.tzinfo,
    steps: Iterable[str] | None = None,
) -> list[StepTaken]:
    """Case tracker statuses as steps taken; ``steps`` keeps only those steps' events."""
    wanted = set(steps) if steps is not None else None
    found = []
    for event in events:
        if event.status not in STATUS_SAYS or (wanted is not None and event.step not in wanted):
            continue
        title = titles.get(event.step) or event.step.replace("-", " ").capitalize()
        text = f"{title}: {STATUS_SAYS[event.status]}"
        said = []
        if event.answer_received:
            text += f". The answer: {' '.join(event.answer_received.split())}"
            said.append(" ".join(event.answer_received.split()))
        if event.note:
            text += f". {' '.join(event.note.split())}"
            said.append(" ".join(event.note.split()))
        moment = dt.datetime.combine(event.on, dt.time(12), tzinfo=zone)
        found.append(
            StepTaken(
                moment=moment,
                when=event.on.isoformat(),
                source="case",
                text=text,
                who="",
                outcome="",
                reference=" ".join((event.reference or "").split()),
                step=event.step,
                code=str(event.status.value),
                title=title,
                said=". ".join(said),
            )
        )
    return found


def merged(*lists: Iterable[StepTaken]) -> list[StepTaken]:
    """All steps in date order; a case status on the same day as a journal entry for the same
    step says the same thing, so only the entry (with its words and reference) is kept."""
    items = [step for group in lists for step in group]
    journal = {(step.step, step.when[:10]) for step in items if step.source != "case" and step.step}
    kept = [
        step
        for step in items
        if step.source != "case" or (step.step, step.when[:10]) not in journal
    ]
    return sorted(kept, key=lambda step: step.moment)


def of_case_file(case: CaseFile, titles: Mapping[str, str] | None = None) -> list[StepTaken]:
    """The report's "Steps taken": its action and reply entries and the case's statuses."""
    titles = titles or case.step_titles
    return merged(from_items(case.items), from_case(case.status_events, titles, case.zone))
