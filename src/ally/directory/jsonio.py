"""The HSDS JSON forms: reading every shape the official examples use, and writing services.

Accepted: one service, organisation, service-at-location or taxonomy term; a list of them (the
``*_package`` form); a page of an HSDS API response (``{"contents": [...]}``); and the tabular
JSON form (``{"services.csv": [rows], ...}``). Written: a list of services, each with its
organisation nested, which is the official ``service_package`` form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from ally.directory.errors import DirectoryFileError
from ally.directory.hsds import Bundle, Document, bundle_from_documents
from ally.directory.tabular import bundle_from_table_rows

_TERM_KEYS = ("code", "parent_id", "taxonomy", "taxonomy_id", "taxonomy_detail", "term_uri")


def read_json(path: Path) -> Bundle:
    """A validated bundle from an HSDS JSON file, or an error naming each problem."""
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as error:
        raise DirectoryFileError(f"Could not read {path}: {error.strerror or error}.") from error
    except orjson.JSONDecodeError as error:
        raise DirectoryFileError(f"{path} is not valid JSON ({error}).") from error
    return bundle_from_json(data, path.name)


def bundle_from_json(data: Any, name: str = "input") -> Bundle:
    if isinstance(data, dict) and data and all(str(key).endswith(".csv") for key in data):
        return bundle_from_table_rows(
            {key: (rows if isinstance(rows, list) else [rows]) for key, rows in data.items()}, name
        )
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items, prefix = data["contents"], f"{name} contents"
    elif isinstance(data, list):
        items, prefix = data, name
    elif isinstance(data, dict):
        items, prefix = [data], name
    else:
        raise DirectoryFileError(f"{name} holds neither an HSDS object nor a list of them.")
    documents = [(kind_of(item), item, f"{prefix}[{index}]") for index, item in enumerate(items)]
    return bundle_from_documents(documents)


def kind_of(item: Any) -> str:
    """Which HSDS object a top-level JSON object is, from the fields only it has."""
    if not isinstance(item, dict):
        return "service"
    if "status" in item:
        return "service"
    if "service" in item or "location" in item:
        return "service_at_location"
    if any(key in item for key in _TERM_KEYS):
        return "taxonomy_term"
    return "organization"


def services_package(bundle: Bundle) -> list[Document]:
    """Every service with its organisation nested (the official ``service_package`` form)."""
    services = []
    for service in bundle.services.values():
        document = dict(service)
        organization = bundle.organizations.get(str(service.get("organization_id")))
        if organization is not None:
            document["organization"] = organization
        services.append(document)
    return services


def write_json(bundle: Bundle, path: Path) -> int:
    """Write the services package; returns how many services were written."""
    services = services_package(bundle)
    try:
        path.write_bytes(orjson.dumps(services, option=orjson.OPT_INDENT_2))
    except OSError as error:
        raise DirectoryFileError(f"Could not write {path}: {error.strerror or error}.") from error
    return len(services)
