"""The interview as a person meets it: going back keeps answers, and the count is steady."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ally.errors import AnswersError
from ally.knowledge.interview import Interview
from ally.knowledge.loader import load_pack
from ally.model.answers import ApproxDate
from tests.knowledge.strategies import answer_for

TODAY = dt.date(2026, 12, 6)
PACKS = ["generic", "us", "gb", "ie", "ca", "ca-on", "au", "us-ca", "us-ny", "us-tx"]


@pytest.mark.parametrize("pack_id", PACKS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_question_count_never_goes_up_while_answering(
    pack_id: str, data: st.DataObject
) -> None:
    interview = Interview(load_pack(pack_id))
    totals: list[int] = []  # since the last change of pack (a state pack has its own questions)
    number = 0
    while (question := interview.current()) is not None:
        done, left = interview.progress()
        assert done == number
        number += 1
        # "Question n of about N": N is never below the question shown, and never grows.
        assert done + left >= number
        assert not totals or done + left <= totals[-1]
        totals.append(done + left)
        before = interview.pack.id
        interview.answer(question.id, data.draw(answer_for(question)))
        if interview.pack.id != before:
            totals = []


def test_back_shows_the_answer_given_and_keeps_the_rest() -> None:
    interview = Interview(load_pack("generic"), today=TODAY)
    interview.answer("in_danger_now", "no")
    interview.answer("context", ["work", "online"])
    third = interview.current()
    assert third is not None
    interview.answer(third.id, "yes" if third.type == "yesno" else [third.options[0].value])
    kept = dict(interview.answers)

    assert interview.back().id == third.id  # type: ignore[union-attr]
    assert interview.back().id == "context"  # type: ignore[union-attr]
    assert interview.current().id == "context"  # type: ignore[union-attr]
    assert interview.previous("context") == ["work", "online"]  # shown ticked
    assert interview.answers == kept  # nothing forgotten by going back
    assert interview.progress()[0] == 1  # "Question 2 of about N"

    interview.answer("context", ["work", "online"])
    assert interview.current().id == third.id  # type: ignore[union-attr]
    assert interview.previous(third.id) == kept[third.id]
    interview.answer(third.id, kept[third.id])
    assert interview.cursor is None and interview.answers == kept
    assert interview.back().id == third.id  # type: ignore[union-attr]
    interview.back()
    interview.back()
    assert interview.back() is None  # the first question: nothing before it


def test_changing_an_earlier_answer_drops_answers_that_no_longer_arise() -> None:
    interview = Interview(load_pack("generic"))
    interview.answer("in_danger_now", "no")
    interview.answer("context", ["online"])
    interview.answer("online_where", ["social"])
    while interview.current() is not None and interview.current().id != "online_where":  # type: ignore[union-attr]
        interview.back()
    interview.back()
    assert interview.current().id == "context"  # type: ignore[union-attr]
    interview.answer("context", ["work"])
    assert "online_where" not in interview.answers  # no longer asked of a work-only case
    assert "online_where" not in interview.history


def test_going_back_over_the_state_shows_it_chosen_and_returns_to_the_state_pack() -> None:
    interview = Interview(load_pack("us"))
    interview.answer("in_danger_now", "no")
    interview.answer("state", "iowa")
    assert interview.pack.id == "us-ia"
    next_id = interview.current().id  # type: ignore[union-attr]
    interview.answer(next_id, "rather-not-say")
    interview.back()
    back = interview.back()
    assert back is not None and back.id == "state" and interview.pack.id == "us"
    assert interview.previous("state") == "iowa"
    interview.answer("state", "iowa")
    assert interview.pack.id == "us-ia"
    assert interview.current().id == next_id  # type: ignore[union-attr]
    assert interview.answers[next_id] == "rather-not-say"


def test_position_survives_a_round_trip_through_a_session() -> None:
    interview = Interview(load_pack("us"))
    interview.answer("in_danger_now", "no")
    interview.answer("state", "ohio")
    interview.back()
    position: dict[str, Any] = interview.position()
    again = Interview(load_pack("us-oh"), dict(interview.answers))
    again.restore(position)
    assert again.pack.id == "us" and again.current().id == "state"  # type: ignore[union-attr]
    assert again.previous("state") == "ohio"


def test_dates_and_numbers_as_people_type_them_are_accepted() -> None:
    interview = Interview(load_pack("us"), today=TODAY)
    interview.answer("last_incident", "October 1")
    assert interview.answers["last_incident"] == ApproxDate.parse("2026-10-01")
    interview.answer("last_incident", "last week")
    assert str(interview.answers["last_incident"]) == "2026-11-23..2026-11-29"
    interview.answer("last_incident", "March")
    assert interview.answers["last_incident"] == ApproxDate.parse("2026-03")
    interview.answer("last_incident", "11/28/2026")  # the US writes the month first
    assert interview.answers["last_incident"] == ApproxDate.parse("2026-11-28")
    for said in ("about 50", "50ish", "~50", "fifty", "unos 50"):
        interview.answer("employer_size", said)
        assert interview.answers["employer_size"] == 50


def test_a_future_last_incident_is_refused_with_a_reason() -> None:
    interview = Interview(load_pack("gb"), today=TODAY)
    with pytest.raises(AnswersError, match="after today"):
        interview.answer("last_incident", "2027-11-03")  # a mistyped year
    with pytest.raises(AnswersError, match="after today"):
        interview.answer("last_incident", "3/1/2027")
    assert "last_incident" not in interview.answers
    interview.answer("last_incident", "3/11/2026")  # day first in the UK
    assert interview.answers["last_incident"] == ApproxDate.parse("2026-11-03")


def test_every_question_says_specifically_why_we_ask() -> None:
    """`?` and "Why we ask" show the question's own reason, never one generic sentence."""
    from ally.knowledge.loader import builtin_pack_ids, pack_languages

    seen: dict[str, set[str]] = {}
    for pack_id in builtin_pack_ids():
        for language in pack_languages(pack_id):
            pack = load_pack(pack_id, language)
            for question in pack.questions:
                assert question.help and len(question.help) > 40, (pack_id, question.id)
                seen.setdefault(language, set()).add(question.help)
    assert len(seen["en"]) >= 14  # one reason per question, not one shared sentence
    spanish = load_pack("us", "es")
    for question in spanish.questions:
        assert question.help is not None
        assert " the " not in question.help, (question.id, question.help)  # translated
