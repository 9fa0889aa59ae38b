"""A vault made before pages and time-zone-proof keys keeps working (issue 23).

``fixtures/older-vault/vault.db`` was made by Ally at commit 90a29c7 (see the fixtures'
README): one entry per imported message, a mark saved as a new version, a note.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from ally.documents.casefile import build_casefile
from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import import_file
from ally.evidence.review import forget_message, mark, review_queue, search, stored_messages
from ally.model.pages import PAGE_KIND
from ally.vault import Vault

from .conftest import FIXTURES

PASSPHRASE = "old vault passphrase"
CHAT = FIXTURES / "WhatsApp Chat with Sam.txt"


def older_vault(tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    folder.mkdir()
    shutil.copy(FIXTURES / "older-vault" / "vault.db", folder / "vault.db")
    return folder


def test_an_older_vault_opens_verifies_and_searches(tmp_path: Path) -> None:
    location = older_vault(tmp_path)
    with Vault.open(location) as locked:
        assert locked.verify().ok
    with Vault.open(location, PASSPHRASE) as vault:
        items = stored_messages(vault)
        assert len(items) == 8 and all(item.page_id is None for item in items)
        assert [i.decision for i in items if i.decision] == ["evidence"]
        assert [i.message.text for i in search(items, text="IT'S LATE")] == [
            "Yes\nit's late though\n\nsee you"
        ]
        queue = review_queue(items)
        assert len(queue) == 7  # the marked one has left the queue
        mark(vault, queue[0].entry_id, "not_relevant")
        assert sum(1 for i in stored_messages(vault) if i.decision) == 2
        report = build_casefile(vault)
        assert len(report.messages) == 8
        assert vault.verify().ok


def test_reimporting_into_an_older_vault_adds_nothing_and_new_imports_use_pages(
    tmp_path: Path,
) -> None:
    location = older_vault(tmp_path)
    with Vault.open(location, PASSPHRASE) as vault:
        again = import_file(vault, CHAT, ImportOptions(timezone=dt.UTC))
        assert (again.added, again.already_present) == (0, 8)
        other = tmp_path / "WhatsApp Chat with Robin.txt"
        other.write_text("1/20/20, 9:00 AM - Robin: new chat\n", encoding="utf-8")
        assert import_file(vault, other, ImportOptions(timezone=dt.UTC)).added == 1
        assert len(vault.entries(kind=PAGE_KIND)) == 1
        assert len(stored_messages(vault)) == 9
        old = next(i for i in stored_messages(vault) if i.page_id is None)
        forget_message(vault, old.entry_id)
        assert len(stored_messages(vault)) == 8 and vault.verify().ok
