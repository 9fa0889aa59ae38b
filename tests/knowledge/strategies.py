"""Hypothesis strategies: random but valid answers to any pack's questions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from ally.knowledge.schema import Pack, Question, QuestionType
from ally.model.answers import NOT_SURE, RATHER_NOT_SAY, TRIED_OUTCOMES, ApproxDate, Tried


def answer_for(question: Question) -> st.SearchStrategy[Any]:
    unknown = st.sampled_from([RATHER_NOT_SAY, NOT_SURE])
    values = [option.value for option in question.options]
    known: st.SearchStrategy[Any]
    if question.type is QuestionType.YESNO:
        known = st.sampled_from(["yes", "no"])
    elif question.type is QuestionType.ONE:
        known = st.sampled_from(values)
    elif question.type is QuestionType.MULTI:
        known = st.lists(st.sampled_from(values), min_size=1, max_size=len(values), unique=True)
    elif question.type is QuestionType.NUMBER:
        known = st.integers(0, 100_000)
    elif question.type is QuestionType.TRIED:
        tried = st.builds(
            Tried,
            outcome=st.sampled_from(TRIED_OUTCOMES),
            on=st.none()
            | st.dates(dt.date(2025, 1, 1), dt.date(2026, 11, 25)).map(ApproxDate.parse),
        )
        known = st.dictionaries(st.sampled_from(values), tried, max_size=4)
    else:
        days = st.dates(dt.date(2015, 1, 1), dt.date(2027, 12, 31))
        known = st.one_of(
            days.map(ApproxDate.parse),
            days.map(lambda d: ApproxDate.parse(f"{d.year}-{d.month:02d}")),
            days.map(lambda d: ApproxDate.parse(str(d.year))),
        )
    return st.one_of(known, known, unknown)


def answers_for(pack: Pack) -> st.SearchStrategy[dict[str, Any]]:
    """Some questions answered, some declined, some never asked."""
    return st.fixed_dictionaries(
        {}, optional={question.id: answer_for(question) for question in pack.questions}
    )
