"""Generate ``hsds_models.py`` from the official HSDS 3.0 JSON Schemas.

The schemas are licensed CC BY-SA and are not shipped with Ally; this generator reads them
from a folder and writes only the structure: object and field names, JSON types, formats,
enums and which fields are required. Regenerate with::

    python -m ally.directory.codegen tests/fixtures/hsds/schema \\
      | ruff format --stdin-filename src/ally/directory/hsds_models.py - \\
      > src/ally/directory/hsds_models.py

A test regenerates the module and compares, so the models cannot drift from the standard
without someone noticing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

FORMAT_TYPES = {"uuid": "Uuid", "uri": "Uri", "email": "Email", "date-time": "DateTime"}

HEADER = '''"""Open Referral HSDS 3.0 objects as pydantic models. GENERATED: do not edit by hand.

Made by ``python -m ally.directory.codegen SCHEMA_DIR`` from the official JSON Schemas
(openreferral/specification, Human Services Data Specification: an Open Referral resource,
https://openreferral.org/, CC BY-SA 4.0). Only the structure is taken: names, types, formats,
enums and required fields.
"""

from __future__ import annotations

from typing import Literal

from ally.directory.hsds_base import (
    Child,
    DateTime,
    Email,
    HsdsObject,
    Number,
    TableSpec,
    Uri,
    Uuid,
)
'''


def class_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


def _kind_of_ref(ref: str) -> str:
    return ref.removesuffix(".json")


def _child(prop: dict[str, Any]) -> tuple[str, bool] | None:
    """The kind of object a nested property holds, and whether it is a list."""
    if prop.get("type") == "array":
        items = prop.get("items", {})
        if "$ref" in items:
            return _kind_of_ref(items["$ref"]), True
        if isinstance(items, dict) and items.get("type") == "object" and "name" in items:
            return str(items["name"]), True
        return None
    if "$ref" in prop:
        return _kind_of_ref(prop["$ref"]), False
    if prop.get("type") == "object" and "name" in prop:
        return str(prop["name"]), False
    return None


def _scalar_type(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return "Literal[" + ", ".join(json.dumps(value) for value in prop["enum"]) + "]"
    if prop.get("type") == "number":
        return "Number"
    return FORMAT_TYPES.get(prop.get("format", ""), "str")


def load_schemas(schema_dir: Path) -> list[dict[str, Any]]:
    """The per-object schemas, each with nested properties only the compiled form adds."""
    schemas = []
    for path in sorted(schema_dir.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "properties" not in schema or "path" not in schema:
            continue
        compiled = schema_dir / "compiled" / path.name
        if compiled.is_file():
            extra = json.loads(compiled.read_text(encoding="utf-8")).get("properties", {})
            for name, prop in extra.items():
                if name not in schema["properties"] and _child(prop) is not None:
                    schema["properties"][name] = prop
        schemas.append(schema)
    return schemas


def _model_source(schema: dict[str, Any]) -> list[str]:
    kind = schema["name"]
    required = set(schema.get("required", []))
    lines = [f"class {class_name(kind)}(HsdsObject):"]
    for name, prop in schema["properties"].items():
        child = _child(prop)
        if child is not None:
            target = class_name(child[0])
            annotation = f"list[{target}]" if child[1] else target
        else:
            annotation = _scalar_type(prop)
        if name in required:
            lines.append(f"    {name}: {annotation}")
        else:
            lines.append(f"    {name}: {annotation} | None = None")
    return [*lines, "", ""]


def _spec_source(schema: dict[str, Any]) -> list[str]:
    kind = schema["name"]
    columns, numbers, formats, enums, children = [], [], {}, {}, []
    for name, prop in schema["properties"].items():
        child = _child(prop)
        if child is not None:
            children.append(f"Child({name!r}, {child[0]!r}, {child[1]})")
            continue
        columns.append(name)
        if prop.get("type") == "number":
            numbers.append(name)
        if "format" in prop:
            formats[name] = prop["format"]
        if "enum" in prop:
            enums[name] = tuple(prop["enum"])
    order = schema.get("datapackage_metadata", {}).get("order", 99)
    return [
        f"    {kind!r}: TableSpec(",
        f"        kind={kind!r},",
        f"        model={class_name(kind)},",
        f"        path={schema['path']!r},",
        f"        order={order},",
        f"        columns={tuple(columns)!r},",
        f"        numbers=frozenset({sorted(numbers)!r}),",
        f"        required={tuple(schema.get('required', []))!r},",
        f"        tabular_required={tuple(schema.get('tabular_required', []))!r},",
        f"        formats={formats!r},",
        f"        enums={enums!r},",
        f"        children=({', '.join(children)}{',' if len(children) == 1 else ''}),",
        "    ),",
    ]


def generate(schema_dir: Path) -> str:
    """The source of ``hsds_models.py`` for the schemas in ``schema_dir``."""
    schemas = load_schemas(schema_dir)
    lines = [HEADER, ""]
    for schema in schemas:
        lines.extend(_model_source(schema))
    lines.append("TABLES: dict[str, TableSpec] = {")
    for schema in schemas:
        lines.extend(_spec_source(schema))
    lines.append("}")
    lines.append("")
    for schema in schemas:
        lines.append(f"{class_name(schema['name'])}.model_rebuild()")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ally.directory.codegen SCHEMA_DIR", file=sys.stderr)
        return 2
    sys.stdout.write(generate(Path(args[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
