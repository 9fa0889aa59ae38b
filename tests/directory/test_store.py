"""The directory store on SQLite and PostgreSQL: the same tests, the same answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ally.directory.geo import Place, haversine_km
from ally.directory.hsds import bundle_from_documents
from ally.directory.jsonio import read_json
from ally.directory.search import SearchQuery, search, services_for_step
from ally.storage.directory_store import DirectoryStore
from tests.directory.conftest import EXAMPLES, make_organization, make_service

OAKLAND = Place(
    37.8044, -122.2712, "Oakland", country="US", region="CA", timezone="America/Los_Angeles"
)


def names(hits: list[Any]) -> list[str]:
    return [hit.name for hit in hits]


def test_text_type_language_and_distance(store: DirectoryStore) -> None:
    store.load(
        [
            make_service("Harbor Shelter", 37.81, -122.27, types=("shelter",), languages=("es",)),
            make_service("Lakeside Shelter", 37.90, -122.30, types=("shelter",), languages=("en",)),
            make_service("Far Shelter", 38.58, -121.49, types=("shelter",)),
            make_service(
                "Harbor Legal Aid", 37.80, -122.28, types=("legal_aid",), description="Free lawyers"
            ),
        ]
    )
    hits = search(store, SearchQuery(types=("shelter",), near=OAKLAND, radius_km=25, area_limit=0))
    assert names(hits) == ["Harbor Shelter", "Lakeside Shelter"]
    assert hits[0].distance_km == pytest.approx(
        haversine_km(OAKLAND.lat, OAKLAND.lon, 37.81, -122.27), abs=0.01
    )
    spanish = search(
        store, SearchQuery(types=("shelter",), languages=("spa",), near=OAKLAND, radius_km=25)
    )
    assert names(spanish) == ["Harbor Shelter"]
    words = search(store, SearchQuery(text="harbor", near=OAKLAND, radius_km=25))
    assert set(names(words)) == {"Harbor Shelter", "Harbor Legal Aid"}
    lawyers = search(store, SearchQuery(text="lawyers", near=OAKLAND, radius_km=25))
    assert names(lawyers) == ["Harbor Legal Aid"]
    everything = search(store, SearchQuery(near=OAKLAND, radius_km=200, area_limit=0))
    assert names(everything)[-1] == "Far Shelter"


def test_search_widens_until_it_finds_something(store: DirectoryStore) -> None:
    store.load([make_service("Valley Shelter", 38.58, -121.49, types=("shelter",))])
    hits = search(store, SearchQuery(types=("shelter",), near=OAKLAND))
    assert names(hits) == ["Valley Shelter"]
    assert 100 < (hits[0].distance_km or 0) < 150


def test_area_wide_services_follow_local_ones(store: DirectoryStore) -> None:
    store.load(
        [
            make_service("Local Line", 37.80, -122.27, types=("helpline",)),
            make_service("California Line", types=("helpline",), areas=("US-CA",)),
            make_service("National Line", types=("helpline",), areas=("US",)),
            make_service("World Line", types=("helpline",)),
            make_service("Texas Line", types=("helpline",), areas=("US-TX",)),
            make_service("UK Line", types=("helpline",), areas=("GB",)),
        ]
    )
    hits = search(store, SearchQuery(types=("helpline",), near=OAKLAND, radius_km=10))
    assert names(hits) == ["Local Line", "California Line", "National Line", "World Line"]
    assert [hit.scope for hit in hits] == ["local", "region", "country", "world"]


def test_reimport_replaces_and_old_words_are_gone(store: DirectoryStore) -> None:
    service = make_service("Maple Clinic", 37.80, -122.27, types=("counselling",))
    store.load([service])
    store.load([make_service("Cedar Clinic", 37.80, -122.27, service_id=service["id"])])
    assert store.counts()["services"] == 1
    assert names(search(store, SearchQuery(text="maple", near=OAKLAND, radius_km=10))) == []
    assert names(search(store, SearchQuery(text="cedar", near=OAKLAND, radius_km=10))) == [
        "Cedar Clinic"
    ]
    store.load([{**service, "status": "defunct"}])
    assert search(store, SearchQuery(near=OAKLAND, radius_km=10, area_limit=0)) == []


def test_renaming_an_organization_reindexes_its_services(store: DirectoryStore) -> None:
    organization = make_organization("Birch Trust")
    store.load(
        [make_service("Clinic", 37.80, -122.27, organization_id=organization["id"])], [organization]
    )
    assert names(search(store, SearchQuery(text="birch", near=OAKLAND, radius_km=5))) == ["Clinic"]
    store.load([], [{**organization, "name": "Aspen Trust"}])
    assert search(store, SearchQuery(text="birch", near=OAKLAND, radius_km=5)) == []
    hits = search(store, SearchQuery(text="aspen", near=OAKLAND, radius_km=5))
    assert names(hits) == ["Clinic"] and hits[0].organization == "Aspen Trust"


def test_failed_import_changes_nothing(
    store: DirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.load([make_service("Before", 37.80, -122.27)])
    before = store.counts()
    calls = {"n": 0}
    original = store.backend.insert_rows

    def failing(rows: Any, state: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        original(rows, state)

    monkeypatch.setattr(store.backend, "insert_rows", failing)
    services = [make_service(f"Service {i}", 37.8, -122.27) for i in range(6000)]
    with pytest.raises(RuntimeError):
        store.load(services)
    monkeypatch.undo()
    assert store.counts() == before
    assert names(search(store, SearchQuery(near=OAKLAND, radius_km=5, area_limit=0))) == ["Before"]


def test_open_now(store: DirectoryStore) -> None:
    weekdays = {
        "freq": "WEEKLY",
        "byday": "MO,TU,WE,TH,FR",
        "opens_at": "09:00",
        "closes_at": "17:00",
    }
    nights = {
        "freq": "WEEKLY",
        "byday": "MO,TU,WE,TH,FR,SA,SU",
        "opens_at": "20:00",
        "closes_at": "08:00",
    }
    store.load(
        [
            make_service("Day Office", 37.80, -122.27, schedules=[weekdays]),
            make_service("Night Line", 37.80, -122.27, schedules=[nights]),
            make_service("Unknown Hours", 37.80, -122.27),
        ]
    )
    wednesday_noon = dt.datetime(2026, 11, 25, 20, 0, tzinfo=dt.UTC)  # 12:00 in Oakland
    saturday_2am = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)  # 02:00 in Oakland
    noon = search(store, SearchQuery(near=OAKLAND, radius_km=5, open_now=True, at=wednesday_noon))
    night = search(store, SearchQuery(near=OAKLAND, radius_km=5, open_now=True, at=saturday_2am))
    assert names(noon) == ["Day Office"]
    assert names(night) == ["Night Line"]
    every = search(store, SearchQuery(near=OAKLAND, radius_km=5, at=wednesday_noon))
    assert {hit.name: hit.open_now for hit in every} == {
        "Day Office": True,
        "Night Line": False,
        "Unknown Hours": None,
    }


def test_across_the_antimeridian(store: DirectoryStore) -> None:
    store.load([make_service("East", -16.5, 179.9), make_service("West", -16.5, -179.9)])
    fiji = Place(-16.5, 179.95, "Fiji", country="FJ")
    assert set(names(search(store, SearchQuery(near=fiji, radius_km=30, area_limit=0)))) == {
        "East",
        "West",
    }


def test_text_search_without_a_place(store: DirectoryStore) -> None:
    store.load(
        [
            make_service("Elm Advocacy", 40.7, -74.0),
            make_service("Oak Advocacy", types=("advocacy",)),
        ]
    )
    assert set(names(search(store, SearchQuery(text="advocacy")))) == {
        "Elm Advocacy",
        "Oak Advocacy",
    }
    assert names(search(store, SearchQuery(types=("advocacy",)))) == ["Oak Advocacy"]


def test_services_for_step(store: DirectoryStore) -> None:
    store.load(
        [
            make_service("Court Help Center", 37.80, -122.27, types=("court_help",)),
            make_service("Legal Aid Society", 37.85, -122.25, types=("legal_aid",)),
            make_service("Counselling Room", 37.80, -122.27, types=("counselling",)),
        ]
    )
    hits = services_for_step(store, "protection_order", near=OAKLAND, limit=5)
    assert names(hits) == ["Court Help Center", "Legal Aid Society"]
    assert services_for_step(store, "venue", near=OAKLAND) == []
    by_zip = services_for_step(store, "counselling", near="94612")
    assert names(by_zip) == ["Counselling Room"]


def test_import_export_round_trip_through_the_store(store: DirectoryStore) -> None:
    bundle = read_json(EXAMPLES / "organization_full.json")
    report = store.import_bundle(bundle)
    assert report.services == 1 and report.organizations == 1
    exported = store.export_bundle()
    assert exported.services == bundle.services
    assert exported.organizations == bundle.organizations
    again = bundle_from_documents([("service", doc, "s") for doc in exported.services.values()])
    assert again.services == bundle.services


def test_many_entries_keep_their_order(store: DirectoryStore, tmp_path: Path) -> None:
    services = [
        make_service(f"S{i}", 37.0 + i * 0.001, -122.0, types=("shelter",)) for i in range(300)
    ]
    store.load(services)
    near = Place(37.15037, -122.0, "here", country="US", region="CA")
    hits = search(
        store, SearchQuery(types=("shelter",), near=near, radius_km=2, limit=50, area_limit=0)
    )
    expected = sorted(
        (
            haversine_km(
                near.lat, near.lon, s["service_at_locations"][0]["location"]["latitude"], -122.0
            ),
            s["name"],
        )
        for s in services
    )
    expected = [name for distance, name in expected if distance <= 2][:50]
    assert names(hits) == expected


def test_bulk_import_rebuilds_the_index(
    store: DirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ally.storage.directory_sqlite.BULK_MIN", 50)
    services = [
        make_service(f"Pine {i}", 37.0 + i * 0.01, -122.0, types=("shelter",)) for i in range(200)
    ]
    store.load(services)
    near = Place(37.5, -122.0, "here", country="US", region="CA")
    found = search(store, SearchQuery(text="pine", near=near, radius_km=3, limit=100, area_limit=0))
    assert len(found) == 5
    renamed = [
        make_service(f"Fir {i}", 37.0 + i * 0.01, -122.0, service_id=s["id"])
        for i, s in enumerate(services)
    ]
    store.load(renamed)
    assert search(store, SearchQuery(text="pine", near=near, radius_km=3, area_limit=0)) == []
    assert (
        len(search(store, SearchQuery(text="fir", near=near, radius_km=3, limit=100, area_limit=0)))
        == 5
    )
    assert len(search(store, SearchQuery(near=near, radius_km=3, limit=100, area_limit=0))) == 5
    assert store.counts()["services"] == 200


def test_bulk_import_repeating_an_id_keeps_only_the_last(
    store: DirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service that comes back in a later batch of a bulk import leaves no stale entry."""
    monkeypatch.setattr("ally.storage.directory_sqlite.BULK_MIN", 50)
    monkeypatch.setattr("ally.storage.directory_store.BATCH", 20)
    services = [make_service(f"Pine {i}", 37.80, -122.27 + i * 0.001) for i in range(60)]
    again = make_service("Cedar Clinic", 37.80, -122.27, service_id=services[3]["id"])
    store.load([*services, again])
    assert store.counts()["services"] == 60
    assert names(search(store, SearchQuery(text="pine 3", near=OAKLAND, radius_km=20))) == []
    assert names(search(store, SearchQuery(text="cedar", near=OAKLAND, radius_km=20))) == [
        "Cedar Clinic"
    ]
    everything = search(store, SearchQuery(near=OAKLAND, radius_km=20, limit=500, area_limit=0))
    assert len(everything) == 60


def test_first_import_repeating_an_id_keeps_the_last(
    store: DirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first import skips looking up replaced services until an id comes back."""
    monkeypatch.setattr("ally.storage.directory_store.BATCH", 2)
    first = make_service("Maple Clinic", 37.80, -122.27, types=("counselling",))
    others = [make_service(f"Oak {i}", 37.81, -122.27) for i in range(3)]
    again = make_service("Cedar Clinic", 37.80, -122.27, service_id=first["id"])
    store.load([first, *others, again])
    assert store.counts()["services"] == 4
    assert names(search(store, SearchQuery(text="maple", near=OAKLAND, radius_km=10))) == []
    assert names(search(store, SearchQuery(text="cedar", near=OAKLAND, radius_km=10))) == [
        "Cedar Clinic"
    ]


def _small_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bulk mode (and, on SQLite, the background document writer) for a few dozen services."""
    monkeypatch.setattr("ally.storage.directory_sqlite.BULK_MIN", 50)
    monkeypatch.setattr("ally.storage.directory_store.BATCH", 7)


def test_bulk_import_keeps_every_document_exactly(
    store: DirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_bulk(monkeypatch)
    organization = make_organization("Aspen Trust")
    services = [
        make_service(
            f'Clinic {i} “ünïcödé” \\ "quoted"',
            37.80 + i * 0.001,
            -122.27,
            description="Line one\nline two" * (i % 3),
            organization_id=organization["id"] if i % 2 else None,
        )
        for i in range(120)
    ]
    report = store.load(services, [organization])
    assert report.services == 120
    exported = store.export_bundle()
    assert exported.services == {service["id"]: service for service in services}
    found = search(store, SearchQuery(text="clinic", near=OAKLAND, radius_km=50, limit=500))
    assert len(found) == 120
    assert {hit.organization for hit in found} == {"Aspen Trust", None}


def test_bulk_reimport_replaces_documents(
    store: DirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_bulk(monkeypatch)
    services = [make_service(f"Pine {i}", 37.80, -122.27 + i * 0.001) for i in range(60)]
    store.load(services)
    renamed = [{**service, "name": f"Fir {i}"} for i, service in enumerate(services)]
    extra = [make_service(f"Fir extra {i}", 37.81, -122.27) for i in range(10)]
    store.load(renamed + extra)
    assert store.counts()["services"] == 70
    assert store.export_bundle().services == {s["id"]: s for s in renamed + extra}
    found = search(store, SearchQuery(text="fir", near=OAKLAND, radius_km=20, limit=500))
    assert sorted(hit.name for hit in found) == sorted(s["name"] for s in renamed + extra)


def test_a_failure_while_writing_documents_changes_nothing(
    store: DirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documents written beside the preparation (SQLite bulk mode) roll back with the rest."""
    store.load([make_service("Before", 37.80, -122.27)])
    before = store.counts()
    _small_bulk(monkeypatch)
    monkeypatch.setattr(
        "ally.storage.directory_sqlite.BackgroundWriter.SQL",
        "INSERT INTO no_such_table SELECT value FROM json_each(?1) WHERE ?2 IS NOT NULL",
    )
    original = store.backend.document_writer

    def failing_on_postgres(bulk: bool) -> Any:
        writer = original(bulk)
        if store.db.kind == "postgresql":
            calls = {"n": 0}
            insert = writer.insert

            def insert_then_fail(rows: Any) -> None:
                calls["n"] += 1
                if calls["n"] == 3:
                    raise RuntimeError("disk full")
                insert(rows)

            writer.insert = insert_then_fail  # type: ignore[method-assign]
        return writer

    monkeypatch.setattr(store.backend, "document_writer", failing_on_postgres)
    services = [make_service(f"Service {i}", 37.8, -122.27) for i in range(100)]
    with pytest.raises(Exception, match=r"no_such_table|disk full"):
        store.load(services)
    monkeypatch.undo()
    assert store.counts() == before
    assert names(search(store, SearchQuery(near=OAKLAND, radius_km=5, area_limit=0))) == ["Before"]
    if store.db.kind == "sqlite":
        assert store.db.query("PRAGMA journal_mode") == [("wal",)]
    store.load([make_service("After", 37.80, -122.27)])
    assert store.counts()["services"] == 2
