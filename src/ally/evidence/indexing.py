"""The search index of one page of imported messages: built when the page is written.

A page (``ally.model.pages``) holds up to 256 messages. Beside its content, the page's record
holds a second encrypted file, ``index``: for each message its id, time, sender, conversation,
detection flag and score, review decision, and the words it contains (casefolded), as a
posting list (word -> the messages that contain it). It is sealed to the same keys as the page
and written in the same transaction as each version of the page (import, review decision,
forgetting a message), so it can never disagree with the page, and forgetting the page deletes
it. After unlock, search and review read these small files instead of every message (see
``ally.evidence.index``). Nothing here is stored in the clear. This module does no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from typing import Any

INDEX_BLOB = "index"
"""The name of the index file in a page's record (its content is ``content``)."""
INDEX_VERSION = 2
"""2: words are folded (``fold``). A version 1 index (casefolded only) is read by folding its
words when it is loaded (``fold_postings``), so older journals need no rebuild."""
WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Casefolded, with accents and other marks dropped (NFKD): "Mañana" and "manana" are
    the same word to a search, as a person typing on a phone without accents expects."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> set[str]:
    """The distinct words of a text, folded (what a search looks for)."""
    return set(WORD.findall(fold(text)))


def fold_postings(postings: dict[str, list[int]]) -> dict[str, list[int]]:
    """A version 1 index's posting lists with their words folded (words that fold to the
    same one are merged), read as a version 2 index would have them."""
    out: dict[str, list[int]] = {}
    for word, places in postings.items():
        key = fold(word)
        if key in out:
            out[key] = sorted({*out[key], *places})
        else:
            out[key] = places
    return out


def _moment(value: Any) -> float:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _numbered(values: list[str], value: str) -> int:
    """The position of a value in a short list of distinct values, added if new."""
    try:
        return values.index(value)
    except ValueError:
        values.append(value)
        return len(values) - 1


def page_index(messages: list[dict[str, Any]], times: list[float] | None = None) -> dict[str, Any]:
    """The index of a page's messages (their payloads, as stored), in page order. ``times``:
    each message's time as a POSIX timestamp, when the caller has it (an import does): the
    same as reading it back from the payload's ISO text, without parsing it again."""
    senders: list[str] = []
    conversations: list[str] = []
    out: dict[str, Any] = {
        "v": INDEX_VERSION,
        "ids": [],
        "t": [],
        "s": [],
        "c": [],
        "f": [],
        "sc": [],
        "d": [],
        "senders": senders,
        "conversations": conversations,
    }
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for place, message in enumerate(messages):
        detection = message.get("detection") or {}
        scores = detection.get("scores") or {}
        review = message.get("review") or {}
        out["ids"].append(str(message.get("id", "")))
        if times is None:
            out["t"].append(_moment(message.get("timestamp")))
        out["s"].append(_numbered(senders, str(message.get("sender") or "")))
        conversation = f"{message.get('platform', '')}\x1f{message.get('conversation', '')}"
        out["c"].append(_numbered(conversations, conversation))
        out["f"].append(1 if detection.get("flagged") else 0)
        out["sc"].append(max(map(float, scores.values()), default=0.0))
        out["d"].append(review.get("decision") if isinstance(review, dict) else None)
        for word in words(str(message.get("text") or "")):
            postings[word].append(place)
    if times is not None:
        out["t"] = list(times)
    out["w"] = dict(postings)
    return out
