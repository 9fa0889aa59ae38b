"""Check and normalise a person's answers against a pack's questions.

Answers arrive from a YAML file, the terminal or a web form. Each is turned into one canonical
form (a string, a list of strings, an int or an ApproxDate) or rejected with a message that
says which question and what would be accepted, without echoing sensitive free text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ally.errors import AnswersError
from ally.knowledge.dates import DateOrder, read_date, read_number
from ally.knowledge.messages import message
from ally.knowledge.schema import Pack, Question, QuestionType
from ally.knowledge.validate import YESNO_VALUES
from ally.model.answers import (
    NOT_APPLICABLE,
    TRIED_OUTCOMES,
    UNKNOWN_ANSWERS,
    AnswerValue,
    ApproxDate,
    Tried,
    TriedAnswer,
)

_SKIP_WORDS = {"skip", "unknown", "rather_not_say", "prefer-not-to-say", "not_sure", "unsure"}


def normalise_answer(
    question: Question, value: Any, *, today: dt.date | None = None, order: DateOrder = "dmy"
) -> AnswerValue:
    """One answer in canonical form, or AnswersError naming the question.

    With ``today``, dates may be typed as people say them ("last week", "28/11/2026",
    "October 1", in the pack's ``order``) and a date after today is refused. Without it
    (answers already stored by Ally) only the canonical forms are read.
    """
    if isinstance(value, str) and value in UNKNOWN_ANSWERS:
        return value
    if isinstance(value, str) and value.strip().lower() in _SKIP_WORDS:
        return "not-sure" if "sure" in value else "rather-not-say"
    kind = question.type
    if kind is QuestionType.YESNO:
        return _yesno(question, value)
    if kind is QuestionType.ONE:
        return _choice(question, value)
    if kind is QuestionType.MULTI:
        values = value if isinstance(value, list) else [value]
        chosen = [_choice(question, item) for item in values]
        if not chosen:
            raise AnswersError(f"{question.id}: choose at least one answer, or 'rather-not-say'.")
        return list(dict.fromkeys(chosen))
    if kind is QuestionType.NUMBER:
        return _number(question, value)
    if kind is QuestionType.TRIED:
        return _tried(question, value)
    return _date(question, value, today, order)


def _tried(question: Question, value: Any) -> TriedAnswer:
    """``{route: {outcome, on}}``; ``{route: outcome}`` and a list of routes are accepted too.

    A bare route or list of routes ("I told HR and the police") means each is waiting for an
    answer.
    """
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        value = dict.fromkeys(value, "waiting")
    if not isinstance(value, Mapping):
        raise AnswersError(
            f"{question.id}: give each route you tried with its outcome, e.g. hr: refused."
        )
    allowed = [option.value for option in question.options]
    found: TriedAnswer = {}
    for key, detail in value.items():
        if key not in allowed:
            raise AnswersError(f"{question.id}: {key!r} is not one of {', '.join(allowed)}.")
        if isinstance(detail, Tried):
            found[key] = detail
            continue
        outcome, on = (detail, None) if not isinstance(detail, Mapping) else _tried_parts(detail)
        if outcome not in TRIED_OUTCOMES:
            raise AnswersError(
                f"{question.id}: the outcome for {key} must be one of {', '.join(TRIED_OUTCOMES)}."
            )
        try:
            day = ApproxDate.parse(on) if on not in (None, "") else None
        except ValueError as error:
            raise AnswersError(f"{question.id}: {key}: {error}.") from error
        found[str(key)] = Tried(outcome=outcome, on=day)
    return found


def _tried_parts(detail: Mapping[Any, Any]) -> tuple[Any, Any]:
    # YAML 1.1 readers turn a bare `on:` key into True; it still means "on".
    detail = {"on" if key is True else key: value for key, value in detail.items()}
    unknown = set(detail) - {"outcome", "on"}
    if unknown:
        raise AnswersError(f"tried: unexpected {', '.join(sorted(map(str, unknown)))}.")
    return detail.get("outcome"), detail.get("on")


def _yesno(question: Question, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.strip().lower() in YESNO_VALUES:
        return value.strip().lower()
    raise AnswersError(f"{question.id}: answer yes, no or rather-not-say.")


def _choice(question: Question, value: Any) -> str:
    allowed = [option.value for option in question.options]
    if isinstance(value, str) and value in allowed:
        return value
    raise AnswersError(
        f"{question.id}: the answer must be one of {', '.join(allowed)} (or rather-not-say)."
    )


def _number(question: Question, value: Any) -> int:
    """'50', 'about 50', '50ish', 'fifty', 'unos 50': the question says a guess is fine."""
    if isinstance(value, bool):
        raise AnswersError(f"{question.id}: the answer must be a whole number.")
    try:
        return read_number(value)
    except AnswersError as error:
        # The message never quotes the person's answer.
        raise AnswersError(f"{question.id}: {error}") from None


def _date(question: Question, value: Any, today: dt.date | None, order: DateOrder) -> ApproxDate:
    if isinstance(value, ApproxDate):
        if today is not None and value.earliest > today:
            raise AnswersError(f"{question.id}: that date is after today. Please check the year.")
        return value
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise AnswersError(f"{question.id}: a date looks like 2026-05-03, or 2026-05.")
    if today is None:
        try:
            return ApproxDate.parse(value)
        except ValueError as error:
            raise AnswersError(f"{question.id}: {error}.") from error
    try:
        return read_date(value, today, order).date
    except AnswersError as error:
        raise type(error)(f"{question.id}: {error}") from None


def normalise_answers(
    pack: Pack, raw: Mapping[str, Any], today: dt.date | None = None
) -> dict[str, AnswerValue]:
    """All answers in canonical form; unknown question ids are an error, not ignored.

    Pass ``today`` for answers a person wrote (an answers file): dates may then be typed as
    people say them and dates after today are refused.
    """
    known = {question.id: question for question in pack.questions}
    result: dict[str, AnswerValue] = {}
    for key, value in raw.items():
        if key not in known:
            raise AnswersError(
                f"{key!r} is not a question in the {pack.id} pack. `ally packs show {pack.id}` lists them."
            )
        if value is None:
            continue
        result[key] = normalise_answer(known[key], value, today=today, order=pack.date_order)
    return with_checklist(pack, result)


def with_checklist(pack: Pack, answers: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
    """The answers plus the yes/no answers given through a checklist (an option's ``sets``).

    "What has happened? Choose all that fit" answers "Has anyone threatened you?" too: a
    ticked choice is yes, an unticked one no, and a skipped checklist leaves each of its
    questions skipped. An answer given to the yes/no question itself (an older answers file)
    is kept as it is.
    """
    result = dict(answers)
    for target, (checklist, value) in pack.answered_by().items():
        chosen = answers.get(checklist)
        if target in answers or chosen is None:
            continue
        if isinstance(chosen, list):
            result[target] = "yes" if value in chosen else "no"
        elif isinstance(chosen, str):
            result[target] = chosen
    return result


def describe(
    question: Question, value: AnswerValue | None, language: str = "en"
) -> tuple[str, bool]:
    """An answer in the words the person saw, and whether it is known."""
    if value is None:
        return message(language, "not_asked"), False
    if value == "rather-not-say":
        return message(language, "declined"), False
    if value == "not-sure":
        return message(language, "not_sure"), False
    if value == NOT_APPLICABLE:
        return message(language, "not_applicable"), True
    labels = {option.value: option.label for option in question.options}
    if isinstance(value, dict):
        return "; ".join(
            f"{labels.get(key, key)}: {message(language, 'outcome.' + item.outcome)}"
            + (f" ({item.on})" if item.on else "")
            for key, item in value.items()
        ), True
    if isinstance(value, list):
        return "; ".join(labels.get(item, item) for item in value), True
    if question.type is QuestionType.YESNO:
        return message(language, "yes" if value == "yes" else "no"), True
    if isinstance(value, str):
        return labels.get(value, value), True
    return str(value), True


def read_answers_document(
    raw: Any, default_pack: str | None = None
) -> tuple[str, dict[str, Any], dt.date | None]:
    """Split an answers file into (pack id, raw answers, today) with clear errors.

    The file looks like::

        pack: us-ca
        today: 2026-11-25      # optional: the date deadlines are counted to
        answers:
          context: [work]
          last_incident: 2026-05
          threats: rather-not-say
        tried:                 # optional: whom you already told (also accepted in answers)
          hr: {outcome: refused, on: 2026-03-02}
    """
    if not isinstance(raw, Mapping):
        raise AnswersError("The answers file must be a YAML mapping with 'pack' and 'answers'.")
    unknown = set(raw) - {"pack", "answers", "today", "tried"}
    if unknown:
        raise AnswersError(
            f"The answers file has unexpected keys: {', '.join(sorted(map(str, unknown)))}."
        )
    pack_id = raw.get("pack") or default_pack
    if not isinstance(pack_id, str):
        raise AnswersError("The answers file must say which pack to use, e.g. 'pack: us-ca'.")
    answers = raw.get("answers") or {}
    if not isinstance(answers, Mapping):
        raise AnswersError("'answers' must be a mapping of question id to answer.")
    if raw.get("tried") is not None:
        answers = {**answers, "tried": raw["tried"]}
    today = raw.get("today")
    if today is not None and not isinstance(today, dt.date):
        raise AnswersError("'today' must be a date such as 2026-11-25.")
    return pack_id, dict(answers), today
