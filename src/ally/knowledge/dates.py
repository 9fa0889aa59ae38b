"""Dates, times and rough numbers as people type them, in English and Spanish.

One reader for the terminal, the web and answers files, so "last Saturday", "28/11/2026 18:00",
"el 3 de marzo" or "about 50" mean the same everywhere. It is pure: the caller passes
``today`` (and ``now`` for times), and the pack's ``date_order`` says whether ``03/04/2026``
is 3 April (day first, as in Ireland, the UK, Canada and Australia) or 4 March (the US).

Anything it cannot read is refused with an example, never guessed and never taken as "now":
a mistyped date that silently became today would start every deadline on the wrong day.
Dates after today are refused too (a mistyped year would push every deadline years late).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ally.errors import AnswersError
from ally.model.answers import MAX_YEAR, MIN_YEAR, ApproxDate
from ally.model.journal import IncidentTime

DateOrder = Literal["dmy", "mdy"]
"""dmy: 28/11/2026 (most of the world); mdy: 11/28/2026 (the US). ``None`` where the place is
not known: then a date like 3/4/2026 that reads both ways is refused with a question."""

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan enero ene",
        "february feb febrero",
        "march mar marzo",
        "april apr abril abr",
        "may mayo",
        "june jun junio",
        "july jul julio",
        "august aug agosto ago",
        "september sep sept septiembre setiembre set",
        "october oct octubre",
        "november nov noviembre",
        "december dec diciembre dic",
    ],
    1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "monday mon lunes lun",
        "tuesday tue tues martes",
        "wednesday wed miercoles mie",
        "thursday thu thur thurs jueves jue",
        "friday fri viernes vie",
        "saturday sat sabado sab",
        "sunday sun domingo dom",
    ]
):
    for _name in _names.split():
        WEEKDAYS[_name] = _number

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "un": 1,
    "una": 1,
    "uno": 1,
    "two": 2,
    "dos": 2,
    "couple": 2,
    "three": 3,
    "tres": 3,
    "four": 4,
    "cuatro": 4,
    "five": 5,
    "cinco": 5,
    "six": 6,
    "seis": 6,
    "seven": 7,
    "siete": 7,
    "eight": 8,
    "ocho": 8,
    "nine": 9,
    "nueve": 9,
    "ten": 10,
    "diez": 10,
    "eleven": 11,
    "once": 11,
    "twelve": 12,
    "doce": 12,
    "fifteen": 15,
    "quince": 15,
    "twenty": 20,
    "veinte": 20,
    "thirty": 30,
    "treinta": 30,
    "forty": 40,
    "cuarenta": 40,
    "fifty": 50,
    "cincuenta": 50,
    "sixty": 60,
    "sesenta": 60,
    "hundred": 100,
    "cien": 100,
    "ciento": 100,
    "thousand": 1000,
    "mil": 1000,
    "dozen": 12,
    "docena": 12,
}
# "a few days ago": a range, since the person does not know the number.
FEW_WORDS = {"few", "several", "some", "unos", "unas", "varios", "varias", "algunos", "algunas"}

UNITS = {
    "day": "day",
    "days": "day",
    "dia": "day",
    "dias": "day",
    "week": "week",
    "weeks": "week",
    "semana": "week",
    "semanas": "week",
    "month": "month",
    "months": "month",
    "mes": "month",
    "meses": "month",
    "year": "year",
    "years": "year",
    "ano": "year",
    "anos": "year",
}

# Words that say a date is not exact ("around", "maybe", "más o menos").
APPROX_WORDS = {
    "sometime",
    "around",
    "about",
    "approximately",
    "approx",
    "roughly",
    "maybe",
    "probably",
    "hacia",
    "sobre",
    "alrededor",
    "aproximadamente",
    "quizas",
    "quiza",
    "menos",
}
# Words that carry no date and are dropped before reading ("on the 3rd of March"), the
# words of approximation among them.
FILLER = APPROX_WORDS | {
    "on",
    "the",
    "of",
    "in",
    "at",
    "el",
    "la",
    "los",
    "las",
    "de",
    "del",
    "en",
    "a",
    "y",
    "and",
    "it",
    "was",
    "fue",
    "tal",
    "vez",
    "mas",
    "o",
    "or",
    "so",
}
PART_OF_MONTH = {
    "early": (1, 10),
    "beginning": (1, 10),
    "start": (1, 10),
    "principios": (1, 10),
    "comienzos": (1, 10),
    "inicios": (1, 10),
    "mid": (11, 20),
    "middle": (11, 20),
    "mediados": (11, 20),
    "late": (21, 31),
    "end": (21, 31),
    "finales": (21, 31),
    "fines": (21, 31),
}

# The only words that read as today: typing them is saying so.
TODAY_PHRASES = (
    "today",
    "hoy",
    "tonight",
    "now",
    "ahora",
    "this morning",
    "this afternoon",
    "this evening",
    "esta manana",
    "esta tarde",
    "esta noche",
)

EXAMPLE = {
    "dmy": "28/11/2026, 28 November 2026, 2026-11, last Saturday or two weeks ago",
    "mdy": "11/28/2026, November 28 2026, 2026-11, last Saturday or two weeks ago",
}
EXAMPLE_ES = "28/11/2026, 28 de noviembre de 2026, el sábado pasado o hace dos semanas"


class DateNotUnderstoodError(AnswersError):
    """The text is not a date Ally can read; the message gives an example that works."""


class FutureDateError(AnswersError):
    """The date is after today: most often a mistyped year."""


@dataclass(frozen=True)
class ReadDate:
    """A date as read: its span (day, month, year or range), a time of day if given, and
    whether the person said it was approximate ("about", "sometime", "a few weeks ago")."""

    date: ApproxDate
    time: dt.time | None = None
    approximate: bool = False
    worded: bool = False
    """True when words were read ("last Saturday"), so callers can keep the person's words."""


def _fold(text: str) -> str:
    """Lower case without accents, so "sábado" and "sabado", "Año" and "ano" match."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_TIME_RE = re.compile(
    r"(?:^|\s)(?:at\s+|a\s+las\s+|a\s+la\s+)?(?P<h>\d{1,2})(?:[:h](?P<m>\d{2}))?\s*"
    r"(?P<ampm>a\.?m\.?|p\.?m\.?|h|hrs|horas)?(?=\s|$)"
)
_ISO_RE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?"
    r"(?:[ t](?P<hh>\d{1,2}):(?P<mm>\d{2})(?::\d{2}(?:\.\d+)?)?)?(?:z|[+-]\d{2}:?\d{2})?$"
)
_NUMERIC_RE = re.compile(r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})(?:[/.\-](?P<c>\d{2}|\d{4}))?$")


def read_date(text: str, today: dt.date, order: DateOrder | None = "dmy") -> ReadDate:
    """Read a date (and maybe a time) as a person typed it; raise DateNotUnderstoodError.

    Dates without a year are the most recent such date up to today ("October 1" in
    December 2026 is 1 October 2026; in September it is 1 October 2025). A date after today
    raises FutureDateError.
    """
    if not isinstance(text, str) or not text.strip():
        raise DateNotUnderstoodError(_example(order))
    folded = " ".join(_fold(text).replace(",", " ").split())
    iso = _ISO_RE.match(folded)
    result: ReadDate | None
    if ".." in folded:
        try:
            result = ReadDate(ApproxDate.parse(folded))  # a range as Ally writes it
        except ValueError:
            raise DateNotUnderstoodError(_example(order)) from None
    elif iso:
        result = _iso(iso)
    else:
        result = _words(folded, today, order)
    if result is None:
        raise DateNotUnderstoodError(_example(order))
    return _not_future(result, today)


def _example(order: str | None) -> str:
    return (
        "Ally could not read that date. Try for example "
        f"{EXAMPLE.get(order or 'dmy')} (en español: {EXAMPLE_ES})."
    )


def _not_future(result: ReadDate, today: dt.date) -> ReadDate:
    """Refuse a date after today. A month or year that includes today is fine ("December")."""
    if result.date.earliest > today:
        raise FutureDateError(_future_message(str(result.date), today))
    return result


def _future_message(said: str, today: dt.date) -> str:
    return (
        f"That date ({said}) is after today ({today.isoformat()}). Please check the year, "
        f"or type a month like {today.strftime('%Y-%m')} if you are not sure of the day."
    )


def _iso(match: re.Match[str]) -> ReadDate:
    year = _year(int(match["y"]))
    time = _clock(match["hh"], match["mm"], None) if match["hh"] else None
    if match["d"]:
        return ReadDate(_day(year, int(match["m"]), int(match["d"])), time)
    if match["m"]:
        return ReadDate(_month(year, int(match["m"])))
    return ReadDate(_year_span(year))


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateNotUnderstoodError(f"The year should be between {MIN_YEAR} and {MAX_YEAR}.")
    return year


def _day(year: int, month: int, day: int) -> ApproxDate:
    try:
        moment = dt.date(year, month, day)
    except ValueError:
        raise DateNotUnderstoodError(
            f"There is no day {day} in month {month} of {year}. Please check the date."
        ) from None
    return ApproxDate(earliest=moment, latest=moment, precision="day")


def _month(year: int, month: int) -> ApproxDate:
    if not 1 <= month <= 12:
        raise DateNotUnderstoodError(f"There is no month {month}. Months go from 1 to 12.")
    last = calendar.monthrange(year, month)[1]
    return ApproxDate(
        earliest=dt.date(year, month, 1), latest=dt.date(year, month, last), precision="month"
    )


def _year_span(year: int) -> ApproxDate:
    return ApproxDate(earliest=dt.date(year, 1, 1), latest=dt.date(year, 12, 31), precision="year")


def _span(start: dt.date, end: dt.date) -> ApproxDate:
    if start == end:
        return ApproxDate(earliest=start, latest=start, precision="day")
    return ApproxDate(earliest=start, latest=end, precision="range")


def _clock(hour: str, minute: str | None, ampm: str | None) -> dt.time:
    h, m = int(hour), int(minute or 0)
    if ampm and ampm.startswith(("a", "p")):
        if not 1 <= h <= 12:
            raise DateNotUnderstoodError(f"{h} {ampm} is not a time. Try 6pm or 18:00.")
        h = h % 12 + (12 if ampm.startswith("p") else 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise DateNotUnderstoodError("That time is not on a clock. Try 18:00 or 6pm.")
    return dt.time(h, m)


def _split_time(folded: str) -> tuple[str, dt.time | None]:
    """Take a time of day off the text: '18:00', '6pm', '6:30 p.m.', 'a las 18:00'."""
    for match in _TIME_RE.finditer(folded):
        if match["m"] is None and match["ampm"] is None:
            continue  # a bare number is a day or a year, not a time
        time = _clock(match["h"], match["m"], match["ampm"])
        rest = (folded[: match.start()] + " " + folded[match.end() :]).strip()
        rest = re.sub(r"\b(at|a las|a la)$", "", rest).strip()
        return rest, time
    return folded, None


def _words(folded: str, today: dt.date, order: str | None) -> ReadDate | None:
    text, time = _split_time(folded)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # mid-March
    tokens = [token.rstrip(".") for token in text.replace("/", " / ").split()]
    numeric = _NUMERIC_RE.match(text.replace(" ", "")) if text else None
    if numeric:
        return ReadDate(_numeric(numeric, today, order), time)
    approximate = any(token in APPROX_WORDS for token in tokens)
    for reader in (_relative, _ago, _named):
        found = reader(tokens, today)
        if found is not None:
            span, fuzzy = found
            return ReadDate(span, time, approximate or fuzzy, worded=True)
    return None


def _numeric(match: re.Match[str], today: dt.date, order: str | None) -> ApproxDate:
    first, second = int(match["a"]), int(match["b"])
    if order is None and first != second and first <= 12 and second <= 12:
        raise DateNotUnderstoodError(
            f"{first}/{second} could be day/month or month/day. Please write the month as a "
            f"word, like {first} {calendar.month_name[second]}, or as 2026-{second:02d}-{first:02d}."
        )
    day, month = (second, first) if order == "mdy" else (first, second)
    if month > 12 >= day:
        # Only the other order makes a date (11/28/2026 in Ireland): read it that way.
        day, month = month, day
    if match["c"] is None:
        return _recent(lambda year: _day(year, month, day), today)
    year = int(match["c"])
    if len(match["c"]) == 2:
        year += 2000 if 2000 + year <= today.year else 1900
    return _day(_year(year), month, day)


def _recent(make: Callable[[int], ApproxDate], today: dt.date) -> ApproxDate:
    """The most recent date up to today for a day or month given without a year."""
    for year in (today.year, today.year - 1, today.year - 4):
        try:
            span: ApproxDate = make(year)
        except DateNotUnderstoodError:
            continue  # 29 February in a year without one
        if span.earliest <= today:
            return span
    raise DateNotUnderstoodError("That day does not exist in recent years. Please check the date.")


def _relative(tokens: list[str], today: dt.date) -> tuple[ApproxDate, bool] | None:
    words = [token for token in tokens if token not in FILLER]
    joined = " ".join(words)
    days = {
        **dict.fromkeys(TODAY_PHRASES, 0),
        "yesterday": 1,
        "ayer": 1,
        "last night": 1,
        "anoche": 1,
        "day before yesterday": 2,
        "anteayer": 2,
        "antes ayer": 2,
        "antier": 2,
    }
    if joined in ("tomorrow", "manana", "pasado manana") or words[:1] in (
        ["next"],
        ["proximo"],
        ["proxima"],
    ):
        raise FutureDateError(
            "That is in the future. Please give the day it happened, for example yesterday."
        )
    if joined in days:
        day = today - dt.timedelta(days=days[joined])
        return _span(day, day), False
    monday = today - dt.timedelta(days=today.weekday())
    first = today.replace(day=1)
    spans = {
        "this week": (monday, today),
        "esta semana": (monday, today),
        "last week": (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)),
        "semana pasada": (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)),
        "this month": (first, today),
        "este mes": (first, today),
        "this year": (today.replace(month=1, day=1), today),
        "este ano": (today.replace(month=1, day=1), today),
    }
    if joined in spans:
        return _span(*spans[joined]), True
    if joined in ("last month", "mes pasado"):
        previous = first - dt.timedelta(days=1)
        return _month(previous.year, previous.month), False
    if joined in ("last year", "ano pasado"):
        return _year_span(today.year - 1), False
    return _weekday(words, today)


def _weekday(words: list[str], today: dt.date) -> tuple[ApproxDate, bool] | None:
    """'Saturday', 'last Saturday', 'el sábado pasado', 'this Monday'."""
    last = {"last", "past", "pasado", "pasada", "previous", "anterior"}
    this = {"this", "este", "esta"}
    rest = [word for word in words if word not in last | this]
    if len(rest) != 1 or rest[0] not in WEEKDAYS:
        return None
    back = (today.weekday() - WEEKDAYS[rest[0]]) % 7
    if back == 0 and any(word in last for word in words):
        back = 7
    day = today - dt.timedelta(days=back)
    return _span(day, day), False


def _ago(tokens: list[str], today: dt.date) -> tuple[ApproxDate, bool] | None:
    """'two weeks ago', 'a few days ago', 'hace 3 meses', 'hace un par de semanas'."""
    words = [token for token in tokens if token not in {"of", "de", "par", "about", "around"}]
    if words[:1] == ["hace"]:
        words = [*words[1:], "ago"]
    if len(words) < 2 or words[-1] != "ago" or words[-2] not in UNITS:
        return None
    unit = UNITS[words[-2]]
    amount_words = words[:-2]
    fuzzy = False
    if not amount_words:
        count = 1
    elif len(amount_words) == 1 and amount_words[0].isdigit():
        count = int(amount_words[0])
    elif len(amount_words) == 1 and amount_words[0] in NUMBER_WORDS:
        count = NUMBER_WORDS[amount_words[0]]
    elif all(word in FEW_WORDS or word in {"a", "couple"} for word in amount_words):
        count, fuzzy = (2, True) if "couple" in amount_words else (3, True)
    else:
        return None
    if "couple" in tokens or "par" in tokens:
        count, fuzzy = 2, True
    return _back(unit, count, fuzzy, today), fuzzy


def _back(unit: str, count: int, fuzzy: bool, today: dt.date) -> ApproxDate:
    if count > 200 * (365 if unit == "day" else 1):
        raise DateNotUnderstoodError("That is too long ago to count from. Try a year like 2020.")
    if unit == "day":
        day = today - dt.timedelta(days=count)
        if fuzzy:
            return _span(today - dt.timedelta(days=count + 2), today - dt.timedelta(days=1))
        return _span(day, day)
    if unit == "week":
        centre = today - dt.timedelta(weeks=count)
        # "Two weeks ago" is rarely to the day: the week around it, never past today.
        end = min(centre + dt.timedelta(days=3), today)
        start = centre - dt.timedelta(days=3 if not fuzzy else 3 + 7)
        return _span(start, end)
    if unit == "month":
        index = today.year * 12 + today.month - 1 - count
        month = _month(_year(index // 12), index % 12 + 1)
        if fuzzy:
            before = _month(_year((index - 1) // 12), (index - 1) % 12 + 1)
            return _span(before.earliest, min(month.latest, today))
        return month
    year = _year(today.year - count)
    return _year_span(year)


def _named(tokens: list[str], today: dt.date) -> tuple[ApproxDate, bool] | None:
    """'28 November 2026', 'November 28', 'Saturday 28 November', 'marzo de 2026',
    'early March', '1st October', '2025'."""
    words = [token for token in tokens if token not in FILLER and token != "/"]
    weekday = None
    part = None
    months = [word for word in words if word in MONTHS]
    day = year = None
    for word in words:
        bare = re.sub(r"^(\d{1,2})(st|nd|rd|th|º|o|er)$", r"\1", word)
        if word in WEEKDAYS and word not in MONTHS:
            weekday = WEEKDAYS[word]
        elif word in PART_OF_MONTH:
            part = PART_OF_MONTH[word]
        elif word in MONTHS:
            continue
        elif bare.isdigit() and len(bare) <= 2 and day is None:
            day = int(bare)
        elif word.isdigit() and len(word) == 4 and year is None:
            year = _year(int(word))
        else:
            return None
    if len(months) > 1:
        return None
    if not months:
        if year is not None and day is None and weekday is None and part is None:
            return _year_span(year), False
        return None
    month = MONTHS[months[0]]
    if day is not None:
        if part is not None:
            return None
        span = _day(year, month, day) if year else _recent(lambda y: _day(y, month, day), today)
        if weekday is not None and span.earliest.weekday() != weekday:
            name = span.earliest.strftime("%A")
            raise DateNotUnderstoodError(
                f"{span.earliest.strftime('%d %B %Y')} was a {name}. Please check the day or date."
            )
        return span, False
    if weekday is not None:
        return None
    whole = _month(year, month) if year else _recent(lambda y: _month(y, month), today)
    if part is None:
        return whole, False
    end = min(part[1], whole.latest.day)
    start = whole.earliest.replace(day=part[0])
    return _span(start, whole.earliest.replace(day=end)), True


def read_when(text: str, now: dt.datetime, order: DateOrder | None = "dmy") -> ReadDate:
    """A date and maybe a time, for an incident: refused if the moment is after ``now``."""
    found = read_date(text, now.date(), order)
    if found.time is not None and found.date.precision != "day":
        raise DateNotUnderstoodError("A time of day needs a day too, like 28/11/2026 18:00.")
    if found.time is not None:
        moment = dt.datetime.combine(found.date.earliest, found.time, tzinfo=now.tzinfo)
        if moment > now + dt.timedelta(minutes=5):
            raise FutureDateError(
                f"{moment.strftime('%Y-%m-%d %H:%M')} is later than now. Please check the time."
            )
    return found


def incident_time(found: ReadDate, words: str, zone: dt.tzinfo | None = None) -> IncidentTime:
    """A journal incident's time from what was read, in the person's ``zone``: exact to the
    minute when a day and a time were given, that calendar day when only a day was, otherwise
    a span marked approximate. Words the person typed ("last Saturday") are kept beside the
    date, since they are part of their account."""
    zone = zone or dt.UTC
    description = " ".join(words.split()) if found.worded else None
    day = found.date.earliest
    if found.date.precision == "day" and found.time is None:
        return IncidentTime.on_day(
            day, zone, approximate=found.approximate, description=description
        )
    start = dt.datetime.combine(day, found.time or dt.time(0, 0), tzinfo=zone)
    if found.date.precision == "day":
        return IncidentTime(start=start, approximate=found.approximate, description=description)
    end = dt.datetime.combine(found.date.latest, dt.time(23, 59), tzinfo=zone)
    return IncidentTime(start=start, end=end, approximate=True, description=description)


# ----------------------------------------------------------------------------------- numbers

_NUMBER_APPROX = re.compile(
    r"^(?:about|around|roughly|approx(?:imately)?|approximately|maybe|nearly|almost|over|"
    r"more than|at least|under|less than|fewer than|unos|unas|alrededor de|cerca de|"
    r"aproximadamente|mas o menos|mas de|menos de|casi|~|c\.?|ca\.?)\s*"
)
_NUMBER_TAIL = re.compile(
    r"\s*(?:-?ish|\+|or so|or more|o asi|mas o menos|o mas|people|personas|employees|empleados)$"
)


def read_number(text: str | int) -> int:
    """A whole number from '50', 'about 50', '50ish', '~50', 'fifty', 'unos 50', '1,200'.

    A range ('40-50') is refused: the person is asked for one best guess, because a range
    across a legal threshold (15 employees) cannot decide anything.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise AnswersError("The answer cannot be negative.")
        return text
    if not isinstance(text, str):
        raise AnswersError("The answer must be a whole number, like 12.")
    folded = " ".join(_fold(text).split())
    previous = None
    while previous != folded:
        previous = folded
        folded = _NUMBER_APPROX.sub("", folded).strip()
        folded = _NUMBER_TAIL.sub("", folded).strip()
    if re.fullmatch(r"\d+\s*(?:-|to|a|y|or|o|–)\s*\d+", folded) or folded.startswith("entre"):
        raise AnswersError("Please type one number, your best guess: for example 45.")
    if folded.startswith("-") and folded[1:].strip().isdigit():
        raise AnswersError("The answer cannot be negative.")
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", folded):
        return int(re.sub(r"[,.]", "", folded))
    if folded.isdigit():
        return int(folded)
    words = [word for word in folded.replace("-", " ").split() if word not in {"and", "y"}]
    if words and all(word in NUMBER_WORDS for word in words):
        total = 0
        for word in words:
            value = NUMBER_WORDS[word]
            if value in (100, 1000) and total:
                total *= value
            elif value == 12 and word in {"dozen", "docena"} and total:
                total *= 12
            else:
                total += value
        return total
    raise AnswersError("The answer must be a whole number, like 12. A rough guess is fine.")
