"""The first hour in Debian's Chromium, in the person's language (issue 20): a letter drafted in
French on the web for an Ontario plan, and the Spanish danger page on a phone (390×844).

The web follows the browser's language (Accept-Language), as a person's own browser would set it.
Screenshots are kept in test-artifacts/web/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser_support import Situation, click_and_load, plan_as
from tests.web.conftest import LiveServer, keep_screenshot

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}

# Words of the English letter templates and the page around a draft: none may show in French.
ENGLISH = re.compile(
    r"\b(?:I|you|your|the|please|with|this|have|from|would|Dear|Subject|complaint|harassment"
    r"|Draft|letter|Check|before|sending)\b"
)

ONTARIO_WORK = Situation(
    "ontario-work",
    "ca-on",
    {
        "in_danger_now": "no",
        "context": ["work"],
        "harasser": ["coworker"],
        "what_happened": ["sexual"],
        "threats": "no",
        "stalking": "no",
        "intimate_images": "no",
        "sexual": "yes",
        "last_incident": "2026-11",
        "federally_regulated": "no",
    },
)


@pytest.fixture
def french(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1024, "height": 900}, locale="fr-CA")
    yield context
    context.close()


@pytest.fixture
def spanish_phone(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(viewport=PHONE, locale="es-ES")
    yield context
    context.close()


def test_a_french_letter_drafted_on_the_web(
    french: Any, live_server: LiveServer, artifacts: Path
) -> None:
    """An Ontario worker harassed by a coworker drafts the HR complaint in French: the page
    and the letter name the recipient, the conduct and Ontario's law in French, with no English
    template sentence and no English words around the draft."""
    page = french.new_page()
    plan_as(page, live_server.url, ONTARIO_WORK)
    assert page.get_by_role("heading", name="Votre plan").count() == 1
    hr = page.locator("article.step").filter(
        has=page.locator("h3", has_text="plainte officielle aux ressources humaines")
    )
    click_and_load(hr.get_by_role("link", name="Rédiger une lettre pour cette étape"))
    page.get_by_label("L'organisation que concerne cette lettre").fill("Acme Inc")
    page.get_by_label("Le nom de la personne à qui vous écrivez").fill("Jo Smith")
    page.get_by_label("Son poste").fill("Responsable des ressources humaines")
    click_and_load(page.get_by_role("button", name="Réécrire le brouillon avec ces informations"))
    letter = page.locator("textarea.letter-text")
    assert letter.count() == 1
    text = letter.input_value()
    keep_screenshot(page, artifacts / "letter-ca-on-fr.png", full_page=True)
    assert text.startswith("Objet : Plainte officielle pour harcèlement sexuel"), text[:200]
    assert "Bonjour Jo Smith," in text, text  # the recipient, greeted in French
    assert "Je dépose une plainte officielle pour harcèlement sexuel au travail" in text, text
    assert "Le Code des droits de la personne de l'Ontario, paragraphe 5 (2)" in text, text
    assert not ENGLISH.findall(text), ENGLISH.findall(text)
    main = page.locator("main").inner_text()
    assert "Human Rights Code" not in main
    assert "Dear " not in main and "Subject:" not in main
    around = main.replace(text, "")
    assert not ENGLISH.findall(around), ENGLISH.findall(around)


def test_the_spanish_danger_page_on_a_phone(
    spanish_phone: Any, live_server: LiveServer, artifacts: Path
) -> None:
    """Yes to danger in Ireland, in Spanish, on a phone: the emergency number and what to do
    now, in Spanish, on the first screen, before any other question."""
    page = spanish_phone.new_page()
    page.goto(live_server.url + "/interview/start")
    page.locator("input[name=answer][value='ie']").check()
    click_and_load(page.locator("button[value=answer]"))
    page.locator("input[name=answer][value=yes]").check()
    click_and_load(page.locator("button[value=answer]"))
    assert page.url.endswith("/interview/danger"), page.url
    keep_screenshot(page, artifacts / "phone-danger-ie-es.png")
    assert page.get_by_role("heading", name="Si está en peligro ahora").count() == 1
    emergency = page.locator(".emergency")
    assert "999" in emergency.inner_text() or "112" in emergency.inner_text()
    box = emergency.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    actions = page.locator("ol.danger-actions li").all_inner_texts()
    assert len(actions) >= 2, actions
    main = page.locator("main").inner_text()
    assert "en muchos países" not in main
    assert "999 or 112" not in main, "the contact's number is said in Spanish too"
    assert "Anywhere" not in main
    for english in ("If you are in danger", "What to do now", "Go somewhere", "Call ", "stop"):
        assert english not in main, english
    assert page.locator("input[name=answer]").count() == 0, "another question came first"
    width: int = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"]
