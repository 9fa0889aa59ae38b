"""The fast core of the WhatsApp importer: find message headers, work out dates, build messages.

The chat is read in 1 MiB blocks of raw bytes. One regular expression finds every header in a
block (in C, not line by line in Python); the text between two headers is one message, however
many lines it has. Working on bytes gives exact byte offsets for free, and line numbers come
from counting newlines. Only the last, possibly unfinished message of a block is carried into
the next one, so memory stays flat whatever the size of the export.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from ally.evidence.importers.base import DATE_ORDERS, Source
from ally.model.message import Attachment, Message, Provenance

_SPACE = rb"(?: |\xc2\xa0|\xe2\x80\xaf)"  # space, no-break space, narrow no-break space
HEADER = re.compile(
    rb"^(?:\xe2\x80[\x8e\x8f])?\[?(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})\.?,?(?: |\xc2\xa0)"
    rb"(?:\xc3\xa0 |um |kl\. )?"  # fr "à", de "um", no/da "kl."
    rb"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
    rb"(?:" + _SPACE + rb"?([AaPp]\.?" + _SPACE + rb"?[Mm]\.?|vorm\.|nachm\.))?"
    rb"(?:\] | (?:-|\xe2\x80\x93) )",
    re.MULTILINE,
)
BLOCK = 1 << 20
SCAN_LIMIT = 200_000
MARKS = "\u200e\u200f\u202a\u202b\u202c\u2068\u2069"
_STRIP = MARKS + " "
_BOM = b"\xef\xbb\xbf"
NEWLINE = b"\n"
_DELETED_STARTS = "TYDSECVM\u200e "
_SYSTEM_STARTS = (
    "Messages",
    "Nachrichten",
    "Los mensajes",
    "Les messages",
    "As mensagens",
    "\u200e",
)
SYSTEM_PHRASES = re.compile(
    r"(?:Messages and calls are end-to-end encrypted|"
    r"Messages you send to this (?:group|chat) are now secured|"
    r"Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt|"
    r"Los mensajes y las llamadas están cifrados de extremo a extremo|"
    r"Les messages et les appels sont chiffrés de bout en bout|"
    r"As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta)",
    re.IGNORECASE,
)
EDITED = re.compile(
    r"\u200e?<(?:This message was edited|Diese Nachricht wurde bearbeitet\.?|Se editó este mensaje\.?|"
    r"Ce message a été modifié|Mensagem editada)>\s*$",
    re.IGNORECASE,
)
DELETED = re.compile(
    r"(?:This message was deleted\.?|You deleted this message\.?|Diese Nachricht wurde gelöscht\.?|"
    r"Du hast diese Nachricht gelöscht\.?|Se eliminó este mensaje\.?|Eliminaste este mensaje\.?|"
    r"Ce message a été supprimé\.?|Vous avez supprimé ce message\.?|Mensagem apagada|"
    r"Você apagou esta mensagem\.?)",
    re.IGNORECASE,
)

FindMedia = Callable[[str], tuple[Attachment, ...]]


def ymd(order: str, a: bytes, b: bytes, c: bytes) -> tuple[int, int, int] | None:
    """Year, month, day for one date order, or None if the numbers cannot be that order."""
    values = {order[0]: a, order[1]: b, order[2]: c}
    year_text, month_text, day_text = values["Y"], values["M"], values["D"]
    if len(day_text) > 2 or len(month_text) > 2 or len(year_text) == 3:
        return None
    month, day, year = int(month_text), int(day_text), int(year_text)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return (year + 2000 if year < 100 else year, month, day)


@dataclass
class OrderVote:
    """Narrows the possible date orders as headers are seen."""

    alive: set[str] = field(default_factory=lambda: set(DATE_ORDERS))
    backwards: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DATE_ORDERS, 0))
    last: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    first: tuple[bytes, bool] | None = None

    def see(self, a: bytes, b: bytes, c: bytes, has_ampm: bool) -> None:
        if self.first is None:
            self.first = (a, has_ampm)
        for order in list(self.alive):
            date = ymd(order, a, b, c)
            if date is None:
                self.alive.discard(order)
                continue
            previous = self.last.get(order)
            if previous is not None and date < previous:
                self.backwards[order] += 1
            self.last[order] = date

    def certain(self) -> bool:
        return len(self.alive) <= 1

    def choose(self) -> str | None:
        """The order that fits every date and runs backwards least; ties go to the common one."""
        if not self.alive:
            return None
        fewest = min(self.backwards[order] for order in self.alive)
        best = [
            order
            for order in DATE_ORDERS
            if order in self.alive and self.backwards[order] == fewest
        ]
        if len(best) == 1 or self.first is None:
            return best[0]
        first, ampm = self.first
        preferences = ("YMD",) if len(first) == 4 else (("MDY", "DMY") if ampm else ("DMY", "MDY"))
        return next((order for order in preferences if order in best), best[0])


def segments(
    source: Source, handle: IO[bytes]
) -> Iterator[tuple[bytes, int, list[re.Match[bytes]], int]]:
    """(data, file offset of data[0], headers, limit): the messages that start at ``headers``
    all end by ``limit``. The unfinished last message of a block is carried into the next, so
    every block after the first begins exactly at a header."""
    data = handle.read(BLOCK)
    base = 0
    if data.startswith(_BOM):
        data, base = data[3:], 3
    while True:
        more = handle.read(BLOCK)
        if more:
            data += more
        headers = list(HEADER.finditer(data))
        if not more:
            yield data, base, headers, len(data)
            return
        if len(headers) < 2:
            if len(data) > 64 * BLOCK:
                raise source.error(
                    f"byte {base}",
                    "one message is over 64 MiB long; this does not look like a chat.",
                )
            continue
        cut = headers[-1].start()
        yield data, base, headers[:-1], cut
        data, base = data[cut:], base + cut


def scan_order(source: Source, handle: IO[bytes]) -> str:
    """Work out the date order from the headers, reading only as far as needed."""
    vote = OrderVote()
    seen = 0
    for _data, _base, headers, _limit in segments(source, handle):
        for found in headers:
            vote.see(found.group(1), found.group(3), found.group(4), found.group(8) is not None)
            seen += 1
            if (vote.certain() and seen >= 2) or seen >= SCAN_LIMIT:
                break
        else:
            continue
        break
    order = vote.choose()
    if order is None:
        if seen == 0:
            raise source.error(
                "line 1", "no WhatsApp messages found; is this a WhatsApp chat export?"
            )
        raise source.error(None, "the dates in this chat do not follow one day/month/year order.")
    return order


class Parser:
    """Turns header matches and the bytes after them into messages, caching dates and times."""

    def __init__(
        self, source: Source, order: str, zone: dt.tzinfo, conversation: str, find_media: FindMedia
    ) -> None:
        self.source = source
        self.order = order
        self.zone = zone
        self.conversation = conversation
        self.find_media = find_media
        self.where = (source.sha256, source.name, source.member)
        self.dates: dict[tuple[bytes, bytes, bytes], tuple[int, int, int] | None] = {}
        self.times: dict[bytes, dt.datetime] = {}

    def run(self, handle: IO[bytes]) -> Iterator[Message]:
        line = 1
        found_any = False
        for data, base, headers, limit in segments(self.source, handle):
            if not found_any:
                line = self.check_start(data, headers)
                found_any = bool(headers)
            if not headers:
                continue
            ends = [header.start() for header in headers[1:]]
            ends.append(limit)
            for header, end in zip(headers, ends, strict=True):
                yield self.message(data, header, end, base, line)
                line += data.count(NEWLINE, header.start(), end)
        if not found_any:
            raise self.source.error(
                "line 1", "no WhatsApp messages found; is this a WhatsApp chat export?"
            )

    def check_start(self, data: bytes, headers: list[re.Match[bytes]]) -> int:
        """Only blank lines may come before the first message; returns the first one's line."""
        start = headers[0].start() if headers else len(data)
        leading = data[:start]
        if leading.strip():
            blank = len(leading) - len(leading.lstrip())
            raise self.source.error(
                f"line {1 + data.count(NEWLINE, 0, blank)}",
                "does not start like a WhatsApp message.",
            )
        return 1 + data.count(NEWLINE, 0, start)

    def message(
        self, data: bytes, header: re.Match[bytes], end: int, base: int, line: int
    ) -> Message:
        key = header.group(0)
        when = self.times.get(key)
        if when is None:
            when = self.when(header, key, line)
        raw = data[header.end() : end]
        if raw.endswith(b"\n"):
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
        try:
            rest = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            where = f"line {line + raw.count(NEWLINE, 0, error.start)}"
            raise self.source.error(
                where, "this line is not valid UTF-8 text (damaged or cut short)."
            ) from None
        if "\r" in rest:
            rest = rest.replace("\r\n", "\n")
        sender, separator, text = rest.partition(": ")
        system = not separator or "\n" in sender
        if system:
            sender, text = "", rest
        elif text.startswith(_SYSTEM_STARTS) and SYSTEM_PHRASES.match(text.lstrip(MARKS)):
            system, sender = True, ""
        edited = text.endswith(">") and EDITED.search(text) is not None
        if edited:
            text = EDITED.sub("", text).rstrip()
        attachments: tuple[Attachment, ...] = ()
        if not system and ("<" in text or "\u200e" in text or "(" in text or "omit" in text):
            attachments = self.find_media(text)
        deleted = (
            len(text) < 60
            and text[:1] in _DELETED_STARTS
            and DELETED.fullmatch(text.strip(_STRIP)) is not None
        )
        provenance = Provenance(*self.where, line, base + header.start())
        return Message(
            "whatsapp",
            self.conversation,
            sender.strip(_STRIP),
            when,
            text,
            provenance,
            attachments,
            None,
            None,
            edited,
            None,
            deleted,
            system,
            None,
            True,
        )

    def when(self, header: re.Match[bytes], key: bytes, line: int) -> dt.datetime:
        a, _separator, b, c, hour_text, minute_text, second_text, ampm = header.groups()
        date_key = (a, b, c)
        date = self.dates.get(date_key, ...)
        if date is ...:
            date = self.dates[date_key] = ymd(self.order, a, b, c)
        hour, minute = int(hour_text), int(minute_text)
        second = int(second_text) if second_text else 0
        if ampm:
            if not 1 <= hour <= 12:
                date = None
            hour = hour % 12 + (12 if ampm[:1] in b"pPn" else 0)
        try:
            if date is None:
                raise ValueError
            when = dt.datetime(date[0], date[1], date[2], hour, minute, second, tzinfo=self.zone)
        except ValueError:
            raise self.source.error(
                f"line {line}", f"the date or time is not valid (read as {self.order})."
            ) from None
        if len(self.times) > 50_000:
            self.times.clear()
        self.times[key] = when
        return when
