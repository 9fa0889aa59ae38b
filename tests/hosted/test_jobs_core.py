"""The job core on real PostgreSQL, with a worker's key in this process (no worker process):
what is sealed to whom, a worker not among a job's recipients leaves it waiting, a job whose
journal is gone is given up, a job is never sealed with another journal's key (a decoy's),
and finished jobs are forgotten after their keeping time."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest

from ally.evidence.review import stored_messages
from ally.hosted.accounts import Account, Accounts, vault_location
from ally.hosted.jobs import JobStore, belongs, schema_of
from ally.hosted.store import HostedStore
from ally.hosted.worker import JobRunner
from ally.vault import Identity, Vault
from tests.hosted.conftest import FAST, PASSWORD, WEAK, Clock

pytestmark = pytest.mark.postgres

PASSPHRASE = "lantern orbit pepper quietly"
MARKER = "CORE-JOB-MARKER-4410"
CHAT = (
    f"1/15/26, 9:06 PM - Sam: I know where you live {MARKER}\n"
    "1/15/26, 9:07 PM - Sam: answer me\n"
    "1/16/26, 12:01 AM - Alex: leave me alone\n"
).encode()
OPTIONS = {"timezone": "UTC", "filename": "WhatsApp Chat with Sam.txt", "strict": False}


@pytest.fixture
def person(pg_url: str, clock: Clock) -> Iterator[tuple[Account, str]]:
    store = HostedStore(pg_url)
    accounts = Accounts(store, FAST, clock)
    org = accounts.create_org("North", "north", open_signup=True)
    account = accounts.sign_up(org, "alice", PASSWORD)
    assert account.vault is not None
    yield account, vault_location(pg_url, account.vault)
    store.close()


@pytest.fixture
def jobs(pg_url: str) -> Iterator[JobStore]:
    made = JobStore(pg_url)
    yield made
    made.close()


def worker(jobs: JobStore, name: str) -> tuple[str, Identity]:
    identity = Identity.generate()
    jobs.register_worker(name, identity.recipient, stale_after=30)
    return name, identity


def test_an_import_runs_with_the_key_sealed_to_the_worker_alive_then(
    person: tuple[Account, str], jobs: JobStore, pg_url: str
) -> None:
    account, where = person
    first = worker(jobs, "a" * 16)
    with Vault.create(where, PASSPHRASE, work_factor=WEAK) as vault:
        job = jobs.create(account.id, "import", vault, OPTIONS, [CHAT])
        assert jobs.get(job).state == "waiting"  # until it is sealed to a worker
        assert jobs.reseal(jobs.get(job), vault) == (first[0],)
    queued = jobs.get(job, account.id)
    assert queued.state == "queued" and queued.sealed_for == (first[0],)
    assert schema_of(where) == account.vault
    late = worker(jobs, "b" * 16)  # started after the job was sealed: cannot open it
    JobRunner(pg_url, jobs, *late).run(job)
    assert jobs.get(job).state == "waiting"
    with Vault.open(where, PASSPHRASE) as vault:
        assert stored_messages(vault) == []
        jobs.reseal(jobs.get(job), vault)  # first is still alive: the seal stays its own
    assert jobs.get(job).sealed_for == (first[0],)
    JobRunner(pg_url, jobs, *first).run(job)
    done = jobs.get(job)
    assert done.state == "done" and done.key_seal is None and done.worker == first[0]
    with Vault.open(where, PASSPHRASE) as vault:
        texts = [m.message.text for m in stored_messages(vault)]
        assert sorted(texts) == sorted(
            [f"I know where you live {MARKER}", "answer me", "leave me alone"]
        )
        assert '"added": 3' in vault.unseal(done.result or b"").decode()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        rows = conn.execute("SELECT * FROM queue_jobs").fetchall()
    assert MARKER not in repr(rows) and "WhatsApp Chat" not in repr(rows)
    JobRunner(pg_url, jobs, *first).run(job)  # the queue runs it again: nothing changes
    with Vault.open(where, PASSPHRASE) as vault:
        assert len(stored_messages(vault)) == 3


def test_a_job_is_never_sealed_with_another_journals_key(
    person: tuple[Account, str], jobs: JobStore, pg_url: str
) -> None:
    account, where = person
    worker(jobs, "c" * 16)
    with Vault.create(where, PASSPHRASE, work_factor=WEAK) as vault:
        job = jobs.create(account.id, "import", vault, OPTIONS, [CHAT])
    other = f"v_{secrets.token_hex(8)}"  # another journal of the same person, say a decoy
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {other}")
    try:
        with Vault.create(
            vault_location(pg_url, other), "another passphrase here", work_factor=WEAK
        ) as decoy:
            assert not belongs(jobs.get(job), decoy)
            assert jobs.reseal(jobs.get(job), decoy) == ()
        assert jobs.get(job).state == "waiting" and jobs.get(job).key_seal is None
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {other} CASCADE")


def test_a_job_whose_journal_is_gone_is_given_up(
    person: tuple[Account, str], jobs: JobStore, pg_url: str
) -> None:
    account, where = person
    alive = worker(jobs, "d" * 16)
    with Vault.create(where, PASSPHRASE, work_factor=WEAK) as vault:
        job = jobs.create(account.id, "import", vault, OPTIONS, [CHAT])
        jobs.reseal(jobs.get(job), vault)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {account.vault} CASCADE")
    JobRunner(pg_url, jobs, *alive).run(job)
    gone = jobs.get(job)
    assert gone.state == "failed" and gone.key_seal is None
    assert not jobs.has_part(job, "upload")


def test_finished_jobs_are_forgotten_after_their_keeping_time(
    person: tuple[Account, str], jobs: JobStore, pg_url: str
) -> None:
    account, where = person
    alive = worker(jobs, "e" * 16)
    with Vault.create(where, PASSPHRASE, work_factor=WEAK) as vault:
        old = jobs.create(account.id, "import", vault, OPTIONS, [CHAT])
        new = jobs.create(account.id, "import", vault, OPTIONS, [CHAT])
        for job in (old, new):
            jobs.reseal(jobs.get(job), vault)
    for job in (old, new):
        JobRunner(pg_url, jobs, *alive).run(job)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE queue_jobs SET updated = now() - interval '8 days' WHERE id = %s", (old,)
        )
    assert jobs.sweep() == 1
    assert [job.id for job in jobs.of_account(account.id)] == [new]
