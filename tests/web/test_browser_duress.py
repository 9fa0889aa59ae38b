"""The duress passphrase in Debian's Chromium: set up on the safety page, it opens the decoy
journal, whose pages have the same shape as the real journal's and never show its entries;
after too many wrong passphrases only the recovery code opens, also after a restart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ally.vault import Vault
from ally.web import create_app
from tests.web.browser_support import axe_violations, click_and_load
from tests.web.conftest import JOURNAL_PASSPHRASE, LiveServer, keep_screenshot, make_config

pytestmark = pytest.mark.slow

DURESS = "blue kettle on the windowsill"
REAL = "He took my phone and read my messages"
DECOY = "Dentist moved to Thursday"
CODE = re.compile(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){4}\b")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "web.sqlite3"


@pytest.fixture
def server(database: Path) -> Iterator[LiveServer]:
    with LiveServer(create_app(make_config(database))) as live:
        yield live


@pytest.fixture
def page(chromium: Any, server: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    yield context.new_page()
    context.close()


def _create_journal(page: Any, server: LiveServer) -> str:
    """Start the journal; the recovery code the page showed once."""
    page.goto(server.url + "/journal")
    page.get_by_label("Passphrase", exact=True).fill(JOURNAL_PASSPHRASE)
    page.get_by_label("The same passphrase again").fill(JOURNAL_PASSPHRASE)
    click_and_load(page.get_by_role("button", name="Start my journal"))
    code: str = page.locator("#code").inner_text()
    click_and_load(page.get_by_role("link", name="I have written it down. Continue"))
    page.wait_for_url(server.url + "/journal")
    return code


def _unlock(page: Any, server: LiveServer, passphrase: str) -> str:
    page.goto(server.url + "/journal")
    if page.get_by_role("button", name="Lock the journal").count():
        click_and_load(page.get_by_role("button", name="Lock the journal"))
    page.get_by_label("Passphrase", exact=True).fill(passphrase)
    click_and_load(page.get_by_role("button", name="Unlock"))
    text: str = page.locator("body").inner_text()
    return text


def _shape(page: Any) -> list[str]:
    """What the page is made of, without the entries: headings, links, buttons, fields."""
    parts = page.locator("main h1, main h2, main a.button, main button, nav a").all_inner_texts()
    return [part.strip() for part in parts]


def test_the_duress_passphrase_shows_the_decoy_and_never_the_real_entries(
    page: Any, server: LiveServer, database: Path, artifacts: Path
) -> None:
    _create_journal(page, server)
    location = str(database.parent / "vault")
    with Vault.open(location, JOURNAL_PASSPHRASE) as vault:
        vault.add_note(REAL)
    page.goto(server.url + "/privacy")
    page.get_by_label("Duress passphrase", exact=True).fill(DURESS)
    page.get_by_label("The duress passphrase again").fill(DURESS)
    page.get_by_label("Open the decoy journal").check()
    click_and_load(page.get_by_role("button", name="Save the duress passphrase"))
    assert "It opens the decoy journal." in page.locator("main").inner_text()
    page.goto(server.url + "/privacy")  # at the top: axe judges what overlaps at this scroll
    assert axe_violations(page) == []
    with Vault.open(location, DURESS) as decoy:
        decoy.add_note(DECOY)

    decoy_text = _unlock(page, server, DURESS)
    assert DECOY in decoy_text and REAL not in decoy_text
    decoy_shape = _shape(page)
    keep_screenshot(page, artifacts / "duress-decoy-timeline.png", full_page=True)
    page.go_back()
    assert REAL not in page.locator("body").inner_text()
    page.goto(server.url + "/privacy")
    assert "A duress passphrase is set" not in page.locator("main").inner_text()

    real_text = _unlock(page, server, JOURNAL_PASSPHRASE)
    assert REAL in real_text and DECOY not in real_text
    assert _shape(page) == decoy_shape  # same page, only the entries differ


def test_after_the_limit_only_the_recovery_code_opens_even_after_a_restart(
    chromium: Any, page: Any, server: LiveServer, database: Path
) -> None:
    found = CODE.search(_create_journal(page, server))  # the code shown when it was made
    assert found is not None
    with Vault.open(str(database.parent / "vault"), JOURNAL_PASSPHRASE) as vault:
        vault.add_note(REAL)
    page.goto(server.url + "/privacy")
    page.get_by_label("Require the recovery code after").select_option("3")
    click_and_load(page.get_by_role("button", name="Save the limit"))
    assert page.locator("#code").count() == 0  # the journal has its code: none new
    for _ in range(3):
        text = _unlock(page, server, "not the passphrase")
    assert "opens only with its recovery code" in text
    assert "opens only with its recovery code" in _unlock(page, server, JOURNAL_PASSPHRASE)
    server.__exit__(None, None, None)

    with LiveServer(create_app(make_config(database))) as restarted:
        context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
        fresh = context.new_page()
        text = _unlock(fresh, restarted, JOURNAL_PASSPHRASE)
        assert "opens only with its recovery code" in text and REAL not in text
        new = "chosen after the recovery code"
        fresh.get_by_label("Recovery code").fill(found.group(0))
        fresh.get_by_label("New passphrase", exact=True).fill(new)
        fresh.get_by_label("The new passphrase again").fill(new)
        click_and_load(fresh.get_by_role("button", name="Open the journal"))
        fresh.wait_for_url(restarted.url + "/journal")
        assert REAL in fresh.locator("main").inner_text()
        context.close()
