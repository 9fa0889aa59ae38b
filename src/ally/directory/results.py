"""What a search returns: one ``Hit`` per service, with what a person needs to reach it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from ally.directory.candidates import Candidate, DirectoryIndex, Document, Ranked, Scope
from ally.directory.index import service_languages, service_types
from ally.directory.schedule import is_open
from ally.directory.taxonomy import SOURCE_TERM_ID


@dataclass(frozen=True)
class Hit:
    """One service to show a person, with what they need to reach it."""

    service_id: str
    name: str
    organization: str | None
    scope: Scope
    distance_km: float | None
    phones: tuple[str, ...] = ()
    url: str | None = None
    email: str | None = None
    address: str | None = None
    types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    open_now: bool | None = None
    status: str = "active"
    description: str | None = None
    sources: tuple[str, ...] = ()
    score: float = field(default=0.0, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def hits_for(
    index: DirectoryIndex, ranked: list[Ranked], now: dt.datetime, tz: dt.tzinfo
) -> list[Hit]:
    documents = index.documents([item.candidate.service_id for item in ranked])
    hits = []
    for item in ranked:
        if item.candidate.service_id not in documents:
            continue
        service, organization = documents[item.candidate.service_id]
        hours = orjson.loads(item.candidate.hours) if item.candidate.hours else []
        hits.append(_hit(service, organization, item, is_open(hours, now, tz)))
    return hits


def _hit(
    service: Document, organization: Document | None, item: Ranked, open_now: bool | None
) -> Hit:
    location = _nearest_location(service, item.candidate)
    return Hit(
        service_id=str(service["id"]),
        name=str(service.get("name")),
        organization=str(organization["name"]) if organization else None,
        scope=item.scope,
        distance_km=None if item.distance is None else round(item.distance, 2),
        phones=_phones(service, location, organization),
        url=service.get("url") or (organization or {}).get("website"),
        email=service.get("email") or (organization or {}).get("email"),
        address=_address(location),
        types=tuple(sorted(service_types(service))),
        languages=tuple(sorted(service_languages(service))),
        open_now=open_now,
        status=str(service.get("status")),
        description=service.get("description"),
        sources=tuple(_sources(service)),
        score=round(item.score, 4),
    )


def _nearest_location(service: Document, candidate: Candidate) -> Document | None:
    best: tuple[float, Document] | None = None
    for link in service.get("service_at_locations") or ():
        location = link.get("location") or {}
        lat, lon = location.get("latitude"), location.get("longitude")
        if (
            candidate.lat is None
            or not isinstance(lat, int | float)
            or not isinstance(lon, int | float)
        ):
            best = best or (0.0, location)
            continue
        gap = abs(lat - candidate.lat) + abs(lon - (candidate.lon or 0.0))
        if best is None or gap < best[0]:
            best = (gap, location)
    return best[1] if best else None


def _phones(
    service: Document, location: Document | None, organization: Document | None
) -> tuple[str, ...]:
    for holder in (service, location or {}, organization or {}):
        numbers = [
            str(phone["number"]) for phone in holder.get("phones") or () if phone.get("number")
        ]
        if numbers:
            return tuple(dict.fromkeys(numbers))
    return ()


def _address(location: Document | None) -> str | None:
    for address in (location or {}).get("addresses") or ():
        parts = [address.get(key) for key in ("address_1", "city", "state_province", "postal_code")]
        return ", ".join(str(part) for part in parts if part)
    return None


def _sources(service: Document) -> list[str]:
    sources = []
    for attribute in service.get("attributes") or ():
        term = attribute.get("taxonomy_term") or {}
        if SOURCE_TERM_ID in (attribute.get("taxonomy_term_id"), term.get("id")) and attribute.get(
            "value"
        ):
            sources.append(str(attribute["value"]))
    return sources
