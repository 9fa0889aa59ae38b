"""Languages: every interface string is translated, and the language follows the person's choice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import ally.web
from ally.web.i18n import CATALOGS, LANGUAGES, negotiate
from tests.web.conftest import Browser

WEB = Path(ally.web.__file__).parent
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> set[str | tuple[str, ...]]:
    found = extract_from_dir(
        WEB,
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}},
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    )
    return {item[2] if isinstance(item[2], str) else tuple(item[2]) for item in found}


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_every_interface_string_is_translated(language: str) -> None:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=language)
    for message_id in extracted():
        message = catalog.get(message_id if isinstance(message_id, str) else message_id[0])
        assert message is not None and message.string, f"untranslated: {message_id!r}"
        assert not message.fuzzy, f"fuzzy: {message_id!r}"
        source_ids = [message_id] if isinstance(message_id, str) else list(message_id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = {name for text in source_ids for name in _PLACEHOLDER.findall(text)}
        for text in strings:
            assert set(_PLACEHOLDER.findall(text)) <= wanted | {"num"}, message_id


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,es;q=0.5", "fr"),
        ("fr-CA,en;q=0.5", "fr"),
        ("de,es;q=0.5", "es"),
        ("de", "en"),
        ("es;q=0", "en"),
        ("", "en"),
        ("es;q=abc, en", "en"),
    ],
)
def test_language_from_accept_language(header: str, language: str) -> None:
    assert negotiate(header) == language


def test_pages_follow_the_browser_language(browser: Browser) -> None:
    page = browser.open("/", headers={"accept-language": "es-US,es;q=0.9"})
    assert '<html lang="es">' in page.text
    assert "Salida rápida" in page.text


def test_the_switcher_changes_the_language_without_javascript(browser: Browser) -> None:
    browser.open("/privacy")
    page = browser.submit("/language", {"lang": "es", "next": "/privacy"})
    assert str(page.url).endswith("/privacy")
    assert '<html lang="es">' in page.text and "Seguridad y privacidad" in page.text
    browser.start("us")
    plan = browser.skip_to_plan()
    assert "Su plan" in plan.text
    assert 'lang="en"' in plan.text or 'lang="es"' in plan.text


def test_pages_in_french_for_a_french_browser(browser: Browser) -> None:
    page = browser.open("/", headers={"accept-language": "fr-CA,fr;q=0.9"})
    assert '<html lang="fr">' in page.text
    assert "Sortie rapide" in page.text and "Quick exit" not in page.text


def test_error_pages_speak_the_persons_language(browser: Browser) -> None:
    page = browser.open("/no-such-page", headers={"accept-language": "es"})
    assert page.status_code == 404
    assert "No hay ninguna página en esta dirección." in page.text
