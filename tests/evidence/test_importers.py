"""Each importer against small fixtures written from the formats' documentation and real samples."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from ally.evidence.errors import ImportFormatError, UnknownFormatError
from ally.evidence.importers import ImportOptions, detect_format, open_export
from ally.evidence.importers.meta import fix_mojibake
from ally.evidence.importers.whatsapp import conversation_from_name
from ally.model.message import Message

from .conftest import FIXTURES

UTC = ImportOptions(timezone=dt.UTC)
STRICT = ImportOptions(timezone=dt.UTC, strict=True)


def read(path: Path, options: ImportOptions = UTC, fmt: str | None = None) -> list[Message]:
    return list(open_export(path, options, fmt).messages())


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# --- WhatsApp -------------------------------------------------------------------------------


def test_whatsapp_android_en_us_12h_multiline_media_system() -> None:
    messages = read(FIXTURES / "WhatsApp Chat with Sam.txt")
    assert [m.sender for m in messages] == ["", "Sam", "Alex", "Sam", "Sam", "Alex", "Sam", ""]
    assert {m.conversation for m in messages} == {"Sam"}
    assert messages[0].system and messages[-1].system and messages[-1].text == "Sam added Jordan"
    assert messages[1].timestamp == at(2020, 1, 15, 21, 6)
    assert messages[2].text == "Yes\nit's late though\n\nsee you"
    assert messages[2].timestamp == at(2020, 1, 15, 21, 7)  # narrow no-break space before PM
    assert messages[3].timestamp == at(2020, 1, 16, 0, 1)  # 12 AM is midnight
    assert not messages[3].attachments[0].included
    assert messages[4].attachments[0].name == "IMG-20200116-WA0001.jpg"
    assert messages[5].edited and messages[5].text == "ok"
    assert messages[5].timestamp == at(2020, 1, 16, 12, 3)  # 12 PM is noon
    assert messages[6].deleted
    assert messages[2].provenance.line == 3 and messages[3].provenance.line == 7
    raw = (FIXTURES / "WhatsApp Chat with Sam.txt").read_bytes()
    offset = messages[4].provenance.byte_offset
    assert offset is not None and raw[offset:].startswith(b"1/16/20, 12:02 AM - Sam:")
    assert all(m.timezone_assumed for m in messages)


def test_whatsapp_ios_en_gb_with_marks_and_attachment() -> None:
    messages = read(FIXTURES / "en-GB-ios.txt")
    assert messages[0].system and messages[0].sender == ""
    assert messages[1].timestamp == at(2020, 1, 15, 21, 6, 12)
    assert messages[2].text == "Line one\nLine two"
    assert messages[3].attachments and not messages[3].attachments[0].included
    assert messages[4].sender == "Sam"
    assert messages[4].attachments[0].name == "00000012-PHOTO-2020-01-16-00-02-00.jpg"
    assert messages[5].edited and messages[5].text == "fine"


@pytest.mark.parametrize("name", ["de.txt", "es.txt", "fr.txt", "pt-BR.txt"])
def test_whatsapp_locales(name: str) -> None:
    messages = read(FIXTURES / name)
    assert [m.sender for m in messages] == ["Sam", "Alex", "Sam"]
    assert [m.timestamp for m in messages] == [
        at(2020, 1, 15, 21, 6),
        at(2020, 1, 15, 21, 7),
        at(2020, 1, 16, 0, 1),
    ]
    assert messages[2].attachments and not messages[2].attachments[0].included


def test_whatsapp_ambiguous_order_resolved_by_chronology() -> None:
    messages = read(FIXTURES / "ambiguous-dmy.txt")
    assert [m.timestamp.month for m in messages] == [2, 2, 2, 3]


def test_whatsapp_date_order_can_be_forced() -> None:
    messages = read(
        FIXTURES / "ambiguous-dmy.txt", ImportOptions(timezone=dt.UTC, date_order="MDY")
    )
    assert messages[0].timestamp == at(2020, 1, 2, 10, 0)


def test_whatsapp_time_zone_is_applied() -> None:
    zone = dt.timezone(dt.timedelta(hours=2))
    messages = read(FIXTURES / "de.txt", ImportOptions(timezone=zone))
    assert messages[0].timestamp.astimezone(dt.UTC) == at(2020, 1, 15, 19, 6)


def test_whatsapp_zip_with_media(tmp_path: Path) -> None:
    export = tmp_path / "WhatsApp Chat - Sam.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(FIXTURES / "en-GB-ios.txt", "_chat.txt")
        archive.writestr("00000012-PHOTO-2020-01-16-00-02-00.jpg", b"jpeg bytes")
    assert detect_format(export).name == "whatsapp"
    messages = read(export)
    assert {m.conversation for m in messages} == {"Sam"}
    photo = messages[4].attachments[0]
    assert (
        photo.included
        and photo.size == 10
        and photo.location == "00000012-PHOTO-2020-01-16-00-02-00.jpg"
    )
    assert photo.sha256 == hashlib.sha256(b"jpeg bytes").hexdigest()
    assert messages[0].provenance.member == "_chat.txt"


def test_conversation_names_from_file_names() -> None:
    assert conversation_from_name("WhatsApp Chat with Sam Doe.txt") == "Sam Doe"
    assert conversation_from_name("WhatsApp-Chat mit Sam.txt") == "Sam"
    assert conversation_from_name("Conversa do WhatsApp com Sam.zip") == "Sam"
    assert conversation_from_name("chat.txt") == "chat"


def test_real_samples(whatsapp_samples: Path) -> None:
    expected = {
        "lorem.txt": 500,
        "lorem-2000.txt": 2000,
        "lorem-merge-part1.txt": 300,
        "lorem-merge-part2.txt": 300,
        "pokemon.txt": 20,
    }
    for name, count in expected.items():
        messages = read(whatsapp_samples / name)
        assert len(messages) == count, name
        stamps = [m.timestamp for m in messages]
        assert stamps == sorted(stamps), f"{name}: dates read in the wrong order"
    lorem = read(whatsapp_samples / "lorem.txt")
    assert lorem[0].timestamp == at(2020, 1, 15, 2, 22, 56)  # [15-01-20 ...] is day-month-year
    assert lorem[2].sender == "+1 123 456 789"
    pokemon = read(whatsapp_samples / "pokemon.txt")
    assert pokemon[0].system and pokemon[1].system
    assert pokemon[2].sender == "Ash Ketchum" and pokemon[2].timestamp == at(2016, 8, 6, 13, 23)
    assert pokemon[12].sender == "Jessie & James"


def test_every_header_format_whatstk_lists(whatsapp_samples: Path, tmp_path: Path) -> None:
    """Each header layout in the shared list, written out for a real date, reads back exactly."""
    formats = json.loads((whatsapp_samples / "header_format_support.json").read_text())
    when = dt.datetime(2020, 1, 25, 15, 7, 9)
    for entry in formats:
        layout: str = entry["format"]
        header = (
            layout.replace("%y", "2020")
            .replace("%m", "01")
            .replace("%d", "25")
            .replace("%H", "15")
            .replace("%I", "03")
            .replace("%M", "07")
            .replace("%S", "09")
            .replace("%p", "PM")
            .replace("%name", "Sam")
        )
        path = tmp_path / "chat.txt"
        path.write_text(f"{header} hello\n", encoding="utf-8")
        (message,) = read(path)
        expected = when if "%S" in layout else when.replace(second=0)
        assert message.timestamp == expected.replace(tzinfo=dt.UTC), layout
        assert (message.sender, message.text) == ("Sam", "hello"), layout


# --- Telegram, Messenger/Instagram, Discord --------------------------------------------------


def test_telegram_single_chat() -> None:
    messages = read(FIXTURES / "telegram-result.json")
    assert detect_format(FIXTURES / "telegram-result.json").name == "telegram"
    assert [m.message_id for m in messages] == ["1", "2", "3", "4", "5"]
    assert messages[0].system and messages[0].text == "[phone call]"
    assert messages[1].timestamp == dt.datetime.fromtimestamp(1673791402, dt.UTC)
    assert not messages[1].timezone_assumed
    assert messages[2].text == "Please stop." and messages[2].reply_to == "2" and messages[2].edited
    assert messages[2].provenance.json_path == "$.messages[2]"
    assert messages[4].attachments[0].name == "notes.pdf" and messages[4].timezone_assumed


def test_telegram_full_export_keeps_chats_apart() -> None:
    messages = read(FIXTURES / "telegram-full.json")
    assert [(m.conversation, m.text) for m in messages] == [
        ("Sam", "hi"),
        ("Work group", "morning"),
        ("Work group", "hello"),
    ]
    assert messages[2].provenance.json_path == "$.chats.list[1].messages[1]"


def test_messenger_fixes_mis_encoded_text_and_finds_media() -> None:
    path = FIXTURES / "facebook/messages/inbox/zoemuller_123/message_1.json"
    messages = read(path)
    assert messages[0].platform == "facebook"
    assert messages[0].conversation == "Zoë Müller" and messages[0].sender == "Zoë Müller"
    assert messages[0].text == "Tu es nulle 😡 café"
    assert messages[1].attachments[0].included and messages[1].attachments[0].size == 14
    assert messages[2].deleted
    assert fix_mojibake("plain café") == "plain café"


def test_instagram_is_told_apart_by_its_folder() -> None:
    path = FIXTURES / "instagram/your_instagram_activity/messages/inbox/troll_456/message_1.json"
    (message,) = read(path)
    assert message.platform == "instagram" and message.text.startswith("you’re pathetic")


def test_discord_json_and_csv() -> None:
    json_messages = read(FIXTURES / "Gaming Club - Text - general [2].json")
    assert json_messages[0].conversation == "Gaming Club / #general"
    assert json_messages[1].sender == "troll#1234" and json_messages[1].reply_to == "100"
    assert json_messages[1].timestamp.utcoffset() == dt.timedelta(hours=1)
    assert json_messages[1].attachments[0].size == 2048
    csv_messages = read(FIXTURES / "Gaming Club - Text - general [2].csv")
    assert [m.provenance.line for m in csv_messages] == [2, 3, 5]
    assert csv_messages[1].text == "shut up idiot\nand leave"
    assert csv_messages[0].timestamp == json_messages[0].timestamp


# --- SMS and email ----------------------------------------------------------------------------


def test_sms_backup_sms_and_mms() -> None:
    messages = read(FIXTURES / "sms-backup.xml")
    assert [m.sender for m in messages] == ["Sam", "me", "+15555550999", "Sam"]
    assert messages[1].outgoing and messages[1].text == "Leave me alone & stop texting"
    assert messages[2].text == "Who is this?\nSecond line"
    mms = messages[3]
    assert mms.text == "Look who I found" and mms.attachments[0].name == "photo.png"
    assert mms.attachments[0].included and mms.attachments[0].size == 17
    raw = (FIXTURES / "sms-backup.xml").read_bytes()
    offset = messages[0].provenance.byte_offset
    assert offset is not None and raw[offset:].startswith(b"<sms ")


def test_eml_headers_body_attachment() -> None:
    (message,) = read(FIXTURES / "harassment.eml")
    assert message.sender == "Sam Doe <sam@example.org>"
    assert message.conversation == "you"
    assert message.text.startswith("I know where you live. Café")
    assert message.timestamp == dt.datetime(2023, 1, 15, 13, 3, 22, tzinfo=dt.UTC)
    assert (
        message.message_id == "<abc123@example.org>" and message.reply_to == "<prev1@example.com>"
    )
    assert message.attachments[0].name == "photo.jpg" and message.attachments[0].included


def test_mbox_splits_and_unescapes() -> None:
    messages = read(FIXTURES / "inbox.mbox")
    assert [m.provenance.line for m in messages] == [1, 11, 21]
    assert messages[0].text == "First line\nFrom the start, I warned you.\n"
    assert messages[1].text == "Please stop."  # HTML reduced to text, script dropped
    assert messages[1].timestamp == at(2023, 1, 15, 13, 10)  # no Date header: the From line's
    assert {m.conversation for m in messages} == {"hello"}


# --- detection and errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("WhatsApp Chat with Sam.txt", "whatsapp"),
        ("telegram-full.json", "telegram"),
        ("facebook/messages/inbox/zoemuller_123/message_1.json", "messenger"),
        ("Gaming Club - Text - general [2].json", "discord-json"),
        ("Gaming Club - Text - general [2].csv", "discord-csv"),
        ("sms-backup.xml", "sms"),
        ("harassment.eml", "eml"),
        ("inbox.mbox", "mbox"),
    ],
)
def test_format_detection(name: str, fmt: str) -> None:
    assert detect_format(FIXTURES / name).name == fmt


def test_unknown_file_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nnothing else\n")
    with pytest.raises(
        UnknownFormatError, match=r"notes\.txt: this is not an export Ally can read"
    ):
        detect_format(path)


def test_truncated_json_names_the_place(tmp_path: Path) -> None:
    raw = (FIXTURES / "telegram-result.json").read_bytes()
    path = tmp_path / "result.json"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(
        ImportFormatError, match=r"result.json, after \$\.messages\[\d\]: the JSON is damaged"
    ):
        read(path)


def test_truncated_xml_names_the_line(tmp_path: Path) -> None:
    raw = (FIXTURES / "sms-backup.xml").read_bytes()
    path = tmp_path / "sms.xml"
    path.write_bytes(raw[:-300])
    with pytest.raises(
        ImportFormatError, match=r"sms.xml, line \d+, column \d+: the XML is damaged"
    ):
        read(path)


def test_invalid_utf8_in_whatsapp_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    # Valid UTF-8 elsewhere ("café"), so the file is UTF-8 with one damaged line.
    path.write_bytes(
        "15.01.20, 21:06 - Sam: café\n".encode() + b"15.01.20, 21:07 - Sam: \xff\xfe\n"
    )
    with pytest.raises(ImportFormatError, match=r"chat\.txt, line 2: this line is not valid UTF-8"):
        read(path, STRICT)


def test_impossible_date_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("15.01.20, 21:06 - Sam: ok\n31.02.20, 21:07 - Sam: no\n", encoding="utf-8")
    with pytest.raises(
        ImportFormatError, match=r"chat\.txt, line 2: the date or time is not valid"
    ):
        read(path, STRICT)


def test_error_messages_never_contain_message_text(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(
        "15.01.20, 21:05 - Sam: café\n".encode() + b"15.01.20, 21:06 - Sam: secret words\xff\n"
    )
    with pytest.raises(ImportFormatError) as caught:
        read(path, STRICT)
    assert "secret" not in str(caught.value) and "Sam" not in str(caught.value)


def test_natural_key_is_stable_across_exports(whatsapp_samples: Path) -> None:
    first = read(whatsapp_samples / "lorem.txt")
    again = read(whatsapp_samples / "lorem.txt")
    assert [m.natural_key() for m in first] == [m.natural_key() for m in again]
    assert len({m.natural_key() for m in first}) == len(first)


@pytest.mark.parametrize("block", [5, 64, 999])
def test_whatsapp_block_boundaries_change_nothing(
    block: int, monkeypatch: pytest.MonkeyPatch, whatsapp_samples: Path
) -> None:
    """Messages cut by the read blocks are carried over whole: tiny blocks, same result."""
    from ally.evidence.importers import whatsapp_parse

    paths = [
        whatsapp_samples / "lorem.txt",
        FIXTURES / "WhatsApp Chat with Sam.txt",
        FIXTURES / "en-GB-ios.txt",
    ]
    expected = [read(path) for path in paths]
    monkeypatch.setattr(whatsapp_parse, "BLOCK", block)
    assert [read(path) for path in paths] == expected


def test_whatsapp_leading_blank_lines_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(
        b"\xef\xbb\xbf\r\n\r\n15.01.20, 21:06 - Sam: one\r\ntwo\r\n15.01.20, 21:07 - Alex: three\r\n"
    )
    messages = read(path)
    assert [(m.text, m.provenance.line) for m in messages] == [("one\ntwo", 3), ("three", 5)]
    assert messages[0].provenance.byte_offset == 7


def test_payload_round_trip() -> None:
    for message in read(FIXTURES / "sms-backup.xml") + read(FIXTURES / "telegram-result.json"):
        payload = message.to_payload()
        json.dumps(payload)
        assert Message.from_payload({**payload, "detection": {}, "key": "k"}) == message
    with pytest.raises(ValueError, match="not a stored message"):
        Message.from_payload({"text": "only text"})
