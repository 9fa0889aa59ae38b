"""The incident form lets the person say an incident came after their complaint: the box is
stored as the ``retaliation`` tag the letters read (documents.law.find_conduct)."""

from __future__ import annotations

from fastapi import FastAPI

from ally.documents.law import find_conduct
from ally.vault import Vault
from ally.web.state import WebState
from tests.web.conftest import JOURNAL_PASSPHRASE as PASSPHRASE
from tests.web.conftest import Browser
from tests.web.test_journal import add_incident

LABEL = "This happened after I complained or reported it (retaliation)"


def test_the_retaliation_box_is_stored_as_the_tag_letters_read(
    journal: Browser, app: FastAPI
) -> None:
    form = journal.open("/journal/new")
    assert LABEL in form.text and 'name="retaliation"' in form.text
    status, _ = add_incident(
        journal, [], what="After my complaint Sam Boss cut my shifts.", retaliation="yes"
    )
    assert status == "303"
    status, _ = add_incident(journal, [], what="Sam Boss shouted at me in the stockroom.")
    assert status == "303"
    journal.submit("/journal/lock", {})
    state: WebState = app.state.web
    assert state.vaults is not None
    with Vault.open(state.vaults.location, PASSPHRASE) as vault:
        incidents = {e.incident().what: e for e in vault.entries() if e.kind == "incident"}
    cut = incidents["After my complaint Sam Boss cut my shifts."]
    shouted = incidents["Sam Boss shouted at me in the stockroom."]
    assert cut.incident().tags == ["retaliation"] and shouted.incident().tags == []
    assert find_conduct({}, [cut]).conduct == ("retaliation",)
    assert find_conduct({}, [shouted]).conduct == ()
