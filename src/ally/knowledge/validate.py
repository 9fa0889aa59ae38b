"""Cross-checks that a merged pack hangs together: every reference resolves, every condition
parses and names real questions and options, every fact has a source.

Field-level checks live in the pydantic schema; these are the checks a schema cannot express.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from ally.errors import ConditionSyntaxError, PackProblem
from ally.knowledge import conditions
from ally.knowledge.schema import Pack, Question, QuestionType

if TYPE_CHECKING:
    from collections.abc import Mapping


class _Origin(Protocol):
    file: str

    def line(self, *loc: int | str) -> int | None: ...


YESNO_VALUES = ("yes", "no")


class _Checker:
    def __init__(self, pack: Pack, origins: Mapping[tuple[str, str], _Origin]) -> None:
        self.pack = pack
        self.origins = origins
        self.problems: list[PackProblem] = []
        self.ids = {
            kind: {item.id for item in getattr(pack, kind)}
            for kind in ("questions", "steps", "contacts", "deadlines", "notices", "sources")
        }

    def report(self, kind: str, item_id: str, loc: tuple[int | str, ...], message: str) -> None:
        origin = self.origins.get((kind, item_id))
        file = origin.file if origin else f"{self.pack.id}/pack.yaml"
        line = origin.line(*loc) if origin else None
        field = ".".join([kind, item_id, *(str(part) for part in loc)])
        self.problems.append(PackProblem(file, line, field, message))

    def refs(self, kind: str, item_id: str, field: str, target: str, values: list[str]) -> None:
        for index, value in enumerate(values):
            if value not in self.ids[target]:
                noun = target.rstrip("s")
                self.report(kind, item_id, (field, index), f"there is no {noun} with id {value!r}")

    def condition(self, kind: str, item_id: str, field: str, text: str | bool) -> None:
        try:
            node = conditions.parse(text)
        except ConditionSyntaxError as error:
            self.report(kind, item_id, (field,), f"cannot read the condition: {error}")
            return
        for compare in conditions.comparisons(node):
            message = self.comparison_problem(compare)
            if message:
                self.report(kind, item_id, (field,), message)

    def comparison_problem(self, compare: conditions.Compare) -> str | None:
        if compare.question not in self.ids["questions"]:
            return f"the condition names {compare.question!r}, which is not a question in this pack"
        question = self.pack.question(compare.question)
        allowed = _allowed_values(question)
        values = compare.value if isinstance(compare.value, tuple) else (compare.value,)
        if compare.op in ("<", "<=", ">", ">="):
            is_date = isinstance(compare.value, dt.date)
            if question.type is QuestionType.DATE and is_date:
                return None
            if question.type is QuestionType.NUMBER and not is_date:
                return None
            return (
                f"{compare.op} compares numbers with number questions and dates (YYYY-MM-DD) "
                f"with date questions; {question.id!r} is a {question.type} question"
            )
        if compare.op == "has" and question.type is not QuestionType.MULTI:
            return (
                f"'has' only works on questions with several answers; use 'is' for {question.id!r}"
            )
        if question.type is QuestionType.DATE:
            return f"{question.id!r} is a date question: compare it with <, <=, > or >= and a date"
        if question.type is QuestionType.NUMBER:
            if any(not isinstance(value, int | float) for value in values):
                return f"{question.id!r} takes a number"
            return None
        for value in values:
            if value not in allowed:
                choices = ", ".join(allowed)
                return f"{value!r} is not an answer to {question.id!r} (answers: {choices})"
        return None

    def run(self) -> list[PackProblem]:
        for question in self.pack.questions:
            self.question(question)
        for step in self.pack.steps:
            self.step(step.id)
        for deadline in self.pack.deadlines:
            self.deadline(deadline.id)
        for contact in self.pack.contacts:
            self.refs("contacts", contact.id, "sources", "sources", contact.sources)
        for notice in self.pack.notices:
            self.condition("notices", notice.id, "when", notice.when)
            self.refs("notices", notice.id, "still_possible", "steps", notice.still_possible)
            self.refs("notices", notice.id, "first", "steps", notice.first)
            self.refs("notices", notice.id, "warn", "steps", notice.warn)
            self.refs("notices", notice.id, "sources", "sources", notice.sources)
        return self.problems

    def question(self, question: Question) -> None:
        choice = question.type in (QuestionType.ONE, QuestionType.MULTI, QuestionType.TRIED)
        if choice and len(question.options) < 2:
            self.report(
                "questions",
                question.id,
                ("options",),
                "a choice question needs at least two options",
            )
        if not choice and question.options:
            self.report(
                "questions",
                question.id,
                ("options",),
                f"a {question.type} question takes no options",
            )
        values = [option.value for option in question.options]
        for duplicate in sorted({v for v in values if values.count(v) > 1}):
            self.report(
                "questions", question.id, ("options",), f"the option {duplicate!r} appears twice"
            )
        for index, option in enumerate(question.options):
            if option.sets is not None:
                self.sets(question, index, option.sets)
        self.condition("questions", question.id, "ask_if", question.ask_if)
        if question.id in _mentioned(question.ask_if):
            self.report("questions", question.id, ("ask_if",), "a question cannot depend on itself")

    def sets(self, question: Question, index: int, target: str) -> None:
        """A choice that answers another question must name a yes/no question of the pack,
        from a several-choice question, and be the only choice that answers it."""
        known = {item.id: item for item in self.pack.questions}
        loc = ("options", index, "sets")
        if question.type is not QuestionType.MULTI:
            self.report("questions", question.id, loc, "only a several-choice option can set")
        elif target not in known or known[target].type is not QuestionType.YESNO:
            self.report("questions", question.id, loc, f"{target!r} is not a yes/no question")
        elif self.pack.answered_by().get(target) != (question.id, question.options[index].value):
            self.report("questions", question.id, loc, f"{target!r} is set by two choices")

    def step(self, step_id: str) -> None:
        step = self.pack.step(step_id)
        self.condition("steps", step.id, "when", step.when)
        self.refs("steps", step.id, "contacts", "contacts", step.contacts)
        for contact_id, condition in step.contacts_when.items():
            if contact_id not in step.contacts:
                self.report(
                    "steps",
                    step.id,
                    ("contacts_when", contact_id),
                    f"{contact_id!r} is not one of this step's contacts",
                )
            self.condition("steps", step.id, "contacts_when", condition)
        self.refs("steps", step.id, "deadlines", "deadlines", step.deadlines)
        self.refs("steps", step.id, "sources", "sources", step.sources)
        if step.primary is not None:
            self.condition("steps", step.id, "primary", step.primary.when)
        if step.instead is not None:
            self.refs("steps", step.id, "instead", "steps", [step.instead])
        for index, edge in enumerate(step.escalation):
            if edge.to not in self.ids["steps"]:
                self.report(
                    "steps",
                    step.id,
                    ("escalation", index, "to"),
                    f"there is no step with id {edge.to!r}",
                )
            if edge.to == step.id:
                self.report(
                    "steps",
                    step.id,
                    ("escalation", index, "to"),
                    "a step cannot escalate to itself",
                )
            if edge.on == "no_answer" and edge.after_days is None:
                self.report(
                    "steps",
                    step.id,
                    ("escalation", index),
                    "'no_answer' needs after_days: how long to wait",
                )

    def deadline(self, deadline_id: str) -> None:
        deadline = self.pack.deadline(deadline_id)
        self.condition("deadlines", deadline.id, "when", deadline.when)
        self.refs("deadlines", deadline.id, "sources", "sources", deadline.sources)
        length = deadline.length
        if length.days + length.weeks + length.months + length.years == 0:
            self.report("deadlines", deadline.id, ("length",), "the deadline has no length")
        starts = deadline.starts
        if starts.startswith("event:"):
            if len(starts) <= len("event:"):
                self.report("deadlines", deadline.id, ("starts",), "name the event after 'event:'")
        elif starts not in self.ids["questions"]:
            self.report(
                "deadlines",
                deadline.id,
                ("starts",),
                f"{starts!r} is neither a date question nor event:NAME",
            )
        elif self.pack.question(starts).type is not QuestionType.DATE:
            self.report("deadlines", deadline.id, ("starts",), f"{starts!r} is not a date question")


def _allowed_values(question: Question) -> tuple[str, ...]:
    if question.type is QuestionType.YESNO:
        return YESNO_VALUES
    return tuple(option.value for option in question.options)


def _mentioned(text: str | bool) -> Iterator[str]:
    try:
        node = conditions.parse(text)
    except ConditionSyntaxError:
        return
    for compare in conditions.comparisons(node):
        yield compare.question


def check_references(pack: Pack, origins: Mapping[tuple[str, str], _Origin]) -> list[PackProblem]:
    """Every cross-reference problem in a merged pack, each located where it was written."""
    return _Checker(pack, origins).run()
