"""Search and review over imported messages without reading every message.

Each page of imported messages carries its own small encrypted index (``indexing``). After
unlock, :class:`MessageIndex` decrypts those index files once (a few KB per page, instead of
the page's messages) and keeps them in memory with the unlocked vault; later calls read only
pages that are new or changed since (a new version has a new id). Queries run on the index:
words and senders through posting lists, dates and the review order through numbers. Only
the messages a person is shown are read from their pages (``Found.items``), and those pages
are kept too.

What is kept in memory is plaintext in the unlocked process only, like the unlocked key;
closing the vault (locking the journal) drops it. On disk, every index file is encrypted to
the vault's keys like the page it belongs to: nothing searchable is stored in the clear (see
``docs/threat-model.md``, "Search index").
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ally.evidence.indexing import INDEX_BLOB, INDEX_VERSION, WORD, fold, fold_postings, page_index
from ally.evidence.pipeline import EvidenceStore
from ally.evidence.reviewed import Reviewed, items_of
from ally.model.pages import MESSAGE_KIND, PAGE_KIND, page_messages

log = logging.getLogger(__name__)


class IndexedStore(EvidenceStore, Protocol):
    """A vault that lists entry versions without decrypting and reads their extra files."""

    def heads(self, kind: str) -> list[tuple[str, str, int]]: ...

    def read_extra(self, version_id: str, name: str) -> dict[str, Any] | None: ...


@dataclass
class Shard:
    """The index of one entry version: a page's messages, or one older message entry."""

    kind: str
    root_id: str
    version_id: str
    seq: int
    data: dict[str, Any]
    _by_sender: dict[int, list[int]] | None = field(default=None, repr=False)

    @property
    def by_sender(self) -> dict[int, list[int]]:
        """Each sender's places in the shard, worked out at the first sender search (not at
        unlock, when every shard is read)."""
        if self._by_sender is None:
            found: dict[int, list[int]] = {}
            for place, sender in enumerate(self.data["s"]):
                found.setdefault(sender, []).append(place)
            self._by_sender = found
        return self._by_sender

    @property
    def ids(self) -> list[str]:
        return list(self.data["ids"])

    def same_messages(self, other: Shard) -> bool:
        """Same messages at the same times (a review decision changes neither)."""
        return bool(self.data["ids"] == other.data["ids"] and self.data["t"] == other.data["t"])


Position = tuple[int, int]
"""(shard number, place in the shard)."""


class MessageIndex:
    """Every imported message's index, in memory while the vault is unlocked."""

    def __init__(self, store: IndexedStore) -> None:
        self._store = store
        self.shards: list[Shard] = []
        self._by_version: dict[str, Shard] = {}
        self._order: list[Position] = []
        self._rank: list[list[int]] = []
        self._by_time: list[int] = []
        """Journal-order numbers of the messages in time order (the permutation behind
        ``_order``)."""
        self._times: list[float] = []
        self.flag: list[int] = []
        self._score: list[float] = []
        self._decision: list[str | None] = []
        self._tokens: set[str] = set()
        self._pages: dict[str, dict[str, Reviewed]] = {}
        self._queues: dict[bool, list[int]] = {}
        self.ready = threading.Event()
        """Set when no background reading (``warm``) is under way: queries wait for it."""
        self.ready.set()

    # --- keeping up with the vault ------------------------------------------------------------

    def refresh(self) -> None:
        """Read the index of every new or changed entry version; drop what is gone."""
        fresh: list[Shard] = []
        changed = False
        for kind in (PAGE_KIND, MESSAGE_KIND):
            for root_id, version_id, seq in self._store.heads(kind):
                shard = self._by_version.get(version_id)
                if shard is None:
                    shard = self._load(kind, root_id, version_id, seq)
                    changed = True
                fresh.append(shard)
        if not changed and len(fresh) == len(self.shards):
            return
        old = {shard.root_id: shard for shard in self.shards}
        same = len(fresh) == len(self.shards) and all(
            shard.root_id in old and shard.same_messages(old[shard.root_id]) for shard in fresh
        )
        fresh.sort(key=lambda shard: shard.seq)
        self.shards = fresh
        self._by_version = {shard.version_id: shard for shard in fresh}
        self._pages = {k: v for k, v in self._pages.items() if k in self._by_version}
        if same:
            self._columns()  # only review decisions changed
        else:
            self._rebuild()
            # The index is hundreds of thousands of small lists that live as long as the
            # unlock: keep the cyclic garbage collector from walking them again and again
            # (each full pass would add tens of milliseconds to whichever query ran it).
            gc.freeze()

    def _load(self, kind: str, root_id: str, version_id: str, seq: int) -> Shard:
        data = self._store.read_extra(version_id, INDEX_BLOB) if kind == PAGE_KIND else None
        if data is not None and data.get("v") == 1:
            data["w"] = fold_postings(data["w"])  # an older index: read as version 2
        elif data is None or data.get("v") != INDEX_VERSION:
            # A page written before pages had an index, or an older one-message entry:
            # read it once and index it in memory.
            entry = self._store.entry(version_id)
            payload = entry.payload or {}
            messages = page_messages(payload) if kind == PAGE_KIND else [{**payload, "id": root_id}]
            data = page_index(messages)
        return Shard(kind, root_id, version_id, seq, data)

    def _rebuild(self) -> None:
        """Every message in time order (ties: journal order), and each one's rank in it.
        Worked on flat columns (journal order) and one permutation, not per-message tuples:
        this runs once per unlock over every message."""
        times: list[float] = []
        positions: list[Position] = []
        for shard_no, shard in enumerate(self.shards):
            column = shard.data["t"]
            times += column
            positions += zip([shard_no] * len(column), range(len(column)), strict=True)
        # A stable sort of journal order by time: ties stay in journal order (shard, place).
        by_time = sorted(range(len(times)), key=times.__getitem__)
        self._by_time = by_time
        self._times = list(map(times.__getitem__, by_time))
        self._order = list(map(positions.__getitem__, by_time))
        flat_rank = [0] * len(times)
        for rank, number in enumerate(by_time):
            flat_rank[number] = rank
        self._rank, start = [], 0
        for shard in self.shards:
            end = start + len(shard.data["t"])
            self._rank.append(flat_rank[start:end])
            start = end
        self._tokens = set().union(*(shard.data["w"].keys() for shard in self.shards))
        self._columns()

    def _columns(self) -> None:
        """Flag, score and decision of each message by rank (what the review order needs)."""
        for name, column in (("f", "flag"), ("sc", "_score"), ("d", "_decision")):
            flat: list[Any] = []
            for shard in self.shards:
                flat += shard.data[name]
            setattr(self, column, list(map(flat.__getitem__, self._by_time)))
        self._queues = {}

    # --- queries --------------------------------------------------------------------------------

    def count(self) -> int:
        return len(self._order)

    def search(
        self,
        text: str | None = None,
        sender: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        conversation: str | None = None,
        flagged_only: bool = False,
    ) -> Found:
        """Messages matching every filter, in time order (as ``review.search``)."""
        self.refresh()
        ranks: list[int] | None = None
        if since or until:
            ranks = self._date_ranks(since, until)
        if text and text.strip():
            ranks = _within(ranks, self._text_ranks(text))
        if sender:
            ranks = _within(ranks, self._field_ranks("senders", fold(sender)))
        if conversation:
            ranks = _within(ranks, self._field_ranks("conversations", fold(conversation)))
        if ranks is None:
            ranks = list(range(len(self._order)))
        if flagged_only:
            ranks = [rank for rank in ranks if self.flag[rank]]
        needle = fold(text) if text else None
        exact = needle if needle and not _one_word(needle) else None
        return Found(self, sorted(ranks), exact)

    def queue(self, include_reviewed: bool = False) -> Found:
        """Flagged messages first (strongest first), then the rest by time (``review_queue``).
        Worked out once per change of the journal, then reused."""
        self.refresh()
        ranks = self._queues.get(include_reviewed)
        if ranks is None:
            flag, decision = self.flag, self._decision
            pending = [
                r for r in range(len(self._order)) if include_reviewed or decision[r] is None
            ]
            flagged = [rank for rank in pending if flag[rank]]
            score = self._score
            flagged.sort(key=lambda rank: -score[rank])  # stable: ties stay in time order
            ranks = self._queues[include_reviewed] = flagged + [r for r in pending if not flag[r]]
        return Found(self, ranks, None)

    def conversation_ranks(self) -> dict[str, list[int]]:
        """Each conversation's messages (``platform\x1fname`` -> ranks, in time order), from
        the index alone: what the share page lists one chat per line from."""
        self.refresh()
        found: dict[str, list[int]] = {}
        for shard_no, shard in enumerate(self.shards):
            names, ranks = shard.data["conversations"], self._rank[shard_no]
            for place, number in enumerate(shard.data["c"]):
                found.setdefault(names[number], []).append(ranks[place])
        for ranks_of in found.values():
            ranks_of.sort()
        return found

    def position(self, rank: int) -> tuple[Shard, int]:
        """The page (shard) holding the message at ``rank``, and its place in that page."""
        shard_no, place = self._order[rank]
        return self.shards[shard_no], place

    def payloads(self, shard: Shard) -> list[dict[str, Any]]:
        """The stored message payloads of one page, in page order, read once and not kept
        (for reading a whole chat without building a review item per message)."""
        payload = self._store.entry(shard.version_id).payload or {}
        if shard.kind == PAGE_KIND:
            return page_messages(payload)
        return [{**payload, "id": shard.root_id}]

    def decision(self, rank: int) -> str | None:
        """The person's review decision on the message at ``rank`` (None: not reviewed)."""
        return self._decision[rank]

    def time(self, rank: int) -> float:
        """The time of the message at ``rank`` (POSIX seconds; 0.0 when it had none)."""
        return self._times[rank]

    def find_id(self, prefix: str) -> tuple[Shard, int] | None:
        """The shard and place of the message whose id starts with ``prefix`` (4+ characters)."""
        self.refresh()
        for shard in self.shards:
            for place, message_id in enumerate(shard.data["ids"]):
                if message_id.startswith(prefix):
                    return shard, place
        return None

    def _date_ranks(self, since: dt.datetime | None, until: dt.datetime | None) -> list[int]:
        start = bisect.bisect_left(self._times, since.timestamp()) if since else 0
        end = bisect.bisect_right(self._times, until.timestamp()) if until else len(self._times)
        return list(range(start, end))

    def _text_ranks(self, text: str) -> list[int]:
        """Messages with every word of ``text`` inside one of their words (a superset of
        those containing ``text`` itself: exact for one word; see ``Found``)."""
        result: set[int] | None = None
        for word in set(WORD.findall(fold(text))):
            tokens = [token for token in self._tokens if word in token]
            places: set[int] = set()
            for shard_no, shard in enumerate(self.shards):
                postings, ranks = shard.data["w"], self._rank[shard_no]
                for token in tokens:
                    found = postings.get(token)
                    if found:
                        places.update(ranks[place] for place in found)
            result = places if result is None else result & places
        if result is None:  # no word characters at all: every message is a candidate
            return list(range(len(self._order)))
        return list(result)

    def _field_ranks(self, names: str, wanted: str) -> list[int]:
        """Messages whose sender (or conversation) contains ``wanted``, folded."""
        column = "s" if names == "senders" else "c"
        found: list[int] = []
        for shard_no, shard in enumerate(self.shards):
            numbers = {
                number
                for number, value in enumerate(shard.data[names])
                if wanted in fold(value.split("\x1f", 1)[-1])
            }
            if not numbers:
                continue
            ranks = self._rank[shard_no]
            if column == "s":
                found.extend(ranks[p] for n in numbers for p in shard.by_sender.get(n, ()))
            else:
                found.extend(ranks[p] for p, c in enumerate(shard.data["c"]) if c in numbers)
        return found

    # --- reading the messages a person is shown ------------------------------------------------

    def item(self, rank: int) -> Reviewed | None:
        """The message at ``rank``, read from its page (the page is kept for next time)."""
        shard_no, place = self._order[rank]
        shard = self.shards[shard_no]
        return self._page(shard).get(shard.data["ids"][place])

    def _page(self, shard: Shard) -> dict[str, Reviewed]:
        found = self._pages.get(shard.version_id)
        if found is None:
            entry = self._store.entry(shard.version_id)
            items = items_of(shard.kind, entry.payload, shard.root_id, shard.seq)
            found = self._pages[shard.version_id] = {item.entry_id: item for item in items}
        return found


def _one_word(needle: str) -> bool:
    words = WORD.findall(needle)
    return len(words) == 1 and words[0] == needle.strip()


def _within(ranks: list[int] | None, found: Iterable[int]) -> list[int]:
    """``found``, kept to ``ranks`` when an earlier filter chose some (None: no filter yet)."""
    if ranks is None:
        return list(found)
    keep = set(ranks)
    return [rank for rank in found if rank in keep]


@dataclass
class Found:
    """The answer to a query: how many, and the messages, read only when they are asked for."""

    index: MessageIndex
    ranks: list[int]
    exact: str | None
    """A phrase (or text with punctuation): the candidates' text is checked for it."""
    _checked: list[int] | None = None

    def _ranks(self) -> list[int]:
        if self.exact is None:
            return self.ranks
        if self._checked is None:
            needle, item = self.exact, self.index.item
            self._checked = [
                rank
                for rank in self.ranks
                if (found := item(rank)) is not None and needle in fold(found.message.text)
            ]
        return self._checked

    def __len__(self) -> int:
        return len(self._ranks())

    def flagged(self) -> int:
        """How many of them detection flagged."""
        flag = self.index.flag
        return sum(1 for rank in self._ranks() if flag[rank])

    def items(self, start: int = 0, stop: int | None = None) -> list[Reviewed]:
        """The messages from ``start`` to ``stop`` (all by default), reading only their pages."""
        found = (self.index.item(rank) for rank in self._ranks()[start:stop])
        return [item for item in found if item is not None]


_INDEXES: weakref.WeakKeyDictionary[object, MessageIndex] = weakref.WeakKeyDictionary()


def message_index(store: IndexedStore) -> MessageIndex:
    """The index of an unlocked vault, kept while the vault object lives. If it is being
    read in the background (``warm``), waits for that, then reads only what changed since."""
    found = _INDEXES.get(store)
    if found is None:
        found = _INDEXES[store] = MessageIndex(store)
    found.ready.wait()
    found.refresh()
    return found


def warm(store: IndexedStore, reopen: Callable[[], IndexedStore]) -> threading.Thread:
    """Start reading ``store``'s index in a background thread, right after unlock, so the
    person's first search finds it ready (or waits only for the rest) instead of paying for
    every page's index at the first query.

    Why ``reopen``: the thread reads through its own connection to the journal (a new
    unlocked vault object, closed when done), never through ``store``'s, which the request
    threads use (SQLite and PostgreSQL connections are not for two threads at once). What
    it reads is kept for ``store``: pages are the same entry versions whichever connection
    reads them. Nothing is written. A failure leaves the index empty, to be read at the
    first query as before."""
    index = _INDEXES[store] = MessageIndex(store)
    index.ready.clear()

    def run() -> None:
        try:
            copy = reopen()
            try:
                index._store = copy
                index.refresh()
            finally:
                index._store = store
                close = getattr(copy, "close", None)
                if close is not None:
                    close()
        except Exception:  # the first query reads the index itself instead
            log.warning("The search index could not be read ahead; it is read at first search.")
        finally:
            index.ready.set()

    thread = threading.Thread(target=run, name="ally-search-index", daemon=True)
    thread.start()
    return thread
