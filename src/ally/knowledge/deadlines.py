"""Date arithmetic for statutory deadlines.

Kept separate and pure so the case tracker (issue 8) can start the same clocks from journal
dates and case events. Approximate starts use the earliest possible day: better to show a
person too little time than too much.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from ally.knowledge.messages import message, unit
from ally.knowledge.schema import Deadline, Length


def add_length(start: dt.date, length: Length) -> dt.date:
    """``start`` plus the length, less any ``minus_days``."""
    end = start + relativedelta(
        years=length.years, months=length.months, weeks=length.weeks, days=length.days
    )
    return end - dt.timedelta(days=length.minus_days)


def due_date(deadline: Deadline, start: dt.date) -> dt.date:
    end = add_length(start, deadline.length)
    if deadline.weekend_rolls_forward and end.weekday() >= 5:
        end += dt.timedelta(days=7 - end.weekday())
    return end


def describe_length(deadline: Deadline, language: str = "en") -> str:
    """The length in words, e.g. '3 months less 1 day (weekends and holidays count)'."""
    length = deadline.length
    parts = [
        f"{amount} {unit(language, name, amount)}"
        for amount, name in (
            (length.years, "year"),
            (length.months, "month"),
            (length.weeks, "week"),
            (length.days, "day"),
        )
        if amount
    ]
    text = message(language, "and").join(parts)
    if length.minus_days:
        amount = length.minus_days
        text += message(language, "less", amount=amount, unit=unit(language, "day", amount))
    text += message(language, "counting")
    if deadline.weekend_rolls_forward:
        text += message(language, "rolls")
    return text + ")"
