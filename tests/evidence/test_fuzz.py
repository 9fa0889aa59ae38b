"""Fuzzing every parser: damaged, cut-short and random input gives an AllyError, never a crash.

Each fixture is mutated by hypothesis (bytes flipped, inserted, deleted; the file cut short)
and read by its own importer and by format detection. The only acceptable failure is an
AllyError, whose message names the file and position.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ally.errors import AllyError
from ally.evidence.importers import ImportOptions, detect_format, get_importer
from ally.evidence.importers.base import Source
from ally.evidence.importers.encoding import MULTIBYTE

from .conftest import FIXTURES

CASES = [
    ("WhatsApp Chat with Sam.txt", "whatsapp"),
    ("en-GB-ios.txt", "whatsapp"),
    ("telegram-result.json", "telegram"),
    ("telegram-full.json", "telegram"),
    ("facebook/messages/inbox/zoemuller_123/message_1.json", "messenger"),
    ("Gaming Club - Text - general [2].json", "discord-json"),
    ("Gaming Club - Text - general [2].csv", "discord-csv"),
    ("sms-backup.xml", "sms"),
    ("harassment.eml", "eml"),
    ("inbox.mbox", "mbox"),
    ("signal/export/Sam/chat.md", "signal"),
    ("signal/export/Jordan/chat.md", "signal"),
    ("signal/backuptools/Sam (_id3).txt", "signal"),
    ("signal/export/Sam/data.json", "signal-json"),
    ("signal/desktop/main.jsonl", "signal-json"),
    ("encodings/utf16-le-bom.txt", "whatsapp"),
    ("encodings/cp1252.txt", "whatsapp"),
    ("exports/instagram-no-participants/message_1.json", "messenger"),
]
OPTIONS = ImportOptions(timezone=dt.UTC)
FUZZ = settings(
    max_examples=int(os.environ.get("ALLY_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=8)
                | st.sampled_from(
                    [
                        b'"',
                        b"{",
                        b"]",
                        b"<",
                        b"\n",
                        b": ",
                        b"\x00",
                        b"\xff",
                        b"1/1/20, 1:00 PM - ",
                        b"From ",
                    ]
                )
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            del data[at:]
    return bytes(data)


def run_importer(data: bytes, suffix: str, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(data)
        try:
            for _message in get_importer(fmt).read(Source(path, "0" * 64), OPTIONS):
                pass
        except AllyError as error:
            assert str(error).startswith("export"), "errors must name the file"
        with contextlib.suppress(AllyError):
            detect_format(path)


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_mutated_exports_never_crash(name: str, fmt: str) -> None:
    original = (FIXTURES / name).read_bytes()
    suffix = Path(name).suffix

    @FUZZ
    @given(mutated(original))
    def check(data: bytes) -> None:
        run_importer(data, suffix, fmt)

    check()


@pytest.mark.parametrize(("name", "fmt"), CASES)
@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash(name: str, fmt: str, data: bytes) -> None:
    run_importer(data, Path(name).suffix, fmt)


@FUZZ
@given(text=st.text(max_size=400))
def test_random_text_as_whatsapp_never_crashes(text: str) -> None:
    run_importer(("15.01.20, 21:06 - Sam: hi\n" + text).encode(), ".txt", "whatsapp")


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@FUZZ
@given(data=st.binary(max_size=400))
def test_damaged_zip_never_crashes(compression: int, data: bytes) -> None:
    """Stored and compressed (as phones write them): a change inside a deflated member fails
    in zlib, which must end as a clear error too."""
    with tempfile.TemporaryDirectory() as folder:
        good = Path(folder) / "good.zip"
        with zipfile.ZipFile(good, "w", compression=compression) as archive:
            archive.writestr(
                "_chat.txt", "15.01.20, 21:06 - Sam: hi\n15.01.20, 21:07 - Sam: <attached: a.jpg>\n"
            )
            archive.writestr("a.jpg", data)
        raw = good.read_bytes()
        cut = raw[: len(raw) - min(len(data), len(raw) - 1)] if data else raw
        run_importer(cut, ".zip", "whatsapp")
        run_importer(raw[:22] + data + raw[22:], ".zip", "whatsapp")


def read_texts(data: bytes, fmt: str, options: ImportOptions = OPTIONS) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.txt"
        path.write_bytes(data)
        return [m.text for m in get_importer(fmt).read(Source(path, "0" * 64), options)]


@FUZZ
@given(text=st.text(max_size=400))
def test_lenient_whatsapp_never_refuses_a_chat_that_starts_well(text: str) -> None:
    """Whatever follows a first good message, a lenient read keeps going (no error)."""
    read_texts(("15.01.20, 21:06 - Sam: hi\n" + text).encode(), "whatsapp")


@FUZZ
@given(text=st.text(max_size=400))
def test_lenient_signal_never_refuses_a_chat_that_starts_well(text: str) -> None:
    read_texts(("[2024-03-05 14:30:12] Sam: hi\n" + text).encode(), "signal")
    read_texts(("[Mar 05, 2024 14:30:12] <Sam> hi\n" + text).encode(), "signal")


@FUZZ
@given(
    lines=st.lists(
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40), max_size=8
    ),
    codec=st.sampled_from(["utf-16-le", "utf-16-be"]),
    bom=st.booleans(),
)
def test_utf16_reads_like_utf8(lines: list[str], codec: str, bom: bool) -> None:
    """The same chat saved as UTF-16 (either byte order, with or without a mark) gives the
    same messages as saved as UTF-8."""
    chat = "".join(f"15.01.20, 21:{i:02d} - Sam: {line}\n" for i, line in enumerate(lines))
    chat = "15.01.20, 20:59 - Sam: hello there, how are you\n" + chat
    mark = ("\ufeff" if bom else "").encode(codec)
    assert read_texts(mark + chat.encode(codec), "whatsapp") == read_texts(
        chat.encode(), "whatsapp"
    )


@FUZZ
@given(text=st.text(st.characters(codec="cp1252", blacklist_categories=("Cc",)), max_size=60))
def test_windows_1252_reads_like_utf8(text: str) -> None:
    """Text saved as Windows-1252 reads as it was written. (Bytes that also happen to form a
    UTF-8 character, "Â\xa0" say, are read as UTF-8: no reader can tell them apart.)"""
    assume(not MULTIBYTE.search(text.encode("cp1252")))
    chat = f"15.01.20, 21:06 - Sam: hi\n15.01.20, 21:07 - Sam: {text}\n"
    assert read_texts(chat.encode("cp1252"), "whatsapp") == read_texts(chat.encode(), "whatsapp")
