"""Creating a journal on the web shows its recovery code once, as ``ally vault init`` does
(issue 16): without it, a forgotten passphrase loses the journal for good."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI

from ally.vault import Vault
from ally.web.state import WebState
from tests.web.conftest import JOURNAL_PASSPHRASE, Browser

CODE = re.compile(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){4}\b")
NEW_PASSPHRASE = "harbour violet ladder softly"


def _create(browser: Browser, language: str = "en", after: str | None = None) -> str:
    """Create the journal through the form; the page the person then sees."""
    browser.open("/journal", headers={"accept-language": language})
    fields = {"passphrase": JOURNAL_PASSPHRASE, "confirm": JOURNAL_PASSPHRASE}
    if after:
        fields["next"] = after
    response = browser.post("/journal/create", fields, headers={"accept-language": language})
    assert response.status_code == 200, response.text[:300]
    assert "no-store" in response.headers["cache-control"]
    return response.text


def _files_text(folder: Path) -> str:
    return "".join(
        p.read_bytes().decode("latin-1") for p in sorted(folder.rglob("*")) if p.is_file()
    )


def test_the_recovery_code_is_shown_once_and_opens_the_journal(
    browser: Browser, app: FastAPI, tmp_path: Path
) -> None:
    page = _create(browser, after="/case")
    codes = CODE.findall(page)
    assert len(codes) == 1, codes
    code = codes[0]
    assert "Your journal is ready: write down its recovery code" in page
    assert "It is shown only this once: Ally does not keep it." in page
    assert "the only way back into your journal" in page
    assert 'href="/case"' in page  # then on to where the person was going
    # Shown once: never again on any page, and nowhere on disk in the clear.
    for path in ("/journal", "/privacy", "/case"):
        assert code not in browser.open(path).text, path
    assert code not in _files_text(tmp_path)
    # It is a working code: it opens the journal and sets a new passphrase.
    state: WebState = app.state.web
    assert state.vaults is not None
    browser.submit("/journal/lock", {})
    browser.open("/journal/recover")
    for typed, confirm, said in (
        (NEW_PASSPHRASE, "other", "The two passphrases are not the same"),
        ("short", "short", "at least 12 characters"),
    ):
        refused = browser.post(
            "/journal/recover", {"code": code, "passphrase": typed, "confirm": confirm}
        )
        assert refused.status_code == 422 and said in refused.text
    done = browser.submit(
        "/journal/recover",
        {"code": code.lower(), "passphrase": NEW_PASSPHRASE, "confirm": NEW_PASSPHRASE},
    )
    assert done.status_code == 200 and "Add an incident" in done.text, done.text[:300]
    Vault.open(state.vaults.location, NEW_PASSPHRASE).close()


def test_the_recovery_code_page_in_spanish(browser: Browser) -> None:
    page = _create(browser, "es")
    assert '<html lang="es">' in page and len(CODE.findall(page)) == 1
    assert "Tu diario está listo: anota su código de recuperación" in page
    assert "Solo se muestra esta vez: Ally no lo guarda." in page
    assert "Ya lo he anotado. Continuar" in page
    assert "write down" not in page


def test_the_recovery_code_page_in_french(browser: Browser) -> None:
    page = _create(browser, "fr")
    assert '<html lang="fr">' in page and len(CODE.findall(page)) == 1
    assert "Votre journal est prêt : notez son code de récupération" in page
    assert "Je l&#39;ai noté. Continuer" in page or "Je l'ai noté. Continuer" in page
    assert "write down" not in page
