"""Property: every search returns exactly what a brute-force scan of the data returns."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ally.directory.geo import Place, haversine_km
from ally.directory.search import DISTANCE_SCALE_KM, SearchQuery, relevance, search
from ally.directory.taxonomy import term_id
from ally.storage.directory_store import DirectoryStore
from tests.directory.conftest import make_service

# Words that every stemmer leaves alone, so both databases tokenise them the same way.
WORDS = ("cedar", "maple", "birch", "aspen", "walnut", "willow")
TYPES = ("shelter", "legal_aid", "counselling", "helpline")
LANGUAGES = ("en", "es", "zh")
CENTRE = (47.6, -122.3)


def dataset() -> list[dict[str, Any]]:
    rnd = random.Random(20261125)
    services = []
    for number in range(400):
        lat = CENTRE[0] + rnd.gauss(0, 0.3)
        lon = CENTRE[1] + rnd.gauss(0, 0.4)
        words = " ".join(rnd.sample(WORDS, rnd.randint(1, 3)))
        services.append(
            make_service(
                f"Service {number} {words}",
                lat,
                lon,
                types=tuple(rnd.sample(TYPES, rnd.randint(0, 2))),
                languages=tuple(rnd.sample(LANGUAGES, rnd.randint(0, 2))),
            )
        )
    return services


DATA = dataset()


def expected(query: SearchQuery) -> set[str]:
    assert query.near is not None and query.radius_km is not None
    found = set()
    for service in DATA:
        location = service["service_at_locations"][0]["location"]
        distance = haversine_km(
            query.near.lat, query.near.lon, location["latitude"], location["longitude"]
        )
        types = {a["taxonomy_term_id"] for a in service.get("attributes", [])}
        languages = {item["code"] for item in service.get("languages", [])}
        if distance > query.radius_km:
            continue
        if query.types and not types & {term_id(code) for code in query.types}:
            continue
        if query.languages and not languages & set(query.languages):
            continue
        if query.text and not all(word in service["name"].split() for word in query.text.split()):
            continue
        found.add(service["name"])
    return found


queries = st.builds(
    SearchQuery,
    text=st.one_of(
        st.none(), st.lists(st.sampled_from(WORDS), min_size=1, max_size=2).map(" ".join)
    ),
    types=st.lists(st.sampled_from(TYPES), max_size=2, unique=True).map(tuple),
    languages=st.lists(st.sampled_from(LANGUAGES), max_size=1).map(tuple),
    near=st.builds(
        lambda lat, lon: Place(lat, lon, "here", country="US", region="WA"),
        st.floats(CENTRE[0] - 0.6, CENTRE[0] + 0.6),
        st.floats(CENTRE[1] - 0.8, CENTRE[1] + 0.8),
    ),
    radius_km=st.sampled_from([1.0, 3.0, 10.0, 25.0, 60.0]),
    limit=st.just(1000),
    area_limit=st.just(0),
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(queries)
def test_search_equals_brute_force(store: DirectoryStore, query: SearchQuery) -> None:
    if store.counts()["services"] == 0:
        store.load(DATA)
    hits = search(store, query)
    assert {hit.name for hit in hits} == expected(query)
    distances = [hit.distance_km for hit in hits if not query.text]
    assert distances == sorted(distances)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(queries.map(lambda query: dataclasses.replace(query, limit=5)))
def test_early_stop_keeps_the_best(store: DirectoryStore, query: SearchQuery) -> None:
    """Reading growing circles and stopping early gives the same top five as reading all."""
    if store.counts()["services"] == 0:
        store.load(DATA)
    assert query.near is not None and query.radius_km is not None
    words = query.text.split() if query.text else []
    scores = []
    for name in expected(query):
        service = next(s for s in DATA if s["name"] == name)
        location = service["service_at_locations"][0]["location"]
        distance = haversine_km(
            query.near.lat, query.near.lon, location["latitude"], location["longitude"]
        )
        scores.append((1 + relevance(words, name)) / (1 + distance / DISTANCE_SCALE_KM))
    top = sorted(scores, reverse=True)[:5]
    hits = search(store, query)
    assert [hit.score for hit in hits] == pytest.approx(top, abs=1e-3)
