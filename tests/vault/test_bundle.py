"""Export bundles: stock `age` reads them, `verify_bundle` checks them, import round-trips."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from ally.vault import BundleError, Identity, Vault, verify_bundle
from ally.vault.bundle import import_bundle

from .conftest import PASSPHRASE

AGE = shutil.which("age") or "age"


def fill(vault: Vault) -> dict[str, bytes]:
    first = vault.add_note("first note")
    vault.edit(first.id, {"text": "first note, corrected", "tags": []})
    photo = os.urandom(2_500_000)
    att = vault.attach(first.id, io.BytesIO(photo), "photo.jpg", "image/jpeg")
    gone = vault.add_note("forget me")
    vault.forget(gone.id)
    second = vault.add_entry("message", {"text": "hi"}, conversation_id="c")
    return {
        "first": first.id.encode(),
        "att": att.id.encode(),
        "photo": photo,
        "second": second.id.encode(),
    }


def rows(vault: Vault) -> tuple[object, ...]:
    db = vault.store.db
    return (
        db.query("SELECT name, value FROM vault_meta ORDER BY name"),
        db.query("SELECT seq, record, hash FROM vault_records ORDER BY seq"),
        [
            (b, i, bytes(d))
            for b, i, d in db.query("SELECT blob, idx, data FROM vault_chunks ORDER BY blob, idx")
        ],
    )


def test_full_export_verifies_and_imports_exactly(
    vault: Vault, tmp_path: Path, new_pg_location: Callable[[], str]
) -> None:
    fill(vault)
    result = vault.export(tmp_path / "bundle")
    report = verify_bundle(result.path)
    assert report.ok, report.problems
    assert report.head_code == vault.head_code() == result.head_code
    for target in (str(tmp_path / "copy"), new_pg_location()):  # into SQLite and into PostgreSQL
        with Vault.import_bundle(result.path, target, PASSPHRASE) as copy:
            assert rows(copy) == rows(vault)
            assert copy.head_code() == vault.head_code()
            assert copy.verify().ok
            assert [e.payload for e in copy.entries()] == [e.payload for e in vault.entries()]
        with pytest.raises(Exception, match="already exists"):
            import_bundle(result.path, target)


def test_stock_age_decrypts_a_full_bundle_with_the_passphrase(vault: Vault, tmp_path: Path) -> None:
    ids = fill(vault)
    bundle = vault.export(tmp_path / "b").path
    manifest = json.loads((bundle / "manifest.json").read_text())
    key_file = next(f["path"] for k, f in manifest["files"].items() if k.endswith(":key"))
    att_file = manifest["files"][f"{ids['att'].decode()}:file"]["path"]
    child = pexpect.spawn(
        AGE,
        ["-d", "-i", str(bundle / key_file), "-o", str(tmp_path / "out"), str(bundle / att_file)],
        timeout=120,
    )
    child.expect("passphrase")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "out").read_bytes() == ids["photo"]


def test_shared_bundle_for_an_advocate(vault: Vault, tmp_path: Path) -> None:
    ids = fill(vault)
    key = tmp_path / "advocate.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    advocate = Identity.parse(key.read_text())
    bundle = vault.export(
        tmp_path / "shared", recipients=[str(advocate.recipient)], entries=[ids["first"].decode()]
    ).path
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["kind"] == "shared" and manifest["partial"]
    assert not any(k.endswith(":key") for k in manifest["files"])  # the vault key stays home
    assert not any(k.startswith(ids["second"].decode()) for k in manifest["files"])
    att_file = bundle / manifest["files"][f"{ids['att'].decode()}:file"]["path"]
    out = subprocess.run(
        [AGE, "-d", "-i", str(key), str(att_file)], capture_output=True, check=True
    )
    assert out.stdout == ids["photo"]
    report = verify_bundle(bundle)
    assert report.ok and report.withheld == 2, report.problems  # the message, the key
    with pytest.raises(BundleError, match="full export"):
        import_bundle(bundle, tmp_path / "nope")


@pytest.mark.parametrize(
    "damage", ["flip", "truncate", "remove_file", "manifest_record", "manifest_head"]
)
def test_damaged_bundles_fail_verification(vault: Vault, tmp_path: Path, damage: str) -> None:
    fill(vault)
    bundle = vault.export(tmp_path / "b").path
    manifest_path = bundle / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    files = sorted((bundle / "files").iterdir())
    if damage == "flip":
        data = bytearray(files[-1].read_bytes())
        data[len(data) // 2] ^= 1
        files[-1].write_bytes(bytes(data))
    elif damage == "truncate":
        files[2].write_bytes(files[2].read_bytes()[:-1])
    elif damage == "remove_file":
        files[1].unlink()
    elif damage == "manifest_record":
        manifest["records"][2]["record"]["at"] = "2001-01-01T00:00:00.000000Z"
        manifest_path.write_text(json.dumps(manifest))
    else:
        manifest["records"].pop()
        manifest_path.write_text(json.dumps(manifest))
    report = verify_bundle(bundle)
    assert not report.ok and report.first_problem is not None
    with pytest.raises(BundleError, match="did not verify"):
        import_bundle(bundle, tmp_path / "imported")
    assert not (tmp_path / "imported" / "vault.db").exists() or not Vault.open(
        tmp_path / "imported"
    )


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="not an Ally export bundle"):
        verify_bundle(tmp_path)
    (tmp_path / "manifest.json").write_text("{")
    with pytest.raises(BundleError, match="damaged"):
        verify_bundle(tmp_path)


def test_export_refuses_to_overwrite(vault: Vault, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(BundleError, match="already exists"):
        vault.export(tmp_path / "taken")
