"""Seed records: the contacts of every built-in knowledge pack, as HSDS, with their sources.

Generated at run time from the packs (never a hand copy), so a new pack or a corrected phone
number reaches the directory the next time it is used. Each contact becomes an organisation
and a service; the pack's jurisdiction becomes the service area (``us-ca`` → ``US-CA``, the
generic pack → the whole world); the service types come from the routes of the plan steps
that list the contact, so each step shows its own contacts; every source becomes an
attribute whose value is the source's address, and ``assured_date`` is when it was checked.
Ids are stable (UUID v5 of pack and contact id), so re-seeding replaces, never duplicates.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any, Protocol

import orjson

from ally.directory.hsds import Bundle, bundle_from_documents
from ally.directory.index import WORLD, language_code
from ally.directory.taxonomy import (
    NAMESPACE,
    ROUTE_TYPES,
    SOURCE_TERM_ID,
    TYPES_BY_CODE,
    term_documents,
    term_id,
)
from ally.knowledge.loader import builtin_pack_ids, installed_packs, load_pack
from ally.knowledge.schema import Contact, Pack

SEED_ORIGIN = "pack"
SEED_FORMAT = 1  # bump when the way records are made from packs changes
_ALWAYS = re.compile(r"24\s*/\s*7|24\s*hours|24h|around the clock", re.IGNORECASE)
Document = dict[str, Any]


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def area_of(pack_id: str) -> str:
    return WORLD if pack_id == "generic" else pack_id.upper()


def _parent(pack: Pack) -> str | None:
    return pack.lineage[1] if len(pack.lineage) > 1 else None


def _owner(packs: dict[str, Pack], pack_id: str, contact_id: str) -> str:
    """The pack that wrote this contact: inherited, unchanged contacts belong to the parent."""
    current = pack_id
    while True:
        parent = _parent(packs[current])
        if parent is None or parent not in packs:
            return current
        mine = packs[current].contact(contact_id)
        try:
            theirs = packs[parent].contact(contact_id)
        except KeyError:
            return current
        if mine != theirs:
            return current
        current = parent


def seed_bundle(pack_ids: list[str] | None = None) -> Bundle:
    """HSDS records for the contacts of the given (default: all built-in) packs."""
    packs = {pack_id: load_pack(pack_id) for pack_id in pack_ids or builtin_pack_ids()}
    types: dict[tuple[str, str], set[str]] = {}
    for pack_id, pack in packs.items():
        for contact in pack.contacts:
            types.setdefault((_owner(packs, pack_id, contact.id), contact.id), set())
        for step in pack.steps:
            route_types = ROUTE_TYPES.get(step.route, ())
            for contact_id in step.contacts:
                key = (_owner(packs, pack_id, contact_id), contact_id)
                types.setdefault(key, set()).update(route_types[:1])
    documents = [("taxonomy_term", term, f"term {term['code']}") for term in term_documents()]
    for (owner, contact_id), codes in sorted(types.items()):
        pack = packs[owner]
        contact = pack.contact(contact_id)
        if contact.emergency:
            codes = codes | {"emergency"}
        organization, service = _records(pack, contact, codes)
        where = f"pack {owner} contact {contact_id}"
        documents += [("organization", organization, where), ("service", service, where)]
    return bundle_from_documents(documents)


class SeedableStore(Protocol):
    def sync_seeds(self, bundle: Bundle, fingerprint: str, origin: str) -> bool: ...
    def meta(self, name: str) -> str | None: ...
    def set_meta(self, name: str, value: str) -> None: ...


def packs_stamp() -> str:
    """Changes when any installed pack's file (or this module's way of seeding) changes.

    Loading and checking every pack takes a second or more; comparing file sizes and times
    takes a millisecond, so a search only rebuilds the seeds after a pack really changed.
    """
    digest = hashlib.sha256(f"seed-format:{SEED_FORMAT}".encode())
    for pack_id, installed in sorted(installed_packs().items()):
        for path in sorted(installed.item.rglob("*")):
            if path.is_file():
                info = path.stat()
                where = f"{pack_id}/{path.relative_to(installed.item)}"
                digest.update(f"{where}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()


def ensure_seeded(store: SeedableStore) -> bool:
    """Bring the packs' records in the store up to date; True when something changed."""
    stamp = packs_stamp()
    if store.meta(f"packs:{SEED_ORIGIN}") == stamp:
        return False
    bundle = seed_bundle()
    changed = store.sync_seeds(bundle, fingerprint(bundle), SEED_ORIGIN)
    store.set_meta(f"packs:{SEED_ORIGIN}", stamp)
    return changed


def fingerprint(bundle: Bundle) -> str:
    """Changes whenever any seed record would change."""
    data = orjson.dumps(
        [bundle.organizations, bundle.services, bundle.taxonomy_terms], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(data).hexdigest()


def _records(pack: Pack, contact: Contact, codes: set[str]) -> tuple[Document, Document]:
    service_id = _id("pack", pack.id, "service", contact.id)
    organization = {
        "id": _id("pack", pack.id, "organization", contact.id),
        "name": contact.name,
        "description": contact.notes or f"Listed in Ally's knowledge pack '{pack.name}'.",
    }
    if contact.web:
        organization["website"] = contact.web
    if contact.email:
        organization["email"] = contact.email
    service: Document = {
        "id": service_id,
        "organization_id": organization["id"],
        "name": contact.name,
        "status": "active",
    }
    if contact.notes:
        service["description"] = contact.notes
    if contact.web:
        service["url"] = contact.web
    if contact.email:
        service["email"] = contact.email
    checked = sorted(pack.source(source_id).checked for source_id in contact.sources)
    service["assured_date"] = checked[0].isoformat()
    _add_lists(service, pack, contact, codes)
    return organization, service


def _add_lists(service: Document, pack: Pack, contact: Contact, codes: set[str]) -> None:
    sid = service["id"]
    phones = [(contact.phone, "voice"), (contact.text, "text")]
    service["phones"] = [
        {"id": _id(sid, "phone", kind), "service_id": sid, "number": number, "type": kind}
        for number, kind in phones
        if number
    ]
    if contact.hours:
        service["schedules"] = [_schedule(sid, contact.hours)]
    languages = [code for code in (language_code(item) for item in contact.languages) if code]
    service["languages"] = [
        {"id": _id(sid, "language", code), "service_id": sid, "code": code} for code in languages
    ]
    area = area_of(pack.id)
    service["service_areas"] = [
        {
            "id": _id(sid, "area"),
            "service_id": sid,
            "name": pack.name,
            "extent": area,
            "extent_type": "iso3166" if area != WORLD else "text",
        }
    ]
    service["attributes"] = [
        _type_attribute(sid, code) for code in sorted(codes) if code in TYPES_BY_CODE
    ]
    service["attributes"] += [
        _source_attribute(sid, pack, source_id) for source_id in contact.sources
    ]
    for key in ("phones", "languages", "attributes"):
        if not service[key]:
            del service[key]


def _schedule(service_id: str, hours: str) -> Document:
    schedule: Document = {
        "id": _id(service_id, "schedule"),
        "service_id": service_id,
        "description": hours,
    }
    if _ALWAYS.search(hours):
        schedule |= {
            "freq": "WEEKLY",
            "byday": "MO,TU,WE,TH,FR,SA,SU",
            "opens_at": "00:00",
            "closes_at": "24:00",
        }
    return schedule


def _type_attribute(service_id: str, code: str) -> Document:
    return {
        "id": _id(service_id, "type", code),
        "link_id": service_id,
        "link_entity": "service",
        "link_type": "service_type",
        "taxonomy_term_id": term_id(code),
    }


def _source_attribute(service_id: str, pack: Pack, source_id: str) -> Document:
    source = pack.source(source_id)
    return {
        "id": _id(service_id, "source", source_id),
        "link_id": service_id,
        "link_entity": "service",
        "link_type": "source",
        "taxonomy_term_id": SOURCE_TERM_ID,
        "value": source.url,
        "metadata": [
            {
                "id": _id(service_id, "source", source_id, "checked"),
                "last_action_date": source.checked.isoformat(),
                "last_action_type": "verified",
                "field_name": "*",
                "previous_value": "",
                "replacement_value": source.title,
                "updated_by": f"Ally knowledge pack {pack.id}",
            }
        ],
    }
