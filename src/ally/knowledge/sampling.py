"""Random answers, and an interview walked through with them: how the interview's length is
measured (issue 15), by the tests and by ``benchmarks/plan.py`` alike.

It lives in the package, not in the tests, so that the benchmark (which imports only from
the package) and the tests count the same questions the same way.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from ally.knowledge.interview import Interview
from ally.knowledge.schema import Pack, Question, QuestionType
from ally.model.answers import RATHER_NOT_SAY, TRIED_OUTCOMES, ApproxDate, Tried


def random_answer(question: Question, rng: random.Random, today: dt.date) -> Any:
    """Any answer a person could give, declining now and then; a date on or before ``today``,
    sometimes only its month (as people often remember it)."""
    if rng.random() < 0.15:
        return RATHER_NOT_SAY
    values = [option.value for option in question.options]
    if question.type is QuestionType.YESNO:
        return rng.choice(["yes", "no"])
    if question.type is QuestionType.ONE:
        return rng.choice(values)
    if question.type is QuestionType.MULTI:
        return rng.sample(values, rng.randint(1, min(3, len(values))))
    if question.type is QuestionType.NUMBER:
        return rng.choice([1, 4, 10, 14, 15, 20, 100, 5000])
    if question.type is QuestionType.TRIED:
        told = rng.sample(values, rng.randint(0, 2))
        return {key: Tried(outcome=rng.choice(TRIED_OUTCOMES)) for key in told} or RATHER_NOT_SAY
    day = today - dt.timedelta(days=rng.randint(0, 900))
    return ApproxDate.parse(day if rng.random() < 0.7 else f"{day.year}-{day.month:02d}")


def questions_shown(
    pack: Pack, rng: random.Random, today: dt.date, context: list[str] | None = None
) -> list[str]:
    """The questions one interview shows, answered at random (``context`` fixed if given).

    Counted as a person meets them: "already tried" included; the answers a checklist gives
    are not questions shown; the ``us`` pack's state question is not counted (it chooses the
    pack, as choosing ``us-ca`` from the list does, and each state pack is measured itself).
    """
    interview = Interview(pack, today=today)
    shown: list[str] = []
    while (question := interview.current()) is not None:
        if question.id == "context" and context is not None:
            value: Any = context
        else:
            value = random_answer(question, rng, today)
        interview.answer(question.id, value)
        if not any(option.pack for option in question.options):  # the state: a pack choice
            shown.append(question.id)
    return shown
