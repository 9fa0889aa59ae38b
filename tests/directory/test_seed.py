"""Seed records from every built-in pack: complete, valid HSDS, with sources."""

from __future__ import annotations

import jsonschema

from ally.directory.jsonio import services_package
from ally.directory.search import services_for_step
from ally.directory.seed import SEED_ORIGIN, area_of, ensure_seeded, fingerprint, seed_bundle
from ally.directory.taxonomy import SOURCE_TERM_ID
from ally.knowledge.loader import builtin_pack_ids, load_pack
from ally.storage.directory_store import DirectoryStore
from tests.directory.conftest import compiled_schema


def test_every_pack_contact_becomes_a_valid_service_with_sources() -> None:
    bundle = seed_bundle()
    services = list(bundle.services.values())
    by_name = {}
    for service in services:
        by_name.setdefault(service["name"], []).append(service)
    for pack_id in builtin_pack_ids():
        pack = load_pack(pack_id)
        for contact in pack.contacts:
            assert contact.name in by_name, (pack_id, contact.id)
    for service in services:
        sources = [
            a for a in service.get("attributes", []) if a["taxonomy_term_id"] == SOURCE_TERM_ID
        ]
        assert sources and all(a["value"].startswith("http") for a in sources)
        assert service["assured_date"]
    jsonschema.validate(
        services_package(bundle),
        compiled_schema("service_package.json"),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def test_inherited_contacts_are_not_duplicated() -> None:
    bundle = seed_bundle()
    generic_ids = {contact.id for contact in load_pack("generic").contacts}
    areas = [
        area["extent"]
        for service in bundle.services.values()
        for area in service.get("service_areas", [])
        if service["name"] in {load_pack("generic").contact(cid).name for cid in generic_ids}
    ]
    assert areas and set(areas) == {area_of("generic")}


def test_seeding_is_idempotent_and_serves_plan_steps(store: DirectoryStore) -> None:
    assert ensure_seeded(store) is True
    assert ensure_seeded(store) is False
    assert store.meta(f"fingerprint:{SEED_ORIGIN}") == fingerprint(seed_bundle())
    hits = services_for_step(store, "police_emergency", near="94612")
    assert hits and any("112" in phone or "911" in phone for hit in hits for phone in hit.phones)
    shelters = services_for_step(store, "shelter", near="Oakland, CA")
    assert shelters and {hit.scope for hit in shelters} <= {"country", "region", "world"}
