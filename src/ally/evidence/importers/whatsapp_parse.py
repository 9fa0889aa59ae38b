"""The core of the WhatsApp importer: find message headers, work out dates, build messages.

The chat is read in 64 KiB blocks of raw bytes; only the last, possibly unfinished message of a
block is carried into the next one, so memory stays flat whatever the size of the export. The
text between two headers is one message, however many lines it has. Working on bytes gives
exact byte offsets for free, and line numbers come from counting newlines.

Whole blocks of ordinary messages are built by the fast path in ``whatsapp_fast`` (a few
passes in C); ``Parser.message`` below is the exact, per-message code, used for everything the
fast path leaves to it. Blocks are small on purpose: the ~1,000 messages built from 64 KiB,
with their strings, times and provenance, stay in the processor's cache until they are
consumed, which makes the whole parse about a quarter faster than with 1 MiB blocks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, groupby
from typing import IO

from ally.evidence.errors import ImportFormatError
from ally.evidence.importers.base import DATE_ORDERS, Source
from ally.evidence.importers.whatsapp_fast import (
    FastBlocks,
    Keys,
    SlowPathError,
    date_pattern,
    layout,
    split_pattern,
)
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
# The two halves of a header on their own, to read the keys of the fast path's caches.
DATE_KEY = re.compile(rb"(?:\xe2\x80[\x8e\x8f])?\[?(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})")
CLOCK_KEY = re.compile(
    rb"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
    rb"(?:" + _SPACE + rb"?([AaPp]\.?" + _SPACE + rb"?[Mm]\.?|vorm\.|nachm\.))?"
)
BLOCK = 1 << 16
MAX_MESSAGE = 64 << 20  # a longer "message" means this is not a chat
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
DELETED_PHRASES = (
    "This message was deleted.",
    "You deleted this message.",
    "Diese Nachricht wurde gelöscht.",
    "Du hast diese Nachricht gelöscht.",
    "Se eliminó este mensaje.",
    "Eliminaste este mensaje.",
    "Ce message a été supprimé.",
    "Vous avez supprimé ce message.",
    "Mensagem apagada",
    "Você apagou esta mensagem.",
)
"""What a deleted message leaves, in any letter case; a final "." is optional."""
DELETED = re.compile(
    "(?:"
    + "|".join(
        re.escape(phrase.removesuffix(".")) + (r"\.?" if phrase.endswith(".") else "")
        for phrase in DELETED_PHRASES
    )
    + ")",
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
    misses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DATE_ORDERS, 0))
    last: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    first: tuple[bytes, bytes | bool | None] | None = None
    misfit: tuple[bytes, bytes, bytes] | None = None
    """The first date after which no order fitted every date (for a strict refusal's line)."""

    def see(self, a: bytes, b: bytes, c: bytes, has_ampm: bytes | bool | None) -> None:
        """Count one header's date; ``has_ampm`` is its AM/PM marker (or whether it has one)."""
        if self.first is None:
            self.first = (a, has_ampm)
        for order in DATE_ORDERS:
            date = ymd(order, a, b, c)
            if date is None:
                if self.alive == {order} and self.misfit is None:
                    self.misfit = (a, b, c)
                self.alive.discard(order)
                self.misses[order] += 1
                continue
            if order not in self.alive:
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
        return self._best(self.alive)

    def closest(self) -> str:
        """When no order fits every date (lenient reading): the one that fits the most; the
        dates it cannot read are kept as written."""
        fewest = min(self.misses.values())
        return self._best({order for order, miss in self.misses.items() if miss == fewest})

    def _best(self, candidates: set[str]) -> str:
        fewest = min(self.backwards[order] for order in candidates)
        best = [
            order
            for order in DATE_ORDERS
            if order in candidates and self.backwards[order] == fewest
        ]
        if len(best) == 1 or self.first is None:
            return best[0]
        return next((order for order in self._usual() if order in best), best[0])

    def _usual(self) -> tuple[str, ...]:
        """The common orders for this layout: year first if it has 4 digits, else month first
        on an English 12-hour clock ("PM": the United States), else day first (Spanish and
        Portuguese write "p. m.", with dots, and put the day first)."""
        assert self.first is not None
        first, ampm = self.first
        english = bool(ampm) and not (isinstance(ampm, bytes) and b"." in ampm)
        return ("YMD",) if len(first) == 4 else (("MDY", "DMY") if english else ("DMY", "MDY"))

    def explain(self, order: str) -> str:
        """Why ``order`` was chosen among those that fit every date (for the summary)."""
        others = sorted(self.alive - {order})
        if not others:
            return "it is the only order that fits every date in the chat"
        if self.backwards[order] < min(self.backwards[o] for o in others):
            return "the messages only run forward in time when the dates are read that way"
        return "both fit every date, and it is the usual order for exports laid out like this one"


DateRun = tuple[tuple[bytes, bytes, bytes, bytes | None], int]
"""A header's date fields (day, month, year in file order; whether the clock has AM/PM) and
how many headers in a row have them."""


def date_runs(source: Source, handle: IO[bytes]) -> Iterator[DateRun]:
    """The dates of every header in the file, in order, as runs of equal ones.

    A chat has thousands of messages a day, so runs are few: the file is split at headers in
    C (with the fast path's pattern for the first header's layout), and Python looks only at
    each run, and at each line that might be a header in another layout."""
    runs = _DateRuns()
    return chain.from_iterable(map(runs.of, _line_blocks(source, handle)))


def _line_blocks(source: Source, handle: IO[bytes]) -> Iterator[bytes]:
    """The file's whole lines, a block at a time, each block with a newline in front (only
    the last, possibly unfinished line of a block is carried into the next)."""
    data = handle.read(BLOCK).removeprefix(_BOM)
    while more := handle.read(max(BLOCK, len(data))):  # a long line: read more, not often
        data += more
        end = data.rfind(NEWLINE) + 1
        if end == 0:
            if len(data) > MAX_MESSAGE:
                raise source.error(
                    None, "one message is over 64 MiB long; this does not look like a chat."
                )
            continue
        yield NEWLINE + data[:end]
        data = data[end:]
    yield NEWLINE + data


class _DateRuns:
    """Turns blocks of lines into date runs (see ``date_runs``)."""

    def __init__(self) -> None:
        self.pattern: re.Pattern[bytes] | None = None
        self.twelve_hour: bytes | None = None
        self.dates: dict[bytes, tuple[bytes, bytes, bytes]] = {}

    def of(self, lines: bytes) -> Iterator[DateRun]:
        if self.pattern is None:
            found = HEADER.search(lines)
            if found is None:
                return iter(())
            shape = layout(found)
            self.twelve_hour = found[8]
            self.pattern = date_pattern(shape)
        pieces = self.pattern.split(lines)
        return self.runs(pieces[1::2], pieces[2::2])

    def runs(self, keys: list[bytes | None], texts: list[bytes]) -> Iterator[DateRun]:
        for key, run in groupby(range(len(keys)), keys.__getitem__):
            if key is None:  # a line that starts like a header, in another layout or none
                for index in run:
                    found = HEADER.match(texts[index])
                    if found is not None:
                        yield (found[1], found[3], found[4], found[8]), 1
                continue
            date = self.dates.get(key)
            if date is None:
                if len(self.dates) > 10_000:  # hostile input: keep memory bounded
                    self.dates.clear()
                found = DATE_KEY.match(key)
                assert found is not None
                date = self.dates[key] = (found[1], found[3], found[4])
            yield (*date, self.twelve_hour), len(list(run))


def scan_order(source: Source, handle: IO[bytes]) -> str:
    """Work out the date order from the headers, reading only as far as needed."""
    return scan_order_vote(source, handle)[0]


Reopen = Callable[[], contextlib.AbstractContextManager[IO[bytes]]]
"""Opens the chat again from its start (to find the line a strict refusal names)."""


def report_order(
    source: Source, handle: IO[bytes], *, strict: bool = True, reopen: Reopen | None = None
) -> str:
    """The date order, noted in the source's report with whether another order would also
    have fitted every date, and why this one was chosen."""
    order, vote = scan_order_vote(source, handle, strict=strict, reopen=reopen)
    source.report.date_order = order
    source.report.date_order_ambiguous = len(vote.alive) > 1
    source.report.date_order_reason = (
        vote.explain(order) if vote.alive else "it fits the most dates in the chat"
    )
    return order


def scan_order_vote(
    source: Source, handle: IO[bytes], *, strict: bool = True, reopen: Reopen | None = None
) -> tuple[str, OrderVote]:
    """The date order and the vote that chose it.

    The votes go header by header: a header with the same date as the one before changes
    none, so a run of them only counts towards ``seen``."""
    vote = OrderVote()
    seen = 0
    for (a, b, c, ampm), count in date_runs(source, handle):
        seen += 1
        vote.see(a, b, c, ampm)
        certain = vote.certain()
        if (certain and seen >= 2) or seen >= SCAN_LIMIT:
            break
        if certain and count > 1:  # the next header, same date, is the second one
            seen += 1
            break
        if seen + count - 1 >= SCAN_LIMIT:
            seen = SCAN_LIMIT
            break
        seen += count - 1
    order = vote.choose()
    if order is None and not strict and seen:
        order = vote.closest()
    if order is None:
        if seen == 0:
            raise source.error(
                "line 1", "no WhatsApp messages found; is this a WhatsApp chat export?"
            )
        if vote.misfit is None:
            raise source.error(
                None, "the dates in this chat do not follow one day/month/year order."
            )
        written = "-".join(part.decode("ascii", "replace") for part in vote.misfit)
        line = misfit_line(reopen, vote.misfit) if reopen is not None else None
        raise source.error(
            f"line {line}" if line else None,
            f"the date {written} fits no day/month/year order that the dates before it "
            "fit, so the dates in this chat do not follow one order. Correct that line, or "
            "import without --strict to keep it as written.",
        )
    return order, vote


def misfit_line(reopen: Reopen, date: tuple[bytes, bytes, bytes]) -> int | None:
    """The number of the first line whose header has this date."""
    number, rest = 0, b""
    with reopen() as handle:
        while True:
            block = handle.read(BLOCK)
            lines = (rest + block).split(NEWLINE)
            rest = lines.pop() if block else b""
            for line in lines:
                number += 1
                found = HEADER.match(line.removeprefix(_BOM))
                if found is not None and (found[1], found[3], found[4]) == date:
                    return number
            if not block:
                return None


def clock(
    hour_text: bytes, minute_text: bytes, second_text: bytes | None, ampm: bytes | None
) -> tuple[int, int, int] | None:
    """Hour, minute, second on a 24-hour clock; None for an impossible 12-hour hour."""
    hour, minute = int(hour_text), int(minute_text)
    second = int(second_text) if second_text else 0
    if ampm:
        # Some locales (Spanish Android: "00:08 a. m.") write the first hour as 0, not 12.
        if not 0 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm[:1] in b"pPn" else 0)
    return hour, minute, second


def last_header(data: bytes, low: int) -> int:
    """Where the last line after position ``low`` that starts with a header begins, or -1.

    Walks back from the end a line at a time: a block's last header is nearly always within a
    line or two of its end, and only lines after ``low`` are looked at again."""
    end = len(data)
    while (newline := data.rfind(NEWLINE, low, end)) >= 0:
        if HEADER.match(data, newline + 1):
            return newline + 1
        end = newline
    return -1


def _sender(key: bytes) -> str:
    return key[:-2].decode("utf-8").strip(_STRIP)


class Parser:
    """Turns the export's bytes into messages: a fast path for whole blocks of ordinary
    messages (``whatsapp_fast``), and the exact per-message code below for everything else."""

    def __init__(
        self,
        source: Source,
        order: str,
        zone: dt.tzinfo,
        conversation: str,
        find_media: FindMedia,
        *,
        strict: bool = True,
    ) -> None:
        self.source = source
        self.strict = strict
        """Refuse the file at the first line that cannot be read; else keep it as written."""
        self.last_when: dt.datetime | None = None
        self.preamble: tuple[bytes, int] | None = None
        self.order = order
        self.zone = zone
        self.conversation = conversation
        self.find_media = find_media
        self.where = (source.sha256, source.name, source.member)
        self.dates: dict[tuple[bytes, bytes, bytes], tuple[int, int, int] | None] = {}
        self.times: dict[bytes, dt.datetime] = {}
        self.fast: FastBlocks | None = None

    def run(self, handle: IO[bytes]) -> Iterator[Message]:
        """Every message, in file order."""
        return chain.from_iterable(self.block_messages(handle))

    def block_messages(self, handle: IO[bytes]) -> Iterator[Iterator[Message]]:
        """The messages a block at a time: chained in C, so that passing a message on to the
        consumer runs no Python code."""
        line = 1
        for data, base, start, cut in self.blocks(handle):
            if self.preamble is not None:
                yield iter([self.before_first(data, start, base)])
            line += data.count(NEWLINE, 0, start)
            # Each message is two tuples, and every 700 new ones trigger a garbage collection
            # that walks all the young objects. None of these can be part of a cycle, so the
            # collector is paused while a block is built, until its last allocation: the
            # consumer then takes (and normally drops) the messages before any collection.
            collecting = gc.isenabled()
            gc.disable()
            try:
                messages, line = self.block(data, start, cut, base, line)
            finally:
                if collecting:
                    gc.enable()
            yield messages

    def blocks(self, handle: IO[bytes]) -> Iterator[tuple[bytes, int, int, int]]:
        """(data, base, start, cut): the messages whose headers lie in data[start:cut] are
        complete, and ``base`` is the file offset of data[0]. Only blank lines come before
        the first ``start``; every later block starts with a header.

        The file is read in blocks; the last message of a block may be unfinished, so it is
        carried into the next one, and memory stays flat whatever the size of the export."""
        data = handle.read(BLOCK)
        base = 0
        if data.startswith(_BOM):
            data, base = data[3:], 3
        start, checked = -1, 0
        while True:
            more = handle.read(max(BLOCK, len(data)))  # a long message: read more, not often
            if more:
                data += more
            if start < 0:
                start = self.first_header(data, checked, final=not more)
            cut = -1
            if start >= 0:
                cut = last_header(data, max(start, checked)) if more else len(data)
            if cut <= start:
                if len(data) > MAX_MESSAGE:
                    raise self.source.error(
                        f"byte {base}",
                        "one message is over 64 MiB long; this does not look like a chat.",
                    )
                checked = max(checked, data.rfind(NEWLINE))
                continue
            yield data, base, start, cut
            if not more:
                return
            data, base, start, checked = data[cut:], base + cut, 0, 0

    def first_header(self, data: bytes, low: int, *, final: bool) -> int:
        """Where the first header is, or -1 until one has been read. Only blank lines may
        come before it."""
        found = HEADER.search(data, low)
        if found is None and not final:
            return -1
        start = found.start() if found else len(data)
        leading = data[:start]
        if found is None:
            raise self.source.error(
                "line 1", "no WhatsApp messages found; is this a WhatsApp chat export?"
            )
        if leading.strip():
            blank = len(leading) - len(leading.lstrip())
            first_line = 1 + data.count(NEWLINE, 0, blank)
            if self.strict:
                raise self.source.error(
                    f"line {first_line}", "does not start like a WhatsApp message."
                )
            self.preamble = (leading[blank:], first_line)
        return start

    def before_first(self, data: bytes, start: int, base: int) -> Message:
        """Text before the first message (lenient), kept as written at the first message's time."""
        assert self.preamble is not None
        text, line = self.preamble
        self.preamble = None
        header = HEADER.match(data, start)
        if header is not None:
            with contextlib.suppress(ImportFormatError):
                self.last_when = self.when(header, header.group(0), line)
        return self.unreadable(text, line, None)

    def unreadable(self, raw: bytes, line: int, offset: int | None) -> Message:
        """A stretch of the export kept exactly as written (lenient), dated like the message
        before it (or the first message, or 1 January 1970 if there is none)."""
        when = self.last_when or dt.datetime(1970, 1, 1, tzinfo=self.zone)
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        return Message(
            "whatsapp",
            self.conversation,
            "",
            when,
            text,
            Provenance(*self.where, line, offset),
            (),
            timezone_assumed=True,
            unreadable=True,
        )

    def block(
        self, data: bytes, start: int, cut: int, base: int, line: int
    ) -> tuple[Iterator[Message], int]:
        """The messages whose headers lie in data[start:cut], and the line after them: by the
        fast path, or if it cannot, by the exact code (lazily, so that an error comes after
        the messages before it, as the file is read)."""
        if self.fast is None:
            self.fast = self.fast_path(data, start)
        try:
            messages, after = self.fast.parse(data, start, cut, base, line)
        except (SlowPathError, UnicodeDecodeError, ImportFormatError):
            after = line + data.count(NEWLINE, start, cut)
            return self.slow_block(data, start, cut, base, line), after
        if messages:
            self.last_when = messages[-1].timestamp
        return iter(messages), after

    def fast_path(self, data: bytes, start: int) -> FastBlocks:
        """The fast path, specialised to the layout of the export's first header."""
        found = HEADER.match(data, start)
        assert found is not None
        shape = layout(found)
        return FastBlocks(
            shape,
            split_pattern(shape, _DELETED_STARTS, DELETED_PHRASES, _SYSTEM_STARTS),
            self.where,
            self.conversation,
            Keys(self.midnight, self.day_time, _sender, self.find_media),
            lambda text, at: HEADER.match(text, at) is not None,
            self.rebuild,
            self.follow,
        )

    def follow(self, message: Message) -> None:
        """The fast path is about to rebuild the message after this one."""
        self.last_when = message.timestamp

    def midnight(self, key: bytes) -> dt.datetime:
        """The start of the day a header's date part names (for the fast path's cache)."""
        found = DATE_KEY.match(key)
        date = ymd(self.order, found[1], found[3], found[4]) if found else None
        if date is None:
            raise SlowPathError
        try:
            return dt.datetime(*date, tzinfo=self.zone)
        except ValueError:
            # `from None`: control flow: the slow path re-reads the line.
            raise SlowPathError from None

    def day_time(self, key: bytes) -> dt.timedelta:
        """The time since midnight a header's clock part names (for the fast path's cache)."""
        found = CLOCK_KEY.match(key)
        parts = clock(found[1], found[2], found[3], found[4]) if found else None
        if parts is None:
            raise SlowPathError
        try:
            dt.time(*parts)
        except ValueError:
            # `from None`: control flow: the slow path re-reads the line.
            raise SlowPathError from None
        return dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])

    def rebuild(self, data: bytes, start: int, end: int, base: int, line: int) -> Message:
        """The fast path's way back to the exact code, for one message."""
        header = HEADER.match(data, start)
        assert header is not None
        return self.message(data, header, end, base, line)

    def slow_block(
        self, data: bytes, start: int, cut: int, base: int, line: int
    ) -> Iterator[Message]:
        headers = list(HEADER.finditer(data, start, cut))
        ends = [header.start() for header in headers[1:]]
        ends.append(cut)
        for header, end in zip(headers, ends, strict=True):
            yield self.message(data, header, end, base, line)
            line += data.count(NEWLINE, header.start(), end)

    def message(
        self, data: bytes, header: re.Match[bytes], end: int, base: int, line: int
    ) -> Message:
        key = header.group(0)
        when = self.times.get(key)
        if when is None:
            try:
                when = self.when(header, key, line)
            except ImportFormatError:
                if self.strict:
                    raise
                return self.unreadable(data[header.start() : end], line, base + header.start())
        raw = data[header.end() : end]
        if raw.endswith(b"\n"):
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
        try:
            rest = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if not self.strict:
                self.last_when = when
                return self.unreadable(data[header.start() : end], line, base + header.start())
            where = f"line {line + raw.count(NEWLINE, 0, error.start)}"
            raise self.source.error(
                where, "this line is not valid UTF-8 text (damaged or cut short)."
            ) from error
        self.last_when = when
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
        a, _separator, b, c, *time_parts = header.groups()
        date_key = (a, b, c)
        date = self.dates.get(date_key, ...)
        if date is ...:
            date = self.dates[date_key] = ymd(self.order, a, b, c)
        hour_text, minute_text, second_text, ampm = time_parts
        parts = clock(hour_text, minute_text, second_text, ampm)
        try:
            if date is None or parts is None:
                raise ValueError
            when = dt.datetime(*date, *parts, tzinfo=self.zone)
        except ValueError as error:
            raise self.source.error(
                f"line {line}", f"the date or time is not valid (read as {self.order})."
            ) from error
        if len(self.times) > 50_000:
            self.times.clear()
        self.times[key] = when
        return when
