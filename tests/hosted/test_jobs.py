"""Hosted imports and reports on the Procrastinate queue, with real `ally worker` processes on
real PostgreSQL: progress on a page without JavaScript, a worker SIGKILLed mid-import whose
job another worker finishes with each message stored exactly once, a job that waits for the
person's next unlock when every worker it was sealed to has died, and no journal key, message
or report in the database in clear."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from ally.evidence.review import stored_messages
from ally.hosted.accounts import Accounts, vault_location
from ally.hosted.jobs import JobStore
from ally.hosted.store import HostedStore
from ally.vault import Vault
from ally.vault.crypto import Identity
from tests.hosted.conftest import FAST, Clock
from tests.hosted.test_web import JOURNAL_A, create_journal, hosted_app, sign_up
from tests.web.conftest import Browser

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MARKER = "QUEUE-CHAT-MARKER-7730"
REPORT_MARKER = "QUEUE-REPORT-MARKER-2291"
HEARTBEAT = 1.0
"""Seconds between a test worker's 'alive' marks: silent for 3 s, it counts as stopped (long
enough that a worker starved of CPU on a loaded test machine is not taken for dead)."""


def chat(count: int) -> bytes:
    """A WhatsApp text export of ``count`` distinct messages, one a minute."""
    start = dt.datetime(2025, 1, 1)
    lines = []
    for number in range(count):
        at = start + dt.timedelta(minutes=number)
        hour = at.hour % 12 or 12
        half = "AM" if at.hour < 12 else "PM"
        lines.append(
            f"{at.month}/{at.day}/{at.year % 100:02d}, {hour}:{at.minute:02d} {half} - Sam: "
            f"message {number} {MARKER}"
        )
    return ("\n".join(lines) + "\n").encode()


class Workers:
    """`ally worker` processes on the test database, each known by the id it prints."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.running: dict[str, subprocess.Popen[str]] = {}

    def start(self) -> str:
        process = subprocess.Popen(
            [sys.executable, "-m", "ally.cli.main", "worker", "--database", self.url,
             "--heartbeat", str(HEARTBEAT)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
        )  # fmt: skip
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"worker ([0-9a-f]{16}) is running", line)
        assert found, (
            f"ally worker did not start: {line!r} {process.stderr.read() if process.stderr else ''}"
        )
        self.running[found.group(1)] = process
        return found.group(1)

    def kill(self, worker: str) -> None:
        process = self.running.pop(worker)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)

    def stop_all(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


@pytest.fixture
def workers(pg_url: str) -> Iterator[Workers]:
    made = Workers(pg_url)
    yield made
    made.stop_all()


@pytest.fixture
def app(pg_url: str, clock: Clock) -> Iterator[FastAPI]:
    store = HostedStore(pg_url)
    Accounts(store, FAST, clock).create_org("Shelter North", "north", open_signup=True)
    store.close()
    yield hosted_app(pg_url, clock)


def job_row(url: str, job: str) -> dict[str, Any]:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT state, worker, done, total, sealed_for FROM queue_jobs WHERE id = %s", (job,)
        ).fetchone()
    assert row is not None
    return dict(zip(("state", "worker", "done", "total", "sealed_for"), row, strict=True))


def wait_until(
    what: str, check: Callable[[], bool], timeout: float = 240, every: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        time.sleep(every)


def upload(person: Browser, content: bytes) -> str:
    """Post the import form; returns the job's id from the page it leads to."""
    person.open("/evidence/import")
    response = person.client.post(
        "/evidence/import",
        data={"csrf": person.csrf, "timezone": "UTC"},
        files=[("export", ("WhatsApp Chat with Sam.txt", content, "text/plain"))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    found = re.fullmatch(r"/jobs/([0-9a-f]{16})", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def journal_of(url: str, name: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT vault FROM hosted_accounts WHERE login = %s", (name,)).fetchone()
    assert row is not None
    return vault_location(url, str(row[0]))


def message_texts(url: str, name: str) -> list[str]:
    with Vault.open(journal_of(url, name), JOURNAL_A) as vault:
        return [str(m.message.text) for m in stored_messages(vault)]


def _as_text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def database_text(url: str) -> str:
    """Every row of the job and queue tables, as text (what a database thief reads)."""
    with psycopg.connect(url, autocommit=True) as conn:
        parts = []
        for table in ("queue_jobs", "queue_job_files", "queue_workers", "procrastinate_jobs"):
            for row in conn.execute(f"SELECT * FROM {table}").fetchall():
                parts.extend(_as_text(value) for value in row)
    return "\n".join(parts)


def test_a_worker_killed_mid_import_is_replaced_and_each_message_is_stored_once(
    app: FastAPI, workers: Workers, pg_url: str, clock: Clock
) -> None:
    first, second = workers.start(), workers.start()
    person = sign_up(app, "alice")
    create_journal(person, JOURNAL_A)
    count = 30_000
    job = upload(person, chat(count))
    page = person.open(f"/jobs/{job}")
    assert page.status_code == 200
    assert '<meta http-equiv="refresh"' in page.text  # polls without JavaScript
    assert "Importing your file" in page.text
    wait_until(
        "the import to be under way",
        lambda: (row := job_row(pg_url, job))["state"] == "running" and 0 < row["done"] < count,
    )
    running = job_row(pg_url, job)
    assert set(running["sealed_for"].split()) == {first, second}
    progress = person.open(f"/jobs/{job}")
    assert "read so far" in progress.text and "<progress" in progress.text
    # Another app process, where the journal is not open, shows the same progress.
    elsewhere = Browser(TestClient(hosted_app(pg_url, clock)))
    elsewhere.client.cookies = person.client.cookies
    away = elsewhere.open(f"/jobs/{job}")
    assert away.status_code == 200 and "paused" not in away.text
    assert "read so far" in away.text and '<meta http-equiv="refresh"' in away.text
    killed = running["worker"]
    workers.kill(killed)
    assert job_row(pg_url, job)["state"] == "running"  # the dead worker's job, half-way
    wait_until("another worker to finish it", lambda: job_row(pg_url, job)["state"] == "done")
    assert job_row(pg_url, job)["worker"] == ({first, second} - {killed}).pop()
    result = person.open(f"/jobs/{job}")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", result.text))
    assert "Import finished" in text and f"{count} messages read" in text, text
    assert f"{count} messages added to your journal" in text
    listed = person.open("/evidence/import")
    assert f'href="/jobs/{job}"' in listed.text and "Finished" in listed.text
    texts = message_texts(pg_url, "alice")
    assert len(texts) == count and len(set(texts)) == count  # each message exactly once
    assert sorted(texts) == sorted(f"message {n} {MARKER}" for n in range(count))
    stored = database_text(pg_url)
    assert MARKER not in stored and "AGE-SECRET-KEY" not in stored
    with psycopg.connect(pg_url, autocommit=True) as conn:
        left = conn.execute("SELECT count(*) FROM queue_job_files").fetchone()
        key = conn.execute("SELECT key_seal FROM queue_jobs").fetchone()
    assert left == (0,) and key == (None,)  # the upload and the sealed key are gone


def test_a_job_whose_workers_all_died_waits_for_the_next_unlock(
    app: FastAPI, workers: Workers, pg_url: str
) -> None:
    only = workers.start()
    person = sign_up(app, "alice")
    create_journal(person, JOURNAL_A)
    count = 20_000
    job = upload(person, chat(count))
    wait_until(
        "the import to be under way",
        lambda: (row := job_row(pg_url, job))["state"] == "running" and row["done"] > 0,
    )
    workers.kill(only)
    time.sleep(HEARTBEAT * 4)  # long enough for it to count as stopped
    stalled = person.open(f"/jobs/{job}")
    assert "helper for this is not running just now" in stalled.text
    assert "nothing was half-added" in stalled.text
    person.post("/journal/lock", {})
    paused = person.open(f"/jobs/{job}")
    assert paused.status_code == 200
    assert "paused while your journal is locked" in paused.text
    assert "Nothing was lost, and nothing was half-added" in paused.text
    assert f'href="/journal?next=/jobs/{job}"' in paused.text
    assert '<meta http-equiv="refresh"' not in paused.text
    replacement = workers.start()
    # The new worker retries the dead one's job, finds it cannot open the seal, and leaves it.
    wait_until("the new worker to try", lambda: job_row(pg_url, job)["state"] == "waiting")
    assert replacement not in job_row(pg_url, job)["sealed_for"]
    person.open(f"/journal?next=/jobs/{job}")
    unlocked = person.post("/journal/unlock", {"passphrase": JOURNAL_A, "next": f"/jobs/{job}"})
    assert unlocked.status_code == 303 and unlocked.headers["location"] == f"/jobs/{job}"
    assert job_row(pg_url, job)["sealed_for"] == replacement  # sealed afresh at the unlock
    wait_until("the new worker to finish it", lambda: job_row(pg_url, job)["state"] == "done")
    texts = message_texts(pg_url, "alice")
    assert len(texts) == count and len(set(texts)) == count


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_job_whose_helper_stopped_says_so_instead_of_a_frozen_count(
    app: FastAPI, pg_url: str
) -> None:
    """Between a worker's death and another worker's retry the count stands still; the page
    says the helper stopped and the import will start again, not "200 of 60,000"."""
    person = sign_up(app, "alice")
    create_journal(person, JOURNAL_A)
    job = upload(person, chat(50))
    store = JobStore(pg_url)
    alive = "a1a1a1a1a1a1a1a1"
    store.register_worker(alive, Identity.generate().recipient, stale_after=600)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE queue_jobs SET state = 'running', worker = %s, done = 20, total = 50"
            " WHERE id = %s",
            ("deaddeaddeaddead", job),  # a worker that is not (or no longer) alive
        )
    stopped = plain(person.open(f"/jobs/{job}").text)
    assert "The helper working on this stopped part-way" in stopped
    assert "start it again from the beginning" in stopped and "Nothing was half-added" in stopped
    assert "20 of 50 read so far" not in stopped
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE queue_jobs SET worker = %s WHERE id = %s", (alive, job))
    running = plain(person.open(f"/jobs/{job}").text)
    assert "20 of 50 read so far" in running and "stopped part-way" not in running
    store.retire(alive)
    store.close()


def test_a_report_is_made_by_a_worker_and_read_only_with_the_journal(
    app: FastAPI, workers: Workers, pg_url: str
) -> None:
    workers.start()
    person = sign_up(app, "alice")
    create_journal(person, JOURNAL_A)
    person.open("/journal/new")
    made = person.client.post(
        "/journal/new",
        data={
            "csrf": person.csrf,
            "when_date": "2026-05-03",
            "what": f"At the gate. {REPORT_MARKER}",
        },
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert made.status_code == 303
    person.open("/documents")
    asked = person.client.post(
        "/documents/report",
        data={"csrf": person.csrf, "format": "md", "paper": "A4", "title": "For the police",
              "name": "", "since": "", "until": ""},
        follow_redirects=False,
    )  # fmt: skip
    assert asked.status_code == 303, asked.text[:300]
    job = asked.headers["location"].rsplit("/", 1)[1]
    wait_until("the report", lambda: job_row(pg_url, job)["state"] == "done", every=0.2)
    ready = person.open(f"/jobs/{job}")
    assert "Your report is ready" in ready.text and "7 days" in ready.text
    listed = person.open("/documents")
    assert f'href="/jobs/{job}"' in listed.text and "Your reports" in listed.text
    assert REPORT_MARKER not in database_text(pg_url)  # the report rests sealed
    other = sign_up(app, "bob")
    assert other.open(f"/jobs/{job}").status_code == 404
    refused = other.client.post(f"/jobs/{job}/download", data={"csrf": other.csrf})
    assert refused.status_code == 404 and REPORT_MARKER not in refused.text
    report = person.client.post(f"/jobs/{job}/download", data={"csrf": person.csrf})
    assert report.status_code == 200
    assert "attachment" in report.headers["content-disposition"]
    assert "For the police" in report.text and REPORT_MARKER in report.text
    person.open("/documents")  # the PDF is typeset by the worker too
    asked = person.client.post(
        "/documents/report",
        data={"csrf": person.csrf, "format": "pdf", "paper": "A4", "title": "For the court",
              "name": "", "since": "", "until": ""},
        follow_redirects=False,
    )  # fmt: skip
    pdf_job = asked.headers["location"].rsplit("/", 1)[1]
    wait_until("the PDF", lambda: job_row(pg_url, pdf_job)["state"] == "done", every=0.2)
    person.open(f"/jobs/{pdf_job}")
    pdf = person.client.post(f"/jobs/{pdf_job}/download", data={"csrf": person.csrf})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert REPORT_MARKER in text and "For the court" in text


def test_a_worker_stopped_with_sigterm_says_goodbye(workers: Workers, pg_url: str) -> None:
    """A clean stop takes the worker off the list at once: nothing more is sealed to it."""
    worker = workers.start()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        listed = conn.execute("SELECT id FROM queue_workers").fetchall()
    assert listed == [(worker,)]
    process = workers.running.pop(worker)
    process.terminate()
    assert process.wait(timeout=120) == 0
    assert process.stdout is not None and "has stopped" in process.stdout.read()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT id FROM queue_workers").fetchall() == []
