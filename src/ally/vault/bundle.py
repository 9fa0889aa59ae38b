"""Export bundles: a folder anyone can check, and anyone holding a key can read with stock ``age``.

Layout (version 1)::

    BUNDLE/
      manifest.json        format, version, vault id, head, every chain record, the file list
      files/000005-content.age   one age file per stored file, named by entry number only
      README.txt           how to read and check it without Ally

Two kinds:

* ``full`` — the exact stored bytes, including the passphrase-locked key file. ``ally vault
  import`` turns it back into an identical vault (same records, same head code). With stock
  age: ``age -d -i files/000001-key.age files/000002-content.age`` asks for the passphrase.
* ``shared`` — for an advocate or lawyer: each file gets a new header readable by the given
  public keys, the payload is unchanged, and the vault key is *not* included. It may hold only
  some entries; the manifest still lists every record, so the chain verifies and withheld
  entries show as withheld.

A manifest lists every record (public metadata only), so ``ally vault verify BUNDLE`` checks
the chain, each file's hash, and each payload against the chain, without any key.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ally.storage import vault_store
from ally.storage.vault_store import VaultStore, blob_key, database_for
from ally.vault import crypto
from ally.vault.chain import (
    FORMAT_VERSION,
    Record,
    RecordError,
    canonical_json,
    head_code,
    now_text,
)
from ally.vault.crypto import Recipient
from ally.vault.errors import BundleError, VaultExistsError
from ally.vault.ports import ExportSource
from ally.vault.verify import (
    ChainState,
    Problem,
    Progress,
    VerifyReport,
    check_chain,
    check_files,
    fingerprint_rows,
)

BUNDLE_FORMAT = "ally-vault-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST = 512 << 20

_README = """This folder is an export of an Ally evidence journal.

manifest.json lists every journal record (numbers, times, and the hashes of each encrypted
file; no content), and the SHA-256 of every file in files/. Each file in files/ is
encrypted in the age format (https://age-encryption.org).

To check it:   ally vault verify {name}
   or by hand: sha256sum files/*  and compare with "sha256" in manifest.json.

To read one file with the stock age tool:
{how}
"""

_HOW_FULL = (
    "   age -d -i files/{key} files/000002-content.age\n"
    "   (age asks for the journal's passphrase to open the key file.)"
)
_HOW_SHARED = "   age -d -i YOUR-KEY.txt files/000002-content.age"


@dataclass
class ExportResult:
    path: Path
    files: int
    bytes: int
    head_code: str


def _file_name(record: Record, name: str) -> str:
    return f"files/{record.seq:06d}-{name}.age"


def _select(vault: ExportSource, entry_refs: Iterable[str] | None) -> set[str] | None:
    """Record ids whose files go in the bundle (None: all)."""
    if entry_refs is None:
        return None
    roots = {vault.entry(ref).root_id for ref in entry_refs}
    return {
        r.id
        for r in vault.records
        if (r.is_content and r.root_id in roots) or (r.kind == "attachment" and r.of in roots)
    }


def export_bundle(
    vault: ExportSource,
    path: str | Path,
    *,
    recipients: Iterable[Recipient | str] = (),
    entry_refs: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write a bundle folder at ``path`` (which must not exist yet).

    Without recipients: a full bundle (exact bytes, no passphrase needed). With recipients:
    a shared bundle (needs the unlocked vault to re-wrap headers; no key file included).
    """
    target = Path(path)
    if target.exists():
        raise BundleError("Something already exists at that path. Choose a new folder name.")
    who = [r if isinstance(r, Recipient) else Recipient.parse(r) for r in recipients]
    if entry_refs is not None and not who:
        raise BundleError("Choosing entries makes a shared bundle: name who it is for (--to).")
    identity = vault.identity_for_export() if who else None
    chosen = _select(vault, entry_refs)
    records, hashes = vault.records, vault.record_hashes()
    jobs = _jobs(vault, records, chosen, shared=bool(who))
    total = sum(size for _, _, size in jobs)
    staging = Path(tempfile.mkdtemp(prefix=".ally-export-", dir=target.parent.resolve()))
    try:
        (staging / "files").mkdir()
        files, done = {}, 0
        for key, rel, _ in jobs:
            digest, written = _write_file(vault.store, key, staging / rel, identity, who)
            files[key] = {"path": rel, "sha256": digest}
            done += written
            if progress:
                progress(done, total)
        manifest = _manifest(vault, records, hashes, files, who, partial=chosen is not None)
        _write_text(staging / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        key_file = next((f["path"] for k, f in files.items() if k.endswith(":key")), "")
        how = _HOW_SHARED if who else _HOW_FULL.format(key=Path(key_file).name)
        _write_text(staging / "README.txt", _README.format(name=target.name, how=how))
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(target, len(files), done, manifest["head_code"])


def _jobs(
    vault: ExportSource, records: list[Record], chosen: set[str] | None, *, shared: bool
) -> list[tuple[str, str, int]]:
    key_records = [r for r in records if r.kind == "key"]
    jobs = []
    for record in records:
        if vault.is_forgotten(record) or (record.kind == "key" and record is not key_records[-1]):
            continue
        if record.kind == "key" and shared:
            continue
        if chosen is not None and record.id not in chosen:
            continue
        for name, ref in sorted(record.blobs.items()):
            jobs.append((blob_key(record.id, name), _file_name(record, name), ref.size))
    return jobs


def _write_file(
    store: VaultStore,
    key: str,
    path: Path,
    identity: crypto.Identity | None,
    who: list[Recipient],
) -> tuple[str, int]:
    digest = hashlib.sha256()
    written = 0
    pieces = store.read_blob(key)
    with path.open("xb") as out:
        if identity is not None:
            header, payload = crypto.split_header(next(pieces, b""))
            pieces = _prepend([crypto.rewrap_header(header, identity, who), payload], pieces)
        for piece in pieces:
            out.write(piece)
            digest.update(piece)
            written += len(piece)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), written


def _prepend(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


def _write_text(path: Path, text: str) -> None:
    with path.open("x", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def _manifest(
    vault: ExportSource,
    records: list[Record],
    hashes: list[str],
    files: dict[str, dict[str, str]],
    who: list[Recipient],
    *,
    partial: bool,
) -> dict[str, Any]:
    return {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "vault_format": FORMAT_VERSION,
        "vault_id": vault.vault_id,
        "created_at": now_text(),
        "kind": "shared" if who else "full",
        "partial": partial,
        "recipients": [str(r) for r in who],
        "head": f"{len(records)}:{hashes[-1]}",
        "head_code": head_code(len(records), hashes[-1]),
        "records": [
            {"hash": h, "record": r.to_json()} for r, h in zip(records, hashes, strict=True)
        ],
        "files": files,
    }


# --- reading bundles ----------------------------------------------------------------------------


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest, checked for shape; BundleError with a plain reason otherwise."""
    file = Path(path) / MANIFEST
    if not file.is_file():
        raise BundleError("That folder is not an Ally export bundle (no manifest.json).")
    if file.stat().st_size > MAX_MANIFEST:
        raise BundleError("The bundle's manifest is too large to be genuine.")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BundleError("The bundle's manifest.json is damaged (not valid JSON).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise BundleError("That folder is not an Ally export bundle.")
    if manifest.get("version") != BUNDLE_VERSION:
        raise BundleError("This bundle was made by a newer Ally; update Ally to read it.")
    for field, kind in (("records", list), ("files", dict), ("kind", str), ("head", str)):
        if not isinstance(manifest.get(field), kind):
            raise BundleError(f"The bundle's manifest is damaged ({field}).")
    return manifest


def _rows(manifest: dict[str, Any]) -> list[tuple[int, str, str]]:
    rows = []
    for position, item in enumerate(manifest["records"], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("hash"), str):
            raise BundleError(f"The bundle's manifest is damaged (record {position}).")
        value = item.get("record")
        seq = value.get("seq") if isinstance(value, dict) else None
        rows.append((seq if isinstance(seq, int) else -1, canonical_json(value), item["hash"]))
    return rows


def _bundle_file(root: Path, info: object) -> Path | None:
    if not isinstance(info, dict) or not isinstance(info.get("path"), str):
        return None
    rel = Path(info["path"])
    if rel.is_absolute() or ".." in rel.parts or rel.parts[:1] != ("files",):
        return None
    return root / rel


def _file_rows(path: Path, key: str, whole: Any) -> Iterator[tuple[str, int, bytes]]:
    with path.open("rb") as handle:
        idx = 0
        while block := handle.read(vault_store.CHUNK_ROW):
            whole.update(block)
            yield key, idx, block
            idx += 1


def verify_bundle(path: str | Path, progress: Progress | None = None) -> VerifyReport:
    """Check a bundle: its chain, its head, and every file it holds. No key needed."""
    root = Path(path)
    manifest = read_manifest(root)
    report = VerifyReport()
    meta = {
        "format": str(manifest.get("vault_format")),
        "vault_id": str(manifest.get("vault_id", "")),
        "head": manifest["head"],
    }
    state = check_chain(meta, _rows(manifest), report)
    found = _bundle_fingerprints(root, manifest, state, report, progress)
    shared = manifest["kind"] == "shared"
    check_files(state, found, report, partial=shared, shared_headers=shared)
    return report


def _bundle_fingerprints(
    root: Path,
    manifest: dict[str, Any],
    state: ChainState,
    report: VerifyReport,
    progress: Progress | None,
) -> dict[str, crypto.Fingerprint | str]:
    seq_of = {r.id: r.seq for r in state.records}
    found: dict[str, crypto.Fingerprint | str] = {}
    entries = sorted(manifest["files"].items())
    total = sum(
        p.stat().st_size for _, i in entries if (p := _bundle_file(root, i)) and p.is_file()
    )
    done = 0
    for key, info in entries:
        file = _bundle_file(root, info)
        seq = seq_of.get(str(key).partition(":")[0], 0)
        if file is None or not file.is_file():
            report.problems.append(Problem(seq, "its file is missing from the bundle."))
            continue
        whole = hashlib.sha256()
        result = fingerprint_rows(_file_rows(file, key, whole))
        done += file.stat().st_size
        if progress:
            progress(done, total)
        if whole.hexdigest() != info.get("sha256"):
            report.problems.append(Problem(seq, "its file in the bundle was changed."))
        found.update(result or {key: "is empty."})
    return found


def import_bundle(
    path: str | Path, location: str | Path, progress: Progress | None = None
) -> VerifyReport:
    """Recreate a vault from a full bundle, byte for byte. The bundle is verified first.

    Everything is written in one transaction: an interrupted import leaves no vault.
    """
    root = Path(path)
    report = verify_bundle(root)
    manifest = read_manifest(root)
    if not report.ok:
        raise BundleError(
            f"The bundle did not verify, so nothing was imported: {report.first_problem}"
        )
    if manifest["kind"] != "full" or manifest.get("partial"):
        raise BundleError("Only a full export can be imported (this one was made for sharing).")
    store = VaultStore(database_for(location))
    try:
        if store.exists():
            raise VaultExistsError("A vault already exists there. Nothing was imported.")
        _import_into(store, root, manifest, progress)
    finally:
        store.db.close()
    return report


def _import_into(
    store: VaultStore, root: Path, manifest: dict[str, Any], progress: Progress | None
) -> None:
    rows = _rows(manifest)
    files = sorted(manifest["files"].items())
    total = sum(p.stat().st_size for _, i in files if (p := _bundle_file(root, i)))
    done = 0
    with store.db.transaction() as tx:
        store.create_tables(tx)
        store.init_meta(tx, str(manifest["vault_id"]), FORMAT_VERSION)
        for seq, text, digest in rows:
            try:
                Record.parse(text)
            except RecordError as error:
                raise BundleError(f"Record {seq} in the bundle is damaged.") from error
            store.put_record(tx, seq, text, digest)
        for key, info in files:
            file = _bundle_file(root, info)
            assert file is not None
            for _, idx, block in _file_rows(file, key, hashlib.sha256()):
                store.put_blob(tx, key, block, first_idx=idx)
                done += len(block)
                if progress:
                    progress(done, total)
