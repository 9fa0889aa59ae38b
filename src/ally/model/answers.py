"""Answers a person gives in the interview.

Two sentinels stand for "unknown": the person chose "I'd rather not say", or said "I'm not
sure". Both are real answers: the engine never asks again, never blocks on them, and treats
any condition that depends on them as *unknown* so that no step that could apply is removed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

RATHER_NOT_SAY = "rather-not-say"
NOT_SURE = "not-sure"
UNKNOWN_ANSWERS = frozenset({RATHER_NOT_SAY, NOT_SURE})
# Set by the engine, never by a person: the question's ask_if is false, so it does not arise
# (where online, for someone harassed only offline). Every comparison on it is false.
NOT_APPLICABLE = "not-applicable"

# Far-off years are typing mistakes, and deadline arithmetic on them would overflow.
MIN_YEAR, MAX_YEAR = 1900, 2200
_DATE_RE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?$")
_RANGE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class ApproxDate(BaseModel):
    """A date known to the day, the month or only the year.

    Deadlines start from ``earliest``: when a person only remembers "sometime in May", the
    clock is assumed to have started on 1 May, so Ally never shows more time than there is.
    """

    model_config = ConfigDict(frozen=True)

    earliest: dt.date
    latest: dt.date
    precision: Annotated[str, Field(pattern="^(day|month|year|range)$")] = "day"

    @model_validator(mode="after")
    def _ordered(self) -> ApproxDate:
        if self.latest < self.earliest:
            raise ValueError("the latest possible date is before the earliest")
        return self

    @classmethod
    def parse(cls, text: str | dt.date) -> ApproxDate:
        """Read ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; raise ValueError otherwise."""
        if isinstance(text, dt.datetime):
            text = text.date()
        if isinstance(text, dt.date):
            if not MIN_YEAR <= text.year <= MAX_YEAR:
                raise ValueError(f"the year should be between {MIN_YEAR} and {MAX_YEAR}")
            return cls(earliest=text, latest=text, precision="day")
        spanned = _RANGE_RE.match(text.strip())
        if spanned:
            # The form str() gives a range ("last week"), so saved answers read back.
            low, high = (dt.date.fromisoformat(part) for part in spanned.groups())
            if not (low.year >= MIN_YEAR and high.year <= MAX_YEAR):
                raise ValueError(f"the year should be between {MIN_YEAR} and {MAX_YEAR}")
            return cls(earliest=low, latest=high, precision="range" if low != high else "day")
        match = _DATE_RE.match(text.strip())
        if not match:
            raise ValueError("a date looks like 2026-05-03, or 2026-05 if you only know the month")
        year = int(match["y"])
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"the year should be between {MIN_YEAR} and {MAX_YEAR}")
        if match["d"]:
            day = dt.date(year, int(match["m"]), int(match["d"]))
            return cls(earliest=day, latest=day, precision="day")
        if match["m"]:
            month = int(match["m"])
            last = calendar.monthrange(year, month)[1]
            return cls(
                earliest=dt.date(year, month, 1),
                latest=dt.date(year, month, last),
                precision="month",
            )
        return cls(earliest=dt.date(year, 1, 1), latest=dt.date(year, 12, 31), precision="year")

    def __str__(self) -> str:
        if self.precision == "day":
            return self.earliest.isoformat()
        if self.precision == "month":
            return self.earliest.strftime("%Y-%m")
        if self.precision == "range":
            return f"{self.earliest.isoformat()}..{self.latest.isoformat()}"
        return str(self.earliest.year)


class JournalDate(ApproxDate):
    """When a journal incident happened (its day or days where the person lives), with the
    places it belongs to (``work``, ``online``…), so a deadline about one place is counted
    from incidents there, not from an unrelated later one."""

    contexts: tuple[str, ...] = ()


TRIED_OUTCOMES = ("waiting", "refused", "no-answer", "done", "resolved")


class Tried(BaseModel):
    """One route the person already took, and what came of it (the ``tried`` answer).

    ``on`` is when it happened, or when they last heard: escalations count their waiting time
    from it. The web and terminal interviews, the answers file and the case tracker's recorded
    statuses all produce this one shape.
    """

    model_config = ConfigDict(frozen=True)

    outcome: Annotated[str, Field(pattern="^(waiting|refused|no-answer|done|resolved)$")]
    on: ApproxDate | None = None

    def document(self) -> dict[str, str]:
        """As written in an answers file."""
        found = {"outcome": self.outcome}
        return found | ({"on": str(self.on)} if self.on is not None else {})


TriedAnswer = dict[str, Tried]
AnswerValue = str | list[str] | int | ApproxDate | TriedAnswer


def is_unknown(value: Any) -> bool:
    """True for a missing answer or one of the "unknown" sentinels."""
    return value is None or (isinstance(value, str) and value in UNKNOWN_ANSWERS)
