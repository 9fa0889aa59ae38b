"""The plan engine: which question to ask next, and the plan for a set of answers.

Pure functions over a loaded Pack and a mapping of answers; no I/O. A step is in the plan
unless its condition is definitely false, so an unknown answer never removes a step that might
apply; such steps are marked "may apply" and say which answers are missing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ally.knowledge import conditions
from ally.knowledge.answers import describe, with_checklist
from ally.knowledge.deadlines import (
    NO_FACTS,
    ClockFacts,
    counted,
    deadline_clock,
    describe_length,
    with_facts,
)
from ally.knowledge.messages import message
from ally.knowledge.priority import Arrangement, arrange
from ally.knowledge.schema import Contact, Pack, Question, QuestionType, Step
from ally.model.answers import NOT_APPLICABLE, AnswerValue, TriedAnswer
from ally.model.plan import (
    Plan,
    PlanContact,
    PlanDeadline,
    PlanEscalation,
    PlanNotice,
    PlanSource,
    PlanStep,
    Reason,
)

Answers = Mapping[str, AnswerValue]


def effective_answers(pack: Pack, answers: Answers) -> dict[str, AnswerValue]:
    """The answers plus NOT_APPLICABLE for every unanswered question whose ask_if is false.

    Without this, a step about websites would stay "may apply" for someone harassed only at
    work, because the "where online" question is (rightly) never asked of them.
    """
    effective = with_checklist(pack, answers)
    changed = True
    while changed:
        changed = False
        for question in pack.questions:
            if question.id not in effective and _holds(question.ask_if, effective) is False:
                effective[question.id] = NOT_APPLICABLE
                changed = True
    return effective


def _holds(condition: str | bool, answers: Answers) -> bool | None:
    return conditions.evaluate(conditions.parse(condition), answers)


def _askable(pack: Pack, question: Question, answers: Answers) -> bool:
    """Not yet asked, not answered through a checklist, and its ask_if is true or unknown
    only because of declined answers."""
    if question.id in answers or question.id in pack.answered_by():
        return False
    node = conditions.parse(question.ask_if)
    result = conditions.evaluate(node, answers)
    if result is None:
        return not conditions.open_questions(node, answers, frozenset(answers))
    return result


def question_scores(pack: Pack, answers: Answers) -> Counter[str]:
    """For each question not yet asked: how many undecided parts of the plan it could decide."""
    answers = effective_answers(pack, answers)
    asked = frozenset(answers)
    scores: Counter[str] = Counter()
    possible_steps = [step for step in pack.steps if _holds(step.when, answers) is not False]
    for item_condition in _conditions(pack, possible_steps):
        node = conditions.parse(item_condition)
        for question_id in conditions.open_questions(node, answers, asked):
            scores[question_id] += 1
    for step in possible_steps:
        for deadline_id in step.deadlines:
            deadline = pack.deadline(deadline_id)
            start_unknown = deadline.starts not in asked and not deadline.starts.startswith(
                "event:"
            )
            worth_asking = start_unknown and deadline.asks_start
            if worth_asking and _holds(deadline.when, answers) is not False:
                scores[deadline.starts] += 1
    _credit_gates(pack, answers, asked, scores)
    for target, (checklist, _value) in pack.answered_by().items():
        # A question answered through a checklist is decided by asking the checklist, which
        # counts as much as the most deciding of its questions (not their sum): it then comes
        # where those questions came, after "where" and "who".
        if checklist not in asked:
            scores[checklist] = max(scores[checklist], scores.pop(target, 0))
    for question in pack.questions:
        # "Whom have you told?" matters once some step it could mark as taken is possible;
        # it counts for one, so it comes after the questions that shape the plan.
        tried = question.type is QuestionType.TRIED and question.id not in asked
        if tried and _tried_options(question, possible_steps):
            scores[question.id] += 1
    return scores


def _credit_gates(
    pack: Pack, answers: Answers, asked: frozenset[str], scores: Counter[str]
) -> None:
    """A question that matters but waits on its ``ask_if`` makes the questions it waits on
    matter too: otherwise neither would ever be asked (the posted-address question waits on
    threats and stalking, which the rest of the plan may no longer need)."""
    for question in pack.questions:
        if question.id in asked or not scores[question.id]:
            continue
        node = conditions.parse(question.ask_if)
        if conditions.evaluate(node, answers) is None:
            for gate in conditions.open_questions(node, answers, asked):
                scores[gate] += 1


def _tried_options(question: Question, steps: list[Step]) -> list[str]:
    keys = {step.tried_key() for step in steps}
    return [option.value for option in question.options if option.value in keys]


def tried_options(pack: Pack, question: Question, answers: Answers) -> list[str]:
    """The ``tried`` choices worth showing: routes of steps these answers may still include."""
    answers = effective_answers(pack, answers)
    possible = [step for step in pack.steps if _holds(step.when, answers) is not False]
    return _tried_options(question, possible)


def _conditions(pack: Pack, possible_steps: list[Step]) -> list[str | bool]:
    """The conditions a question could still decide: every step's and notice's, and those of
    the deadlines of steps that may still be in the plan. A deadline is shown only with its
    step, so asking what decides a deadline of a step already ruled out changes nothing (the
    Australian sexual-harassment limit of a work-only step, for someone harassed online)."""
    found: list[str | bool] = [step.when for step in pack.steps]
    cited = {deadline_id for step in possible_steps for deadline_id in step.deadlines}
    found += [deadline.when for deadline in pack.deadlines if deadline.id in cited]
    found += [notice.when for notice in pack.notices]
    return found


def next_question(pack: Pack, answers: Answers) -> Question | None:
    """The question that decides the most of the plan; None when nothing left matters."""
    answers = effective_answers(pack, answers)
    askable = [question for question in pack.questions if _askable(pack, question, answers)]
    for question in askable:
        if question.ask_first:
            return question
    scores = question_scores(pack, answers)
    best: Question | None = None
    for question in askable:
        if scores[question.id] > 0 and (best is None or scores[question.id] > scores[best.id]):
            best = question
    return best


def remaining_estimate(pack: Pack, answers: Answers) -> int:
    """How many more questions may still be asked, for a progress indicator."""
    answers = effective_answers(pack, answers)
    scores = question_scores(pack, answers)
    return sum(
        1 for q in pack.questions if _askable(pack, q, answers) and (scores[q.id] or q.ask_first)
    )


@dataclass(frozen=True)
class _Context:
    pack: Pack
    answers: Answers
    today: dt.date
    given: Answers = field(default_factory=dict)
    """The person's own answers (``answers`` has the journal's last incident and N/A added)."""
    clocks: ClockFacts = NO_FACTS


def build_plan(
    pack: Pack,
    answers: Answers,
    today: dt.date,
    *,
    clocks: ClockFacts | None = None,
    tried: TriedAnswer | None = None,
) -> Plan:
    """The plan for these answers, with every step's reasons, contacts, deadlines and sources.

    ``clocks`` are the journal's incident dates and the case's events, when the caller has
    them: deadlines then start from them as well (``deadlines.deadline_clock``), and so does
    any condition on the last incident. ``tried`` adds what the case tracker recorded to the
    person's own ``tried`` answer (the tracker's word wins: it is the later one).
    """
    given = answers
    facts = clocks or NO_FACTS
    answers = effective_answers(pack, with_facts(pack, answers, facts))
    context = _Context(pack, answers, today, given, facts)
    included = {step.id: step for step in pack.steps if _holds(step.when, answers) is not False}
    replaced = _not_the_harasser(included, answers)
    notices = [
        PlanNotice(
            id=notice.id,
            title=notice.title,
            text=notice.text,
            still_possible=[step_id for step_id in notice.still_possible if step_id in included],
            safety=notice.safety,
            sources=notice.sources,
        )
        for notice in pack.notices
        if _holds(notice.when, answers) is True
    ]
    built = {step.id: _plan_step(context, step, included) for step in included.values()}
    taken = _tried_answer(answers, tried)
    steps = arrange(
        pack,
        [built[step_id] for step_id in included],
        Arrangement(
            answers=answers,
            today=today,
            tried=taken,
            replaced=replaced,
            rules=[
                rule for rule in pack.notices if rule.safety and rule.id in {n.id for n in notices}
            ],
        ),
    )
    plan_steps = steps.ordered
    return Plan(
        pack=pack.id,
        pack_name=pack.name,
        lineage=pack.lineage,
        facts_checked=pack.checked,
        today=today,
        emergency_number=pack.emergency_number,
        start_here=steps.start_here,
        deadlines=steps.deadlines,
        phases=steps.sections,
        notices=notices,
        answers=_answer_summary(pack, given),
        language=pack.language,
        disclaimer=message(pack.language, "disclaimer"),
        sources=_cited_sources(pack, plan_steps, notices),
        untranslated=_shows_untranslated(pack, plan_steps, notices),
    )


def _not_the_harasser(included: dict[str, Step], answers: Answers) -> dict[str, Step]:
    """Leave out steps addressed to the harasser; return {step taking its place: step left out}.

    Only a definite answer removes a step: "I'd rather not say" keeps every step.
    """
    harasser = answers.get("harasser")
    named = set(harasser) if isinstance(harasser, list) else set()
    replaced: dict[str, Step] = {}
    for step in list(included.values()):
        if named & set(step.addressed_to):
            del included[step.id]
            if step.instead and step.instead in included:
                replaced.setdefault(step.instead, step)
    return replaced


def _tried_answer(answers: Answers, extra: TriedAnswer | None) -> TriedAnswer:
    own = answers.get("tried")
    found: TriedAnswer = dict(own) if isinstance(own, dict) else {}
    found.update(extra or {})
    return found


def _shows_untranslated(
    pack: Pack, steps: Sequence[PlanStep], notices: Sequence[PlanNotice]
) -> bool:
    """Whether anything this plan shows is still in the original language (said, not hidden)."""
    if not pack.untranslated:
        return False
    shown = {f"steps.{step.id}" for step in steps}
    shown |= {f"notices.{notice.id}" for notice in notices}
    shown |= {f"deadlines.{deadline.id}" for step in steps for deadline in step.deadlines}
    return bool(shown & set(pack.untranslated))


def _plan_step(context: _Context, step: Step, included: Mapping[str, Step]) -> PlanStep:
    node = conditions.parse(step.when)
    certain = conditions.evaluate(node, context.answers) is True
    matched = conditions.matched_options(node, context.answers)
    why = [
        _reason(context, question_id, matched.get(question_id))
        for question_id in conditions.reasons(node, context.answers)
    ]
    deadlines = [
        built
        for deadline_id in step.deadlines
        if (built := _plan_deadline(context, deadline_id)) is not None
    ]
    escalation = [
        PlanEscalation(
            on=edge.on,
            after_days=edge.after_days,
            to=edge.to,
            to_title=included[edge.to].title,
            says=edge.says,
        )
        for edge in step.escalation
        if edge.to in included
    ]
    contacts, sources = _fitting_contacts(context, step)
    return PlanStep(
        id=step.id,
        title=step.title,
        route=step.route.value,
        phase=step.phase.value,
        urgency=step.urgency.value,
        certainty="applies" if certain else "may_apply",
        summary=step.summary,
        who=step.who,
        how=step.how,
        bring=step.bring,
        why=why,
        contacts=contacts,
        deadlines=deadlines,
        escalation=escalation,
        sources=sources,
    )


def _fitting_contacts(context: _Context, step: Step) -> tuple[list[PlanContact], list[str]]:
    """The step's contacts whose ``contacts_when`` holds or may hold, and its sources without
    those that were there only for a contact left out (a domestic-abuse line's page is not
    cited to a worker who is not given the line)."""
    kept: list[Contact] = []
    dropped: list[Contact] = []
    for contact_id in step.contacts:
        contact = context.pack.contact(contact_id)
        fits = _holds(step.contacts_when.get(contact_id, True), context.answers) is not False
        (kept if fits else dropped).append(contact)
    only_dropped = {s for c in dropped for s in c.sources} - {s for c in kept for s in c.sources}
    sources = [source for source in step.sources if source not in only_dropped]
    return [PlanContact(**contact.model_dump()) for contact in kept], sources or step.sources


def _reason(context: _Context, question_id: str, matched: list[str] | None = None) -> Reason:
    """One reason; for several-choice answers, only the choices that made the step apply."""
    question = context.pack.question(question_id)
    value = context.answers.get(question_id)
    answer, known = describe(question, matched or value, context.pack.language)
    return Reason(question=question_id, summary=question.summary, answer=answer, known=known)


def _plan_deadline(context: _Context, deadline_id: str) -> PlanDeadline | None:
    deadline = context.pack.deadline(deadline_id)
    applies = _holds(deadline.when, context.answers)
    if applies is False:
        return None
    if deadline.starts.startswith("event:"):
        starts_from = deadline.starts.removeprefix("event:").replace("_", " ")
    else:
        starts_from = context.pack.question(deadline.starts).summary
    clock = deadline_clock(context.pack, deadline, context.given, context.clocks)
    return PlanDeadline(
        id=deadline.id,
        title=deadline.title,
        body=deadline.body,
        starts_from=starts_from,
        start=clock.start,
        due=clock.due,
        days_left=(clock.due - context.today).days if clock.due else None,
        approximate_start=clock.basis == "answer_first_day",
        start_basis=clock.basis,
        counted=counted(deadline, clock, starts_from, context.clocks, context.pack.language),
        how_counted=describe_length(deadline, context.pack.language),
        note=deadline.note,
        certainty="applies" if applies else "may_apply",
        sources=deadline.sources,
    )


def _answer_summary(pack: Pack, answers: Answers) -> list[Reason]:
    summary = []
    for question in pack.questions:
        if question.id in answers:
            answer, known = describe(question, answers[question.id], pack.language)
            summary.append(
                Reason(question=question.id, summary=question.summary, answer=answer, known=known)
            )
    return summary


def _cited_sources(
    pack: Pack, steps: list[PlanStep], notices: list[PlanNotice]
) -> list[PlanSource]:
    cited: list[str] = []
    for step in steps:
        cited += step.sources
        for contact in step.contacts:
            cited += contact.sources
        for deadline in step.deadlines:
            cited += deadline.sources
    for notice in notices:
        cited += notice.sources
    return [
        PlanSource(**pack.source(source_id).model_dump(exclude={"general"}))
        for source_id in dict.fromkeys(cited)
    ]
