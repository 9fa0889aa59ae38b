"""Uploads that are too large, break off or fail save nothing, and give their space back."""

from __future__ import annotations

import re
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from ally.web import create_app
from ally.web.state import WebState
from tests.web.conftest import JOURNAL_PASSPHRASE, Browser, LiveServer, make_config

LIMIT = 8 * 1024 * 1024
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def vault_db(app: FastAPI) -> Path:
    state: WebState = app.state.web
    assert state.vaults is not None
    return Path(state.vaults.location) / "vault.db"


def footprint(db: Path) -> tuple[int, int]:
    """Bytes the vault takes on disk (file and WAL), and its number of records."""
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    with sqlite3.connect(db) as conn:
        (records,) = conn.execute("SELECT count(*) FROM vault_records").fetchone()
    return size, records


@pytest.fixture
def small_limit_server(tmp_path: Path) -> Iterator[tuple[LiveServer, FastAPI]]:
    app = create_app(make_config(tmp_path / "web.sqlite3", max_upload_bytes=LIMIT))
    with LiveServer(app) as server:
        yield server, app


def _open_journal(server: LiveServer) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=server.url, timeout=60)
    token = _CSRF.findall(client.get("/journal").text)[0]
    data = {"csrf": token, "passphrase": JOURNAL_PASSPHRASE, "confirm": JOURNAL_PASSPHRASE}
    client.post("/journal/create", data=data)
    page = client.get("/journal/new")
    return client, _CSRF.findall(page.text)[0]


def _raw_post(server: LiveServer, client: httpx.Client, length: int, body: bytes) -> socket.socket:
    cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    head = (
        "POST /journal/new HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        f"Cookie: {cookies}\r\n"
        "Content-Type: multipart/form-data; boundary=BOUNDARY\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    sock.sendall(head + body)
    return sock


def _read_answer(sock: socket.socket) -> str:
    """The whole response: its head, then as many body bytes as it announces."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.findall(rb"content-length: (\d+)", head.lower())[0])
    while len(body) < length:
        body += sock.recv(65536)
    return (head + b"\r\n\r\n" + body).decode("utf-8")


def _part(name: str, value: str) -> bytes:
    return (
        f'--BOUNDARY\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()


def _file_head(name: str) -> bytes:
    return (
        f'--BOUNDARY\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


def test_an_oversized_upload_is_refused_before_its_body_is_read(
    small_limit_server: tuple[LiveServer, FastAPI],
) -> None:
    server, app = small_limit_server
    client, _ = _open_journal(server)
    before = footprint(vault_db(app))
    started = time.monotonic()
    # Ten gigabytes announced, not one byte of them sent: an answer can only come at once.
    sock = _raw_post(server, client, 10 * 1024**3, b"")
    answer = _read_answer(sock)
    sock.close()
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "These files are too large for Ally to keep. Nothing was saved." in answer
    assert time.monotonic() - started < 30  # at once, not when a body came (none will)
    assert footprint(vault_db(app)) == before
    client.close()


def test_an_upload_that_breaks_off_saves_nothing_and_gives_the_space_back(
    small_limit_server: tuple[LiveServer, FastAPI],
) -> None:
    server, app = small_limit_server
    client, token = _open_journal(server)
    db = vault_db(app)
    before_size, before_records = footprint(db)
    form = _part("csrf", token) + _part("when_words", "yesterday") + _part("what", "He hit me.")
    sock = _raw_post(server, client, 7 * 1024 * 1024, form + _file_head("video.mp4"))
    for _ in range(6):  # six of the seven megabytes, then the connection drops
        sock.sendall(b"\x00" * (1024 * 1024))
    time.sleep(1)
    sock.close()
    deadline = time.monotonic() + 60
    while True:  # the server notices the break, drops the rows and shrinks the file
        size, records = footprint(db)
        with sqlite3.connect(db) as conn:
            pending = conn.execute("SELECT count(*) FROM vault_pending").fetchone()[0]
        if pending == 0 and size <= before_size + 256 * 1024:
            break
        assert time.monotonic() < deadline, (size, before_size, pending)
        time.sleep(0.2)
    assert records == before_records
    page = client.get("/journal").text
    assert "Nothing here yet" in page  # no incident without its file
    client.close()


def test_an_incident_is_saved_only_with_all_its_files(
    journal: Browser, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ally.vault import AttachmentWriter

    original = AttachmentWriter.finish
    calls = {"n": 0}

    def second_file_fails(self: AttachmentWriter) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("the disk is full")
        original(self)

    monkeypatch.setattr(AttachmentWriter, "finish", second_file_fails)
    before = footprint(vault_db(app))
    journal.open("/journal/new")
    failed = journal.client.post(
        "/journal/new",
        data={"csrf": journal.csrf, "when_words": "today", "what": "He shouted."},
        files=[
            ("files", ("one.jpg", b"first" * 1000, "image/jpeg")),
            ("files", ("two.jpg", b"second" * 1000, "image/jpeg")),
        ],
    )
    assert failed.status_code == 500
    assert footprint(vault_db(app))[1] == before[1]
    with sqlite3.connect(vault_db(app)) as conn:
        assert conn.execute("SELECT count(*) FROM vault_pending").fetchone() == (0,)
    monkeypatch.setattr(AttachmentWriter, "finish", original)
    assert "Nothing here yet" in journal.open("/journal").text


def test_files_attached_later_are_added_together_or_not_at_all(journal: Browser) -> None:
    journal.open("/journal/new")
    saved = journal.client.post(
        "/journal/new",
        data={"csrf": journal.csrf, "when_words": "today", "what": "He shouted."},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    entry = saved.headers["location"]
    journal.open(entry)
    both = journal.client.post(
        f"{entry}/attach",
        data={"csrf": journal.csrf},
        files=[("files", ("a.png", b"a" * 10, "image/png")), ("files", ("b.png", b"b", "x/y"))],
        follow_redirects=True,
    )
    assert "a.png" in both.text and "b.png" in both.text


def test_a_new_vault_can_give_space_back_at_once(tmp_path: Path) -> None:
    from ally.storage.database import Database

    db = Database(tmp_path / "x.db")
    with db.transaction() as tx:
        tx.execute("CREATE TABLE t (x BLOB)")
    for _ in range(20):
        with db.transaction() as tx:
            tx.execute("INSERT INTO t VALUES (?)", (b"\x01" * (1 << 20),))
    with db.transaction() as tx:
        tx.execute("DELETE FROM t")
    db.reclaim()
    assert (tmp_path / "x.db").stat().st_size < 256 * 1024
    assert (tmp_path / "x.db-wal").stat().st_size == 0
    db.close()


def test_an_older_database_is_converted_once_it_is_worth_it(tmp_path: Path) -> None:
    from ally.storage.database import Database

    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)  # as an older Ally made it
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE t (x BLOB)")
    for _ in range(24):
        old.execute("INSERT INTO t VALUES (?)", (b"\x01" * (1 << 20),))
    old.execute("DELETE FROM t")
    old.close()
    db = Database(path)
    db.reclaim(worth_bytes=64 << 20)  # 24 MiB free: not worth a full rewrite yet
    assert path.stat().st_size > 20 << 20
    db.reclaim(worth_bytes=16 << 20)
    assert path.stat().st_size < 256 * 1024
    assert db.query("PRAGMA auto_vacuum") == [(2,)]
    db.close()
