"""The case behind the pages: keeping it in step with the interview, and showing it in words.

The case lives in the person's journal (``ally.case.store``), so everything here needs the
journal unlocked for this session. The plan page's buttons and the case page both come here:
the interview's answers become an ``AnswersEvent`` whenever they change (so the case re-plans
and keeps what was done before), and each button press becomes a ``StatusEvent``.

The tracker's reasons are written in English for the CLI; the web page says them in the
person's language from the same facts, which ``next_steps`` gathers for the template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ally.case.store import VaultCase
from ally.case.tracker import CaseError, clock_facts, situation
from ally.errors import AllyError
from ally.knowledge.answers import normalise_answers
from ally.knowledge.deadlines import NO_FACTS, ClockFacts
from ally.knowledge.interview import Interview
from ally.model.answers import ApproxDate, Tried, TriedAnswer
from ally.model.case import (
    AnswersEvent,
    CaseEvent,
    CaseView,
    MarkEvent,
    StatusEvent,
    StepState,
)
from ally.model.case import StepStatus as CaseStatus
from ally.model.plan import Plan, PlanEscalation
from ally.vault import Vault
from ally.web.i18n import N_
from ally.web.stepstatus import StepStatus, StepStatusStore
from ally.web.vaults import VaultKeeper

TO_CASE = {
    StepStatus.DONE: CaseStatus.DONE,
    StepStatus.REFUSED: CaseStatus.REFUSED,
    StepStatus.NO_ANSWER: CaseStatus.WAITING,
    StepStatus.RESOLVED: CaseStatus.RESOLVED,
    StepStatus.NOT_FOR_ME: CaseStatus.NOT_FOR_ME,
}
"""The plan page's buttons as case statuses ("No answer yet" is waiting for an answer)."""
FROM_CASE = {case: web for web, case in TO_CASE.items()}

CASE_LABELS = {
    CaseStatus.NOT_STARTED: N_("Not started"),
    CaseStatus.DONE: N_("Done"),
    CaseStatus.WAITING: N_("Waiting for an answer"),
    CaseStatus.REFUSED: N_("They refused"),
    CaseStatus.RESOLVED: N_("Resolved"),
    CaseStatus.NOT_FOR_ME: N_("Not for me"),
}


def same_situation(events: Sequence[CaseEvent], interview: Interview) -> bool:
    """Whether the case's latest answers are the interview's (compared in canonical form)."""
    try:
        latest = situation(events)
    except CaseError:
        return False
    if latest.pack != interview.pack.id:
        return False
    try:
        return normalise_answers(interview.pack, latest.answers) == interview.answers
    except AllyError:  # answers from an older pack that no longer fit: a new situation
        return False


def sync_situation(case: VaultCase, interview: Interview, today: dt.date) -> list[CaseEvent]:
    """The case's events, after recording the interview's answers if they changed."""
    events = case.events()
    if not same_situation(events, interview):
        document = interview.to_document()
        event = AnswersEvent(on=today, pack=document["pack"], answers=document["answers"])
        case.record(event)
        events.append(event)
    return events


def latest_statuses(events: Sequence[CaseEvent]) -> dict[str, tuple[CaseStatus, dt.date]]:
    """Each step's latest status, by the day it happened (ties: the order recorded)."""
    marked = [
        (event.on, i, event) for i, event in enumerate(events) if isinstance(event, StatusEvent)
    ]
    return {event.step: (event.status, event.on) for _, _, event in sorted(marked)}


def plan_statuses(
    session: dict[str, tuple[StepStatus, dt.date]], events: Sequence[CaseEvent]
) -> dict[str, tuple[StepStatus, dt.date]]:
    """What the plan page shows: this visit's marks, overridden by the case where it has one."""
    shown = dict(session)
    for step, (status, on) in latest_statuses(events).items():
        if status is CaseStatus.NOT_STARTED:
            shown.pop(step, None)
        else:
            shown[step] = (FROM_CASE[status], on)
    return shown


TRIED_BY_MARK = {
    StepStatus.DONE: "done",
    StepStatus.REFUSED: "refused",
    StepStatus.NO_ANSWER: "no-answer",
    StepStatus.RESOLVED: "resolved",
}


def tried_from_marks(statuses: dict[str, tuple[StepStatus, dt.date]]) -> TriedAnswer:
    """What the person marked under the steps, as the plan's ``tried`` input: a step marked
    refused brings its escalation to the top, as the interview's answer would."""
    return {
        f"step:{step}": Tried(outcome=TRIED_BY_MARK[status], on=ApproxDate.parse(on))
        for step, (status, on) in statuses.items()
        if status in TRIED_BY_MARK
    }


def marked_statuses(
    steps: StepStatusStore, vaults: VaultKeeper | None, row: str | None
) -> dict[str, tuple[StepStatus, dt.date]]:
    """This visit's marks and, with the journal open, the case's (read only).

    The marks reorder the plan (a refused step moves to "already done" and its escalation to
    the top), and pages address steps by their number in the plan: every page that numbers
    steps (plan, letters, documents) must build the plan from the same marks, or a link
    numbered on one page opens another step, or none, on the next.
    """
    statuses = steps.for_session(row) if row else {}
    if vaults is None:
        return statuses
    with vaults.using(row) as vault:
        if vault is None:
            return statuses
        return plan_statuses(statuses, VaultCase(vault).events())


@dataclass(frozen=True)
class NextStep:
    """One "what to do next" line, as facts the template puts into words."""

    step: str
    title: str
    kind: str
    """"refused" or "no_answer" (escalated), "may_apply", "now" or "open"."""
    from_title: str = ""
    since: dt.date | None = None
    days: int = 0
    says: str | None = None
    missing: str = ""


def next_steps(view: CaseView, plan: Plan) -> list[NextStep]:
    """The tracker's next actions, in its order, with what is needed to say why."""
    steps = {step.id: step for step in plan.steps()}
    states = {state.step: state for state in view.steps}
    found = []
    for action in view.next_actions:
        source = states.get(action.escalated_from or "")
        step = steps.get(action.step)
        if source is not None and source.since is not None:
            kind = "refused" if source.status is CaseStatus.REFUSED else "no_answer"
            edge = _edge(plan, source.step, action.step, kind)
            found.append(
                NextStep(
                    action.step,
                    action.title,
                    kind,
                    from_title=source.title,
                    since=source.since,
                    days=(view.today - source.since).days,
                    says=edge.says if edge else None,
                )
            )
        elif step is not None and step.certainty == "may_apply":
            missing = ", ".join(reason.summary.lower() for reason in step.why if not reason.known)
            found.append(NextStep(action.step, action.title, "may_apply", missing=missing))
        else:
            urgent = step is not None and step.urgency == "now"
            found.append(NextStep(action.step, action.title, "now" if urgent else "open"))
    return found


def _edge(plan: Plan, source: str, target: str, on: str) -> PlanEscalation | None:
    for step in plan.steps():
        if step.id == source:
            return next((e for e in step.escalation if e.to == target and e.on == on), None)
    return None


@dataclass(frozen=True)
class ClockEvent:
    """A named case event that starts one or more of the plan's deadlines."""

    name: str
    starts_from: str
    deadlines: list[str]
    recorded: dt.date | None


def clock_events(
    plan: Plan, starts: dict[str, str], events: Sequence[CaseEvent]
) -> list[ClockEvent]:
    """The ``event:NAME`` clocks the current plan's deadlines use, in plan order.

    ``starts`` maps a deadline id to its pack ``starts`` field.
    """
    marks: dict[str, dt.date] = {}
    for event in events:
        if isinstance(event, MarkEvent):
            marks[event.name] = min(event.on, marks.get(event.name, event.on))
    found: dict[str, ClockEvent] = {}
    for step in plan.steps():
        for deadline in step.deadlines:
            source = starts.get(deadline.id, "")
            if not source.startswith("event:"):
                continue
            name = source.removeprefix("event:")
            known = found.get(name)
            titles = known.deadlines if known else []
            if deadline.title not in titles:
                titles = [*titles, deadline.title]
            found[name] = ClockEvent(name, deadline.starts_from, titles, marks.get(name))
    return list(found.values())


def split_steps(view: CaseView) -> tuple[list[StepState], list[StepState]]:
    """The steps of the current plan, and those kept from before a re-plan."""
    current = [state for state in view.steps if state.in_current_plan]
    earlier = [state for state in view.steps if not state.in_current_plan]
    return current, earlier


def journal_clocks(vaults: VaultKeeper | None, row: str | None) -> ClockFacts:
    """What the journal and the case add to the answers for the plan's deadlines.

    Every page that shows a deadline (plan, case, letters, calendar) builds its plan with
    these, so they give the same last day. A locked journal is said to be locked, so the
    page can say its incidents were not counted.
    """
    if vaults is None:
        return NO_FACTS
    with vaults.using(row) as vault:
        if vault is None:
            return ClockFacts(journal="locked") if vaults.exists(row) else NO_FACTS
        case = VaultCase(vault)
        return clock_facts(case.events(), case.journal_dates())


def open_stamp(vault: Vault) -> str:
    """An open journal's stamp (see ``journal_stamp``)."""
    return f"open:{vault.head_code()}"


def journal_stamp(vaults: VaultKeeper | None, row: str | None) -> str:
    """A short stamp that changes whenever what the journal adds to a page may change.

    Open: its head (the record count and 80 bits of the chain's hash). Every write to a
    journal (an incident, a case event, a forgotten entry) appends a record, so the head moves;
    the decoy journal has heads of its own. Locked or missing, it says so. Cheap: no entry is
    decrypted, one query picks up records another process added meanwhile.
    """
    if vaults is None:
        return "none"
    with vaults.using(row) as vault:
        if vault is not None:
            return open_stamp(vault)
    return "locked" if vaults.exists(row) else "none"
