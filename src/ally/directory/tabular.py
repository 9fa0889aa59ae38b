"""The HSDS tabular form: one CSV file per object type, described by a ``datapackage.json``.

Reading checks each row on its own (so a problem names the file, the row and the column),
then joins the rows into documents. Writing produces every non-empty table with the columns in
the order the standard gives, and a Frictionless Data Package descriptor for them.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from ally.directory.errors import DirectoryDataError, DirectoryFileError, Problem
from ally.directory.hsds import Bundle, Row, Tables, bundle_rows, nest, validation_problems
from ally.directory.hsds_base import TableSpec
from ally.directory.hsds_models import TABLES

SPEC_BY_PATH = {spec.path: spec for spec in TABLES.values()}
_INTEGER = re.compile(r"^[+-]?\d+$")
_FIELD_FORMATS = {"uuid": "uuid", "uri": "uri", "email": "email", "date-time": "default"}


def read_tabular(path: Path) -> Bundle:
    """A bundle from a folder of HSDS CSV files, or from its ``datapackage.json``."""
    folder = path.parent if path.is_file() else path
    if not folder.is_dir():
        raise DirectoryFileError(f"{path} is neither a folder of CSV files nor a datapackage.json.")
    files, notes = _resource_files(folder)
    if not files:
        raise DirectoryFileError(
            f"{folder} has no HSDS CSV files (services.csv, organizations.csv, …)."
        )
    raw: dict[str, list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    for spec, file in files:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise DirectoryFileError(
                f"Could not read {file.name} as UTF-8 text: {error}."
            ) from error
        rows, file_problems = _csv_rows(spec, text, file.name)
        raw[spec.path] = rows
        problems.extend(file_problems)
    if problems:
        raise DirectoryDataError(problems)
    bundle = bundle_from_table_rows(raw, folder.name)
    bundle.notes[:0] = notes
    return bundle


def _resource_files(folder: Path) -> tuple[list[tuple[TableSpec, Path]], list[Problem]]:
    descriptor = folder / "datapackage.json"
    paths: dict[str, Path] = {}
    notes: list[Problem] = []
    package: Any = None
    if descriptor.is_file():
        try:
            package = orjson.loads(descriptor.read_bytes())
        except orjson.JSONDecodeError:
            notes.append(
                Problem("datapackage.json", "", "not valid JSON; the CSV files were read by name")
            )
        for resource in package.get("resources", []) if isinstance(package, dict) else []:
            name = Path(str(resource.get("path", ""))).name
            if name in SPEC_BY_PATH and (folder / str(resource["path"])).is_file():
                paths[name] = folder / str(resource["path"])
    for name in SPEC_BY_PATH:
        if name not in paths and (folder / name).is_file():
            paths[name] = folder / name
    found = sorted(
        ((SPEC_BY_PATH[name], file) for name, file in paths.items()), key=lambda item: item[0].order
    )
    return found, notes


def _csv_rows(spec: TableSpec, text: str, file: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for number, record in enumerate(reader, start=2):
        row: dict[str, Any] = {}
        for column, value in record.items():
            if column is None or value is None:
                continue
            name = column.strip()
            if value == "" and (name in spec.numbers or name not in spec.required):
                continue  # an empty cell is an absent value, except for required text
            if name in spec.numbers:
                converted = _number(value)
                if converted is None:
                    problems.append(Problem(f"{file} row {number}", name, "must be a number"))
                    continue
                row[name] = converted
            else:
                row[name] = value
        rows.append(row)
    return rows, problems


def _number(text: str) -> int | float | None:
    text = text.strip()
    if _INTEGER.match(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return None


def bundle_from_table_rows(raw: dict[str, list[dict[str, Any]]], name: str) -> Bundle:
    """Check rows table by table (file, row, column), then join them into documents."""
    tables: Tables = {kind: {} for kind in TABLES}
    problems: list[Problem] = []
    notes: list[Problem] = []
    for path, rows in raw.items():
        spec = SPEC_BY_PATH.get(Path(path).name)
        if spec is None:
            notes.append(Problem(f"{name}: {path}", "", "not an HSDS table; ignored"))
            continue
        for index, row in enumerate(rows):
            where = f"{spec.path} row {index + 2}"
            row_problems = _row_problems(spec, row, where)
            if row_problems:
                problems.extend(row_problems)
                continue
            if row["id"] in tables[spec.kind]:
                problems.append(
                    Problem(where, "id", f"{row['id']} is used by an earlier row of {spec.path}")
                )
                continue
            tables[spec.kind][row["id"]] = Row(dict(row), where)
    if problems:
        raise DirectoryDataError(problems)
    bundle = nest(tables)
    bundle.notes[:0] = notes
    return bundle


def _row_problems(spec: TableSpec, row: Any, where: str) -> list[Problem]:
    if not isinstance(row, dict):
        return [Problem(where, "", "must be an object of column values")]
    nested = [child.prop for child in spec.children if child.prop in row]
    if nested:
        return [Problem(where, ", ".join(nested), "the tabular form has no nested objects")]
    try:
        spec.model.model_validate(row)
    except ValidationError as error:
        return validation_problems(where, error)
    return [
        Problem(where, column, "is required in the tabular form")
        for column in spec.tabular_required
        if row.get(column) is None
    ]


# --- writing -------------------------------------------------------------------------------


def tabular_gaps(tables: Tables) -> list[Problem]:
    """Rows missing a link the tabular form requires (such as a service's organisation)."""
    gaps = []
    for kind, rows in tables.items():
        spec = TABLES[kind]
        for row in rows.values():
            for column in spec.tabular_required:
                if row.fields.get(column) is None:
                    gaps.append(
                        Problem(
                            f"{spec.path} id {row.fields['id']}",
                            column,
                            "is empty, "
                            "but the tabular form requires it; other tools may reject the row",
                        )
                    )
    return gaps


def write_tabular(bundle: Bundle, folder: Path) -> dict[str, int]:
    """Write one CSV per non-empty table and ``datapackage.json``; returns rows per file.

    Gaps the tabular form does not allow (``tabular_gaps``) are written as they are and
    added to ``bundle.notes``, so the caller can tell the person.
    """
    tables = bundle_rows(bundle)
    bundle.notes.extend(tabular_gaps(tables))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DirectoryFileError(
            f"Could not create {folder}: {error.strerror or error}."
        ) from error
    written: dict[str, int] = {}
    specs = sorted(TABLES.values(), key=lambda spec: (spec.order, spec.kind))
    for spec in specs:
        rows = tables.get(spec.kind, {})
        if not rows:
            continue
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(spec.columns)
        for row in rows.values():
            writer.writerow([_cell(row.fields.get(column)) for column in spec.columns])
        _write(folder / spec.path, buffer.getvalue().encode("utf-8"))
        written[spec.path] = len(rows)
    descriptor = datapackage([spec for spec in specs if spec.path in written])
    _write(folder / "datapackage.json", orjson.dumps(descriptor, option=orjson.OPT_INDENT_2))
    return written


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise DirectoryFileError(f"Could not write {path}: {error.strerror or error}.") from error


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def datapackage(specs: list[TableSpec]) -> dict[str, Any]:
    """A Frictionless Data Package descriptor for the given HSDS tables."""
    return {
        "name": "ally-directory",
        "title": "Ally resource directory (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "resources": [_resource(spec) for spec in specs],
    }


def _resource(spec: TableSpec) -> dict[str, Any]:
    fields = []
    for column in spec.columns:
        item: dict[str, Any] = {
            "name": column,
            "type": "number" if column in spec.numbers else "string",
        }
        if column in spec.formats:
            item["format"] = _FIELD_FORMATS.get(spec.formats[column], "default")
        constraints: dict[str, Any] = {}
        if column in spec.required or column in spec.tabular_required:
            constraints["required"] = True
        if column == "id":
            constraints["unique"] = True
        if column in spec.enums:
            constraints["enum"] = list(spec.enums[column])
        if constraints:
            item["constraints"] = constraints
        fields.append(item)
    return {
        "name": spec.path.removesuffix(".csv"),
        "path": spec.path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields, "primaryKey": "id"},
    }
