"""The entries a service gets in the search index, and the Indexer's sharing of repeated parts."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from ally.directory.index import (
    Entry,
    Indexer,
    entries_for,
    service_languages,
    service_types,
    term_types,
)
from ally.directory.schedule import compact
from ally.directory.taxonomy import term_documents, term_id

KNOWN = term_types({term["id"]: term for term in term_documents()})
TERMS = [term_id("shelter"), term_id("legal_aid"), term_id("helpline"), "not-a-known-term"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-200, 200),
    st.floats(allow_nan=True),
    st.sampled_from(["", "en", "ES", "es-MX", "Spanish", "zz", "eng", " fr ", "09:00"]),
    st.lists(st.just("en"), max_size=1),  # not hashable: must still be read correctly
)
LANGUAGES = st.lists(
    st.fixed_dictionaries({}, optional={"code": SCALARS, "name": SCALARS}), max_size=3
)
SCHEDULES = st.lists(
    st.dictionaries(
        st.sampled_from(["id", "freq", "byday", "opens_at", "closes_at", "timezone", "notes"]),
        st.one_of(SCALARS, st.sampled_from(["09:00", "17:00", "MO,TU", "WEEKLY"])),
        max_size=5,
    ),
    max_size=3,
)
TERM = st.fixed_dictionaries(
    {"id": st.sampled_from(TERMS)},
    optional={"name": st.sampled_from(["Shelters", "Legal aid", "Food"]), "code": SCALARS},
)
LOCATION = st.fixed_dictionaries(
    {},
    optional={
        "latitude": SCALARS,
        "longitude": SCALARS,
        "location_type": st.sampled_from(["physical", "virtual", "postal"]),
        "name": st.sampled_from(["", "Hall", None]),
        "languages": LANGUAGES,
        "schedules": SCHEDULES,
        "addresses": st.lists(
            st.fixed_dictionaries(
                {}, optional={"city": SCALARS, "country": st.sampled_from(["US", "gb", "USA", ""])}
            ),
            max_size=2,
        ),
    },
)
SERVICE = st.fixed_dictionaries(
    {"id": st.sampled_from(["s1", "s2"])},
    optional={
        "status": st.sampled_from(["active", "inactive", "temporarily closed", None]),
        "name": st.sampled_from(["", "Help", None]),
        "alternate_name": st.sampled_from(["", "Alt", None]),
        "description": st.sampled_from(["", "Free legal advice", None]),
        "attributes": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "taxonomy_term_id": st.sampled_from([*TERMS, None]),
                    "taxonomy_term": st.one_of(st.none(), TERM),
                },
            ),
            max_size=3,
        ),
        "languages": LANGUAGES,
        "phones": st.lists(
            st.fixed_dictionaries({}, optional={"languages": LANGUAGES}), max_size=2
        ),
        "schedules": SCHEDULES,
        "service_at_locations": st.lists(
            st.fixed_dictionaries(
                {}, optional={"location": st.one_of(st.none(), LOCATION), "schedules": SCHEDULES}
            ),
            max_size=3,
        ),
        "service_areas": st.lists(
            st.fixed_dictionaries(
                {}, optional={"extent": st.sampled_from(["US", "US-CA", "*", "nowhere"])}
            ),
            max_size=2,
        ),
    },
)


def _outcome(indexer: Indexer, service: dict[str, Any]) -> list[Entry] | str:
    try:
        return indexer.entries(service, "Org")
    except Exception as error:  # malformed documents must fail the same way, cached or not
        return type(error).__name__


@settings(max_examples=400, deadline=None)
@given(st.lists(SERVICE, min_size=2, max_size=6))
def test_shared_parts_never_change_an_answer(services: list[dict[str, Any]]) -> None:
    """One Indexer over a whole import gives each service what a fresh one would."""
    shared = Indexer(KNOWN)
    for service in services:
        assert _outcome(shared, service) == _outcome(Indexer(KNOWN), service)


@settings(max_examples=300, deadline=None)
@given(st.lists(SERVICE, min_size=1, max_size=4))
def test_tags_and_hours_are_those_the_document_states(services: list[dict[str, Any]]) -> None:
    """Checked against ``service_types``, ``service_languages`` and ``schedule.compact``."""
    indexer = Indexer(KNOWN)
    for service in services:
        outcome = _outcome(indexer, service)
        if isinstance(outcome, str) or not outcome:
            continue
        types = sorted(service_types(service, KNOWN))
        languages = sorted(service_languages(service))
        expected = tuple([f"t:{code}" for code in types] + [f"l:{code}" for code in languages])
        service_hours = _stored(service.get("schedules"))
        links = [
            link
            for link in service.get("service_at_locations") or ()
            if (link.get("location") or {}).get("location_type", "physical") == "physical"
        ]
        for entry in outcome:
            assert entry.tags[: len(expected)] == expected
            if entry.lat is None:
                assert entry.hours == service_hours
        if len(links) == 1 and outcome[0].lat is not None:
            location = links[0].get("location") or {}
            own = links[0].get("schedules") or location.get("schedules")
            assert outcome[0].hours == (_stored(own) or service_hours)


def _stored(schedules: Any) -> str | None:
    kept = compact(schedules) if schedules else []
    return orjson.dumps(kept).decode() if kept else None


def _service(**fields: Any) -> dict[str, Any]:
    location = {"latitude": 37.8, "longitude": -122.27, "addresses": [{"city": "Oakland"}]}
    base = {
        "id": "s1",
        "status": "active",
        "name": "Legal clinic",
        "description": "Free advice",
        "attributes": [{"taxonomy_term_id": term_id("legal_aid")}],
        "languages": [{"code": "es"}, {"name": "English"}],
        "schedules": [{"id": "x", "byday": "MO", "opens_at": "09:00", "closes_at": "17:00"}],
        "service_at_locations": [{"location": location}],
    }
    return {**base, **fields}


def test_an_entry_carries_words_tags_and_hours() -> None:
    (entry,) = entries_for(_service(), "Bay Legal", KNOWN)
    assert entry == Entry(
        "s1",
        37.8,
        -122.27,
        "Legal clinic Bay Legal",
        "Free advice Oakland",
        ("t:legal_aid", "l:en", "l:es"),
        '[{"byday":"MO","opens_at":"09:00","closes_at":"17:00"}]',
    )


def test_the_most_specific_hours_win_and_hours_without_times_say_nothing() -> None:
    indexer = Indexer(KNOWN)
    own = [{"opens_at": "10:00"}]
    at_location = _service(
        service_at_locations=[{"location": {"latitude": 1.0, "longitude": 2.0}, "schedules": own}]
    )
    assert indexer.entries(at_location, None)[0].hours == '[{"opens_at":"10:00"}]'
    no_times = _service(schedules=[{"byday": "MO", "notes": "call first"}])
    assert indexer.entries(no_times, None)[0].hours is None


def test_embedded_terms_and_odd_language_values_are_read_every_time() -> None:
    indexer = Indexer(KNOWN)
    embedded = _service(attributes=[{"taxonomy_term": {"id": "t9", "name": "Shelters"}}])
    assert indexer.entries(embedded, None)[0].tags[0] == "t:shelter"
    odd = _service(languages=[{"code": ["es"]}, {"code": "Spanish"}])
    assert indexer.entries(odd, None)[0].tags[1:] == ("l:es",)
    assert indexer.entries(odd, None)[0].tags[1:] == ("l:es",)


def test_languages_of_phones_and_locations_count() -> None:
    location = {"latitude": 1.0, "longitude": 2.0, "languages": [{"code": "vi"}]}
    service = _service(
        languages=[],
        phones=[{"number": "1", "languages": [{"name": "Tagalog"}]}],
        service_at_locations=[{"location": location}],
    )
    assert Indexer(KNOWN).entries(service, None)[0].tags[1:] == ("l:tl", "l:vi")
