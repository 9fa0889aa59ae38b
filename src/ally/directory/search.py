"""Search the directory: by words, service type, language, "open now" and distance.

The store finds candidates (``DirectoryIndex``); this module decides what to ask for and how
to rank. Services with an address are ranked by relevance and distance together:
``score = (1 + relevance) / (1 + distance_km / 5)``, where relevance is the share of the words
asked for that appear in the service's or organisation's name (every candidate has all of them
somewhere; 0 when no words were given, so the nearest comes first). It is computed here, the
same way on both databases, from the candidates alone: no corpus-wide statistics per query.
Services that serve a whole area (a national helpline, a worldwide website) follow, the most
local area first. The search reads growing circles around the place and stops as soon as
nothing further out could rank higher, so a city search reads a few kilometres and a rural
one still finds the nearest shelter (up to the radius asked for, or 500 km).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from ally.directory.candidates import Candidate, DirectoryIndex, Match, Ranked, Scope
from ally.directory.errors import DirectoryQueryError
from ally.directory.geo import Place, haversine_km, resolve_place
from ally.directory.index import WORLD, language_code
from ally.directory.results import Hit, hits_for
from ally.directory.schedule import is_open
from ally.directory.taxonomy import check_types, types_for_route
from ally.knowledge.schema import Route

DISTANCE_SCALE_KM = 5.0
NEAR_LIMIT_KM = 500.0
FIRST_PASS_KM = 2.0
PASS_GROWTH = 2.5
MAX_RADIUS_KM = 20_000.0
_STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "at", "by", "for", "from", "in", "is", "of", "on", "or"),
        *("the", "to", "with", "de", "del", "el", "en", "la", "las", "los", "para", "por", "y"),
    }
)

__all__ = [
    "Candidate",
    "DirectoryIndex",
    "Hit",
    "Match",
    "SearchQuery",
    "search",
    "services_for_step",
]


@dataclass(frozen=True)
class SearchQuery:
    text: str | None = None
    types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    near: Place | None = None
    radius_km: float | None = None
    open_now: bool = False
    at: dt.datetime | None = None
    limit: int = 10
    area_limit: int | None = None

    def __post_init__(self) -> None:
        check_types(self.types)
        if self.radius_km is not None and not 0 < self.radius_km <= MAX_RADIUS_KM:
            raise DirectoryQueryError(f"The radius must be between 0 and {MAX_RADIUS_KM:,.0f} km.")
        if self.limit < 1:
            raise DirectoryQueryError("Ask for at least one result.")
        for language in self.languages:
            if language_code(language) is None:
                raise DirectoryQueryError(
                    f"{language!r} is not a language code Ally knows; use a code like 'es' or 'zh'."
                )


def words_of(text: str | None) -> tuple[str, ...]:
    """The words to look for: letters and digits only, without small function words."""
    if not text:
        return ()
    words = [word for word in re.findall(r"\w+", text.casefold()) if word not in _STOP_WORDS]
    return tuple(dict.fromkeys(words))


def match_for(query: SearchQuery) -> Match:
    groups: list[tuple[str, ...]] = []
    if query.types:
        groups.append(tuple(f"t:{code}" for code in query.types))
    if query.languages:
        groups.append(tuple(f"l:{language_code(code)}" for code in query.languages))
    return Match(words_of(query.text), tuple(groups))


def relevance(words: Sequence[str], name: str) -> float:
    """The share of the words that start a word of the name (first five letters compared)."""
    if not words:
        return 0.0
    return _relevance(tuple(_fold(word)[:5] for word in words), name)


def _relevance(stems: tuple[str, ...], name: str) -> float:
    if not stems:
        return 0.0
    tokens = re.findall(r"\w+", name.casefold() if name.isascii() else _fold(name))
    found = sum(1 for stem in stems if any(token.startswith(stem) for token in tokens))
    return found / len(stems)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search(index: DirectoryIndex, query: SearchQuery) -> list[Hit]:
    """Services matching the query, best first (see the module docstring for the ranking)."""
    match = match_for(query)
    now = query.at or dt.datetime.now(dt.UTC)
    tz = _zone(query.near)
    if query.near is None:
        ranked = _rank_anywhere(index.anywhere(match, query.limit * 5), match, query, now, tz)
        return hits_for(index, ranked[: query.limit], now, tz)
    ranked = _nearby(index, match, query, now, tz)
    area_limit = query.limit if query.area_limit is None else query.area_limit
    if area_limit:
        area = _rank_area(index.area_wide(match, query.near.areas), match, query, now, tz)
        ranked += area[:area_limit]
    return hits_for(index, ranked, now, tz)


def _zone(place: Place | None) -> dt.tzinfo:
    """The place's time zone; without a place, this computer's (the person is probably local)."""
    if place is not None and place.timezone:
        try:
            return ZoneInfo(place.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return dt.datetime.now().astimezone().tzinfo or dt.UTC


def _open_ok(candidate: Candidate, query: SearchQuery, now: dt.datetime, tz: dt.tzinfo) -> bool:
    if not query.open_now:
        return True
    if not candidate.hours:
        return False
    return is_open(orjson.loads(candidate.hours), now, tz) is True


def _nearby(
    index: DirectoryIndex, match: Match, query: SearchQuery, now: dt.datetime, tz: dt.tzinfo
) -> list[Ranked]:
    """The best ``limit`` services within the radius, reading as little of it as needed.

    A service d km away scores at most ``best / (1 + d / 5)`` (``best`` is 2 with words, 1
    without). After a pass over a circle of radius r, if the ``limit``-th score found already
    beats anything beyond r could score, the answer is complete; in a dense city that is
    often after the first few kilometres of a 50 km search. Otherwise the next circle is
    sized from the density seen so far (or is the whole radius when the first was empty).
    Without a radius, the radius is ``NEAR_LIMIT_KM``: a shelter further away is not "near".
    """
    assert query.near is not None
    stems = tuple(_fold(word)[:5] for word in match.words)
    best_possible = 2.0 if stems else 1.0
    limit_km = query.radius_km or NEAR_LIMIT_KM
    radius = min(FIRST_PASS_KM, limit_km)
    while True:
        ranked = _pass(index, match, query, radius, stems, now, tz)
        if radius >= limit_km:
            return ranked[: query.limit]
        bound = best_possible / (1 + radius / DISTANCE_SCALE_KM)
        if len(ranked) >= query.limit and ranked[query.limit - 1].score >= bound:
            return ranked[: query.limit]
        radius = min(limit_km, _next_radius(radius, len(ranked), query.limit))


def _next_radius(radius: float, found: int, wanted: int) -> float:
    """Grow at least ``PASS_GROWTH`` times; enough to expect ``wanted`` at the density seen."""
    if found == 0:
        return radius * PASS_GROWTH**3
    return max(radius * PASS_GROWTH, radius * math.sqrt(2 * wanted / found))


def _pass(
    index: DirectoryIndex,
    match: Match,
    query: SearchQuery,
    radius: float,
    stems: tuple[str, ...],
    now: dt.datetime,
    tz: dt.tzinfo,
) -> list[Ranked]:
    """Every matching service within ``radius``, nearest location each, best first."""
    assert query.near is not None
    lat, lon = query.near.lat, query.near.lon
    best: dict[str, tuple[Candidate, float]] = {}
    for candidate in index.located(match, lat, lon, radius):
        assert candidate.lat is not None and candidate.lon is not None
        distance = haversine_km(lat, lon, candidate.lat, candidate.lon)
        if distance > radius or not _open_ok(candidate, query, now, tz):
            continue
        known = best.get(candidate.service_id)
        if known is None or distance < known[1]:
            best[candidate.service_id] = (candidate, distance)
    ranked = [
        Ranked(
            candidate,
            distance,
            "local",
            (1 + _relevance(stems, candidate.name)) / (1 + distance / DISTANCE_SCALE_KM),
        )
        for candidate, distance in best.values()
    ]
    ranked.sort(key=lambda item: (-item.score, item.distance, item.candidate.service_id))
    return ranked


def _scope(candidate: Candidate, place: Place) -> tuple[int, Scope]:
    for rank, code in enumerate(place.areas):
        if code in candidate.areas:
            if code == WORLD:
                return rank, "world"
            return rank, "region" if "-" in code else "country"
    return len(place.areas), "world"


def _rank_area(
    candidates: Iterable[Candidate],
    match: Match,
    query: SearchQuery,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> list[Ranked]:
    assert query.near is not None
    best: dict[str, tuple[int, Scope, Candidate]] = {}
    for candidate in candidates:
        if not _open_ok(candidate, query, now, tz):
            continue
        rank, scope = _scope(candidate, query.near)
        known = best.get(candidate.service_id)
        if known is None or rank < known[0]:
            best[candidate.service_id] = (rank, scope, candidate)
    ranked = [
        Ranked(candidate, None, scope, relevance(match.words, candidate.name) - rank)
        for rank, scope, candidate in best.values()
    ]
    ranked.sort(key=lambda item: (-item.score, item.candidate.service_id))
    return ranked


def _rank_anywhere(
    candidates: Iterable[Candidate],
    match: Match,
    query: SearchQuery,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> list[Ranked]:
    best: dict[str, Ranked] = {}
    for candidate in candidates:
        if _open_ok(candidate, query, now, tz) and candidate.service_id not in best:
            scope: Scope = "local" if candidate.lat is not None else "world"
            score = relevance(match.words, candidate.name)
            best[candidate.service_id] = Ranked(candidate, None, scope, score)
    return sorted(best.values(), key=lambda item: -item.score)


def services_for_step(
    index: DirectoryIndex,
    route: Route | str,
    *,
    near: Place | str | None = None,
    language: str | None = None,
    open_now: bool = False,
    limit: int = 3,
    radius_km: float | None = None,
    at: dt.datetime | None = None,
) -> list[Hit]:
    """The nearest services that can help with a plan step of this route.

    ``near`` is a Place or text (a city, a US ZIP code or "lat,lon"). Local services come first
    (up to ``limit``), then area-wide ones such as national helplines (up to ``limit``). Steps
    whose route no directory service fits (talking to a venue, keeping evidence) get [].
    """
    types = types_for_route(route)
    if not types:
        return []
    place = resolve_place(near) if isinstance(near, str) else near
    query = SearchQuery(
        types=types,
        languages=(language,) if language else (),
        near=place,
        radius_km=radius_km,
        open_now=open_now,
        at=at,
        limit=limit,
    )
    return search(index, query)
