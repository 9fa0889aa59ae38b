"""What the search index keeps for each service: one entry per place it can be found.

A service at two addresses gets two located entries; a phone line or website with no address
gets one area entry for the country, region or the whole world it serves. Each entry carries
the words to search, tags for the filters (``t:`` service type, ``l:`` language, ``a:`` area)
and the opening hours. Only active services (and temporarily closed ones, shown as such) are
indexed; the full HSDS document is stored beside the index either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

import orjson

from ally.directory.geo import valid_point
from ally.directory.schedule import KEPT
from ally.directory.taxonomy import TERM_IDS, types_of_term

T = TypeVar("T")
SEARCHABLE_STATUSES = ("active", "temporarily closed")
WORLD = "*"
_AREA_CODE = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")
_KEPT_HOURS = frozenset(KEPT)
_TIMES = ("opens_at", "closes_at")
_AREA_TYPES = ("iso3166", "iso3166-1", "iso3166-2", "iso 3166", "country", "region")

# ISO 639-2/3 codes and English names of common languages, to their two-letter ISO 639-1 code.
_LANGUAGES = {
    "eng": "en",
    "english": "en",
    "spa": "es",
    "spanish": "es",
    "español": "es",
    "fra": "fr",
    "fre": "fr",
    "french": "fr",
    "deu": "de",
    "ger": "de",
    "german": "de",
    "ita": "it",
    "italian": "it",
    "por": "pt",
    "portuguese": "pt",
    "zho": "zh",
    "chi": "zh",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
    "ara": "ar",
    "arabic": "ar",
    "rus": "ru",
    "russian": "ru",
    "pol": "pl",
    "polish": "pl",
    "urd": "ur",
    "urdu": "ur",
    "hin": "hi",
    "hindi": "hi",
    "ben": "bn",
    "bengali": "bn",
    "pan": "pa",
    "punjabi": "pa",
    "vie": "vi",
    "vietnamese": "vi",
    "kor": "ko",
    "korean": "ko",
    "jpn": "ja",
    "japanese": "ja",
    "tgl": "tl",
    "tagalog": "tl",
    "fil": "tl",
    "filipino": "tl",
    "fas": "fa",
    "per": "fa",
    "persian": "fa",
    "farsi": "fa",
    "tur": "tr",
    "turkish": "tr",
    "ukr": "uk",
    "ukrainian": "uk",
    "ron": "ro",
    "rum": "ro",
    "romanian": "ro",
    "nld": "nl",
    "dut": "nl",
    "dutch": "nl",
    "som": "so",
    "somali": "so",
    "amh": "am",
    "amharic": "am",
    "hat": "ht",
    "haitian creole": "ht",
    "swa": "sw",
    "swahili": "sw",
    "heb": "he",
    "hebrew": "he",
    "gre": "el",
    "ell": "el",
    "greek": "el",
    "cym": "cy",
    "wel": "cy",
    "welsh": "cy",
    "gle": "ga",
    "irish": "ga",
    "ase": "sgn",
    "asl": "sgn",
    "american sign language": "sgn",
    "bsl": "sgn",
    "british sign language": "sgn",
    "sign language": "sgn",
}


class Entry(NamedTuple):
    """One place a service can be found (a tuple: millions are made in one import)."""

    service_id: str
    lat: float | None
    lon: float | None
    name: str
    body: str
    tags: tuple[str, ...]
    hours: str | None


def language_code(value: Any) -> str | None:
    """A two-letter language code from an ISO code or an English name; None if unknown."""
    if not isinstance(value, str):
        return None
    if len(value) == 2 and value.isalpha() and value.islower():
        return value
    text = value.strip().lower().replace("_", "-")
    if not text:
        return None
    base = text.split("-", 1)[0]
    if len(base) == 2 and base.isalpha():
        return base
    return _LANGUAGES.get(text) or _LANGUAGES.get(base)


TermTypes = Mapping[str, frozenset[str]]


def term_types(terms: Mapping[str, Mapping[str, Any]]) -> dict[str, frozenset[str]]:
    """Service types per taxonomy term id, worked out once per import, not once per service."""
    found = {term_id: frozenset(types_of_term(dict(term))) for term_id, term in terms.items()}
    for term_id, code in TERM_IDS.items():
        found.setdefault(term_id, frozenset((code,)))
    return found


def service_types(service: Mapping[str, Any], known: TermTypes | None = None) -> set[str]:
    """Ally service types of a service, from the taxonomy terms its attributes link to."""
    known = _ALLY_TERM_TYPES if known is None else known
    found: set[str] = set()
    for attribute in service.get("attributes") or ():
        term = attribute.get("taxonomy_term")
        if term:
            found.update(known.get(term.get("id"), ()) or types_of_term(dict(term)))
        else:
            found.update(known.get(attribute.get("taxonomy_term_id"), ()))
    return found


def service_languages(service: Mapping[str, Any]) -> set[str]:
    """Two-letter codes of the languages a service, its phones or its locations offer."""
    codes: set[str] = set()
    _add_codes(codes, _language_values(service))
    return codes


def _language_values(service: Mapping[str, Any]) -> list[Any]:
    """The raw code (or name) of each language a service, its phones or its locations list."""
    values = [item.get("code") or item.get("name") for item in service.get("languages") or ()]
    for phone in service.get("phones") or ():
        for item in phone.get("languages") or ():
            values.append(item.get("code") or item.get("name"))
    for link in service.get("service_at_locations") or ():
        location = link.get("location")
        if location:
            for item in location.get("languages") or ():
                values.append(item.get("code") or item.get("name"))
    return values


def _add_codes(codes: set[str], values: Iterable[Any]) -> None:
    """Add each value's two-letter code; one that is already two lowercase letters (the
    usual case, on every service of every import) skips the full ``language_code`` work."""
    for value in values:
        if value.__class__ is str and len(value) == 2 and value.isalpha() and value.islower():
            codes.add(value)
            continue
        code = language_code(value)
        if code:
            codes.add(code)


def entries_for(
    service: Mapping[str, Any], organization_name: str | None, known: TermTypes | None = None
) -> list[Entry]:
    """The index entries of one service document (none for inactive or defunct services)."""
    return Indexer(known).entries(service, organization_name)


class Indexer:
    """Derives index entries for the services of one import.

    A big import derives a million services' entries in Python, on one core, and that is
    the longest step of the import. Most of what a service's entries carry repeats from
    service to service: the same few taxonomy terms and language codes, the same opening
    hours. So the tags of each combination of term ids and language codes, and the stored
    form of each set of opening hours, are worked out once per import and then shared
    (which also keeps one copy of each in memory, not a million).
    """

    CACHE_LIMIT = 65_536

    def __init__(self, known: TermTypes | None = None) -> None:
        self.known = _ALLY_TERM_TYPES if known is None else known
        self._tags: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._hours: dict[tuple[Any, ...], str | None] = {}

    def entries(self, service: Mapping[str, Any], organization_name: str | None) -> list[Entry]:
        get = service.get
        if get("status") not in SEARCHABLE_STATUSES:
            return []
        service_id = service["id"]
        name = get("name") or ""
        if get("alternate_name"):
            name = f"{name} {service['alternate_name']}"
        if organization_name:
            name = f"{name} {organization_name}"
        description = get("description") or ""
        tags = self.tags(service)
        schedules = get("schedules")
        service_hours = self.hours(schedules) if schedules else None
        entries = []
        for link in get("service_at_locations") or ():
            location = link.get("location") or _NOTHING
            lat: Any = location.get("latitude")
            lon: Any = location.get("longitude")
            if location.get("location_type", "physical") != "physical":
                continue
            if not (
                -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0
                if lat.__class__ is float and lon.__class__ is float
                else valid_point(lat, lon)
            ):
                continue
            # The most specific schedules: of the service at this location, else of the location.
            own = link.get("schedules") or location.get("schedules")
            entries.append(
                Entry(
                    service_id,
                    float(lat),
                    float(lon),
                    name,
                    _body(description, location),
                    tags,
                    (self.hours(own) if own else None) or service_hours,
                )
            )
        if entries:
            return entries
        area_tags = tags + tuple(f"a:{code}" for code in areas_served(service))
        return [Entry(service_id, None, None, name, description, area_tags, service_hours)]

    def tags(self, service: Mapping[str, Any]) -> tuple[str, ...]:
        """``t:`` and ``l:`` tags, looked up by the raw term ids and language values."""
        key = _tag_key(service)
        if key is None:
            return _tags(
                tuple(sorted(service_types(service, self.known))),
                tuple(sorted(service_languages(service))),
            )
        return _remembered(self._tags, key, self._tags_of)

    def _tags_of(self, key: tuple[Any, ...]) -> tuple[str, ...]:
        term_ids, values = key
        types: set[str] = set()
        for term_id in term_ids:
            types.update(self.known.get(term_id, ()))
        codes: set[str] = set()
        _add_codes(codes, values)
        return _tags(tuple(sorted(types)), tuple(sorted(codes)))

    def hours(self, schedules: Iterable[Mapping[str, Any]]) -> str | None:
        """The stored form of schedules' opening hours (JSON), or None when they have none."""
        kept = tuple(
            tuple(
                [
                    (key, value)
                    for key, value in schedule.items()
                    if key in _KEPT_HOURS and value is not None
                ]
            )
            for schedule in schedules
        )
        return _remembered(self._hours, kept, _hours_json)


def _remembered(cache: dict[Any, T], key: Any, work_out: Callable[[Any], T]) -> T:
    """``cache[key]``, worked out on first use; kept to ``Indexer.CACHE_LIMIT`` entries."""
    try:
        return cache[key]
    except KeyError:
        pass
    except TypeError:  # a value that cannot be a dictionary key: work it out each time
        return work_out(key)
    found = cache[key] = work_out(key)
    if len(cache) > Indexer.CACHE_LIMIT:
        cache.clear()
    return found


def _tag_key(service: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The raw inputs of a service's tags; None when a term is embedded (looked at in full)."""
    term_ids = []
    for attribute in service.get("attributes") or ():
        if attribute.get("taxonomy_term"):
            return None
        term_ids.append(attribute.get("taxonomy_term_id"))
    return tuple(term_ids), tuple(_language_values(service))


def _hours_json(kept: tuple[tuple[tuple[str, Any], ...], ...]) -> str | None:
    """``schedule.compact`` of schedules already reduced to their kept, non-empty fields."""
    return _json([dict(pairs) for pairs in kept if any(key in _TIMES for key, _ in pairs)])


_NOTHING: Mapping[str, Any] = {}


@lru_cache(maxsize=4096)
def _tags(types: tuple[str, ...], languages: tuple[str, ...]) -> tuple[str, ...]:
    return tuple([f"t:{code}" for code in types] + [f"l:{code}" for code in languages])


def _body(description: str, location: Mapping[str, Any]) -> str:
    """The description plus the place's name and town, so "legal aid oakland" finds it."""
    words = [description] if description else []
    place = location.get("name")
    if place:
        words.append(place)
    for address in location.get("addresses") or ():
        city = address.get("city")
        if city:
            words.append(city)
    return " ".join(words)


def areas_served(service: Mapping[str, Any]) -> list[str]:
    """ISO 3166 codes (``US``, ``US-CA``) a service without an address serves; ``*`` for all."""
    codes: list[str] = []
    for area in service.get("service_areas") or ():
        extent = str(area.get("extent") or "").strip()
        kind = str(area.get("extent_type") or "").strip().lower()
        if _AREA_CODE.match(extent) and (kind in _AREA_TYPES or not kind):
            codes.append(extent.upper())
        elif extent == WORLD:
            codes.append(WORLD)
    if not codes:
        for link in service.get("service_at_locations") or ():
            for address in (link.get("location") or {}).get("addresses") or ():
                country = str(address.get("country") or "").strip().upper()
                if len(country) == 2 and country.isalpha():
                    codes.append(country)
    return sorted(set(codes)) or [WORLD]


def _json(hours: list[dict[str, Any]]) -> str | None:
    return orjson.dumps(hours).decode() if hours else None


_ALLY_TERM_TYPES: dict[str, frozenset[str]] = {
    term_id: frozenset((code,)) for term_id, code in TERM_IDS.items()
}
