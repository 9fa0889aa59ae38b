"""Open-now from HSDS schedules."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ally.directory.schedule import compact, is_open

LA = ZoneInfo("America/Los_Angeles")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LA)


def test_weekly_hours() -> None:
    hours = compact(
        [{"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00:00", "closes_at": "17:00"}]
    )
    assert is_open(hours, at("2026-11-25T10:00"), LA) is True  # Wednesday
    assert is_open(hours, at("2026-11-25T17:00"), LA) is False
    assert is_open(hours, at("2026-11-26T10:00"), LA) is False  # Thursday


def test_overnight_and_all_day() -> None:
    nights = [{"freq": "WEEKLY", "byday": "FR", "opens_at": "20:00", "closes_at": "08:00"}]
    assert is_open(nights, at("2026-11-27T23:00"), LA) is True  # Friday night
    assert is_open(nights, at("2026-11-28T07:59"), LA) is True  # Saturday morning
    assert is_open(nights, at("2026-11-28T23:00"), LA) is False
    always = [{"opens_at": "00:00", "closes_at": "24:00"}]
    assert is_open(always, at("2026-11-28T03:00"), LA) is True


def test_monthly_and_validity_dates() -> None:
    first_monday = [{"freq": "MONTHLY", "byday": "1MO", "opens_at": "10:00", "closes_at": "12:00"}]
    assert is_open(first_monday, at("2026-11-02T11:00"), LA) is True
    assert is_open(first_monday, at("2026-11-09T11:00"), LA) is False
    last_day = [{"freq": "MONTHLY", "bymonthday": "-1", "opens_at": "10:00", "closes_at": "12:00"}]
    assert is_open(last_day, at("2026-11-30T11:00"), LA) is True
    expired = [{"opens_at": "00:00", "closes_at": "24:00", "valid_to": "2025-01-01"}]
    assert is_open(expired, at("2026-11-30T11:00"), LA) is False


def test_fixed_offset_and_unknown() -> None:
    utc_hours = [{"opens_at": "09:00", "closes_at": "10:00", "timezone": 0}]
    assert is_open(utc_hours, dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC), LA) is True
    assert is_open(compact([{"description": "Call for times"}]), at("2026-11-25T10:00"), LA) is None
    assert is_open([{"opens_at": "soon"}], at("2026-11-25T10:00"), LA) is None
