"""Find help near you: the resource directory, searched as ``ally directory search`` does.

A place can say a lot about a person, so it never goes in a URL: the search form is posted,
and the place given on the plan page is kept in the server-side session (sealed at rest)
and forgotten with it. Places are found offline (``ally.directory.geo``); nothing is sent
anywhere. The directory lives in the app's own database, seeded with the packs' contacts
the first time it is used; an organisation running Ally adds its local services with
``ally directory import``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import Response

from ally.directory.errors import DirectoryError, PlaceNotFoundError
from ally.directory.fallback import areas_for_pack, national_lines
from ally.directory.geo import Place, resolve_place
from ally.directory.search import Hit, SearchQuery, search, services_for_step
from ally.directory.seed import ensure_seeded
from ally.directory.taxonomy import SERVICE_TYPES, types_for_route
from ally.model.plan import Plan
from ally.storage.directory_store import DirectoryStore
from ally.web.i18n import N_
from ally.web.pages import FormDep, FormFields, PageError, Visit, VisitDep, render
from ally.web.person.phones import tel
from ally.web.state import web_state

router = APIRouter()

RESULTS = 20
NEAR_A_STEP = 3
MAX_TEXT = 200
KM_PER_MILE = 1.609344
TYPE_LABELS = {
    "emergency": N_("Emergency services"),
    "police": N_("Police (non-emergency)"),
    "shelter": N_("Shelter and safe housing"),
    "helpline": N_("Helpline"),
    "counselling": N_("Counselling"),
    "advocacy": N_("Advocacy and support"),
    "legal_aid": N_("Legal aid"),
    "lawyer_referral": N_("Lawyer referral"),
    "court_help": N_("Court help"),
    "victim_services": N_("Victim services"),
    "government_agency": N_("Government agency"),
    "regulator": N_("Regulator or ombudsman"),
    "online_safety": N_("Online safety"),
    "workplace_help": N_("Workplace rights"),
    "housing_help": N_("Housing help"),
    "education_help": N_("Education help"),
}
SCOPE_LABELS = {
    "region": N_("Serves your state or region"),
    "country": N_("National"),
    "world": N_("Available anywhere"),
}
LANGUAGE_CODES = ("en", "es", "fr", "pt", "zh", "vi", "ko", "tl", "ar", "ru", "pl", "hi", "ht")
"""Languages offered in the search form (the directory knows more; these are the common ones)."""
NO_PLACE = N_(
    "Ally could not find that place. Try the name of a nearby larger town, or a US ZIP code."
)
LONG_TEXT = N_("Please keep each search term under 200 characters.")
FIELDS = ("text", "type", "language", "near", "open_now")


class DirectoryHolder:
    """The app's directory store: opened and seeded on first use, one search at a time
    (the store holds one database connection, and pages run in several threads)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._store: DirectoryStore | None = None
        self._lock = threading.Lock()

    @contextmanager
    def using(self) -> Iterator[DirectoryStore]:
        with self._lock:
            if self._store is None:
                store = DirectoryStore.open(self.url)
                ensure_seeded(store)
                self._store = store
            yield self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def directory(request: Request) -> DirectoryHolder:
    state = request.app.state
    if not hasattr(state, "directory"):
        state.directory = DirectoryHolder(str(web_state(request).config.database))
    holder: DirectoryHolder = state.directory
    return holder


def close_directory(app: FastAPI) -> None:
    """When the server stops (see ``app.create_app``)."""
    holder = getattr(app.state, "directory", None)
    if isinstance(holder, DirectoryHolder):
        holder.close()


def distance(hit: Hit, language: str) -> str | None:
    """'2.5 km (1.6 mi)' in the person's number format, or None for area-wide services."""
    if hit.distance_km is None:
        return None
    km = format_decimal(round(hit.distance_km, 1), locale=language)
    miles = format_decimal(round(hit.distance_km / KM_PER_MILE, 1), locale=language)
    return f"{km} km ({miles} mi)"


def web_link(url: str | None) -> str | None:
    """A service's website as a link only when it is a web address: imported data could
    hold anything, and a ``javascript:`` link must never be made from it."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def language_names(language: str) -> dict[str, str]:
    """Language codes with their names in the interface language ('es' → 'español')."""
    names = Locale.parse(language).languages
    return {code: str(names.get(code, code)) for code in LANGUAGE_CODES}


def _context(visit: Visit) -> dict[str, Any]:
    return {
        "type_labels": TYPE_LABELS,
        "scope_labels": SCOPE_LABELS,
        "language_names": language_names(visit.language),
        "type_codes": [service_type.code for service_type in SERVICE_TYPES],
        "distance": lambda hit: distance(hit, visit.language),
        "web_link": web_link,
        "tel": tel,
    }


def saved_place(visit: Visit) -> str:
    place = visit.session.data.get("place")
    return place if isinstance(place, str) else ""


@router.get("/help")
def help_page(request: Request, visit: VisitDep) -> Response:
    values = {"near": saved_place(visit)}
    return render(
        request, visit, "help/search.html", values=values, error=None, hits=None, **_context(visit)
    )


@dataclass(frozen=True)
class Wanted:
    query: SearchQuery
    place: Place | None


def wanted(form: FormFields, areas: tuple[str, ...] = ()) -> Wanted | str:
    """The search the form asks for, or the (translatable) reason it cannot be run."""
    if any(len(form.get(name)) > MAX_TEXT for name in FIELDS):
        return LONG_TEXT
    kind, language = form.get("type"), form.get("language")
    if (kind and kind not in TYPE_LABELS) or (language and language not in LANGUAGE_CODES):
        raise PageError(400, N_("Please choose one of the options in the list."))
    place = None
    if form.get("near").strip():
        try:
            place = resolve_place(form.get("near").strip())
        except PlaceNotFoundError:
            return NO_PLACE
    query = SearchQuery(
        text=form.get("text").strip() or None,
        types=(kind,) if kind else (),
        languages=(language,) if language else (),
        near=place,
        open_now=bool(form.get("open_now")),
        limit=RESULTS,
        areas=() if place is not None else areas,
    )
    return Wanted(query, place)


def visit_areas(visit: Visit) -> tuple[str, ...]:
    """The areas of the person's plan (its pack), so a search without a place stays there."""
    pack_id = visit.session.data.get("pack")
    return areas_for_pack(pack_id) if isinstance(pack_id, str) else ()


@router.post("/help")
def help_search(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Results come back in this response: nothing searched for is put in an address."""
    values = {name: form.get(name) for name in FIELDS}
    found = wanted(form, visit_areas(visit))
    if isinstance(found, str):
        return render(
            request,
            visit,
            "help/search.html",
            422,
            values=values,
            error=found,
            hits=None,
            **_context(visit),
        )
    with directory(request).using() as store:
        hits = search(store, found.query)
    return render(
        request,
        visit,
        "help/search.html",
        values=values,
        error=None,
        hits=hits,
        place=found.place,
        local=any(hit.scope == "local" for hit in hits),
        national=national_lines(found.place.country) if found.place else [],
        **_context(visit),
    )


def nearby(request: Request, plan: Plan, place: Place) -> dict[str, list[Hit]]:
    """For each step of the plan a helper can help with, the nearest services (the step's own
    contacts left out, as the plan lists them already)."""
    found: dict[str, list[Hit]] = {}
    with directory(request).using() as store:
        for step in plan.steps():
            try:
                if not types_for_route(step.route):
                    continue
                hits = services_for_step(store, step.route, near=place, limit=NEAR_A_STEP)
            except DirectoryError:
                continue
            named = {contact.name.casefold() for contact in step.contacts}
            kept = [hit for hit in hits if hit.name.casefold() not in named]
            if kept:
                found[step.id] = kept[:NEAR_A_STEP]
    return found


def plan_place(visit: Visit) -> Place | None:
    """The place the person gave on the plan page, found again (None if it no longer is)."""
    text = saved_place(visit)
    if not text:
        return None
    try:
        return resolve_place(text)
    except PlaceNotFoundError:
        return None
