"""Ally's service types, as an HSDS taxonomy, and how each plan route maps onto them.

A plan step has a ``Route`` (shelter, legal_aid, protection_order…). The directory files
services under a small set of service types; ``ROUTE_TYPES`` says which types can help with
each route, so each step can show the nearest matching services. Services imported from other
directories usually carry another taxonomy; ``types_of_term`` recognises common wording
("refuge", "attorney", "crisis line"…) so they still show up under the right steps.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from ally.directory.errors import DirectoryQueryError
from ally.knowledge.schema import Route

NAMESPACE = uuid.UUID("6f1c2a7e-5b0d-4b8e-9a53-2f4d1c9e7a10")
TAXONOMY_NAME = "Ally help types"
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy"))
SOURCE_TERM_CODE = "source"


@dataclass(frozen=True)
class ServiceType:
    code: str
    name: str
    description: str

    @property
    def term_id(self) -> str:
        return term_id(self.code)


SERVICE_TYPES: tuple[ServiceType, ...] = (
    ServiceType("emergency", "Emergency services", "Police, ambulance or fire in an emergency."),
    ServiceType("police", "Police (non-emergency)", "Reporting a crime that is not an emergency."),
    ServiceType("shelter", "Shelter and safe housing", "Refuges and emergency safe housing."),
    ServiceType("helpline", "Helpline", "Phone, text or chat lines for support and advice."),
    ServiceType("counselling", "Counselling", "Counselling and emotional support."),
    ServiceType("advocacy", "Advocacy and support", "Advocates who support you through each step."),
    ServiceType("legal_aid", "Legal aid", "Free or low-cost legal advice and representation."),
    ServiceType("lawyer_referral", "Lawyer referral", "Finding a lawyer who handles harassment."),
    ServiceType("court_help", "Court help", "Help applying for protection or restraining orders."),
    ServiceType("victim_services", "Victim services", "Support for victims of crime."),
    ServiceType("government_agency", "Government agency", "Agencies that enforce harassment law."),
    ServiceType("regulator", "Regulator or ombudsman", "Bodies that oversee a sector."),
    ServiceType(
        "online_safety", "Online safety", "Help with online abuse, images and stalkerware."
    ),
    ServiceType("workplace_help", "Workplace rights", "Advice on rights at work."),
    ServiceType("housing_help", "Housing help", "Help with harassment where you live."),
    ServiceType("education_help", "Education help", "Help with harassment at school or college."),
)
TYPES_BY_CODE = {service_type.code: service_type for service_type in SERVICE_TYPES}

ROUTE_TYPES: dict[Route, tuple[str, ...]] = {
    Route.VENUE: (),
    Route.HR: ("workplace_help",),
    Route.SUPERVISOR: ("workplace_help",),
    Route.EMPLOYER_DUTY: ("workplace_help", "government_agency"),
    Route.AGENCY: ("government_agency",),
    Route.SCHOOL: ("education_help",),
    Route.HOUSING: ("housing_help",),
    Route.PLATFORM: ("online_safety",),
    Route.ISP: ("online_safety",),
    Route.REGULATOR: ("regulator",),
    Route.LIMITED_RECOURSE: ("advocacy", "helpline"),
    Route.POLICE_EMERGENCY: ("emergency",),
    Route.POLICE_NON_EMERGENCY: ("police",),
    Route.POLICE_ADVICE: ("police", "victim_services"),
    Route.PROTECTION_ORDER: ("court_help", "legal_aid", "advocacy"),
    Route.CRIMINAL_CHARGES: ("victim_services", "police", "advocacy"),
    Route.SAFETY_PLANNING: ("advocacy", "helpline", "shelter"),
    Route.ADVOCACY: ("advocacy",),
    Route.SHELTER: ("shelter",),
    Route.COUNSELLING: ("counselling",),
    Route.HELPLINE: ("helpline",),
    Route.LAWYER: ("lawyer_referral", "legal_aid"),
    Route.LEGAL_AID: ("legal_aid",),
    Route.EVIDENCE: (),
}

_KEYWORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), code)
    for pattern, code in (
        (r"shelter|refuge|safe ?hous", "shelter"),
        (r"legal aid|legal assistance|legal services", "legal_aid"),
        (r"lawyer|attorney|solicitor", "lawyer_referral"),
        (r"counsel", "counselling"),
        (r"hotline|helpline|crisis line|help line", "helpline"),
        (r"advoca", "advocacy"),
        (r"protection order|restraining order|injunction|self-help cent", "court_help"),
        (r"victim", "victim_services"),
        (r"police", "police"),
        (r"emergency", "emergency"),
    )
)


def term_id(code: str) -> str:
    """The stable HSDS id of an Ally taxonomy term (the same on every machine)."""
    return str(uuid.uuid5(NAMESPACE, f"term:{code}"))


TERM_IDS = {term_id(service_type.code): service_type.code for service_type in SERVICE_TYPES}
SOURCE_TERM_ID = term_id(SOURCE_TERM_CODE)


def types_for_route(route: Route | str) -> tuple[str, ...]:
    """The service types that can help with a plan step's route."""
    try:
        return ROUTE_TYPES[Route(route)]
    except ValueError as error:
        known = ", ".join(sorted(r.value for r in Route))
        raise DirectoryQueryError(
            f"There is no plan route {route!r}. Known routes: {known}."
        ) from error


def check_types(codes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The codes, or an error naming the unknown one and listing the known ones."""
    for code in codes:
        if code not in TYPES_BY_CODE:
            known = ", ".join(TYPES_BY_CODE)
            raise DirectoryQueryError(f"There is no service type {code!r}. Known types: {known}.")
    return tuple(codes)


def types_of_term(term: dict[str, Any]) -> set[str]:
    """The Ally service types an HSDS taxonomy term stands for (empty when none fits)."""
    if term.get("id") in TERM_IDS:
        return {TERM_IDS[term["id"]]}
    ours = term.get("taxonomy_id") == TAXONOMY_ID or term.get("taxonomy") == TAXONOMY_NAME
    code = term.get("code")
    if ours and isinstance(code, str) and code in TYPES_BY_CODE:
        return {code}
    if ours:
        return set()
    words = " ".join(str(term.get(key) or "") for key in ("code", "name"))
    return {code for pattern, code in _KEYWORDS if pattern.search(words)}


def taxonomy_document() -> dict[str, Any]:
    """The Ally taxonomy as an HSDS ``taxonomy`` object."""
    return {
        "id": TAXONOMY_ID,
        "name": TAXONOMY_NAME,
        "description": "Kinds of help for people facing harassment, mapped to Ally plan steps.",
        "version": "1",
    }


def term_documents() -> list[dict[str, Any]]:
    """Every Ally service type (and the 'source' term for citations) as HSDS taxonomy terms."""
    terms = [
        _term(service_type.code, service_type.name, service_type.description)
        for service_type in SERVICE_TYPES
    ]
    terms.append(_term(SOURCE_TERM_CODE, "Source", "Where the facts about a service come from."))
    return terms


def _term(code: str, name: str, description: str) -> dict[str, Any]:
    return {
        "id": term_id(code),
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": TAXONOMY_ID,
        "language": "en",
        "taxonomy_detail": taxonomy_document(),
    }
