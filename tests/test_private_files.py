"""Everything Ally stores or writes is its owner's alone: folders 0700, files 0600, whatever
the umask (the usual 022 would make them readable by every account on the computer)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ally.storage.database import Database
from ally.web import create_app
from tests.web.conftest import make_config

ALLY = [sys.executable, "-m", "ally.cli.main"]
PASSPHRASE = "lantern orbit pepper quietly"


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common default umask (022), as a person's shell would have it."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def modes(root: Path) -> dict[str, str]:
    """Every folder and file below root (root included) whose mode is not private."""
    wrong = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode != wanted:
            wrong[str(path.relative_to(root.parent))] = oct(mode)
    return wrong


def test_a_database_and_its_new_folders_are_private(tmp_path: Path, loose_umask: None) -> None:
    db = Database(tmp_path / "made" / "by" / "ally" / "data.db")
    with db.transaction() as tx:  # a write, so the WAL files exist too
        tx.execute("CREATE TABLE t (x INTEGER)")
        tx.execute("INSERT INTO t VALUES (1)")
    assert (tmp_path / "made" / "by" / "ally" / "data.db-wal").exists()
    assert modes(tmp_path / "made") == {}
    db.close()


def test_a_folder_that_was_already_there_is_left_alone(tmp_path: Path, loose_umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    Database(shared / "data.db").close()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE((shared / "data.db").stat().st_mode) == 0o600


def test_an_older_install_is_tightened(
    tmp_path: Path, loose_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folders in Ally's own data folder, and its databases, made 0755/0644 by an older Ally."""
    home = tmp_path / "home"
    vault = home / "vaults" / "default"
    vault.mkdir(parents=True, mode=0o755)
    for folder in (home, home / "vaults", vault):
        folder.chmod(0o755)
    old = Database(vault / "vault.db")
    with old.transaction() as tx:
        tx.execute("CREATE TABLE t (x INTEGER)")
    old.close()
    (vault / "vault.db").chmod(0o644)
    monkeypatch.setenv("ALLY_HOME", str(home))
    Database(vault / "vault.db").close()
    assert modes(home) == {}


def _cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update(ALLY_HOME=str(home), ALLY_PASSPHRASE=PASSPHRASE)
    return subprocess.run(
        [*ALLY, *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=environ,
        check=False,
        cwd=home.parent,
        preexec_fn=lambda: os.umask(0o022),  # only the umask
    )


def test_the_command_line_writes_only_private_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    assert _cli(home, "vault", "init").returncode == 0
    note = _cli(home, "vault", "add", "note", "--from", "-", stdin="Called HR today.\n")
    assert note.returncode == 0, note.stderr
    exported = _cli(home, "vault", "export", str(out / "bundle"))
    assert exported.returncode == 0, exported.stderr
    report = _cli(home, "report", "--out", str(out / "report.md"))
    assert report.returncode == 0, report.stderr
    assert (out / "bundle").is_dir() and (out / "report.md").is_file()
    assert modes(home) == {}
    assert modes(out) == {}


def test_the_web_app_keeps_its_data_private(tmp_path: Path, loose_umask: None) -> None:
    app = create_app(make_config(tmp_path / "data" / "web.sqlite3"))
    with TestClient(app) as client:
        page = client.get("/journal")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        created = client.post(
            "/journal/create",
            data={"csrf": token, "passphrase": PASSPHRASE, "confirm": PASSPHRASE},
        )
        assert created.status_code in (200, 303)
    assert (tmp_path / "data" / "vault" / "vault.db").is_file()
    assert modes(tmp_path / "data") == {}
