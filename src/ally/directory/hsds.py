"""HSDS data in Ally: a bundle of nested documents, and the two ways HSDS writes them.

HSDS 3.0 has a nested JSON form (a service with its phones, schedules and locations inside)
and a tabular form (one CSV per object type, joined by ``*_id`` columns). Ally keeps a
``Bundle``: organisation documents (without their services), service documents (without their
organisation) and taxonomy terms. ``flatten`` turns nested documents into rows keyed by id,
merging the copies of an object that appears in several places and reporting copies that
disagree; ``nest`` turns rows back into documents, putting each row under every parent its
``*_id`` columns name. Both forms therefore round-trip through the same code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ally.directory.errors import DirectoryDataError, Problem
from ally.directory.hsds_base import Child
from ally.directory.hsds_models import TABLES

TOP_LEVEL = ("organization", "service", "taxonomy_term")
# Nested objects a stored document leaves out, because they are stored on their own.
SKIPPED = {
    ("service", "organization"),
    ("organization", "services"),
    ("service_at_location", "service"),
}
LINK_FIELDS = {
    "attribute": ("link_id", "link_entity"),
    "metadata": ("resource_id", "resource_type"),
}
_NESTED = {kind: frozenset(child.prop for child in spec.children) for kind, spec in TABLES.items()}
_COLUMNS = {kind: frozenset(spec.columns) for kind, spec in TABLES.items()}
MAX_NOTES = 50

Document = dict[str, Any]


@dataclass
class Bundle:
    """HSDS records ready to store: every document valid on its own and keyed by its id."""

    organizations: dict[str, Document] = field(default_factory=dict)
    services: dict[str, Document] = field(default_factory=dict)
    taxonomy_terms: dict[str, Document] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.organizations) + len(self.services) + len(self.taxonomy_terms)


@dataclass
class Row:
    fields: dict[str, Any]
    where: str


Tables = dict[str, dict[str, Row]]


def child_link(parent_kind: str, child: Child) -> tuple[str, str] | None:
    """Which column joins a nested child to its parent: ("child", column) or ("parent", column)."""
    if child.many:
        if child.kind in LINK_FIELDS:
            return "child", LINK_FIELDS[child.kind][0]
        column = f"{parent_kind}_id"
        return ("child", column) if column in TABLES[child.kind].columns else None
    column = f"{child.kind}_id"
    return ("parent", column) if column in TABLES[parent_kind].columns else None


# --- validation messages -------------------------------------------------------------------

_UNION_TAG = re.compile(r"^(int|float|str|bool|none|function-\w+\[.*\]|literal\[.*\]|[A-Z]\w*)$")


def _location(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _UNION_TAG.match(str(part)):
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required"
    if kind in ("int_type", "float_type", "int_from_float"):
        return "must be a number"
    if kind == "string_type":
        return "must be text"
    if kind == "literal_error":
        return f"must be one of: {error.get('ctx', {}).get('expected', '')}"
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        if "{8}" in pattern:
            return "must be a UUID, like 0bc248fa-dc27-4650-9ba4-8f1a24ef16a2"
        return "must be an address with its scheme, like https://example.org"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be an object"
    if kind == "list_type":
        return "must be a list"
    return str(error["msg"]).removeprefix("Value error, ")


def validation_problems(where: str, error: ValidationError) -> list[Problem]:
    """One problem per field, in words a person can act on."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for item in error.errors():
        place = _location(tuple(item["loc"]))
        if place in seen:
            continue
        seen.add(place)
        problems.append(Problem(where, place, _message(dict(item))))
    return problems


def validate_document(kind: str, document: Any, where: str) -> list[Problem]:
    """Problems of one nested document against the HSDS model of its kind."""
    if not isinstance(document, dict):
        return [Problem(where, "", f"must be a JSON object describing a {kind}")]
    try:
        TABLES[kind].model.model_validate(document)
    except ValidationError as error:
        label = f"{where} (id {document['id']})" if isinstance(document.get("id"), str) else where
        return validation_problems(label, error)
    return []


# --- flatten: nested documents to rows -----------------------------------------------------


class _Flattener:
    def __init__(self) -> None:
        self.tables: Tables = {kind: {} for kind in TABLES}
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []

    def add(
        self, kind: str, document: Document, where: str, parent: tuple[str, Document] | None = None
    ) -> None:
        spec = TABLES[kind]
        nested = _NESTED[kind]
        row = {key: value for key, value in document.items() if key not in nested}
        self._note_unknown(kind, row, where)
        if parent is not None:
            self._link_to_parent(kind, row, parent)
        for child in spec.children:
            value = document.get(child.prop)
            if value is None or child.many:
                continue
            link = child_link(kind, child)
            if link is not None and link[1] not in row:
                row[link[1]] = value["id"]
            self.add(child.kind, value, f"{where} › {child.prop}")
        self._merge(kind, Row(row, where))
        for child in spec.children:
            items = document.get(child.prop)
            if not child.many or not items:
                continue
            for index, item in enumerate(items):
                self.add(child.kind, item, f"{where} › {child.prop}[{index}]", (kind, row))

    def _link_to_parent(self, kind: str, row: dict[str, Any], parent: tuple[str, Document]) -> None:
        parent_kind, parent_row = parent
        if kind in LINK_FIELDS:
            id_field, entity_field = LINK_FIELDS[kind]
            row.setdefault(id_field, parent_row["id"])
            row.setdefault(entity_field, parent_kind)
            return
        column = f"{parent_kind}_id"
        if column in TABLES[kind].columns:
            row.setdefault(column, parent_row["id"])

    def _note_unknown(self, kind: str, row: dict[str, Any], where: str) -> None:
        unknown = sorted(row.keys() - _COLUMNS[kind])
        if unknown and len(self.notes) < MAX_NOTES:
            names = ", ".join(unknown)
            self.notes.append(
                Problem(where, names, "not part of HSDS 3.0; kept in JSON, left out of CSV")
            )

    def _merge(self, kind: str, row: Row) -> None:
        existing = self.tables[kind].get(row.fields["id"])
        if existing is None:
            self.tables[kind][row.fields["id"]] = row
            return
        for key, value in row.fields.items():
            old = existing.fields.get(key)
            if old is None:
                existing.fields[key] = value
            elif old != value:
                self._conflict(kind, key, existing, row)

    def _conflict(self, kind: str, key: str, existing: Row, row: Row) -> None:
        linking = key.endswith("_id") or key in ("link_entity", "resource_type")
        if linking:
            if len(self.notes) < MAX_NOTES:
                self.notes.append(
                    Problem(
                        row.where,
                        key,
                        f"this {kind} is also listed under another parent "
                        f"({existing.where}); the tabular form keeps the first",
                    )
                )
            return
        self.problems.append(
            Problem(
                row.where,
                key,
                f"the {kind} {row.fields['id']} is also given at "
                f"{existing.where} with a different {key}",
            )
        )


def flatten(documents: list[tuple[str, Document, str]]) -> tuple[Tables, list[Problem]]:
    """Rows keyed by id from (kind, valid document, where) triples; raises on conflicts."""
    flattener = _Flattener()
    for kind, document, where in documents:
        flattener.add(kind, document, where)
    if flattener.problems:
        raise DirectoryDataError(flattener.problems)
    return flattener.tables, flattener.notes


# --- nest: rows to documents ---------------------------------------------------------------


class _Nester:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.used: set[tuple[str, str]] = set()
        self.children: dict[tuple[str, str], dict[str, list[str]]] = {}
        by_column: dict[tuple[str, str], dict[str, list[str]]] = {}
        for kind, spec in TABLES.items():
            for child in spec.children:
                link = child_link(kind, child)
                if link is None or link[0] != "child" or (kind, child.prop) in SKIPPED:
                    continue
                # Attributes and metadata link by one column to every kind: index them once.
                if (child.kind, link[1]) not in by_column:
                    by_column[(child.kind, link[1])] = self._index(child.kind, link[1])
                self.children[(kind, child.prop)] = by_column[(child.kind, link[1])]

    def _index(self, kind: str, column: str) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for child_id, row in self.tables.get(kind, {}).items():
            parent_id = row.fields.get(column)
            if isinstance(parent_id, str):
                index.setdefault(parent_id, []).append(child_id)
        return index

    def build(self, kind: str, object_id: str, depth: int = 0) -> Document:
        self.used.add((kind, object_id))
        row = self.tables[kind][object_id].fields
        document = dict(row)
        if depth > 12:
            return document
        for child in TABLES[kind].children:
            if (kind, child.prop) in SKIPPED:
                continue
            if child.many:
                ids = self.children.get((kind, child.prop), {}).get(object_id)
                if ids:
                    document[child.prop] = [self.build(child.kind, item, depth + 1) for item in ids]
                continue
            link = child_link(kind, child)
            target = row.get(link[1]) if link else None
            if isinstance(target, str) and target in self.tables.get(child.kind, {}):
                document[child.prop] = self.build(child.kind, target, depth + 1)
        return document


def nest(tables: Tables) -> Bundle:
    """Documents for every organisation, service and taxonomy term in the rows."""
    nester = _Nester(tables)
    bundle = Bundle(
        organizations={
            oid: nester.build("organization", oid) for oid in tables.get("organization", {})
        },
        services={sid: nester.build("service", sid) for sid in tables.get("service", {})},
        taxonomy_terms={
            tid: nester.build("taxonomy_term", tid) for tid in tables.get("taxonomy_term", {})
        },
    )
    for kind, rows in tables.items():
        for object_id, row in rows.items():
            if (kind, object_id) not in nester.used and len(bundle.notes) < MAX_NOTES:
                bundle.notes.append(
                    Problem(
                        row.where,
                        "",
                        f"this {kind} is not linked to any service, "
                        "organization or taxonomy term, so it was left out",
                    )
                )
    return bundle


def bundle_from_documents(documents: list[tuple[str, Document, str]]) -> Bundle:
    """Validate nested documents, then normalise them into a bundle; all or nothing."""
    problems = [
        p for kind, document, where in documents for p in validate_document(kind, document, where)
    ]
    if problems:
        raise DirectoryDataError(problems)
    tables, notes = flatten(documents)
    bundle = nest(tables)
    bundle.notes[:0] = notes
    return bundle


def bundle_rows(bundle: Bundle) -> Tables:
    """The tabular rows of a bundle (organisations carry their services' links)."""
    documents: list[tuple[str, Document, str]] = []
    documents += [
        ("organization", doc, f"organization {oid}") for oid, doc in bundle.organizations.items()
    ]
    documents += [("service", doc, f"service {sid}") for sid, doc in bundle.services.items()]
    documents += [
        ("taxonomy_term", doc, f"taxonomy term {tid}") for tid, doc in bundle.taxonomy_terms.items()
    ]
    tables, _ = flatten(documents)
    return tables


def walk(kind: str, document: Document) -> Iterator[tuple[str, Document]]:
    """Every object inside a document, with its kind, the document itself first."""
    yield kind, document
    for child in TABLES[kind].children:
        value = document.get(child.prop)
        if value is None:
            continue
        for item in value if child.many else [value]:
            if isinstance(item, dict):
                yield from walk(child.kind, item)
