"""`ally directory import|export|search|validate`, run as a person would (the command line's
entry point, in this process; one real process checks where files land)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from ally.storage.database import Database
from tests.directory.conftest import EXAMPLES, PG_URL, make_organization, make_service
from tests.inprocess import run_ally

ALLY = [sys.executable, "-m", "ally.cli.main", "directory"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`ally directory ARGS`, in this process (tests/inprocess.py)."""
    return run_ally(*ALLY[3:], *args)


def test_validate_reports_valid_and_invalid(tmp_path: Path) -> None:
    ok = run("validate", str(EXAMPLES / "service_full.json"))
    assert ok.returncode == 0 and "Valid HSDS 3.0: 1 organizations, 1 services" in ok.stdout
    bad = tmp_path / "bad.json"
    service = make_service("Clinic")
    service["status"] = "open"
    bad.write_text(json.dumps([service]), encoding="utf-8")
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert f"bad.json[0] (id {service['id']}): status: must be one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_import_search_export_on_sqlite(tmp_path: Path) -> None:
    database = str(tmp_path / "ally.sqlite3")
    data = tmp_path / "local.json"
    organization = make_organization("Harbor Trust")
    service = make_service("Harbor Refuge", 37.81, -122.27, types=("shelter",), languages=("es",))
    data.write_text(json.dumps([{**service, "organization": organization}]), encoding="utf-8")
    imported = run("import", str(data), "--database", database)
    assert imported.returncode == 0, imported.stderr
    assert "Imported 1 organizations, 1 services" in imported.stdout
    found = run("search", "--step", "shelter", "--near", "Oakland, CA", "--database", database)
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    assert lines[0] == "Near Oakland, CA:" and lines[1] == "1. Harbor Refuge — Harbor Trust"
    assert "National Domestic Violence Hotline" in found.stdout or "Helpline" in found.stdout
    as_json = json.loads(
        run(
            "search", "refuge", "--near", "94612", "--format", "json", "--database", database
        ).stdout
    )
    assert as_json[0]["name"] == "Harbor Refuge" and as_json[0]["distance_km"] < 5
    out = tmp_path / "export.json"
    assert run("export", str(out), "--database", database).returncode == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert "Harbor Refuge" in {service["name"] for service in exported}
    folder = tmp_path / "tabular"
    assert run("export", str(folder), "--format", "tabular", "--database", database).returncode == 0
    assert run("validate", str(folder)).returncode == 0
    other = str(tmp_path / "other.sqlite3")
    assert run("import", str(folder), "--database", other).returncode == 0


def test_bad_import_changes_nothing(tmp_path: Path) -> None:
    database = str(tmp_path / "ally.sqlite3")
    good = tmp_path / "good.json"
    good.write_text(json.dumps([make_service("Keep Me", 37.8, -122.27)]), encoding="utf-8")
    assert run("import", str(good), "--database", database).returncode == 0
    bad = tmp_path / "bad.json"
    broken = make_service("Broken", 37.8, -122.27)
    broken["service_at_locations"][0]["location"]["latitude"] = "north"
    bad.write_text(json.dumps([make_service("New One", 37.8, -122.27), broken]), encoding="utf-8")
    result = run("import", str(bad), "--database", database)
    assert result.returncode == 1
    assert "service_at_locations[0].location.latitude: must be a number" in result.stderr
    found = run(
        "search",
        "--near",
        "37.8,-122.27",
        "--radius",
        "5",
        "--format",
        "json",
        "--database",
        database,
    )
    assert [hit["name"] for hit in json.loads(found.stdout) if hit["scope"] == "local"] == [
        "Keep Me"
    ]


def test_usage_errors(tmp_path: Path) -> None:
    database = str(tmp_path / "ally.sqlite3")
    assert "Give a file" in run("import", "--database", database).stderr
    unknown = run("search", "--type", "spa", "--database", database)
    assert unknown.returncode == 1 and "no service type 'spa'" in unknown.stderr
    nowhere = run("search", "--near", "Qwzxvillé", "--database", database)
    assert nowhere.returncode == 1 and "offline list" in nowhere.stderr


def test_cli_on_postgresql() -> None:
    schema = f"ally_directory_cli_{uuid.uuid4().hex[:10]}"
    db = Database(PG_URL)
    with db.transaction():
        db.execute(f"CREATE SCHEMA {schema}")
    url = f"{PG_URL}?options=-csearch_path%3D{schema},public"
    try:
        assert run("import", str(EXAMPLES / "service_full.json"), "--database", url).returncode == 0
        found = run("search", "counselling", "--format", "json", "--database", url)
        assert found.returncode == 0, found.stderr
        assert "Community Counselling" in {hit["name"] for hit in json.loads(found.stdout)}
    finally:
        with db.transaction():
            db.execute(f"DROP SCHEMA {schema} CASCADE")
        db.close()


def test_search_keeps_to_ally_home(tmp_path: Path) -> None:
    """Every file the directory commands write lands under ALLY_HOME, nowhere else."""
    import os

    home = tmp_path / "home"
    elsewhere = tmp_path / "user-home"
    elsewhere.mkdir()
    env = dict(os.environ, ALLY_HOME=str(home), HOME=str(elsewhere), XDG_DATA_HOME="")
    env.pop("ALLY_DATABASE_URL", None)
    result = subprocess.run(
        [*ALLY, "search", "--step", "shelter", "--area", "us"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert (home / "ally.sqlite3").exists()
    assert not any(elsewhere.rglob("*.sqlite3"))
