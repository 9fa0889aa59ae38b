"""Dates and numbers as people type them: one reader for the terminal, the web and files."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ally.errors import AnswersError
from ally.knowledge.dates import (
    TODAY_PHRASES,
    DateNotUnderstoodError,
    FutureDateError,
    read_date,
    read_number,
    read_when,
)
from ally.model.answers import ApproxDate

TODAY = dt.date(2026, 12, 6)  # a Sunday
MONTHS_EN = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]
MONTHS_ES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


def day(text: str, order: str = "dmy") -> str:
    return str(read_date(text, TODAY, order).date)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("October 1", "2026-10-01"),
        ("1st of October", "2026-10-01"),
        ("March", "2026-03"),
        ("December", "2026-12"),  # this month, which includes today
        ("early March 2025", "2025-03-01..2025-03-10"),
        ("last week", "2026-11-23..2026-11-29"),
        ("la semana pasada", "2026-11-23..2026-11-29"),
        ("yesterday", "2026-12-05"),
        ("ayer a las 18:00", "2026-12-05"),
        ("last Saturday", "2026-12-05"),
        ("el sábado pasado", "2026-12-05"),
        ("Sunday", "2026-12-06"),
        ("last Sunday", "2026-11-29"),
        ("Saturday 28 November", "2026-11-28"),
        ("sábado 28 de noviembre", "2026-11-28"),
        ("28 de noviembre de 2025", "2025-11-28"),
        ("28/11/2026 18:00", "2026-11-28"),
        ("28.11.2026", "2026-11-28"),
        ("3/4/2026", "2026-04-03"),
        ("two weeks ago", "2026-11-19..2026-11-25"),
        ("hace dos semanas", "2026-11-19..2026-11-25"),
        ("3 days ago", "2026-12-03"),
        ("hace 3 meses", "2026-09"),
        ("a few days ago", "2026-12-01..2026-12-05"),
        ("last month", "2026-11"),
        ("el año pasado", "2025"),
        ("2026-05", "2026-05"),
        ("2026-11-23..2026-11-29", "2026-11-23..2026-11-29"),
    ],
)
def test_dates_people_type_are_read(said: str, read: str) -> None:
    assert day(said) == read


def test_the_pack_decides_which_number_is_the_day() -> None:
    assert day("3/4/2026", "dmy") == "2026-04-03"  # Ireland, the UK, Australia
    assert day("3/4/2026", "mdy") == "2026-03-04"  # the US
    assert day("11/28/2026", "dmy") == "2026-11-28"  # only one reading makes a date
    assert day("28/11/26", "dmy") == "2026-11-28"


def test_a_time_of_day_is_kept() -> None:
    found = read_date("28/11/2026 18:00", TODAY)
    assert found.time == dt.time(18, 0)
    assert read_date("yesterday at 6:30pm", TODAY).time == dt.time(18, 30)
    assert read_date("ayer a las 18h", TODAY).time == dt.time(18, 0)


@pytest.mark.parametrize("said", ["2027-01-01", "tomorrow", "mañana", "next week", "5/1/2027"])
def test_future_dates_are_refused_with_a_reason(said: str) -> None:
    with pytest.raises(FutureDateError, match=r"future|after today"):
        read_date(said, TODAY)


@pytest.mark.parametrize(
    "said", ["", "blah", "the week before my birthday", "32/11/2026", "Friday 28 November", "6pm"]
)
def test_what_cannot_be_read_is_refused_with_an_example_never_taken_as_today(said: str) -> None:
    with pytest.raises(DateNotUnderstoodError) as refused:
        read_date(said, TODAY)
    message = str(refused.value)
    assert "Try for example" in message or "check" in message
    assert said == "" or said not in message  # the person's words are not echoed


def test_an_incident_time_later_than_now_is_refused() -> None:
    now = dt.datetime(2026, 12, 6, 12, 0)
    assert read_when("today 11:00", now).time == dt.time(11, 0)
    with pytest.raises(FutureDateError):
        read_when("today 18:00", now)


def _formats(date: dt.date) -> list[tuple[str, str]]:
    """Ways a person writes one date, with the pack order each needs."""
    en, es = MONTHS_EN[date.month - 1], MONTHS_ES[date.month - 1]
    return [
        (date.isoformat(), "dmy"),
        (f"{date.day}/{date.month}/{date.year}", "dmy"),
        (f"{date.month}/{date.day}/{date.year}", "mdy"),
        (f"{date.day}.{date.month}.{date.year}", "dmy"),
        (f"{date.day} {en} {date.year}", "dmy"),
        (f"{en} {date.day}, {date.year}", "mdy"),
        (f"{WEEKDAYS_EN[date.weekday()]} {date.day} {en} {date.year}", "dmy"),
        (f"el {WEEKDAYS_ES[date.weekday()]} {date.day} de {es} de {date.year}", "dmy"),
        (f"{date.day}/{date.month}/{date.year} 18:30", "dmy"),
    ]


@settings(max_examples=200, deadline=None)
@given(date=st.dates(dt.date(1950, 1, 1), TODAY))
def test_any_accepted_date_round_trips(date: dt.date) -> None:
    for text, order in _formats(date):
        found = read_date(text, TODAY, order)  # type: ignore[arg-type]
        assert found.date == ApproxDate.parse(date.isoformat()), text
        # What Ally stores reads back as the same date.
        assert read_date(str(found.date), TODAY).date == found.date


@settings(max_examples=200, deadline=None)
@given(date=st.dates(dt.date(2025, 1, 1), TODAY), spell=st.sampled_from(["en", "es"]))
def test_a_date_without_a_year_is_the_most_recent_one(date: dt.date, spell: str) -> None:
    text = (
        f"{MONTHS_EN[date.month - 1]} {date.day}"
        if spell == "en"
        else f"{date.day} de {MONTHS_ES[date.month - 1]}"
    )
    found = read_date(text, TODAY).date.earliest
    assert found <= TODAY and (TODAY - found).days < 366
    assert (found.month, found.day) == (date.month, date.day)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 /:.-", max_size=30))
def test_nothing_becomes_now(text: str) -> None:
    """Any text is either refused or read as a date on or before today; only words that
    say so ("today", "hoy") are today."""
    try:
        found = read_date(text, TODAY)
    except AnswersError:
        return
    assert found.date.earliest <= TODAY
    assert read_date(str(found.date), TODAY).date == found.date
    if found.date.earliest == TODAY and found.date.precision == "day":
        words = text.replace("-", " ")
        said_today = [*TODAY_PHRASES, "sun", "dom"]  # today is a Sunday
        assert any(phrase in words for phrase in said_today) or "6" in text, text


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("50", 50),
        ("about 50", 50),
        ("50ish", 50),
        ("50-ish", 50),
        ("~50", 50),
        ("around 50 people", 50),
        ("50+", 50),
        ("fifty", 50),
        ("unos 50", 50),
        ("alrededor de 50", 50),
        ("50 más o menos", 50),
        ("1,200", 1200),
        ("a dozen", 12),
        ("two hundred", 200),
    ],
)
def test_rough_numbers_are_read(said: str, number: int) -> None:
    assert read_number(said) == number


@pytest.mark.parametrize("said", ["40-50", "between 10 and 20", "entre 10 y 20", "lots", "-3"])
def test_ranges_and_words_that_are_not_numbers_are_refused(said: str) -> None:
    with pytest.raises(AnswersError):
        read_number(said)
