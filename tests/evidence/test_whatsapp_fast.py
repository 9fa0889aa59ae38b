"""The WhatsApp parser's fast path gives exactly what its exact, per-message path gives.

Chats are generated from the pieces that trip the per-message rules — media placeholders and
attachments, edit and deletion markers (in several languages and letter cases), system
phrases, left-to-right marks, "(", "omit", senders with colons, continuation lines that look
like headers, headers in another layout, CRLF, bad dates, bad UTF-8 — and read twice: once as
shipped, once with the fast path switched off. Messages and errors must be identical, whatever
the block size.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ally.errors import AllyError
from ally.evidence.importers import ImportOptions, open_export, whatsapp_parse
from ally.evidence.importers.base import Source
from ally.evidence.importers.whatsapp_fast import _TWINS, CACHE_LIMIT, SlowPathError
from ally.evidence.importers.whatsapp_parse import HEADER, OrderVote, Parser, scan_order
from ally.model.message import Message

from .conftest import FIXTURES

OPTIONS = ImportOptions(timezone=dt.timezone(dt.timedelta(hours=2)))
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Header layouts: {d} day, {m} month, {y} two-digit year, {Y} four-digit year,
# {H} 24-hour, {I} 12-hour, {M} minute, {S} second, {p} AM/PM, {q} vorm./nachm.
LAYOUTS = [
    "{m}/{d}/{y}, {I}:{M} {p} - ",
    "{m}/{d}/{y}, {I}:{M}\u202f{p} - ",
    "{d}.{m}.{y}, {H}:{M} - ",
    "[{d}/{m}/{Y}, {H}:{M}:{S}] ",
    "\u200e[{d}/{m}/{Y}, {H}:{M}:{S}] ",
    "{d}/{m}/{Y} {H}:{M} - ",
    "{Y}-{m}-{d}, {H}:{M} - ",
    "{d}/{m}/{y} {I}:{M} {p} - ",
    "[{m}/{d}/{y}, {I}:{M}:{S}\u202f{p}] ",
    "{d}.{m}.{y} um {I}:{M}:{S} {q} - ",
]
SENDERS = ["Sam", "Alex Morgan", "+1 555 010 2030", "\u200eKim", "Dr:Who", "Jo (work)", " Lee", ""]
TEXTS = [
    "hello there",
    "see you at 5",
    "<Media omitted>",
    "<Medien ausgeschlossen>",
    "<Multimedia omitido>",
    "<Mídia oculta>",
    "image omitted",
    "\u200eimage omitted",
    "video OMITTED",
    "Bild weggelassen and omit",
    "\u200e<attached: 00000012-PHOTO-2020-01-16-00-02-00.jpg>",
    "IMG-20200116-WA0001.jpg (file attached)",
    "DOC-1.pdf (Datei angehängt)",
    "This message was deleted",
    "this message was deleted",
    "THIS MESSAGE WAS DELETED.",
    "You deleted this message.",
    "Diese Nachricht wurde gelöscht.",
    "Dıese Nachricht wurde gelöscht",
    "Se eliminó este mensaje.",
    "Eliminaste este mensaje",
    "Ce message a été supprimé",
    "Vous avez supprimé ce message",
    "Mensagem apagada",
    "Você apagou esta mensagem",
    " This message was deleted ",
    "\u200eThis message was deleted.",
    " ſe eliminó este mensaje",
    "ſe eliminó este mensaje",
    "\u200fThis message was deleted",
    " \u200fThis message was deleted\u202c",
    "THİS MESSAGE WAS DELETED",
    "Mensagem apagada.",
    "You deleted this message. Sorry",
    "The message was deleted",
    "Thanks",
    "You ok?",
    "Se you",
    "messages and calls",
    "Messages and calls are end-to-end encrypted.",
    "\u200eMessages and calls are end-to-end encrypted.",
    "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.",
    "Les messages et les appels sont chiffrés de bout en bout.",
    "ok <This message was edited>",
    "fine \u200e<This message was edited>",
    "<This message was edited>",
    "sure :(",
    "omitted nothing",
    "Message me",
    "The end",
    "Thé",
    "Dear all",
    "Velvet",
    "Lots",
    "Assume",
    "Naja",
    "😂 🙏 ok",
    "café ’quoted’ – dash",
    "a: b: c",
    "time 10:30",
    "",
]
CONTINUATIONS = [
    "second line",
    "",
    "2 apples",
    "[not a header]",
    "12/31/19, 9:00 PM",
    "1/2/20, 10:00 AM - Sam: inside",
    "\u200ehidden",
    "<Media omitted>",
    "more (detail)",
    "omit",
]


@st.composite
def chats(draw: st.DrawFn) -> bytes:
    layout = draw(st.sampled_from(LAYOUTS))
    when = dt.datetime(2020, 1, 1, 9, 0) + dt.timedelta(days=draw(st.integers(0, 400)))
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 25))):
        when += dt.timedelta(seconds=draw(st.integers(0, 40_000)))
        other = draw(st.integers(0, 9)) == 0
        header = _header(draw(st.sampled_from(LAYOUTS)) if other else layout, when)
        if draw(st.integers(0, 30)) == 0:
            header = header.replace("1", "13", 1)  # a date or time that may not exist
        sender = draw(st.sampled_from([*SENDERS, None]))
        text = draw(st.sampled_from(TEXTS))
        lines.append(header + (text if sender is None else f"{sender}: {text}"))
        for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
            lines.append(draw(st.sampled_from(CONTINUATIONS)))
    ending = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    text = ending.join(lines) + draw(st.sampled_from(["", ending, ending * 2]))
    raw = text.encode()
    if draw(st.integers(0, 15)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + b"\xff" + raw[at:]
    prefix = draw(st.sampled_from([b"", b"", b"\xef\xbb\xbf", b"\n\n"]))
    return prefix + raw


def _header(layout: str, when: dt.datetime) -> str:
    hour12 = when.hour % 12 or 12
    return layout.format(
        d=when.day,
        m=when.month,
        y=f"{when.year % 100:02d}",
        Y=when.year,
        H=f"{when.hour:02d}",
        I=hour12,
        M=f"{when.minute:02d}",
        S=f"{when.second:02d}",
        p="AM" if when.hour < 12 else "PM",
        q="vorm." if when.hour < 12 else "nachm.",
    )


Outcome = tuple[list[Message], str | None]


class _NoFastPath:
    """Stands in for the fast path and sends every block to the exact code."""

    def parse(self, *_args: object) -> tuple[list[Message], int]:
        raise SlowPathError


def read_all(path: Path) -> Outcome:
    messages: list[Message] = []
    try:
        messages.extend(open_export(path, OPTIONS, "whatsapp").messages())
    except AllyError as error:
        return messages, str(error)
    return messages, None


@pytest.mark.parametrize("block", [64, 999, 1 << 16])
@EXAMPLES
@given(raw=chats())
def test_fast_path_matches_slow_path(
    block: int, raw: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "WhatsApp Chat with Sam.txt"
    path.write_bytes(raw)
    with monkeypatch.context() as patch:
        patch.setattr(whatsapp_parse, "BLOCK", block)
        fast = read_all(path)
        patch.setattr(Parser, "fast_path", lambda *_args: _NoFastPath())
        slow = read_all(path)
    assert fast == slow


def reference_order(raw: bytes) -> str | None:
    """The date order voted header by header over the whole file, the plain way."""
    vote = OrderVote()
    for seen, found in enumerate(HEADER.finditer(raw.removeprefix(b"\xef\xbb\xbf")), 1):
        vote.see(found[1], found[3], found[4], found[8])
        if (vote.certain() and seen >= 2) or seen >= whatsapp_parse.SCAN_LIMIT:
            break
    return vote.choose()


@pytest.mark.parametrize("limit", [3, 200_000])
@EXAMPLES
@given(raw=chats())
def test_date_order_scan_matches_a_plain_vote(
    limit: int, raw: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Voting on runs of equal dates, found by splitting in C, decides as header by header."""
    path = tmp_path / "chat.txt"
    path.write_bytes(raw)
    monkeypatch.setattr(whatsapp_parse, "SCAN_LIMIT", limit)
    monkeypatch.setattr(whatsapp_parse, "BLOCK", 64)
    with path.open("rb") as handle:
        try:
            order: str | None = scan_order(Source(path, "0" * 64), handle)
        except AllyError:
            order = None
    assert order == reference_order(raw)


def test_fast_path_takes_ordinary_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture's plain messages really go the fast way (the rest are rebuilt)."""
    rebuilt: list[int] = []
    original = Parser.rebuild

    def counting(self: Parser, data: bytes, start: int, end: int, base: int, line: int) -> Message:
        rebuilt.append(line)
        return original(self, data, start, end, base, line)

    monkeypatch.setattr(Parser, "rebuild", counting)
    messages = list(open_export(FIXTURES / "WhatsApp Chat with Sam.txt", OPTIONS).messages())
    assert len(messages) == 8
    assert 0 < len(rebuilt) < len(messages)


def test_hostile_senders_keep_the_caches_small(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    lines = [f"15.01.20, 21:{i % 60:02d} - Sender {i}: hi\n" for i in range(60_000)]
    path.write_text("".join(lines), encoding="utf-8")
    parser = Parser(Source(path, "0" * 64), "DMY", dt.UTC, "chat", lambda _text: ())
    with path.open("rb") as handle:
        messages = list(parser.run(handle))
    assert [m.sender for m in messages[::20_000]] == ["Sender 0", "Sender 20000", "Sender 40000"]
    assert parser.fast is not None
    assert len(parser.fast.senders) <= CACHE_LIMIT + 5_000  # the limit, plus one block's


def test_damaged_media_in_a_zip_is_a_clear_error_after_the_messages_before(
    tmp_path: Path,
) -> None:
    """Messages are built lazily, so the zip's media is read then too; damage still reads as
    damage (an AllyError naming the file), after the messages that came before it."""
    export = tmp_path / "WhatsApp Chat - Sam.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(
            "_chat.txt",
            "15.01.20, 21:06 - Sam: hi\n15.01.20, 21:07 - Sam: <attached: a.jpg>\n",
        )
        archive.writestr("a.jpg", b"JPEGDATA" * 100)
    raw = bytearray(export.read_bytes())
    raw[raw.find(b"JPEGDATA") + 50] ^= 0xFF  # the photo no longer matches its checksum
    export.write_bytes(raw)
    texts = []
    with pytest.raises(
        AllyError, match=r"_chat\.txt: this \.zip is damaged \(cut short or changed\)"
    ):
        texts.extend(m.text for m in open_export(export, OPTIONS).messages())
    assert texts == ["hi"]


def test_only_i_k_s_have_case_twins_outside_ascii() -> None:
    """The fast path's deletion check relies on it: every other ASCII letter matches only its
    two cases under Python's IGNORECASE."""
    letters = re.compile("[a-z]", re.IGNORECASE)
    others = [chr(code) for code in range(0x80, sys.maxunicode + 1) if letters.fullmatch(chr(code))]
    twinned = {
        letter
        for letter in string.ascii_lowercase
        for other in others
        if re.fullmatch(letter, other, re.IGNORECASE)
    }
    assert twinned == set(_TWINS.lower())
