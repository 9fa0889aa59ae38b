"""An interview in progress: the answers so far, going back, and the plan at the end.

Both shells drive this same object: the terminal interview and the web pages. It holds no
I/O; saving and resuming is the caller's business (answers are plain data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ally.knowledge import conditions
from ally.knowledge.answers import normalise_answer, with_checklist
from ally.knowledge.engine import build_plan, effective_answers, next_question, question_scores
from ally.knowledge.loader import builtin_pack_ids, load_pack
from ally.knowledge.schema import Pack, Question
from ally.model.answers import RATHER_NOT_SAY, AnswerValue
from ally.model.plan import Plan, PlanContact, PlanStep


class Interview:
    """The answers so far, the order they were given in, and where the person is.

    ``history`` is the order questions were answered in. Going back moves ``cursor`` through
    it without forgetting anything: the question shows the answer given before (ticked), and
    answering it again moves on to the next question already answered, so nothing else has
    to be typed again. Answers to questions that no longer arise are dropped then.
    """

    def __init__(
        self,
        pack: Pack,
        answers: dict[str, AnswerValue] | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.pack = pack
        self.answers: dict[str, AnswerValue] = with_checklist(pack, answers or {})
        self.history: list[str] = asked(pack, self.answers)
        self.today = today
        """Dates typed as words ("last week") are counted from it; later dates are refused."""
        self.cursor: int | None = None
        """The index in ``history`` of the question shown while going back; None at the end."""
        self.chosen: dict[str, AnswerValue] = {}
        """Answers that chose a pack (the US state), which are the pack rather than an answer."""

    def current(self) -> Question | None:
        """The next question to ask, or None when the plan is ready."""
        if self.cursor is not None:
            return self.pack.question(self.history[self.cursor])
        return next_question(self.pack, self.answers)

    def previous(self, question_id: str) -> AnswerValue | None:
        """The answer already given to a question (shown ticked when going back)."""
        if question_id in self.answers:
            return self.answers[question_id]
        if question_id in self.chosen:
            return self.chosen[question_id]
        # A checklist not yet answered, over yes/no answers given before (an older answers
        # file): its choices show ticked where those answers were yes.
        ticked = [
            value
            for target, (checklist, value) in self.pack.answered_by().items()
            if checklist == question_id and self.answers.get(target) == "yes"
        ]
        return ticked or None

    def answer(self, question_id: str, value: Any) -> None:
        """Record an answer (raises AnswersError if it does not fit the question).

        An answer that names a pack (the US state) continues the interview in that pack,
        keeping every other answer; the choice itself is the pack, not an answer.
        """
        question = self.pack.question(question_id)
        normalised = normalise_answer(question, value, today=self.today, order=self.pack.date_order)
        target = chosen_pack(question, normalised)
        if target is not None:
            self.chosen[question_id] = normalised
            self.answers.pop(question_id, None)
            if target != self.pack.id:
                self.pack = load_pack(target, self.pack.language)
        else:
            self.chosen.pop(question_id, None)
            self.answers[question_id] = normalised
            self._set_by_checklist(question_id)
        if self.cursor is not None and self.history[self.cursor] == question_id:
            self._move_on()
            return
        if question_id in self.history:
            self.history.remove(question_id)
        self.history.append(question_id)

    def _set_by_checklist(self, checklist: str) -> None:
        """Answer (again) the yes/no questions a checklist answers, so that letters and the
        case see them as if each had been asked; a second answer replaces the first."""
        targets = [t for t, (c, _v) in self.pack.answered_by().items() if c == checklist]
        for target in targets:
            self.answers.pop(target, None)
            if self.cursor is None and target in self.history:
                self.history.remove(target)  # answered again, through the checklist
        self.answers.update(with_checklist(self.pack, self.answers))

    def skip(self, question_id: str) -> None:
        """'I'd rather not say': a real answer, never asked again, never blocks the plan."""
        self.answer(question_id, RATHER_NOT_SAY)

    def back(self) -> Question | None:
        """Show the question before this one with its answer kept, or None at the start."""
        if self.cursor is None:
            if not self.history:
                return None
            self.cursor = len(self.history) - 1
        elif self.cursor == 0:
            return None
        else:
            self.cursor -= 1
        question_id = self.history[self.cursor]
        if all(question.id != question_id for question in self.pack.questions):
            # The state question: going back over it returns to the pack that asks it.
            self.pack = load_pack(self.pack.lineage[1], self.pack.language)
        return self.pack.question(question_id)

    def _move_on(self) -> None:
        """After answering again while going back: on to the next question already answered
        that still arises, dropping the answers of those that no longer do."""
        assert self.cursor is not None
        index = self.cursor + 1
        while index < len(self.history):
            question_id = self.history[index]
            if self._still_arises(question_id):
                self.cursor = index
                return
            del self.history[index]
            self.answers.pop(question_id, None)
            self.chosen.pop(question_id, None)
            for target, (checklist, _value) in self.pack.answered_by().items():
                if checklist == question_id:
                    self.answers.pop(target, None)
        self.cursor = None

    def _still_arises(self, question_id: str) -> bool:
        known = {question.id: question for question in self.pack.questions}
        if question_id not in known:
            return False
        others = {key: value for key, value in self.answers.items() if key != question_id}
        return holds(known[question_id].ask_if, effective_answers(self.pack, others)) is not False

    def progress(self) -> tuple[int, int]:
        """(the number of this question minus one, how many may follow after it).

        The total is an upper bound that only shrinks as answers come in (questions that
        can no longer change the plan drop out; questions that may yet arise are counted from
        the start), so "Question 3 of about 9" does not wobble from one question to the next.
        """
        asked = len(self.history)
        done = self.cursor if self.cursor is not None else asked
        return done, asked - done + questions_left(self.pack, self.answers)

    def plan(self, today: dt.date) -> Plan:
        return build_plan(self.pack, self.answers, today)

    @classmethod
    def from_document(
        cls,
        pack: Pack,
        answers: dict[str, AnswerValue],
        order: list[str],
        today: dt.date | None = None,
    ) -> Interview:
        """Resume with the answers and the order they were given in, so Back works as before."""
        interview = cls(pack, answers, today)
        interview.history = [qid for qid in order if qid in answers]
        interview.history += [
            qid for qid in asked(pack, interview.answers) if qid not in interview.history
        ]
        return interview

    def to_document(self) -> dict[str, Any]:
        """The answers as an answers-file mapping, for saving and resuming."""
        answers: dict[str, Any] = {}
        for key, value in self.answers.items():
            if isinstance(value, dict):  # the `tried` answer: {route: {outcome, on}}
                answers[key] = {route: item.document() for route, item in value.items()}
            else:
                answers[key] = value if isinstance(value, str | int | list) else str(value)
        return {"pack": self.pack.id, "answers": answers}

    def position(self) -> dict[str, Any]:
        """Where the person is (order, going back, pack choices), for a web session."""
        chosen = {key: str(value) for key, value in self.chosen.items()}
        return {"history": list(self.history), "cursor": self.cursor, "chosen": chosen}

    def restore(self, position: dict[str, Any]) -> None:
        """Undo ``position()``: ignore what no longer fits (an updated pack)."""
        chosen = position.get("chosen") or {}
        self.chosen = {key: value for key, value in chosen.items() if isinstance(value, str)}
        known = set(self.answers) | set(self.chosen)
        order = [qid for qid in position.get("history") or [] if qid in known]
        self.history = order + [qid for qid in asked(self.pack, self.answers) if qid not in order]
        cursor = position.get("cursor")
        self.cursor = None
        if isinstance(cursor, int) and 0 <= cursor < len(self.history):
            self.cursor = cursor
            if all(question.id != self.history[cursor] for question in self.pack.questions):
                self.pack = load_pack(self.pack.lineage[1], self.pack.language)


@dataclass(frozen=True)
class SafetyNow:
    """What a person in danger needs at once, before any other question: the emergency
    number, two or three things to do now, and whom to call. Taken from the pack's safety
    steps that apply for certain to the answers so far (so it is translated with the pack)."""

    emergency_number: str | None
    actions: list[str] = field(default_factory=list)
    contacts: list[PlanContact] = field(default_factory=list)
    steps: list[PlanStep] = field(default_factory=list)


def danger_said(pack: Pack, answers: dict[str, AnswerValue]) -> bool:
    """True when the person answered yes to an ``ask_first`` (immediate danger) question."""
    return any(
        question.ask_first and question.type == "yesno" and answers.get(question.id) == "yes"
        for question in pack.questions
    )


def safety_now(
    pack: Pack, answers: dict[str, AnswerValue], today: dt.date, most: int = 3
) -> SafetyNow:
    """The safety information gathered so far: the safety steps that apply for certain,
    their first ``most`` actions in plan order, and their contacts (each once)."""
    plan = build_plan(pack, answers, today)
    steps = [
        step
        for step in plan.steps()
        if step.phase == "safety" and step.certainty == "applies" and step.urgency == "now"
    ]
    actions = [action for step in steps for action in (step.how or [step.title])][:most]
    contacts: dict[str, PlanContact] = {}
    for step in steps:
        for contact in step.contacts:
            # Emergency lines only: which helpline fits is not known yet (a domestic-abuse
            # line is not for a café worker threatened by a customer).
            if contact.emergency or step.route == "police_emergency":
                contacts.setdefault(contact.id, contact)
    return SafetyNow(plan.emergency_number, actions, list(contacts.values()), steps)


def questions_left(pack: Pack, answers: dict[str, AnswerValue]) -> int:
    """Unanswered questions that may still be asked: those that could change the plan,
    including those whose ``ask_if`` is not yet decided (so they are counted before, not
    added later), and ``ask_first`` ones."""
    effective = effective_answers(pack, answers)
    scores = question_scores(pack, answers)
    return sum(
        1
        for question in pack.questions
        if question.id not in effective
        and holds(question.ask_if, effective) is not False
        and (scores[question.id] or question.ask_first)
    )


def asked(pack: Pack, answers: Mapping[str, AnswerValue]) -> list[str]:
    """The questions these answers were given to, without those answered through a
    checklist that was itself answered (never shown on their own)."""
    by = pack.answered_by()
    return [qid for qid in answers if qid not in by or by[qid][0] not in answers]


def holds(condition: str | bool, answers: dict[str, AnswerValue]) -> bool | None:
    """True, false or None (unknown) for a condition over these answers."""
    return conditions.evaluate(conditions.parse(condition), answers)


def chosen_pack(question: Question, value: object) -> str | None:
    """The pack an answer continues in (an option with ``pack``), or None."""
    for option in question.options:
        if option.pack is not None and option.value == value:
            return option.pack
    return None


def follow_pack_choice(
    pack: Pack, answers: dict[str, AnswerValue]
) -> tuple[Pack, dict[str, AnswerValue]]:
    """For an answers file: ``pack: us`` with ``state: ohio`` is the ``us-oh`` pack's plan."""
    for question in pack.questions:
        target = chosen_pack(question, answers.get(question.id))
        if target is not None:
            rest = {key: value for key, value in answers.items() if key != question.id}
            if target == pack.id:
                return pack, rest
            return follow_pack_choice(load_pack(target, pack.language), rest)
    return pack, answers


def starting_pack_ids() -> list[str]:
    """The packs a person chooses from at the start: every pack but those reached through
    another pack's question (the US states are chosen inside the ``us`` pack)."""
    ids = builtin_pack_ids()
    reached = {
        option.pack
        for pack_id in ids
        for question in load_pack(pack_id).questions
        for option in question.options
        if option.pack is not None and option.pack != pack_id
    }
    return [pack_id for pack_id in ids if pack_id not in reached]
