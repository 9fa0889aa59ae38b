"""HSDS JSON and tabular import/export: official examples in, valid HSDS out, clear errors."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ally.directory.errors import DirectoryDataError, DirectoryFileError
from ally.directory.hsds import Bundle, bundle_from_documents
from ally.directory.hsds_models import TABLES
from ally.directory.jsonio import bundle_from_json, read_json, services_package, write_json
from ally.directory.tabular import read_tabular, write_tabular
from tests.directory.conftest import (
    EXAMPLES,
    compiled_schema,
    load_example,
    make_organization,
    make_service,
)

CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def assert_official(schema_name: str, document: Any) -> None:
    validator = jsonschema.Draft202012Validator(
        compiled_schema(schema_name), format_checker=CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors[:5]


def same(a: Bundle, b: Bundle) -> None:
    assert a.organizations == b.organizations
    assert a.services == b.services
    assert a.taxonomy_terms == b.taxonomy_terms


@pytest.mark.parametrize(
    "example",
    [
        "service_full.json",
        "organization_full.json",
        "service_at_location_full.json",
        "service_list.json",
        "organization_list.json",
        "taxonomy_term_list.json",
    ],
)
def test_official_json_examples_import(example: str) -> None:
    bundle = read_json(EXAMPLES / example)
    assert len(bundle) > 0


def test_service_full_keeps_every_object() -> None:
    bundle = read_json(EXAMPLES / "service_full.json")
    service = bundle.services["ac148810-d857-441c-9679-408f346de14b"]
    location = service["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "ABC 1234"
    assert service["schedules"][0]["byday"] == "TH,FR"
    organization = bundle.organizations["d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"]
    assert organization["locations"][0]["id"] == location["id"]


def test_json_export_is_an_official_service_package(tmp_path: Path) -> None:
    bundle = read_json(EXAMPLES / "service_full.json")
    out = tmp_path / "out.json"
    assert write_json(bundle, out) == 1
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert_official("service_package.json", exported)
    same(read_json(out), bundle)


def test_tabular_round_trip(tmp_path: Path) -> None:
    bundle = read_json(EXAMPLES / "service_full.json")
    written = write_tabular(bundle, tmp_path / "csv")
    assert {"services.csv", "organizations.csv", "locations.csv", "phones.csv"} <= set(written)
    descriptor = json.loads((tmp_path / "csv" / "datapackage.json").read_text(encoding="utf-8"))
    assert {resource["path"] for resource in descriptor["resources"]} == set(written)
    for resource in descriptor["resources"]:
        spec = next(spec for spec in TABLES.values() if spec.path == resource["path"])
        with (tmp_path / "csv" / spec.path).open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert (
            tuple(header) == spec.columns == tuple(f["name"] for f in resource["schema"]["fields"])
        )
    same(read_tabular(tmp_path / "csv"), bundle)
    same(read_tabular(tmp_path / "csv" / "datapackage.json"), bundle)


def test_tabular_export_rows_are_official(tmp_path: Path) -> None:
    bundle = read_json(EXAMPLES / "organization_full.json")
    written = write_tabular(bundle, tmp_path)
    tabular = compiled_schema("tabular.json")
    # Only tables with rows are written; the full example fills the core ones at least.
    assert {"organizations.csv", "services.csv", "locations.csv"} <= set(written)
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == sorted(written)
    checked = 0
    for spec in TABLES.values():
        path = tmp_path / spec.path
        if spec.path not in written:
            assert not path.exists()
            continue
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == written[spec.path]
        checked += len(rows)
        for row in rows:
            typed = {k: (float(v) if k in spec.numbers else v) for k, v in row.items() if v != ""}
            jsonschema.validate(
                typed, tabular["properties"][spec.kind]["items"], format_checker=CHECKER
            )
    assert checked == sum(written.values()) > 10


def test_official_csv_example_imports() -> None:
    bundle = read_tabular(EXAMPLES / "csv")
    service = bundle.services["ac148810-d857-441c-9679-408f346de14b"]
    assert service["phones"][0]["number"] == '"+44 1234 234567"'
    assert service["service_at_locations"][0]["location"]["name"] == "MyCity Civic Center"
    assert any("datapackage.json" in str(note) for note in bundle.notes)


def test_official_tabular_json_is_rejected_for_its_two_type_errors() -> None:
    with pytest.raises(DirectoryDataError) as raised:
        read_json(EXAMPLES / "tabular.json")
    message = str(raised.value)
    assert "locations.csv row 2: external_identifier: must be text" in message
    assert "organization_identifiers.csv row 2: identifier: must be text" in message


def test_invalid_json_record_is_named_with_its_field() -> None:
    good = make_service("Good clinic")
    bad = make_service("Bad clinic")
    bad["status"] = "open"
    bad["phones"] = [{"id": "b1d8a0f3-0000-4000-8000-000000000001"}]
    with pytest.raises(DirectoryDataError) as raised:
        bundle_from_json([good, bad], "batch.json")
    message = str(raised.value)
    assert f"batch.json[1] (id {bad['id']}): status: must be one of" in message
    assert f"batch.json[1] (id {bad['id']}): phones[0].number: is required" in message
    assert "nothing was imported" in message


def test_invalid_csv_row_is_named_with_file_row_and_column(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "csv", tmp_path / "csv")
    services = tmp_path / "csv" / "services.csv"
    text = services.read_text(encoding="utf-8").replace(",12,100,", ",twelve,100,")
    services.write_text(text, encoding="utf-8")
    with pytest.raises(
        DirectoryDataError, match=r"services.csv row 2: minimum_age: must be a number"
    ):
        read_tabular(tmp_path / "csv")


def test_missing_tabular_link_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "services.csv").write_text(
        "id,name,status\n0bc248fa-dc27-4650-9ba4-8f1a24ef16a2,Clinic,active\n", encoding="utf-8"
    )
    with pytest.raises(
        DirectoryDataError, match=r"services\.csv row 2: organization_id: is required"
    ):
        read_tabular(folder)


def test_conflicting_copies_of_one_object_are_reported() -> None:
    organization = make_organization("Org")
    location = {
        "id": "6f1c2a7e-5b0d-4b8e-9a53-2f4d1c9e7a10",
        "location_type": "physical",
        "name": "A",
    }
    first = make_service("One", organization_id=organization["id"])
    second = make_service("Two", organization_id=organization["id"])
    first["service_at_locations"] = [
        {"id": "6f1c2a7e-5b0d-4b8e-9a53-2f4d1c9e7a11", "location": location}
    ]
    second["service_at_locations"] = [
        {"id": "6f1c2a7e-5b0d-4b8e-9a53-2f4d1c9e7a12", "location": {**location, "name": "B"}}
    ]
    with pytest.raises(DirectoryDataError, match=r"also given at .* with a different name"):
        bundle_from_documents([("service", first, "a"), ("service", second, "b")])


def test_unreadable_files_get_clear_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(DirectoryFileError, match="is not valid JSON"):
        read_json(broken)
    with pytest.raises(DirectoryFileError, match="has no HSDS CSV files"):
        read_tabular(tmp_path)


def test_services_package_nests_organizations() -> None:
    organization = make_organization("Org")
    service = make_service("Clinic", 37.8, -122.27, organization_id=organization["id"])
    bundle = bundle_from_json([{**service, "organization": organization}])
    package = services_package(bundle)
    assert package[0]["organization"]["name"] == "Org"
    assert_official("service_package.json", package)
    assert load_example("service_full.json")["id"] not in bundle.services
