"""Signal's exports, lenient reading, encodings, damaged zips, Meta JSON without participants,
time-zone-proof keys and the date-order note (issue 23, deliverable 4)."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import zipfile
import zlib
import zoneinfo
from pathlib import Path

import pytest

from ally.evidence.errors import DamagedZipError, ImportFormatError
from ally.evidence.importers import ImportOptions, detect_format, open_export
from ally.evidence.pipeline import import_file
from ally.model.message import Message
from ally.vault import Vault
from tests.inprocess import run_ally

from .conftest import FIXTURES

UTC = ImportOptions(timezone=dt.UTC)
STRICT = ImportOptions(timezone=dt.UTC, strict=True)
SIGNAL = FIXTURES / "signal"


def read(path: Path, options: ImportOptions = UTC, fmt: str | None = None) -> list[Message]:
    return list(open_export(path, options, fmt).messages())


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# --- Signal ---------------------------------------------------------------------------------


def test_signal_export_markdown_is_signal_not_whatsapp() -> None:
    path = SIGNAL / "export/Sam/chat.md"
    assert detect_format(path).name == "signal"
    messages = read(path)
    assert {m.platform for m in messages} == {"signal"}
    assert {m.conversation for m in messages} == {"Sam"}  # the chat's folder
    assert [m.sender for m in messages] == ["Sam", "Me", "Sam", "Sam", "Sam", "Me"]
    assert messages[0].timestamp == at(2024, 3, 5, 14, 30, 12)
    assert messages[2].text == "I can see your car isn't there.\nI know where you parked"
    assert "(- Me" not in messages[2].text  # the reaction is not part of what Sam wrote
    assert messages[3].text == "> not yet\n\nanswer me"
    photo = messages[3].attachments[0]
    assert photo.name == "photo.jpg" and photo.included and photo.location == "media/photo.jpg"
    assert photo.sha256 is not None and len(photo.sha256) == 64
    assert messages[4].deleted
    assert not messages[5].attachments[0].included  # the voice note was not exported
    assert messages[1].outgoing and not messages[0].outgoing
    assert [m.provenance.line for m in messages] == [1, 2, 3, 6, 11, 12]
    assert all(m.timezone_assumed for m in messages)


def test_old_signal_export_lines_with_a_comma_are_signal() -> None:
    """The layout the issue names: [2019-05-29, 15:04] Me: text."""
    path = SIGNAL / "export/Jordan/chat.md"
    assert detect_format(path).name == "signal"
    messages = read(path)
    assert [(m.sender, m.text) for m in messages][:2] == [
        ("Me", "How is everyone?"),
        ("Jordan", "We're great!"),
    ]
    assert messages[0].timestamp == at(2019, 5, 29, 15, 4) and messages[2].deleted


def test_signal_text_renamed_to_txt_is_still_signal(tmp_path: Path) -> None:
    copy = tmp_path / "chat with Sam.txt"
    shutil.copy(SIGNAL / "export/Sam/chat.md", copy)
    assert detect_format(copy).name == "signal"


def test_whatsapp_iso_dates_stay_whatsapp(tmp_path: Path) -> None:
    """A WhatsApp line laid out like Signal's (year first) keeps WhatsApp's own markers."""
    path = tmp_path / "_chat.txt"
    path.write_text(
        "[2024-03-05 14:30:12] Sam: \u200eMessages and calls are end-to-end encrypted.\n"
        "[2024-03-05 14:31:00] Sam: hi\n",
        encoding="utf-8",
    )
    assert detect_format(path).name == "whatsapp"
    assert read(path)[1].platform == "whatsapp"


def test_signal_export_json_lines() -> None:
    path = SIGNAL / "export/Sam/data.json"
    assert detect_format(path).name == "signal-json"
    messages = read(path)
    assert [m.sender for m in messages] == ["Sam", "Me", "Sam", "Sam", "Sam"]
    assert messages[2].text == "> not yet\n\nanswer me"
    assert messages[2].attachments[0].included
    assert messages[3].deleted and messages[4].system  # a missed call
    assert messages[0].timestamp == at(2024, 3, 5, 14, 30, 12) and messages[0].timezone_assumed


def test_signalbackup_tools_text() -> None:
    path = SIGNAL / "backuptools/Sam (_id3).txt"
    assert detect_format(path).name == "signal"
    messages = read(path)
    assert {m.conversation for m in messages} == {"Sam"}  # "(_id3)" left out
    assert [m.sender for m in messages] == ["Sam", "Alex", "Sam", "Sam", ""]
    assert messages[1].text == "not yet"  # the reaction is left out
    assert messages[2].text.endswith("I know where you parked")
    assert messages[3].attachments[0].name == "IMG_0001.jpg"
    assert messages[4].system and "disappearing" in messages[4].text
    assert messages[0].timestamp == at(2024, 3, 5, 14, 30, 12)


def test_signal_own_export_main_jsonl() -> None:
    path = SIGNAL / "desktop/main.jsonl"
    assert detect_format(path).name == "signal-json"
    messages = read(path)
    assert [m.sender for m in messages] == ["Sam Doe", "Alex", "Sam Doe", "Sam Doe", ""]
    assert [m.conversation for m in messages] == ["Sam Doe"] * 4 + ["Family"]
    assert messages[0].timestamp == at(2024, 3, 5, 14, 30, 12) and not messages[0].timezone_assumed
    assert messages[0].message_id == "2:1709649012000"  # author and sent time
    assert messages[1].outgoing and not messages[0].outgoing
    car = messages[2].attachments[0]
    assert car.included and car.location == "files/5e/5e8a1b.bin" and car.size == 12
    assert messages[2].edited and messages[3].deleted and messages[4].system


def test_signal_own_export_damaged_line_is_kept_or_refused(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(SIGNAL / "desktop", folder)
    lines = (folder / "main.jsonl").read_bytes().splitlines(keepends=True)
    lines[8] = lines[8][:40] + b"\n"  # cut short
    (folder / "main.jsonl").write_bytes(b"".join(lines))
    messages = read(folder / "main.jsonl")
    broken = [m for m in messages if m.unreadable]
    assert len(broken) == 1 and broken[0].provenance.line == 9
    assert broken[0].text == lines[8].decode().strip()
    with pytest.raises(
        ImportFormatError, match=r"main\.jsonl, line 9: this line is not valid JSON"
    ):
        read(folder / "main.jsonl", STRICT)


# --- lenient reading ------------------------------------------------------------------------


def test_hour_zero_on_a_twelve_hour_clock_is_read() -> None:
    """Spanish Android writes the first hour after midnight as '00:08 a. m.'."""
    messages = read(FIXTURES / "exports/es-android-hour-zero.txt")
    assert [m.timestamp for m in messages] == [
        at(2024, 3, 5, 23, 58),
        at(2024, 3, 6, 0, 8),
        at(2024, 3, 6, 0, 15),
        at(2024, 3, 6, 13, 2),
    ]
    assert not any(m.unreadable for m in messages)


def test_an_odd_line_is_kept_as_written_with_its_line() -> None:
    path = FIXTURES / "exports/one-odd-line.txt"
    messages = read(path)
    assert [m.text for m in messages if not m.unreadable] == ["first", "third"]
    odd = next(m for m in messages if m.unreadable)
    assert odd.text == "31/02/2020, 21:07 - Sam: a date that does not exist"
    assert odd.provenance.line == 2 and odd.sender == ""
    assert odd.timestamp == at(2020, 1, 15, 21, 6)  # dated like the message before it
    with pytest.raises(ImportFormatError, match=r"line 2: the date or time is not valid"):
        read(path, STRICT)


def test_text_before_the_first_message_is_kept() -> None:
    path = FIXTURES / "exports/leading-text.txt"
    messages = read(path)
    assert messages[0].unreadable and messages[0].text == "Chat exported by a helper app"
    assert messages[0].provenance.line == 1
    assert [m.text for m in messages[1:]] == ["first", "a date that does not exist", "third"]
    with pytest.raises(ImportFormatError, match="does not start like a WhatsApp message"):
        read(path, STRICT)


def test_lenient_import_reports_the_lines(tmp_path: Path) -> None:
    vault = Vault.create(tmp_path / "vault", "a long passphrase", work_factor=10)
    try:
        result = import_file(vault, FIXTURES / "exports/one-odd-line.txt", UTC)
        assert result.added == 3 and result.unreadable == 1 and result.unreadable_lines == [2]
        notes = " ".join(result.notes())
        assert "1 part(s) of the file could not be read" in notes and "line 2" in notes
        assert "--strict" in notes and "a date that does not exist" not in notes
        with pytest.raises(ImportFormatError):
            import_file(vault, FIXTURES / "exports/one-odd-line.txt", STRICT)
    finally:
        vault.close()


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("utf16-le-bom.txt", "UTF-16 (little-endian)"),
        ("utf16-be.txt", "UTF-16 (big-endian)"),
        ("cp1252.txt", "Windows-1252 (Western European)"),
    ],
)
def test_other_encodings_are_read_and_named(name: str, encoding: str) -> None:
    path = FIXTURES / "encodings" / name
    assert detect_format(path).name == "whatsapp"
    export = open_export(path, UTC)
    messages = list(export.messages())
    assert export.source.report.encoding == encoding
    assert [m.text for m in messages] == [
        "I know you’re at the café",
        "leave me alone",
        "¿dónde estás?",
    ]
    assert [m.provenance.line for m in messages] == [1, 2, 3]
    assert all(m.provenance.byte_offset is None for m in messages)  # not in the original bytes


def test_latin1_when_windows_1252_cannot_be() -> None:
    export = open_export(FIXTURES / "encodings/latin1.txt", UTC)
    messages = list(export.messages())
    assert export.source.report.encoding == "Latin-1 (ISO-8859-1)"
    assert messages[0].text == "I know you're at the café"


def test_utf16_in_a_zip(tmp_path: Path) -> None:
    export = tmp_path / "WhatsApp Chat - Sam.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("_chat.txt", (FIXTURES / "encodings/utf16-le-bom.txt").read_bytes())
    source = open_export(export, UTC)
    assert [m.sender for m in source.messages()] == ["Sam", "Alex", "Sam"]
    assert source.source.report.encoding == "UTF-16 (little-endian)"


def test_the_summary_names_the_encoding(tmp_path: Path) -> None:
    with Vault.create(tmp_path / "vault", "a long passphrase", work_factor=10) as vault:
        result = import_file(vault, FIXTURES / "encodings/cp1252.txt", UTC)
    assert "read as Windows-1252 (Western European)" in " ".join(result.notes())


# --- damaged zip ----------------------------------------------------------------------------


def test_a_damaged_zip_says_so(tmp_path: Path) -> None:
    whole = io.BytesIO()
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr("_chat.txt", "15/01/2020, 21:06 - Sam: hi\n" * 200)
    cut = tmp_path / "WhatsApp Chat - Sam.zip"
    cut.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    with pytest.raises(DamagedZipError, match="this zip is damaged") as caught:
        detect_format(cut)
    assert "not an export" not in str(caught.value)
    with pytest.raises(ImportFormatError, match="damaged"):
        read(cut, UTC, "whatsapp")


def deflated_chat_with_changed_bytes(folder: Path) -> Path:
    """A compressed WhatsApp zip (as phones write them) with eight bytes changed mid-stream:
    reading it fails inside zlib, not in the zip's own checks."""
    whole = io.BytesIO()
    with zipfile.ZipFile(whole, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        lines = (f"15/01/2020, 21:{i % 60:02d} - Sam: message number {i}\n" for i in range(400))
        archive.writestr("_chat.txt", "".join(lines))
    path = folder / "WhatsApp Chat - Sam.zip"
    for at in range(60, 400, 20):  # the first place where the change breaks the deflate stream
        raw = bytearray(whole.getvalue())
        raw[at : at + 8] = b"\xff" * 8
        path.write_bytes(bytes(raw))
        with zipfile.ZipFile(path) as archive:
            try:
                archive.read("_chat.txt")
            except zlib.error:
                return path  # the damage this test is about
            except zipfile.BadZipFile:
                continue
    raise AssertionError("no change broke the deflate stream")


def test_a_compressed_zip_with_changed_bytes_says_so(tmp_path: Path) -> None:
    damaged = deflated_chat_with_changed_bytes(tmp_path)
    with pytest.raises(DamagedZipError, match="this zip is damaged"):
        detect_format(damaged)
    with pytest.raises(ImportFormatError, match="damaged") as caught:
        read(damaged, UTC, "whatsapp")
    assert "Error -3" not in str(caught.value) and "zlib" not in str(caught.value)
    assert "export it again" in str(caught.value)


def test_the_cli_names_a_damaged_compressed_zip_and_adds_nothing(tmp_path: Path) -> None:
    damaged = deflated_chat_with_changed_bytes(tmp_path)
    passphrase = "a long passphrase for this test"
    with Vault.create(tmp_path / "vaults" / "default", passphrase, work_factor=10) as vault:
        before = vault.head_code()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update(ALLY_HOME=str(tmp_path), ALLY_PASSPHRASE=passphrase)
    result = run_ally("evidence", "import", str(damaged), env=environ)  # in this process
    assert result.returncode != 0
    assert "damaged" in result.stderr and "Nothing was added" in result.stderr
    assert "Traceback" not in result.stderr and "zlib" not in result.stderr
    with Vault.open(tmp_path / "vaults" / "default", passphrase) as vault:
        assert vault.head_code() == before


# --- Messenger and Instagram ----------------------------------------------------------------


def test_instagram_without_participants_is_told_by_its_content() -> None:
    path = FIXTURES / "exports/instagram-no-participants/message_1.json"
    assert detect_format(path).name == "messenger"
    export = open_export(path, UTC)
    messages = list(export.messages())
    assert {m.platform for m in messages} == {"instagram"}  # the folder says nothing
    assert messages[1].text == "you’re pathetic" and messages[0].conversation == "troll_account"
    assert "instagram.com" in (export.source.report.platform_reason or "")


def test_messenger_without_participants_or_clues_says_how_to_change(tmp_path: Path) -> None:
    export = open_export(FIXTURES / "exports/messenger-no-participants.json", UTC)
    assert [m.platform for m in export.messages()] == ["facebook"]
    assert "--platform" in (export.source.report.platform_reason or "")


# --- time-zone-proof keys and the date order --------------------------------------------------


def test_keys_do_not_depend_on_the_time_zone() -> None:
    path = FIXTURES / "WhatsApp Chat with Sam.txt"
    berlin = ImportOptions(timezone=zoneinfo.ZoneInfo("Europe/Berlin"))
    tokyo = ImportOptions(timezone=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert [m.natural_key() for m in read(path, berlin)] == [
        m.natural_key() for m in read(path, tokyo)
    ]
    assert [m.legacy_key() for m in read(path, berlin)] != [
        m.legacy_key() for m in read(path, tokyo)
    ]


def test_reimporting_under_another_zone_adds_nothing(tmp_path: Path) -> None:
    path = FIXTURES / "WhatsApp Chat with Sam.txt"
    with Vault.create(tmp_path / "vault", "a long passphrase", work_factor=10) as vault:
        first = import_file(vault, path, ImportOptions(timezone=zoneinfo.ZoneInfo("Europe/Berlin")))
        again = import_file(vault, path, ImportOptions(timezone=zoneinfo.ZoneInfo("Asia/Tokyo")))
    assert first.added == 8 and again.added == 0 and again.already_present == 8


def test_messages_imported_with_the_old_key_are_still_recognised(tmp_path: Path) -> None:
    """A vault an older Ally filled (one entry per message, keys that were instants in UTC)
    adds nothing when the same chat is imported again in the same zone."""
    with Vault.create(tmp_path / "vault", "a long passphrase", work_factor=10) as vault:
        with vault.batch() as batch:
            for message in read(FIXTURES / "WhatsApp Chat with Sam.txt"):
                payload = {**message.to_payload(), "key": message.legacy_key()}
                batch.add("message", payload, lookup=message.legacy_key())
        again = import_file(vault, FIXTURES / "WhatsApp Chat with Sam.txt", UTC)
    assert again.added == 0 and again.already_present == 8


def test_an_ambiguous_date_order_is_reported_with_how_to_change_it(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Sam.txt"
    path.write_text(
        "03/04/2024, 10:00 - Sam: hi\n03/04/2024, 10:05 - Sam: where are you\n",
        encoding="utf-8",
    )
    with Vault.create(tmp_path / "vault", "a long passphrase", work_factor=10) as vault:
        result = import_file(vault, path, UTC)
    assert result.date_order == "DMY" and result.date_order_ambiguous
    notes = " ".join(result.notes())
    assert "read them as day/month/year (DMY)" in notes and "--date-order (MDY)" in notes


def test_a_certain_date_order_is_not_reported(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Sam.txt"
    path.write_text("25/04/2024, 10:00 - Sam: hi\n", encoding="utf-8")
    with Vault.create(tmp_path / "vault", "a long passphrase", work_factor=10) as vault:
        result = import_file(vault, path, UTC)
    assert result.date_order == "DMY" and not result.date_order_ambiguous
    assert not any("date" in note for note in result.notes())
