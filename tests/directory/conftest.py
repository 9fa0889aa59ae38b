"""Shared fixtures: the official HSDS files, service factories, and a store on each database.

Every store test runs three times: on SQLite (FTS5 + R*Tree), on PostgreSQL with the
earthdistance GiST index, and on PostgreSQL with only the Z-order B-tree (what a hosted
database without extensions gets). PostgreSQL tests use a schema of their own and fail, not
skip, when the server at ALLY_TEST_DATABASE_URL cannot be reached.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ally.directory.taxonomy import term_documents, term_id
from ally.storage.database import Database
from ally.storage.directory_store import DirectoryStore

HSDS = Path(__file__).resolve().parents[1] / "fixtures" / "hsds"
"""The official HSDS 3.0 schemas and examples (CC BY-SA 4.0; see SOURCE.md there)."""
SCHEMAS = HSDS / "schema"
EXAMPLES = HSDS / "examples"
PG_URL = os.environ.get("ALLY_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgres", "postgres-zorder"]


def load_example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def compiled_schema(name: str) -> dict[str, Any]:
    """A self-contained schema, as the official ``schema/compiled/<name>`` is.

    The official compiled files inline every referenced object (megabytes each); this builds
    the same constraints from the per-object schemas, with each object once under ``$defs``
    (which also lets an organisation's services refer back to organisations). A
    ``*_package.json`` is a list of the object; ``tabular.json`` is kept as published.
    """
    if name == "tabular.json":
        return _read_schema(SCHEMAS / "compiled" / name)
    defs = {path.stem: _object_schema(path) for path in sorted(SCHEMAS.glob("*.json"))}
    stem = name.removesuffix(".json")
    if stem.endswith("_package"):
        root: dict[str, Any] = {"type": "array", "items": {"$ref": f"#/$defs/{stem[:-8]}"}}
    else:
        root = dict(defs[stem])
    root["$defs"] = defs
    return root


def _read_schema(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def _object_schema(path: Path) -> dict[str, Any]:
    """One object's schema with the nested properties only the compiled form adds, and every
    ``"$ref": "other.json"`` pointing into ``$defs``."""
    schema = _read_schema(path)
    extra = SCHEMAS / "compiled" / path.name
    if extra.is_file() and "properties" in schema:
        for prop, value in _read_schema(extra)["properties"].items():
            schema["properties"].setdefault(prop, value)
    return _local_refs(schema)


def _local_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: f"#/$defs/{value.removesuffix('.json')}"
            if key == "$ref" and isinstance(value, str) and value.endswith(".json")
            else _local_refs(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_local_refs(item) for item in node]
    return node


def new_id() -> str:
    return str(uuid.uuid4())


def make_service(
    name: str,
    lat: float | None = None,
    lon: float | None = None,
    *,
    types: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    description: str = "",
    schedules: list[dict[str, Any]] | None = None,
    organization_id: str | None = None,
    areas: tuple[str, ...] = (),
    service_id: str | None = None,
    status: str = "active",
) -> dict[str, Any]:
    """A valid HSDS service; with coordinates it gets one physical location."""
    service: dict[str, Any] = {
        "id": service_id or new_id(),
        "name": name,
        "description": description,
        "status": status,
    }
    if organization_id:
        service["organization_id"] = organization_id
    if lat is not None and lon is not None:
        service["service_at_locations"] = [
            {
                "id": new_id(),
                "location": {
                    "id": new_id(),
                    "location_type": "physical",
                    "name": f"{name} office",
                    "latitude": lat,
                    "longitude": lon,
                },
            }
        ]
    if types:
        service["attributes"] = [
            {"id": new_id(), "taxonomy_term_id": term_id(code), "link_entity": "service"}
            for code in types
        ]
    if languages:
        service["languages"] = [{"id": new_id(), "code": code} for code in languages]
    if schedules:
        service["schedules"] = [{"id": new_id(), **schedule} for schedule in schedules]
    if areas:
        service["service_areas"] = [
            {"id": new_id(), "extent": code, "extent_type": "iso3166"} for code in areas
        ]
    return service


def make_organization(name: str, organization_id: str | None = None) -> dict[str, Any]:
    return {"id": organization_id or new_id(), "name": name, "description": f"{name}, an example."}


def open_store(kind: str, tmp_path: Path) -> tuple[DirectoryStore, str | None]:
    if kind == "sqlite":
        return DirectoryStore(Database(tmp_path / "directory.sqlite3")), None
    db = Database(PG_URL)
    schema = f"ally_directory_test_{uuid.uuid4().hex[:12]}"
    with db.transaction():
        db.execute(f"CREATE SCHEMA {schema}")
        db.execute(f"SET search_path TO {schema}, public")
    spatial = "zorder" if kind == "postgres-zorder" else "earthdistance"
    return DirectoryStore(db, spatial=spatial), schema


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DirectoryStore]:
    opened, schema = open_store(request.param, tmp_path)
    opened.load([], terms=term_documents(), origin="test")
    try:
        yield opened
    finally:
        drop(opened, schema)


def drop(opened: DirectoryStore, schema: str | None) -> None:
    if schema is not None:
        with opened.db.transaction():
            opened.db.execute(f"DROP SCHEMA {schema} CASCADE")
    opened.close()
