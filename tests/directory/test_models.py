"""The generated HSDS models agree with the official JSON Schemas they were generated from."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ally.directory import hsds_models
from ally.directory.codegen import generate
from ally.directory.hsds import validate_document
from ally.directory.hsds_models import TABLES
from tests.directory.conftest import SCHEMAS, compiled_schema, load_example

CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def official_valid(schema: dict[str, Any], document: Any) -> bool:
    validator = jsonschema.Draft202012Validator(schema, format_checker=CHECKER)
    return not list(validator.iter_errors(document))


def test_generated_models_are_up_to_date() -> None:
    target = Path(hsds_models.__file__)
    formatted = subprocess.run(
        [str(Path(sys.executable).parent / "ruff"), "format", "--stdin-filename", str(target), "-"],
        input=generate(SCHEMAS),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert formatted == target.read_text(encoding="utf-8"), (
        "Regenerate: see ally/directory/codegen.py"
    )


def test_every_schema_object_has_a_table() -> None:
    paths = sorted(SCHEMAS.glob("*.json"))
    assert len(paths) >= 20  # HSDS 3.0 has 22 object schemas
    tables = 0
    for path in paths:
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "path" in schema:
            tables += 1
            spec = TABLES[schema["name"]]
            assert spec.path == schema["path"]
            assert set(spec.required) == set(schema.get("required", []))
    assert tables == len(TABLES)


@pytest.mark.parametrize(
    ("example", "kind", "schema"),
    [
        ("service_full.json", "service", "service.json"),
        ("organization_full.json", "organization", "organization.json"),
        ("service_at_location_full.json", "service_at_location", "service_at_location.json"),
        ("location.json", "location", None),
        ("taxonomy_term.json", "taxonomy_term", None),
    ],
)
def test_official_examples_validate(example: str, kind: str, schema: str | None) -> None:
    document = load_example(example)
    assert validate_document(kind, document, example) == []
    if schema:
        assert official_valid(compiled_schema(schema), document)


def test_tabular_example_verdicts_match_the_official_schema() -> None:
    """The official tabular.json has two values of the wrong type; both validators say so."""
    example = load_example("tabular.json")
    tabular = compiled_schema("tabular.json")
    for path, rows in example.items():
        spec = next(spec for spec in TABLES.values() if spec.path == path)
        schema = tabular["properties"][spec.kind]["items"]
        for row in rows:
            ours = validate_document(spec.kind, row, path) == []
            assert ours == official_valid(schema, row), (path, row)


MUTABLE_FIELDS = {
    # field: values to try (formats the official validator checks without extra packages)
    "id": ["not-a-uuid", "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2", 12],
    "name": [None, 3, "", "Ok name"],
    "status": ["active", "open", "temporarily closed", 1],
    "email": ["a@b", "no-at-sign", 5],
    "minimum_age": [12, 12.5, "12", True],
    "description": ["text", 7],
}


@st.composite
def mutated_services(draw: st.DrawFn) -> dict[str, Any]:
    service = copy.deepcopy(BASE_SERVICE)
    for field in draw(st.lists(st.sampled_from(sorted(MUTABLE_FIELDS)), max_size=3, unique=True)):
        choice = draw(st.sampled_from([*MUTABLE_FIELDS[field], "__delete__"]))
        if choice == "__delete__":
            service.pop(field, None)
        elif choice is None:
            service[field] = None
        else:
            service[field] = choice
    if draw(st.booleans()):
        phone = service["phones"][0]
        phone["number"] = draw(st.sampled_from(["+1 555 0100", 5550100]))
    return service


BASE_SERVICE = load_example("service_full.json")
SERVICE_SCHEMA = compiled_schema("service.json")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_services())
def test_verdicts_match_the_official_schema(service: dict[str, Any]) -> None:
    ours = validate_document("service", service, "service") == []
    assert ours == official_valid(SERVICE_SCHEMA, service)
