"""Fixtures for documents: a journal with incidents, messages and real image files.

The journal is an in-memory :class:`MemoryEvidence` for renderer tests, and a real vault
(SQLite, and PostgreSQL at ALLY_TEST_DATABASE_URL, which must be reachable) for the bundle.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from PIL import Image

from ally.documents.evidence import MemoryEvidence
from ally.vault import Vault

PASSPHRASE = "documents test passphrase"
WEAK = 10
PG_URL = os.environ.get("ALLY_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
UTC = dt.UTC
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"


def image_bytes(
    color: str, size: tuple[int, int] = (640, 480), fmt: str = "PNG", gps: bool = False
) -> bytes:
    """A real image; with ``gps`` a JPEG carrying an EXIF location, to check it is stripped."""
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
        exif[0x010F] = "SecretCam"
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def incident(day: int, what: str, **extra: object) -> dict[str, object]:
    start = dt.datetime(2026, 3, day, 14, 30, tzinfo=UTC).isoformat()
    return {"when": {"start": start}, "what": what, **extra}


def fill(journal: MemoryEvidence | Vault) -> dict[str, str]:
    """Three incidents (two with files), a message, a note; returns entry ids by name."""
    ids: dict[str, str] = {}

    def add(
        name: str, kind: str, payload: dict[str, object], files: list[tuple[str, str, bytes]]
    ) -> None:
        if isinstance(journal, MemoryEvidence):
            ids[name] = journal.add(kind, payload, files).id
            return
        entry = journal.add_entry(kind, payload)
        ids[name] = entry.root_id
        for filename, media_type, data in files:
            journal.attach(entry.id, io.BytesIO(data), filename, media_type)

    add(
        "shouting",
        "incident",
        incident(
            2,
            "He shouted at me in the team meeting.\n\nEveryone went quiet.",
            where="Office, 3rd floor",
            who=["Sam Boss"],
            witnesses=["Ana Lee"],
            impact="I could not sleep that night.",
            contexts=["work"],
        ),
        [
            ("screenshot.png", "image/png", image_bytes("red")),
            ("street.jpg", "image/jpeg", image_bytes("blue", (1600, 1200), "JPEG", gps=True)),
        ],
    )
    add(
        "post",
        "incident",
        incident(
            9,
            "He posted my home address <script>alert(1)</script> online.",
            who=["Sam Boss"],
            tags=["doxxing"],
            contexts=["online"],
        ),
        [("recording.m4a", "audio/mp4", b"\x00\x01not really audio" * 100)],
    )
    add(
        "message",
        "message",
        {
            "platform": "whatsapp",
            "conversation": "Sam",
            "sender": "Sam Boss",
            "timestamp": dt.datetime(2026, 3, 5, 22, 15, tzinfo=UTC).isoformat(),
            "text": "You will regret *this*.",
            "provenance": {
                "source_sha256": "ab" * 32,
                "source_name": "WhatsApp Chat with Sam.txt",
                "line": 42,
            },
            "review": {"decision": "evidence", "at": "2026-03-06T09:00:00+00:00"},
        },
        [],
    )
    add(
        "described",
        "incident",
        {
            "when": {"description": "early March, after the team meeting"},
            "what": "A comment about my clothes.",
            "contexts": ["work"],
        },
        [],
    )
    add("note", "note", {"text": "Private: talk to my sister first."}, [])
    return ids


@pytest.fixture
def journal() -> MemoryEvidence:
    source = MemoryEvidence("6-K7Q3-9XRT-M2PA-HW4D")
    fill(source)
    return source


@pytest.fixture
def pg_location() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema (dropped afterwards)."""
    schema = f"documents_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{joiner}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def vault(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Vault]:
    """A real, filled vault on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        location = str(tmp_path / "vault")
    else:
        location = request.getfixturevalue("pg_location")
    opened = Vault.create(location, PASSPHRASE, work_factor=WEAK)
    fill(opened)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """A folder under test-artifacts/ (gitignored) kept after the run for people to look at."""
    folder = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
