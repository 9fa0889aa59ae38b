"""Finding local help: the search page and the services under plan steps, from the real store.

A place is sensitive, so it is posted, kept in the server-side session and never put in a URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.directory.hsds import bundle_from_documents
from ally.directory.taxonomy import SERVICE_TYPES
from ally.storage.directory_store import DirectoryStore
from ally.web import create_app
from ally.web.person.help import TYPE_LABELS, web_link
from tests.directory.conftest import make_organization, make_service
from tests.web.conftest import Browser, Clock, make_config
from tests.web.test_case_pages import WORK, Today, answer_all, text_of

OAKLAND = (37.8044, -122.2712)
ALWAYS_OPEN = [
    {"freq": "WEEKLY", "byday": day, "opens_at": "00:00", "closes_at": "23:59"}
    for day in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
]


def local_services() -> list[tuple[str, dict[str, object], str]]:
    organization = make_organization("Bay Area Women Centre")
    near = make_service(
        "East Bay Workers Rights Clinic",
        OAKLAND[0] + 0.01,
        OAKLAND[1],
        types=("workplace_help", "legal_aid"),
        languages=("en", "es"),
        organization_id=organization["id"],
        schedules=ALWAYS_OPEN,
    )
    shelter = make_service(
        "Harbour House Shelter", OAKLAND[0] - 0.02, OAKLAND[1], types=("shelter",)
    )
    far = make_service("Sacramento Legal Aid", 38.5816, -121.4944, types=("legal_aid",))
    odd = make_service("Odd Link Advocacy", OAKLAND[0], OAKLAND[1] + 0.01, types=("advocacy",))
    odd["url"] = "javascript:alert(1)"
    return [("organization", organization, "org")] + [
        ("service", service, service["name"]) for service in (near, shelter, far, odd)
    ]


@pytest.fixture
def helped_app(tmp_path: Path, clock: Clock) -> FastAPI:
    database = tmp_path / "web.sqlite3"
    app = create_app(make_config(database, clock, today=Today()))
    store = DirectoryStore.open(str(database))
    try:
        store.import_bundle(bundle_from_documents(local_services()))
    finally:
        store.close()
    return app


@pytest.fixture
def person(helped_app: FastAPI) -> Iterator[Browser]:
    with TestClient(helped_app) as client:
        yield Browser(client)


def search(person: Browser, **fields: str) -> str:
    person.open("/help")
    data = {"text": "", "type": "", "language": "", "near": "", **fields}
    response = person.post("/help", data)
    assert str(response.url).endswith("/help")
    return response.text


def test_search_by_place_and_type_ranks_the_nearest_first(person: Browser) -> None:
    page = text_of(search(person, near="Oakland, CA", type="legal_aid"))
    assert "East Bay Workers Rights Clinic" in page
    assert "Harbour House" not in page  # another type
    assert page.index("East Bay Workers") < page.index("Sacramento Legal Aid")
    assert re.search(r"1\.\d km \(0\.\d mi\) away", page)


def test_language_and_open_now_filter(person: Browser) -> None:
    spanish = text_of(search(person, near="94612", language="es"))
    assert "East Bay Workers Rights Clinic" in spanish and "Harbour House" not in spanish
    open_now = text_of(search(person, near="94612", type="workplace_help", open_now="yes"))
    assert "East Bay Workers Rights Clinic" in open_now and "Open now" in open_now


def test_words_find_services_anywhere(person: Browser) -> None:
    page = text_of(search(person, text="shelter"))
    assert "Harbour House Shelter" in page


def test_an_unknown_place_is_explained(person: Browser) -> None:
    person.open("/help")
    response = person.post("/help", {"near": "Qqzzyx Nowhere"})
    assert response.status_code == 422
    assert "could not find that place" in response.text and 'role="alert"' in response.text
    assert 'value="Qqzzyx Nowhere"' in response.text


def test_bad_choices_and_missing_tokens_are_refused(person: Browser) -> None:
    person.open("/help")
    assert person.post("/help", {"type": "spaceship"}).status_code == 400
    assert person.post("/help", {"language": "klingon"}).status_code == 400
    assert person.post("/help", {"text": "x" * 201}).status_code == 422
    assert person.client.post("/help", data={"near": "Oakland"}).status_code == 403


def test_a_link_from_imported_data_is_only_made_for_web_addresses(person: Browser) -> None:
    page = search(person, near="Oakland, CA", type="advocacy")
    assert "Odd Link Advocacy" in page
    assert 'href="javascript:' not in page
    assert web_link("https://example.org") == "https://example.org"
    assert web_link("javascript:alert(1)") is None and web_link(None) is None


def test_the_plan_lists_services_near_the_place_given(person: Browser) -> None:
    answer_all(person, WORK)
    plan = person.open("/plan").text
    assert "Services near" not in plan and 'id="place-input"' in plan
    saved = person.post("/plan/place", {"place": "Oakland, CA", "action": "set"})
    assert saved.status_code == 303 and saved.headers["location"] == "/plan#place"
    plan = person.open("/plan").text
    hr = re.search(
        r'<article class="step"[^>]*>\s*<h3[^>]*>\d+\. Make a formal complaint to HR.*?</article>',
        plan,
        re.S,
    )
    assert hr and "East Bay Workers Rights Clinic" in hr.group(0)
    assert "Services near Oakland, CA" in hr.group(0)
    assert 'value="Oakland, CA"' in plan
    assert "Harbour House" not in hr.group(0)


def test_the_place_never_goes_in_a_url_and_can_be_forgotten(person: Browser) -> None:
    answer_all(person, WORK)
    person.open("/plan")
    person.post("/plan/place", {"place": "94612", "action": "set"})
    plan = person.open("/plan").text
    assert "94612" not in "".join(re.findall(r'(?:href|action)="([^"]*)"', plan))
    person.post("/plan/place", {"place": "94612", "action": "forget"})
    plan = person.open("/plan").text
    assert "Services near" not in plan and 'value="94612"' not in plan
    assert 'value="' + "" + '"' in plan


def test_an_unknown_place_on_the_plan_changes_nothing(person: Browser) -> None:
    answer_all(person, WORK)
    person.open("/plan")
    person.post("/plan/place", {"place": "Oakland, CA", "action": "set"})
    person.open("/plan")
    wrong = person.post("/plan/place", {"place": "Qqzzyx Nowhere", "action": "set"})
    assert wrong.status_code == 422
    assert "could not find that place" in wrong.text and 'aria-invalid="true"' in wrong.text
    assert "Services near Oakland, CA" in person.open("/plan").text
    no_token = person.client.post(
        "/plan/place", data={"place": "Sacramento", "action": "set"}, follow_redirects=False
    )
    assert no_token.status_code == 403
    assert "Services near Oakland, CA" in person.open("/plan").text


def test_every_service_type_has_a_translatable_label() -> None:
    assert set(TYPE_LABELS) == {service_type.code for service_type in SERVICE_TYPES}


def test_the_search_page_speaks_spanish(person: Browser) -> None:
    person.open("/help")
    person.submit("/language", {"lang": "es", "next": "/help"})
    page = search(person, near="Oakland, CA", language="es")
    assert '<html lang="es">' in page and "Encontrar ayuda cerca de usted" in page
    assert "Español" in page or "español" in page


def test_a_state_written_out_is_understood_and_the_page_jumps_to_the_results(
    person: Browser,
) -> None:
    page = search(person, near="Fresno, California", type="counselling")
    assert 'action="/help#results"' in page and 'id="results"' in page
    text = text_of(page)
    assert "for your state or country" in text
    assert "Nothing with an address was found near Fresno, CA." in text
    assert "National Domestic Violence Hotline" in text and "211" in text
    assert "National" in text


def test_a_search_without_a_place_keeps_to_the_plan_country(person: Browser) -> None:
    person.open("/interview/start")
    person.post("/interview/start", {"answer": "us", "action": "answer"})
    text = text_of(search(person, type="legal_aid"))
    assert "LawHelp.org" in text
    assert "Ontario" not in text and "Citizens Information" not in text
