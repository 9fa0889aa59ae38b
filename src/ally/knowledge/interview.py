"""An interview in progress: the answers so far, going back, and the plan at the end.

Both shells drive this same object: the terminal interview and the web pages. It holds no
I/O; saving and resuming is the caller's business (answers are plain data).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ally.knowledge.answers import normalise_answer
from ally.knowledge.engine import build_plan, next_question, remaining_estimate
from ally.knowledge.loader import builtin_pack_ids, load_pack
from ally.knowledge.schema import Pack, Question
from ally.model.answers import RATHER_NOT_SAY, AnswerValue
from ally.model.plan import Plan


class Interview:
    def __init__(self, pack: Pack, answers: dict[str, AnswerValue] | None = None) -> None:
        self.pack = pack
        self.answers: dict[str, AnswerValue] = dict(answers or {})
        self.history: list[str] = list(self.answers)

    def current(self) -> Question | None:
        """The next question to ask, or None when the plan is ready."""
        return next_question(self.pack, self.answers)

    def answer(self, question_id: str, value: Any) -> None:
        """Record an answer (raises AnswersError if it does not fit the question).

        An answer that names a pack (the US state) continues the interview in that pack,
        keeping every other answer; the choice itself is the pack, not an answer.
        """
        question = self.pack.question(question_id)
        normalised = normalise_answer(question, value)
        target = chosen_pack(question, normalised)
        if target is not None:
            if target != self.pack.id:
                self.pack = load_pack(target, self.pack.language)
        else:
            self.answers[question_id] = normalised
        if question_id in self.history:
            self.history.remove(question_id)
        self.history.append(question_id)

    def skip(self, question_id: str) -> None:
        """'I'd rather not say': a real answer, never asked again, never blocks the plan."""
        self.answer(question_id, RATHER_NOT_SAY)

    def back(self) -> Question | None:
        """Forget the last answer and return its question, or None at the start."""
        if not self.history:
            return None
        question_id = self.history.pop()
        self.answers.pop(question_id, None)
        if all(question.id != question_id for question in self.pack.questions):
            # The state question: going back over it returns to the pack that asks it.
            self.pack = load_pack(self.pack.lineage[1], self.pack.language)
        return self.pack.question(question_id)

    def progress(self) -> tuple[int, int]:
        """(questions answered, an estimate of how many may follow)."""
        return len(self.history), remaining_estimate(self.pack, self.answers)

    def plan(self, today: dt.date) -> Plan:
        return build_plan(self.pack, self.answers, today)

    @classmethod
    def from_document(
        cls, pack: Pack, answers: dict[str, AnswerValue], order: list[str]
    ) -> Interview:
        """Resume with the answers and the order they were given in, so Back works as before."""
        interview = cls(pack, answers)
        interview.history = [qid for qid in order if qid in answers]
        interview.history += [qid for qid in answers if qid not in interview.history]
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
