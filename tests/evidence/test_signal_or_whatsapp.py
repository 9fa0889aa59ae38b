"""A `[YYYY-MM-DD, HH:MM] Name: text` export with no app-only marks: Signal's text exports and
WhatsApp both write lines like this. A file or folder named for Signal is read as Signal;
otherwise it is read as WhatsApp and the summary says the app was assumed and how to choose."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ally.evidence.importers import ImportOptions, open_export
from ally.evidence.pipeline import import_file
from ally.vault import Vault
from tests.documents.conftest import PASSPHRASE, WEAK

UTC = ImportOptions(timezone=dt.UTC)
CHAT = "[2026-01-15, 21:06] Sam: You'll regret reporting me\n[2026-01-15, 21:07] Me: stop\n"


@pytest.mark.parametrize("where", ["signal.txt", "signal-export/Sam/chat.txt"])
def test_a_file_or_folder_named_signal_is_read_as_signal(where: str, tmp_path: Path) -> None:
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CHAT, encoding="utf-8")
    export = open_export(path, UTC)
    assert export.importer.name == "signal"
    assert {m.platform for m in export.messages()} == {"signal"}
    with Vault.create(str(tmp_path / "vault"), PASSPHRASE, work_factor=WEAK) as vault:
        result = import_file(vault, path, UTC)
    assert not any("--format signal" in note for note in result.notes())


def test_an_undecided_file_is_read_as_whatsapp_and_the_summary_says_how_to_choose(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "chat.txt"
    path.write_text(CHAT, encoding="utf-8")
    with Vault.create(str(tmp_path / "vault"), PASSPHRASE, work_factor=WEAK) as vault:
        result = import_file(vault, path, UTC)
    assert result.format == "whatsapp"
    said = " ".join(result.notes())
    assert "The app: read as WhatsApp." in said
    assert "nothing in the file tells them apart" in said
    assert "If it is a Signal export, import it again and use --format signal." in said
    web = " ".join(result.notes(web=True))
    assert "choose “Signal” as the kind of export on the import form" in web
    assert "--format" not in web


def test_a_whatsapp_export_with_its_own_marks_gets_no_such_note(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(CHAT + "[2026-01-15, 21:08] Sam: <Media omitted>\n", encoding="utf-8")
    with Vault.create(str(tmp_path / "vault"), PASSPHRASE, work_factor=WEAK) as vault:
        result = import_file(vault, path, UTC)
    assert result.format == "whatsapp"
    assert not any("Signal" in note for note in result.notes())


@pytest.mark.parametrize(
    "where", ["WhatsApp Chat with Sam.txt", "Chat de WhatsApp con Sam.txt", "whatsapp/chat.txt"]
)
def test_a_file_or_folder_named_whatsapp_gets_no_such_note(where: str, tmp_path: Path) -> None:
    """The app names its own exports, so the name settles it: no "assumed" note to worry about."""
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CHAT, encoding="utf-8")
    with Vault.create(str(tmp_path / "vault"), PASSPHRASE, work_factor=WEAK) as vault:
        result = import_file(vault, path, UTC)
    assert result.format == "whatsapp"
    assert not any("Signal" in note or "assumed" in note for note in result.notes())
