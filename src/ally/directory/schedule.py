"""Is a service open now? Read from HSDS schedules (RFC 5545-style weekly or monthly rules).

Only what a person needs is understood: which days (``byday``, ``bymonthday``), the opening
and closing times (overnight hours such as 20:00–08:00 included), the dates a schedule is
valid, and a fixed ``timezone`` offset. A schedule without times says nothing about "now", so
a service without usable schedules is "unknown", never "closed".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

KEPT = (
    "freq",
    "byday",
    "bymonthday",
    "opens_at",
    "closes_at",
    "valid_from",
    "valid_to",
    "dtstart",
    "until",
    "timezone",
)
_KEPT = frozenset(KEPT)
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})")
_BYDAY = re.compile(r"^\s*([+-]?\d{0,2})\s*(MO|TU|WE|TH|FR|SA|SU)\s*$", re.IGNORECASE)


def compact(schedules: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only the fields that decide opening times, for storing beside the search index."""
    kept = []
    for schedule in schedules:
        # Walks the schedule's own few keys rather than all of KEPT: this runs for every
        # service of every import.
        item = {key: value for key, value in schedule.items() if key in _KEPT and value is not None}
        if "opens_at" in item or "closes_at" in item:
            kept.append(item)
    return kept


def is_open(schedules: list[dict[str, Any]], now: dt.datetime, tz: dt.tzinfo) -> bool | None:
    """True or False when the schedules say; None when they cannot tell."""
    verdict: bool | None = None
    for schedule in schedules:
        answer = _schedule_open(schedule, now, tz)
        if answer:
            return True
        if answer is False:
            verdict = False
    return verdict


def _schedule_open(schedule: dict[str, Any], now: dt.datetime, tz: dt.tzinfo) -> bool | None:
    opens = _minutes(schedule.get("opens_at"), 0)
    closes = _minutes(schedule.get("closes_at"), 24 * 60)
    if opens is None or closes is None:
        return None
    offset: Any = schedule.get("timezone")
    zone = dt.timezone(dt.timedelta(hours=float(offset))) if _is_offset(offset) else tz
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    today, yesterday = local.date(), local.date() - dt.timedelta(days=1)
    if opens < closes:
        return _day_matches(schedule, today) and opens <= minute < closes
    # Overnight (20:00-08:00) or all day (00:00-00:00).
    return (_day_matches(schedule, today) and minute >= opens) or (
        _day_matches(schedule, yesterday) and minute < closes
    )


def _is_offset(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and -14 <= value <= 14


def _minutes(value: Any, default: int) -> int | None:
    if value is None:
        return default
    match = _TIME.match(str(value))
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 24 or minutes > 59:
        return None
    return min(hours * 60 + minutes, 24 * 60)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _within_dates(schedule: dict[str, Any], day: dt.date) -> bool:
    for key, after in (
        ("valid_from", True),
        ("dtstart", True),
        ("valid_to", False),
        ("until", False),
    ):
        limit = _date(schedule.get(key)) if schedule.get(key) else None
        if limit is not None and ((after and day < limit) or (not after and day > limit)):
            return False
    return True


def _day_matches(schedule: dict[str, Any], day: dt.date) -> bool:
    if not _within_dates(schedule, day):
        return False
    monthdays = _numbers(schedule.get("bymonthday"))
    if monthdays and not _monthday_matches(monthdays, day):
        return False
    rules = [
        m for m in (_BYDAY.match(part) for part in str(schedule.get("byday") or "").split(",")) if m
    ]
    if not rules:
        return True
    monthly = str(schedule.get("freq") or "").upper() == "MONTHLY"
    for rule in rules:
        if DAYS.index(rule.group(2).upper()) != day.weekday():
            continue
        ordinal = int(rule.group(1)) if rule.group(1) not in ("", "+", "-") else 0
        if (
            not monthly
            or ordinal == 0
            or _nth_weekday(day) in (ordinal, _nth_weekday_from_end(day))
        ):
            return True
    return False


def _numbers(value: Any) -> list[int]:
    numbers = []
    for part in str(value or "").split(","):
        try:
            numbers.append(int(part))
        except ValueError:
            continue
    return numbers


def _monthday_matches(monthdays: list[int], day: dt.date) -> bool:
    last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return any(
        number == day.day or (number < 0 and last.day + number + 1 == day.day)
        for number in monthdays
    )


def _nth_weekday(day: dt.date) -> int:
    return (day.day - 1) // 7 + 1


def _nth_weekday_from_end(day: dt.date) -> int:
    last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return -((last.day - day.day) // 7 + 1)
