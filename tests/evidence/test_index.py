"""The encrypted search index: search and review answer like a scan of every message, read
only the pages they show, keep the index encrypted at rest, and follow marks and forgetting."""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path

import pytest

from ally.evidence.importers import ImportOptions
from ally.evidence.index import _INDEXES, MessageIndex, message_index, warm
from ally.evidence.indexing import INDEX_BLOB, WORD, page_index
from ally.evidence.pipeline import import_file
from ally.evidence.review import forget_message, mark, review_queue, search, stored_messages
from ally.model.pages import PAGE_KIND
from ally.vault import Vault
from ally.web.vaults import VaultKeeper

PASSPHRASE = "index tests passphrase"
UTC = ImportOptions(timezone=dt.UTC)
SENDERS = ["Sam Porter", "Alex", "Jordan Lee", "+44 7700 900461"]
LINES = [
    "are we still on for dinner tonight?",
    "Dinners at mum's are always long",
    "I know where you live and I will find you",
    "stop texting me please",
    "you are a worthless idiot",
    "see you at the meeting, Jordan",
    "Café at 12:30?",
    "the parcel came, thanks!",
    "if you tell HR I'll make sure you regret it",
    "ok",
]


def chat(path: Path, count: int = 700, seed: int = 7) -> Path:
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, 8, 0)
    rows = []
    for number in range(count):
        moment = start + dt.timedelta(minutes=37 * number)
        text = rng.choice(LINES) + ("" if number % 5 else f" #{number}")
        stamp = f"{moment.month}/{moment.day}/{moment:%y}, {moment:%I:%M %p}".replace(" 0", " ")
        rows.append(f"{stamp} - {rng.choice(SENDERS)}: {text}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    opened = Vault.create(tmp_path / "vault", PASSPHRASE, work_factor=10)
    import_file(opened, chat(tmp_path / "WhatsApp Chat with Sam.txt"), UTC)
    return opened


def ids(items: object) -> list[str]:
    return [item.entry_id for item in items]  # type: ignore[attr-defined]


QUERIES: list[dict[str, object]] = [
    {"text": "dinner"},
    {"text": "DINNER"},
    {"text": "stop texting"},
    {"text": "12:30"},
    {"text": "#1"},
    {"text": "café"},
    {"text": "nothing like this"},
    {"sender": "sam"},
    {"sender": "7700"},
    {"conversation": "sam"},
    {
        "since": dt.datetime(2024, 1, 3, tzinfo=dt.UTC),
        "until": dt.datetime(2024, 1, 5, tzinfo=dt.UTC),
    },
    {"text": "you", "sender": "jordan", "flagged_only": True},
    {"flagged_only": True},
    {},
]


@pytest.mark.parametrize("query", QUERIES)
def test_index_answers_like_a_scan(vault: Vault, query: dict[str, object]) -> None:
    scanned = search(stored_messages(vault), **query)  # type: ignore[arg-type]
    found = message_index(vault).search(**query)  # type: ignore[arg-type]
    assert len(found) == len(scanned)
    assert ids(found.items()) == ids(scanned)
    assert ids(found.items(3, 9)) == ids(scanned[3:9])


def test_queue_answers_like_a_scan_and_follows_marks(vault: Vault) -> None:
    index = message_index(vault)
    queue = index.queue()
    expected = review_queue(stored_messages(vault))
    assert ids(queue.items()) == ids(expected) and queue.flagged() == sum(
        i.flagged for i in expected
    )
    first = queue.items(0, 1)[0]
    assert first.flagged
    mark(vault, first.entry_id, "evidence")
    after = message_index(vault).queue()
    assert len(after) == len(queue) - 1 and first.entry_id not in ids(after.items(0, 30))
    reviewed = message_index(vault).queue(include_reviewed=True)
    assert ids(reviewed.items()) == ids(review_queue(stored_messages(vault), include_reviewed=True))


def test_a_fresh_unlock_reads_only_the_index_and_the_pages_shown(
    tmp_path: Path, vault: Vault
) -> None:
    vault.close()
    with Vault.open(tmp_path / "vault", PASSPHRASE) as opened:
        opened_entries: list[str] = []
        real = opened.entry

        def counting(ref: str) -> object:
            opened_entries.append(ref)
            return real(ref)

        opened.entry = counting  # type: ignore[method-assign]
        index = MessageIndex(opened)
        index.refresh()
        assert len(index.shards) == len(opened.heads(PAGE_KIND)) > 1 and index.count() == 700
        found = index.search(text="dinner")
        assert len(found) > 100 and opened_entries == []  # counted from the index alone
        shown = found.items(0, 5)
        assert len(shown) == 5 and len(set(opened_entries)) == 1  # the first five: one page


def test_the_index_is_encrypted_at_rest_and_verified(vault: Vault, tmp_path: Path) -> None:
    heads = vault.heads(PAGE_KIND)
    assert len(heads) > 1
    for _, version, _ in heads:
        stored = vault.read_extra(version, INDEX_BLOB)
        assert stored is not None and "dinner" in stored["w"]
    raw = b"".join(bytes(row[0]) for row in vault.store.db.query("SELECT data FROM vault_chunks"))
    for word in (b"dinner", b"texting", b"worthless", b"Porter"):
        assert word not in raw
    assert vault.verify().ok


def test_the_index_an_import_writes_is_the_index_of_its_pages(vault: Vault) -> None:
    """An import hands ``page_index`` each message's time instead of letting it parse the
    stored ISO text again: the index written is exactly the one the stored page gives."""
    heads = vault.heads(PAGE_KIND)
    assert len(heads) > 1
    for _, version, _ in heads:
        payload = vault.entry(version).payload
        assert payload is not None
        assert vault.read_extra(version, INDEX_BLOB) == page_index(payload["messages"])


def test_forgetting_a_message_takes_its_words_out_of_the_index(vault: Vault) -> None:
    pages = len(vault.heads(PAGE_KIND))
    [target] = message_index(vault).search(text="#695").items()  # only message 695 says "#695"
    assert len(message_index(vault).search(text="#695")) == 1
    forget_message(vault, target.entry_id)
    assert len(message_index(vault).search(text="#695")) == 0
    assert target.entry_id not in ids(message_index(vault).search().items())
    for _, version, _ in vault.heads(PAGE_KIND):
        stored = vault.read_extra(version, INDEX_BLOB)
        assert stored is not None and target.entry_id not in stored["ids"]
    keys = [row[0] for row in vault.store.db.query("SELECT DISTINCT blob FROM vault_chunks")]
    index_blobs = [key for key in keys if key.endswith(":" + INDEX_BLOB)]
    assert len(index_blobs) == pages  # the forgotten page's index went with it
    assert vault.verify().ok


def test_pages_without_an_index_are_indexed_in_memory(vault: Vault) -> None:
    messages = [
        {**stored.message.to_payload(), "id": f"{i:016x}", "text": f"older page word{i}"}
        for i, stored in enumerate(stored_messages(vault)[:3])
    ]
    with vault.batch() as batch:
        batch.add(PAGE_KIND, {"title": "3 imported messages", "messages": messages})
    found = message_index(vault).search(text="word1")
    assert ids(found.items()) == [f"{1:016x}"]
    assert page_index(messages)["w"]["older"] == [0, 1, 2]


ACCENTED = [
    "Nos vemos mañana en la estación",
    "¿Dónde estás? Te vi en el café",
    "Ça va ? Où es-tu, Élodie ?",
    "Je sais où tu habites, près de l'hôpital",
    "ok",
]


@pytest.fixture(scope="module")
def accented(tmp_path_factory: pytest.TempPathFactory) -> Vault:
    tmp_path = tmp_path_factory.mktemp("accents")
    opened = Vault.create(tmp_path / "accents", PASSPHRASE, work_factor=10)
    rows = [
        f"1/{day}/24, 9:{day:02d} AM - Élodie Durand: {text}"
        for day, text in enumerate(ACCENTED, start=1)
    ]
    path = tmp_path / "WhatsApp Chat with Élodie.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_file(opened, path, UTC)
    return opened


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"text": "manana"}, ["Nos vemos mañana en la estación"]),
        ({"text": "MAÑANA"}, ["Nos vemos mañana en la estación"]),
        ({"text": "estacion"}, ["Nos vemos mañana en la estación"]),
        ({"text": "donde estas"}, ["¿Dónde estás? Te vi en el café"]),
        ({"text": "cafe"}, ["¿Dónde estás? Te vi en el café"]),
        ({"text": "ca va"}, ["Ça va ? Où es-tu, Élodie ?"]),
        (
            {"text": "ou"},
            ["Ça va ? Où es-tu, Élodie ?", "Je sais où tu habites, près de l'hôpital"],
        ),
        ({"text": "hopital"}, ["Je sais où tu habites, près de l'hôpital"]),
        ({"text": "pres de l'hopital"}, ["Je sais où tu habites, près de l'hôpital"]),
        ({"text": "elodie", "sender": "elodie"}, ["Ça va ? Où es-tu, Élodie ?"]),
    ],
)
def test_search_ignores_accents_in_spanish_and_french(
    accented: Vault, query: dict[str, object], expected: list[str]
) -> None:
    found = message_index(accented).search(**query)  # type: ignore[arg-type]
    assert [item.message.text for item in found.items()] == expected
    scanned = search(stored_messages(accented), **query)  # type: ignore[arg-type]
    assert ids(scanned) == ids(found.items())


def test_an_older_index_without_folded_words_is_read_compatibly(
    accented: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journal written before accents were folded (index version 1: words casefolded only)
    answers "manana" without rebuilding its pages."""
    real, real_entry = accented.read_extra, accented.entry

    def older(version_id: str, name: str) -> dict[str, object] | None:
        data = real(version_id, name)
        assert data is not None and data["v"] == 2
        payload = real_entry(version_id).payload
        assert payload is not None
        postings: dict[str, list[int]] = {}
        for place, message in enumerate(payload["messages"]):
            for word in set(WORD.findall(str(message.get("text") or "").casefold())):
                postings.setdefault(word, []).append(place)
        assert "mañana" in postings and "manana" not in postings
        return {**data, "v": 1, "w": postings}

    monkeypatch.setattr(accented, "read_extra", older)
    read_pages: list[str] = []

    def counting(ref: str) -> object:
        read_pages.append(ref)
        return real_entry(ref)

    index = MessageIndex(accented)
    monkeypatch.setattr(accented, "entry", counting)
    found = index.search(text="manana")
    assert len(found) == 1 and read_pages == []  # answered from the index alone
    assert [item.message.text for item in found.items()] == ["Nos vemos mañana en la estación"]


def _refuse(*_args: object) -> None:
    raise AssertionError("read through the request's connection")


def test_unlocking_in_the_web_app_reads_the_index_ahead(vault: Vault, tmp_path: Path) -> None:
    """After unlock the index is read in the background through a connection of its own:
    the first search reads no index file through the vault the requests use, and answers
    exactly like a scan."""
    vault.close()
    keeper = VaultKeeper(str(tmp_path / "vault"), clock=time.monotonic)
    keeper.unlock("session-1", PASSPHRASE, 600, "test client")
    with keeper.using("session-1") as opened:
        assert opened is not None
        index = _INDEXES[opened]
        assert index.ready.wait(30)
        opened.read_extra = _refuse  # type: ignore[method-assign]
        found = message_index(opened).search(text="dinner")
        assert index.count() == 700 and message_index(opened) is index
        opened.read_extra = Vault.read_extra.__get__(opened)  # type: ignore[method-assign]
        assert ids(found.items()) == ids(search(stored_messages(opened), text="dinner"))
    keeper.lock_all()


def test_a_failed_read_ahead_leaves_the_first_search_to_read_the_index(vault: Vault) -> None:
    def broken() -> Vault:
        raise OSError("the journal could not be opened again")

    warm(vault, broken).join(30)
    found = message_index(vault).search(text="café")
    assert len(found) == len(search(stored_messages(vault), text="café")) > 0
