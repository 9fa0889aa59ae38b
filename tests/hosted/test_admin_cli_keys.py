"""`ally admin reset-code` and `ally admin rotate-server-key`, run as an operator runs them."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from ally.hosted import totp
from ally.hosted.accounts import Accounts
from ally.hosted.errors import HostedError, SignInError
from ally.hosted.sessions import AccountSessions
from ally.hosted.store import HostedStore
from tests.hosted.test_admin_cli import ADMIN_PASSWORD, ally

pytestmark = pytest.mark.postgres


def test_reset_code_then_rotate_the_server_key(pg_url: str, tmp_path: Path) -> None:
    made = ally(
        "admin", "create-org", "Shelter North", "--admin", "boss@north.example",
        "--slug", "north", "--database", pg_url, env={"ALLY_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    first = re.search(r"secret: ([A-Z2-7]{32})", made.stdout)
    reset = ally(
        "admin", "reset-code", "--org", "north", "--login", "boss@north.example",
        "--database", pg_url,
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    assert "no longer works" in reset.stdout
    second = re.search(r"secret: ([A-Z2-7]{32})", reset.stdout)
    assert first and second and first.group(1) != second.group(1)
    new_key = tmp_path / "new.key"
    rotated = ally(
        "admin", "rotate-server-key", "--new-key-file", str(new_key), "--database", pg_url
    )
    assert rotated.returncode == 0, rotated.stderr
    assert "Resealed 1 secrets" in rotated.stdout and new_key.stat().st_mode & 0o777 == 0o600
    again = ally("admin", "rotate-server-key", "--new-key-file", str(new_key), "--database", pg_url)
    assert again.returncode != 0 and "exists already" in again.stderr
    store = HostedStore(pg_url)
    old_key = totp.ServerKey.load()  # the file every process was given before
    with pytest.raises(HostedError, match="not the one"):
        totp.bind_key(store, old_key)
    accounts = Accounts(store, key=totp.ServerKey.load(new_key))
    org = accounts.org_by_slug("north")
    sessions = AccountSessions(store, accounts)
    with pytest.raises(SignInError):  # the first secret was replaced
        sessions.sign_in(
            org,
            "boss@north.example",
            ADMIN_PASSWORD,
            totp.code_at(first.group(1), time.time()),
            "x",
        )
    code = totp.code_at(second.group(1), time.time())
    assert sessions.sign_in(org, "boss@north.example", ADMIN_PASSWORD, code, "x")[1].second_factor
    store.close()
