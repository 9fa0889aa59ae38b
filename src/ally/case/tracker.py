"""Compute where a case stands from its events: next actions, what is waiting, deadlines.

Pure: the caller passes the events, the dates from the journal and ``today`` (a controllable
clock, so tests can move time). Nothing here reads a database or the system clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from ally.errors import AllyError
from ally.knowledge.answers import normalise_answers
from ally.knowledge.deadlines import ClockFacts, latest_incident
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack
from ally.knowledge.schema import Pack
from ally.model.answers import ApproxDate, Tried, TriedAnswer
from ally.model.case import (
    AnswersEvent,
    CaseEvent,
    CaseView,
    DeadlineWatch,
    MarkEvent,
    NextAction,
    StatusEvent,
    StepState,
    StepStatus,
)
from ally.model.plan import Plan, PlanStep

WARN_DAYS = (1, 7, 30)
CLOSED = {StepStatus.DONE, StepStatus.RESOLVED, StepStatus.NOT_FOR_ME}


class CaseError(AllyError):
    """The case cannot be worked out as asked."""


def _ordered(events: Iterable[CaseEvent]) -> list[CaseEvent]:
    """By the day things happened; events of the same day keep the order they were recorded."""
    return [event for _, _, event in sorted((e.on, i, e) for i, e in enumerate(events))]


def situation(events: Sequence[CaseEvent]) -> AnswersEvent:
    answers = [event for event in _ordered(events) if isinstance(event, AnswersEvent)]
    if not answers:
        raise CaseError(
            "This case has no situation yet. Start it with `ally case start answers.yaml` "
            "(the file `ally plan --save answers.yaml` writes)."
        )
    return answers[-1]


clock_start = latest_incident
"""The last incident as early as the record allows (see ``deadlines.latest_incident``)."""


def clock_facts(events: Sequence[CaseEvent], journal_dates: Sequence[ApproxDate]) -> ClockFacts:
    """What the case and the journal add to the answers for starting clocks.

    Each case event (``event:NAME``) counts from the earliest day it was recorded; the
    journal's incidents may move the last incident later (never earlier).
    """
    marks: dict[str, dt.date] = {}
    for event in _ordered(events):
        if isinstance(event, MarkEvent):
            marks.setdefault(event.name, event.on)
    return ClockFacts(journal_dates=tuple(journal_dates), marks=marks, journal="counted")


def _states(plan: Plan, events: Sequence[CaseEvent], pack: Pack) -> dict[str, StepState]:
    titles = {step.id: step.title for step in pack.steps}
    in_plan = set(plan.step_ids())
    history: dict[str, list[StatusEvent]] = {}
    for event in _ordered(events):
        if isinstance(event, StatusEvent):
            history.setdefault(event.step, []).append(event)
    states = {}
    for step_id in [*plan.step_ids(), *[s for s in history if s not in in_plan]]:
        past = history.get(step_id, [])
        latest = past[-1] if past else None
        states[step_id] = StepState(
            step=step_id,
            title=titles.get(step_id, step_id),
            status=latest.status if latest else StepStatus.NOT_STARTED,
            since=latest.on if latest else None,
            in_current_plan=step_id in in_plan,
            history=past,
        )
    return states


def _escalations(plan: Plan, states: dict[str, StepState], today: dt.date) -> list[NextAction]:
    actions = []
    for step in plan.steps():
        state = states[step.id]
        for edge in step.escalation:
            target = states.get(edge.to)
            # A target already taken (waiting, refused or closed) is not suggested again.
            if target is None or target.status is not StepStatus.NOT_STARTED:
                continue
            since = state.since
            if edge.on == "refused" and state.status is StepStatus.REFUSED and since:
                fact = f"You marked \u201c{step.title}\u201d as refused on {_day(since)}."
            elif (
                edge.on == "no_answer"
                and state.status is StepStatus.WAITING
                and since
                and edge.after_days is not None
                and today >= since + dt.timedelta(days=edge.after_days)
            ):
                waited = (today - since).days
                fact = f"No answer to \u201c{step.title}\u201d since {_day(since)} ({waited} days)."
            else:
                continue
            then = edge.says or f"The next step is: {edge.to_title}."
            actions.append(
                NextAction(
                    step=edge.to,
                    title=edge.to_title,
                    reason=f"{fact} {then}",
                    escalated_from=step.id,
                )
            )
    return actions


def _day(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _open_steps(plan: Plan, states: dict[str, StepState], exclude: set[str]) -> list[NextAction]:
    order = {"now": 0, "soon": 1, "when_ready": 2}
    steps = [
        step
        for step in plan.steps()
        if states[step.id].status is StepStatus.NOT_STARTED and step.id not in exclude
    ]
    # Steps that apply before those that only may; then by urgency; stable keeps phase order.
    steps.sort(key=lambda step: (step.certainty != "applies", order[step.urgency]))
    return [NextAction(step=step.id, title=step.title, reason=_why(step)) for step in steps]


def _why(step: PlanStep) -> str:
    if step.certainty == "may_apply":
        missing = ", ".join(reason.summary.lower() for reason in step.why if not reason.known)
        return f"May apply; it depends on what you did not say ({missing})."
    if step.urgency == "now":
        return "Do this first."
    return "Not started yet."


def _warning(days_left: int) -> str | None:
    if days_left < 0:
        return "passed"
    for threshold in WARN_DAYS:
        if days_left <= threshold:
            return str(threshold)
    return None


def _deadlines(plan: Plan, states: dict[str, StepState], today: dt.date) -> list[DeadlineWatch]:
    """The plan's deadlines of the steps still to take (taking a step stops its clock).

    Dates come from the plan, which worked them out with the case's events and the journal
    (``deadlines.deadline_clock``): the case page never counts a deadline differently."""
    watched = []
    for step in plan.steps():
        if states[step.id].status is not StepStatus.NOT_STARTED:
            continue  # done, filed, refused or set aside: this step's clock no longer runs
        for deadline in step.deadlines:
            days_left = (deadline.due - today).days if deadline.due else None
            watched.append(
                DeadlineWatch(
                    deadline=deadline.id,
                    title=deadline.title,
                    body=deadline.body,
                    step=step.id,
                    due=deadline.due,
                    days_left=days_left,
                    warning=_warning(days_left) if days_left is not None else None,
                    starts_from=deadline.starts_from,
                    start=deadline.start,
                    start_basis=deadline.start_basis,
                    counted=deadline.counted,
                )
            )
    watched.sort(key=lambda d: (d.due is None, d.due or today))
    return watched


def case_view(
    events: Sequence[CaseEvent],
    today: dt.date,
    journal_dates: Sequence[ApproxDate] = (),
    language: str | None = None,
) -> CaseView:
    """Where the case stands on ``today``: escalations first, then open steps, then the rest."""
    current = situation(events)
    pack = load_pack(current.pack, language)
    plan = _plan(pack, current, today, clock_facts(events, journal_dates), events)
    states = _states(plan, events, pack)
    escalated = _escalations(plan, states, today)
    actions = escalated + _open_steps(plan, states, {action.step for action in escalated})
    answer_days = [e.on for e in _ordered(events) if isinstance(e, AnswersEvent)]
    return CaseView(
        today=today,
        pack=pack.id,
        next_actions=actions,
        waiting=[state for state in states.values() if state.status is StepStatus.WAITING],
        steps=list(states.values()),
        deadlines=_deadlines(plan, states, today),
        replanned=answer_days[1:],
    )


def current_plan(
    events: Sequence[CaseEvent],
    today: dt.date,
    journal_dates: Sequence[ApproxDate] = (),
    language: str | None = None,
) -> Plan:
    """The plan the case follows now, in ``language`` where the pack is translated."""
    current = situation(events)
    pack = load_pack(current.pack, language)
    return _plan(pack, current, today, clock_facts(events, journal_dates), events)


def _plan(
    pack: Pack,
    current: AnswersEvent,
    today: dt.date,
    facts: ClockFacts,
    events: Sequence[CaseEvent] = (),
) -> Plan:
    answers = normalise_answers(pack, current.answers)
    return build_plan(pack, answers, today, clocks=facts, tried=tried_from_case(events))


TRIED_BY_STATUS = {
    StepStatus.WAITING: "waiting",
    StepStatus.REFUSED: "refused",
    StepStatus.DONE: "done",
    StepStatus.RESOLVED: "resolved",
}


def tried_from_case(events: Sequence[CaseEvent]) -> TriedAnswer:
    """The case's recorded statuses as the plan's ``tried`` input (``step:ID`` entries), so the
    plan shows them as done and brings their escalations forward, as the answer would."""
    latest: dict[str, StatusEvent] = {}
    for event in _ordered(events):
        if isinstance(event, StatusEvent):
            latest[event.step] = event
    return {
        f"step:{step}": Tried(outcome=TRIED_BY_STATUS[event.status], on=ApproxDate.parse(event.on))
        for step, event in latest.items()
        if event.status in TRIED_BY_STATUS
    }
