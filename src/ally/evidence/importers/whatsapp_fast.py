"""The fast path of the WhatsApp parser: a block of ordinary messages in a few passes done in C.

Per-message Python code costs about a microsecond, more than reading the message itself, so
this path runs none. One regular expression, specialised to the layout of the export's first
header, splits a block at every header (``re.split``: the headers' fields and the texts between
them come back as one flat list, sliced into columns); dates, clocks and senders repeat, so
each distinct one is converted once and then looked up with ``map``; offsets and line numbers
are running sums (``accumulate``); the named tuples are built with ``map(tuple.__new__, ...)``.

A message takes the fast path only when it provably needs none of the per-message rules of the
slow path: its text is not a deletion notice and does not start with a system phrase (checked
in the regex, in any letter case the slow path accepts), and it is a media placeholder on its
own or has none of the characters the other rules look for ("<" for media and edit markers,
"(" for attached files, the left-to-right mark, "omit", CR). Those are found with
``bytes.find`` over the whole block (memchr: far faster than testing each character in the
regex). Every other message — one the rules apply to, a header in another layout, a
continuation line that could be mistaken for a header — is rebuilt by the caller's exact,
slow code. So the fast path changes speed, never results; ``tests/evidence/
test_whatsapp_fast.py`` checks the two paths against each other on generated chats.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, compress, count, repeat
from operator import add, contains, not_
from typing import Any, TypeVar

from ally.model.message import Attachment, Message, Provenance

T = TypeVar("T")
NEWLINE = b"\n"
CACHE_LIMIT = 20_000
_LRM = b"\xe2\x80\x8e"

# A character, however many UTF-8 bytes it has; the spaces and direction marks the slow path
# strips from a text.
_ANY_CHAR = rb"[^\n\x80-\xbf][\x80-\xbf]*"
_SPACE_OR_MARK = rb"(?: |\xe2\x80[\x8e\x8f\xaa-\xac]|\xe2\x81[\xa8\xa9])"
# The ASCII letters Python's IGNORECASE also matches to a non-ASCII one (ı İ ſ K).
_TWINS = "iksIKS"
# How a line that could be a header starts (see whatsapp_parse.HEADER).
HEADER_LIKE = rb"[\d\[]|\xe2\x80[\x8e\x8f]"
# Media placeholders whose attachment is always the same when they are a message's whole text
# (see whatsapp.OMITTED); their "<" and "omit" are expected.
MEDIA_MARKERS = (
    b"<Media omitted>",
    b"<Medien ausgeschlossen>",
    b"<Multimedia omitido>",
    "<Médias omis>".encode(),
    "<Mídia oculta>".encode(),
    b"<Media omessi>",
)
_OMIT_MARKERS = tuple(marker for marker in MEDIA_MARKERS if b"omit" in marker)


class SlowPathError(Exception):
    """The block holds something only the slow path handles exactly (a bad date, CRLF)."""


class Cache(dict[bytes | None, T]):
    """A dict that fills itself: ``map(cache.__getitem__, keys)`` stays in C for known keys.

    ``blank`` is the value for None, an absent group (a system message's sender, say)."""

    def __init__(self, make: Callable[[bytes], T], blank: T) -> None:
        super().__init__({None: blank})
        self.make = make
        self.blank = blank

    def __missing__(self, key: bytes | None) -> T:
        assert key is not None
        value = self[key] = self.make(key)
        return value

    def trim(self) -> None:
        """Keep memory bounded on hostile input (say, a million different senders)."""
        if len(self) > CACHE_LIMIT:
            self.clear()
            self[None] = self.blank


@dataclass(frozen=True)
class Layout:
    """Patterns for headers laid out exactly like one ``whatsapp_parse.HEADER`` match.

    Every optional piece is pinned to what that header has and every literal is copied, so
    whatever these patterns match, HEADER matches too, over the same bytes, with the same
    numbers. A clock with seconds is cut in two: hour and minute, then seconds and the rest
    (there are 86,400 seconds in a day but only 1,440 minutes and 60 seconds, and each distinct
    key is converted once)."""

    date: bytes
    clock: bytes
    """The clock up to the sender, or up to the seconds when it has them."""
    seconds: bytes | None
    """The seconds and the rest of the clock, if it has seconds."""
    minute_key: re.Pattern[bytes]
    """Reads hour and minute from a clock key."""
    second_key: re.Pattern[bytes] | None
    """Reads the seconds and the first letter of AM/PM from a seconds key."""
    twelve_hour: bool

    def minute(self, key: bytes) -> dt.timedelta:
        """Hour and minute of a clock key with seconds (AM/PM is in the seconds key)."""
        found = self.minute_key.match(key)
        assert found is not None
        hour, minute = int(found[1]), int(found[2])
        if not (0 <= hour <= 12 if self.twelve_hour else hour < 24) or minute > 59:
            raise SlowPathError
        return dt.timedelta(hours=hour % 12 if self.twelve_hour else hour, minutes=minute)

    def second(self, key: bytes) -> dt.timedelta:
        """Seconds of a seconds key, plus 12 hours after noon (like whatsapp_parse.clock)."""
        assert self.second_key is not None
        found = self.second_key.match(key)
        assert found is not None
        second = int(found[1])
        if second > 59:
            raise SlowPathError
        afternoon = self.twelve_hour and found[2] in (b"p", b"P", b"n")
        return dt.timedelta(hours=12 if afternoon else 0, seconds=second)


def layout(found: re.Match[bytes]) -> Layout:
    """The layout of the header ``found`` (a match of ``whatsapp_parse.HEADER``)."""
    raw = found.string

    def text(start: int, end: int) -> bytes:
        return re.escape(raw[start:end])

    separator = re.escape(found[2])
    date = (
        text(found.start(), found.start(1))
        + rb"\d{1,4}"
        + separator
        + rb"\d{1,2}"
        + separator
        + rb"\d{1,4}"
        + text(found.end(4), found.start(5))
    )
    minute = rb"\d{1,2}" + text(found.end(5), found.start(6)) + rb"\d{2}"
    minute_key = re.compile(rb"(\d{1,2})" + text(found.end(5), found.start(6)) + rb"(\d{2})")
    tail, last = b"", found.end(6) if found[7] is None else found.end(7)
    if found[8] is not None:
        tail, last = text(last, found.start(8)) + _ampm(found[8]), found.end(8)
    tail += text(last, found.end())
    if found[7] is None:
        return Layout(date, minute + tail, None, minute_key, None, found[8] is not None)
    seconds = rb"\d{2}" + tail
    second_key = re.compile(
        rb"(\d{2})" + (text(found.end(7), found.start(8)) + rb"(.)" if found[8] else b"")
    )
    clock = minute + text(found.end(6), found.start(7))
    return Layout(date, clock, seconds, minute_key, second_key, found[8] is not None)


def _ampm(marker: bytes) -> bytes:
    """Either of a 12-hour clock's markers, written like ``marker``."""
    if marker in (b"vorm.", b"nachm."):
        return rb"(?:vorm\.|nachm\.)"
    letters = rb"[AP]" if marker[:1].isupper() else rb"[ap]"
    return letters + re.escape(marker[1:])


def split_pattern(
    shape: Layout,
    deleted_starts: str,
    deleted: tuple[str, ...],
    system_starts: tuple[str, ...],
) -> re.Pattern[bytes]:
    """The separator ``re.split`` cuts a block at: a newline and then either a header laid out
    like ``shape`` whose message may take the fast path, or anything that could be a header.

    Groups: the whole separator, date, clock, [seconds,] ``sender: ``, media placeholder. Only
    a separator of the first kind has a date. Its sender is the line up to the first ": ", and
    the line may have no other ":" before it (nor any at all when there is no sender), so a
    message the fast path refuses can never be re-split at another ": ". The other arguments
    are the slow path's rules for deleted and system messages (see ``_start``)."""
    media = b"|".join(re.escape(marker[1:]) for marker in MEDIA_MARKERS)
    seconds = b"" if shape.seconds is None else b"(" + shape.seconds + b")"
    sender = b"4" if shape.seconds is None else b"5"
    return re.compile(
        rb"(\n(?:("
        + shape.date
        + rb")("
        + shape.clock
        + rb")"
        + seconds
        + rb"(?:([^\n:]*+: )|(?![^\n:]*+:))"
        + _start(deleted_starts, deleted, system_starts)
        + rb"(?("
        + sender
        + rb")(?:(?=(<(?:"
        + media
        + rb"))(?:\n(?="
        + HEADER_LIKE
        + rb")|\Z))|))"
        rb"|(?=" + HEADER_LIKE + rb")))"
    )


def date_pattern(shape: Layout) -> re.Pattern[bytes]:
    """A separator like ``split_pattern``'s that only tells headers in this layout (their
    date is the one group) from other lines that could be headers (no date)."""
    seconds = shape.seconds or b""
    return re.compile(
        rb"\n(?:(" + shape.date + rb")" + shape.clock + seconds + rb"|(?=" + HEADER_LIKE + rb"))"
    )


def _start(deleted_starts: str, deleted: tuple[str, ...], system_starts: tuple[str, ...]) -> bytes:
    """What a text may not start with to take the fast path: a system phrase's first word, or
    a whole deletion notice, in any letter case (with the spaces and marks around it that the
    slow path strips). Both rules apply only to texts whose first character is one they name,
    which most texts fail at the first test. The left-to-right mark is left to ``_LRM``."""
    starts = {start[0] for start in system_starts} | set(deleted_starts)
    gate = "".join(sorted(starts - {_LRM.decode()})).encode()
    system = b"|".join(
        re.escape(start.encode()) for start in system_starts if start != _LRM.decode()
    )
    notices = b"|".join(map(_any_case, deleted))
    return (
        rb"(?:(?=[^" + re.escape(gate) + rb"])"
        rb"|(?!" + system + rb")"
        rb"(?!" + _SPACE_OR_MARK + rb"*(?:" + notices + rb")" + _SPACE_OR_MARK + rb"*(?:\n|\Z)))"
    )


def _any_case(phrase: str) -> bytes:
    """A pattern that matches (at least) whatever the phrase matches with IGNORECASE, final
    "." optional: an ASCII letter in either case, any character for the rest."""
    pattern = b""
    for char in phrase.removesuffix("."):
        if char.isascii() and char.isalpha() and char not in _TWINS:
            pattern += b"[" + char.lower().encode() + char.upper().encode() + b"]"
        elif char.isascii() and not char.isalpha():
            pattern += re.escape(char.encode())
        else:
            pattern += _ANY_CHAR
    return pattern + (rb"\.?" if phrase.endswith(".") else b"")


SlowMessage = Callable[[bytes, int, int, int, int], Message]
"""(data, start, end, base, line) → the message whose header is at data[start], built exactly."""
IsHeader = Callable[[bytes, int], bool]

_new: Callable[..., Any] = tuple.__new__


@dataclass(frozen=True)
class Keys:
    """How to read the cached parts of a line: each raises SlowPathError if it cannot."""

    midnight: Callable[[bytes], dt.datetime]
    """A header's date part → the start of that day, in the export's zone."""
    day_time: Callable[[bytes], dt.timedelta]
    """A header's clock part (up to the sender) → the time since midnight."""
    sender: Callable[[bytes], str]
    """``name: `` → the sender's name as the slow path cleans it."""
    find_media: Callable[[str], tuple[Attachment, ...]]
    """The importer's attachment finder, run once per media placeholder."""


class FastBlocks:
    """Builds the messages of whole blocks; see the module's docstring."""

    def __init__(
        self,
        shape: Layout,
        pattern: re.Pattern[bytes],
        where: tuple[str, str, str | None],
        conversation: str,
        keys: Keys,
        is_header: IsHeader,
        slow: SlowMessage,
        previous: Callable[[Message], object] = lambda _message: None,
    ) -> None:
        self.pattern = pattern
        self.previous = previous
        """Told the message before each one rebuilt the slow way (its time dates an
        unreadable line, as in the slow path)."""
        self.stride = 6 if shape.seconds is None else 7  # pieces per message from split
        self.where = where
        self.conversation = conversation
        # The blanks stand in for bare separators' absent groups until the message is rebuilt.
        self.dates = Cache(keys.midnight, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        self.clocks = Cache(
            keys.day_time if shape.seconds is None else shape.minute, dt.timedelta()
        )
        self.seconds = Cache(shape.second, dt.timedelta())
        self.senders = Cache(keys.sender, "")
        no_media: tuple[Attachment, ...] = ()
        self.media = Cache(lambda key: keys.find_media(key.decode("utf-8")), no_media)
        self.is_header = is_header
        self.slow = slow

    def parse(
        self, data: bytes, start: int, cut: int, base: int, line: int
    ) -> tuple[list[Message], int]:
        """The messages whose headers lie in data[start:cut] (start is a header, cut too or
        the end), and the line number at cut; ``base`` is the file offset of data[0], ``line``
        the line number at start. Raises SlowPathError (or UnicodeDecodeError) when the block
        must take the slow path."""
        for cache in (self.dates, self.clocks, self.seconds, self.senders, self.media):
            cache.trim()
        # The newline before each message starts its separator; the one ending the last
        # message is not part of its text.
        end = cut - 1 if data[cut - 1 : cut] == NEWLINE else cut
        chunk = NEWLINE + data[:end] if start == 0 else data[start - 1 : end]
        if b"\r" in chunk:
            raise SlowPathError
        pieces = self.pattern.split(chunk)
        if pieces[0]:
            raise SlowPathError
        step = self.stride
        separators, dates, clocks = pieces[1::step], pieces[2::step], pieces[3::step]
        senders, media, texts = (
            pieces[step - 2 :: step],
            pieces[step - 1 :: step],
            pieces[step::step],
        )
        times = map(add, map(self.dates.__getitem__, dates), map(self.clocks.__getitem__, clocks))
        if step == 7:
            times = map(add, times, map(self.seconds.__getitem__, pieces[4::step]))
        del pieces
        # File offset of each message (after its separator's newline), then of the cut.
        offsets = list(
            accumulate(map(add, map(len, separators), map(len, texts)), initial=base + start)
        )
        offsets[-1] = base + cut
        lines = _lines(texts, line)
        messages: list[Message] = list(
            map(
                _new,
                repeat(Message),
                zip(
                    repeat("whatsapp"),
                    repeat(self.conversation),
                    map(self.senders.__getitem__, senders),
                    times,
                    map(bytes.decode, texts),
                    map(
                        _new,
                        repeat(Provenance),
                        zip(
                            repeat(self.where[0]),
                            repeat(self.where[1]),
                            repeat(self.where[2]),
                            lines,
                            offsets,
                            repeat(None),
                        ),
                    ),
                    map(self.media.__getitem__, media),
                    repeat(None),
                    repeat(None),
                    repeat(False),
                    repeat(None),
                    repeat(False),
                    map(not_, senders) if None in senders else repeat(False),
                    repeat(None),
                    repeat(True),
                    repeat(False),
                ),
            )
        )
        rebuild = _needs_rules(chunk, offsets, base + start - 1, separators, media)
        if rebuild or not all(dates):
            messages = self.mend(messages, dates, data, offsets, lines, base, rebuild)
        return messages, lines[-1]

    def mend(
        self,
        messages: list[Message],
        dates: list[bytes | None],
        data: bytes,
        offsets: list[int],
        lines: list[int],
        base: int,
        rebuild: set[int],
    ) -> list[Message]:
        """Rebuild the messages the fast path may have got wrong, the slow way.

        ``rebuild`` holds those the rules apply to. A bare separator (no date) starts either
        a header (the slow path builds that message) or a continuation of the message before
        it, which is then rebuilt with it, and the line dropped."""
        drop: list[int] = []
        owner = 0
        index = -1
        while True:
            try:
                index = dates.index(None, index + 1)
            except ValueError:
                break
            if self.is_header(data, offsets[index] - base):
                owner = index
                rebuild.add(index)
                continue
            if index == 0:
                raise SlowPathError
            if dates[index - 1] is not None:
                owner = index - 1
            rebuild.add(owner)
            drop.append(index)
        dropped = set(drop)
        for first in sorted(rebuild - dropped):
            end = first + 1
            while end in dropped:
                end += 1
            before = first - 1
            while before in dropped:
                before -= 1
            if before >= 0:
                self.previous(messages[before])
            messages[first] = self.slow(
                data, offsets[first] - base, offsets[end] - base, base, lines[first]
            )
        if not drop:
            return messages
        keep = [True] * len(messages)
        for index in drop:
            keep[index] = False
        return list(compress(messages, keep))


def _lines(texts: list[bytes], line: int) -> list[int]:
    """The line each message starts on, then the line after the last one.

    Each message is one line plus its text's newlines; only the few texts that have any are
    counted (``contains`` is much cheaper than ``count``)."""
    extra = [1] * len(texts)
    for index in compress(count(), map(contains, texts, repeat(10))):
        extra[index] += texts[index].count(NEWLINE)
    return list(accumulate(extra, initial=line))


def _needs_rules(
    chunk: bytes, offsets: list[int], shift: int, separators: list[bytes], media: list[Any]
) -> set[int]:
    """The messages whose text has a character one of the slow path's rules looks for.

    ``shift`` turns a position in ``chunk`` into a file offset. Each search is one pass in C;
    positions are looked at one by one only when a block has more than it should: a media
    placeholder's own "<" and "omit", and the left-to-right mark that starts some headers,
    are expected."""
    placeholders = list(filter(None, media))
    found: set[int] = set()

    def owners(places: list[int], skip_placeholders: bool) -> None:
        for place in places:
            index = bisect_right(offsets, shift + place) - 1
            if shift + place < offsets[index] - 1 + len(separators[index]):
                continue  # in the header or the sender's name, which the rules do not read
            if skip_placeholders and media[index] is not None:
                continue
            found.add(index)

    places = _find_all(chunk, b"<")  # memchr
    if len(places) != len(placeholders):
        owners(places, True)
    owners(_find_all(chunk, b"("), False)
    if chunk.count(b"omit") != sum(map(placeholders.count, _OMIT_MARKERS)):
        owners(_find_all(chunk, b"omit"), True)
    # Most blocks have no mark at all (memchr on its last byte); marks that start a line
    # belong to a header, or to a line the caller rebuilds anyway.
    if chunk.find(_LRM[-1:]) >= 0 and chunk.count(_LRM) != chunk.count(NEWLINE + _LRM):
        owners([place for place in _find_all(chunk, _LRM) if chunk[place - 1] != 10], False)
    return found


def _find_all(data: bytes, needle: bytes) -> list[int]:
    """Where ``needle`` is in ``data``: each look is one memchr (or fast search) in C."""
    places = []
    place = data.find(needle)
    while place >= 0:
        places.append(place)
        place = data.find(needle, place + 1)
    return places
