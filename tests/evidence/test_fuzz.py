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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ally.errors import AllyError
from ally.evidence.importers import ImportOptions, detect_format, get_importer
from ally.evidence.importers.base import Source

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


@FUZZ
@given(data=st.binary(max_size=400))
def test_damaged_zip_never_crashes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        good = Path(folder) / "good.zip"
        with zipfile.ZipFile(good, "w") as archive:
            archive.writestr(
                "_chat.txt", "15.01.20, 21:06 - Sam: hi\n15.01.20, 21:07 - Sam: <attached: a.jpg>\n"
            )
            archive.writestr("a.jpg", data)
        raw = good.read_bytes()
        cut = raw[: len(raw) - min(len(data), len(raw) - 1)] if data else raw
        run_importer(cut, ".zip", "whatsapp")
        run_importer(raw[:22] + data + raw[22:], ".zip", "whatsapp")
