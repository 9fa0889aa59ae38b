"""`ally admin create-org`, run as an operator runs it, against real PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from ally.hosted import totp
from ally.hosted.accounts import Accounts
from ally.hosted.sessions import AccountSessions
from ally.hosted.store import HostedStore

ADMIN_PASSWORD = "a long admin password"


def ally(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ally.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


@pytest.mark.postgres
def test_create_org_makes_an_admin_who_signs_in_with_the_secret_shown(pg_url: str) -> None:
    done = ally(
        "admin", "create-org", "Shelter North", "--admin", "Boss@North.example",
        "--slug", "shelter-north", "--database", pg_url,
        env={"ALLY_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Created Shelter North (shelter-north) with admin boss@north.example." in done.stdout
    assert ADMIN_PASSWORD not in done.stdout + done.stderr
    found = re.search(r"secret: ([A-Z2-7]{32})", done.stdout)
    assert found, done.stdout
    assert (
        "otpauth://totp/Ally:" in done.stdout
        and "/account/sign-in?org=shelter-north" in done.stdout
    )
    store = HostedStore(pg_url)
    accounts = Accounts(store)
    org = accounts.org_by_slug("shelter-north")
    assert not org.open_signup
    code = totp.code_at(found.group(1), time.time())
    _, current = AccountSessions(store, accounts).sign_in(
        org, "boss@north.example", ADMIN_PASSWORD, code, "127.0.0.1"
    )
    assert current.account.role == "admin" and current.account.org == org.id
    again = ally(
        "admin", "create-org", "Shelter North", "--admin", "x@north.example",
        "--slug", "shelter-north", "--database", pg_url,
        env={"ALLY_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )  # fmt: skip
    assert again.returncode == 1 and "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    store.close()


@pytest.mark.postgres
def test_create_org_refuses_sqlite_a_short_password_and_a_missing_one(pg_url: str) -> None:
    base = ["admin", "create-org", "Clinic", "--admin", "a@clinic.example", "--slug", "clinic"]
    sqlite = ally(
        *base, "--database", "/tmp/x.sqlite3", env={"ALLY_ADMIN_PASSWORD": ADMIN_PASSWORD}
    )
    assert sqlite.returncode == 1 and "needs a PostgreSQL database" in sqlite.stderr
    short = ally(*base, "--database", pg_url, env={"ALLY_ADMIN_PASSWORD": "short"})
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "ally.cli.main", *base, "--database", pg_url],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120, check=False,
        env={k: v for k, v in os.environ.items() if k != "ALLY_ADMIN_PASSWORD"},
    )  # fmt: skip
    assert missing.returncode == 2 and "ALLY_ADMIN_PASSWORD" in missing.stderr
    store = HostedStore(pg_url)
    with store.transaction() as db:  # nothing was made by the refused commands
        assert db.query("SELECT count(*) FROM hosted_orgs") == [(0,)]
    store.close()
