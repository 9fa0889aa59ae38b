"""The evidence bundle: the report, the original exhibits, and proof that they are the journal's.

Layout (version 1)::

    EVIDENCE/
      EVIDENCE-README.txt   what this is and how to check it, without Ally
      report.pdf            the report (also report.docx and report.md, which links the files)
      exhibits/E-1-photo.jpg  each original file, byte for byte, named by its exhibit number
      evidence.json         format, head code, every report and exhibit with its SHA-256 and
                            the journal record it came from
      SHA256SUMS            the same fingerprints, for `sha256sum -c SHA256SUMS`
      manifest.json, files/, README.txt
                            a vault export bundle (ally.vault.bundle) of the entries in the
                            report: the whole chain of public records plus their encrypted files
      bundle-key.txt        SECRET: an age key made for this bundle only, which opens files/
                            (written 0600; the README says who may have it)

The journal part is the vault's own export format, so ``ally vault verify EVIDENCE`` checks the
chain and the encrypted copies with no key. The key opens only the entries that are already in
the report, so sharing it reveals nothing more; with it, :func:`verify_bundle` decrypts each
encrypted copy and checks that it is exactly the original exhibit, which ties the plain files
to the tamper-evident chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ally.documents.casefile import CaseFile, Exhibit
from ally.documents.evidence import EvidenceSource
from ally.storage.private import FILE_MODE
from ally.vault.errors import BundleError

FORMAT = "ally-evidence-bundle"
VERSION = 1
EVIDENCE = "evidence.json"
SUMS = "SHA256SUMS"
KEY_FILE = "bundle-key.txt"
README = "EVIDENCE-README.txt"
JOURNAL_MANIFEST = "manifest.json"
MAX_EVIDENCE_JSON = 64 << 20
PIECE = 1 << 20

_README = """This folder is an evidence bundle made with Ally.

  report.pdf, report.docx, report.md   the evidence report
  exhibits/                            the original files, exactly as recorded
  evidence.json, SHA256SUMS            the SHA-256 fingerprint of every file above
{journal}
To check the files without Ally:  sha256sum -c SHA256SUMS
   (macOS: shasum -a 256 -c SHA256SUMS; Windows: certutil -hashfile FILE SHA256 and compare).
{check}
Journal head code when this bundle was made: {code}
"""

_JOURNAL = """  manifest.json, files/               the journal's chain and encrypted copies of these entries
  bundle-key.txt                       SECRET KEY: opens files/ (only the entries in this report)

bundle-key.txt is a secret. Anyone who has it can read the encrypted copies in files/, which
hold the same entries as the report. Give it only to the people you give the report to (a
lawyer, a court, the police), and keep it with the bundle, not in a shared folder or an e-mail
to someone else. Without it, the chain can still be checked, but the copies cannot be opened.
"""

_CHECK_JOURNAL = """To check the journal chain:  ally vault verify {name}
To check that each exhibit is the journal's own copy:  ally report --check {name}
   or with stock age:  age -d -i bundle-key.txt files/NNNNNN-file.age | sha256sum
"""

_CHECK_PLAIN = """To check it with Ally:  ally report --check {name}
"""


class Exportable(EvidenceSource, Protocol):
    """A journal that can write its own export bundle (the vault)."""

    def export(
        self, path: str | Path, *, recipients: Iterable[Any] = (), entries: Iterable[str] | None
    ) -> Any: ...


@dataclass
class BundleResult:
    path: Path
    exhibits: int
    bytes: int
    head_code: str
    journal: bool


@dataclass
class BundleCheck:
    """What checking a bundle found. ``ok`` only when nothing is wrong."""

    problems: list[str] = field(default_factory=list)
    files: int = 0
    journal_checked: bool = False
    copies_checked: int = 0
    head_code: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


# --- writing ---------------------------------------------------------------------------------


def exhibit_path(exhibit: Exhibit) -> str:
    return f"exhibits/{exhibit.label}-{exhibit.filename}"


def render_reports(case: CaseFile, formats: Iterable[str], paper: str) -> dict[str, bytes]:
    """The report in each format asked for; the Markdown links to the exhibit files."""
    from ally.documents.report_docx import render_docx
    from ally.documents.report_md import render_markdown
    from ally.documents.report_pdf import render_pdf

    out: dict[str, bytes] = {}
    for name in formats:
        if name == "pdf":
            out["report.pdf"] = render_pdf(case, paper)
        elif name == "docx":
            out["report.docx"] = render_docx(case, paper)
        elif name == "md":
            out["report.md"] = render_markdown(case, link=exhibit_path).encode("utf-8")
    return out


def write_bundle(
    case: CaseFile,
    source: EvidenceSource,
    target: Path,
    *,
    formats: Iterable[str] = ("pdf", "docx", "md"),
    paper: str = "A4",
    journal: Exportable | None = None,
) -> BundleResult:
    """Write the bundle folder at ``target`` (which must not exist) in one step.

    Everything is assembled in a hidden folder beside the target and renamed at the end, so an
    interrupted run leaves no half bundle.
    """
    if target.exists():
        raise BundleError(
            f"{target} already exists. Choose a new folder name; nothing was written."
        )
    if not target.parent.is_dir():
        raise BundleError(f"The folder {target.parent} does not exist; nothing was written.")
    staging = Path(tempfile.mkdtemp(prefix=".ally-evidence-", dir=target.parent))
    root = staging / "bundle"
    try:
        journal_files = _journal_part(case, root, journal)
        (root / "exhibits").mkdir()
        written = [_copy_exhibit(source, exhibit, root) for exhibit in case.exhibits]
        reports = render_reports(case, formats, paper)
        report_entries = [_write(root / name, data) for name, data in sorted(reports.items())]
        manifest = _manifest(case, report_entries, written, journal_files, journal is not None)
        _write(root / EVIDENCE, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
        _write(root / SUMS, _sums([*report_entries, *written]).encode())
        _write(root / README, _readme(case, target.name, journal is not None).encode())
        root.rename(target)
    except OSError as error:
        raise BundleError(
            f"Could not write the bundle: {error.strerror}. Nothing was kept."
        ) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    total = sum(item["size"] for item in written)
    return BundleResult(target, len(written), total, case.head_code, journal is not None)


def _journal_part(case: CaseFile, root: Path, journal: Exportable | None) -> dict[str, str]:
    """Export the report's entries from the vault, to a key made for this bundle only."""
    if journal is None:
        root.mkdir()
        return {}
    from ally.vault.crypto import Identity  # the vault's own age implementation

    identity = Identity.generate()
    entries = sorted({item.entry.root_id for item in case.items})
    journal.export(root, recipients=[identity.recipient], entries=entries)
    _write(root / KEY_FILE, identity.identity_file().encode(), private=True)
    files = json.loads((root / JOURNAL_MANIFEST).read_text(encoding="utf-8")).get("files", {})
    return {
        key.partition(":")[0]: info["path"]
        for key, info in files.items()
        if key.endswith(":file") and isinstance(info, dict) and isinstance(info.get("path"), str)
    }


def _copy_exhibit(source: EvidenceSource, exhibit: Exhibit, root: Path) -> dict[str, Any]:
    """Write one original and check it is still the file the report fingerprinted."""
    rel = exhibit_path(exhibit)
    digest = hashlib.sha256()
    size = 0
    with (root / rel).open("xb") as out:
        for piece in source.read_attachment(exhibit.attachment_id):
            out.write(piece)
            digest.update(piece)
            size += len(piece)
    if digest.hexdigest() != exhibit.sha256:
        raise BundleError(
            f"Exhibit {exhibit.label} changed while the bundle was being made. Nothing was kept; "
            "run `ally vault verify` and try again."
        )
    return {"path": rel, "sha256": exhibit.sha256, "size": size}


def _write(path: Path, data: bytes, *, private: bool = False) -> dict[str, Any]:
    """Write a new file; ``private`` (the secret key) makes it 0600 whatever the umask."""
    with open(path, "xb", opener=_private_opener if private else None) as out:
        out.write(data)
    return {"path": path.name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _private_opener(path: str, flags: int) -> int:
    """Create the file 0600 from the start: no moment when others could open it."""
    descriptor = os.open(path, flags, FILE_MODE)
    if hasattr(os, "fchmod"):  # the umask may narrow the mode, never widen it; Windows: ACLs
        os.fchmod(descriptor, FILE_MODE)
    return descriptor


def _manifest(
    case: CaseFile,
    reports: list[dict[str, Any]],
    written: list[dict[str, Any]],
    journal_files: dict[str, str],
    has_journal: bool,
) -> dict[str, Any]:
    items = {exhibit.attachment_id: item for item in case.items for exhibit in item.exhibits}
    exhibits = []
    for exhibit, copy in zip(case.exhibits, written, strict=True):
        item = items[exhibit.attachment_id]
        exhibits.append(
            {
                **copy,
                "label": exhibit.label,
                "media_type": exhibit.media_type,
                "attachment_id": exhibit.attachment_id,
                "entry_id": item.entry.root_id,
                "entry_seq": item.entry.seq,
                "item": item.label,
                "journal_file": journal_files.get(exhibit.attachment_id),
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": case.generated_at.astimezone(dt.UTC).isoformat(),
        "title": case.title,
        "head_code": case.head_code,
        "journal": {"manifest": JOURNAL_MANIFEST, "key": KEY_FILE} if has_journal else None,
        "reports": reports,
        "exhibits": exhibits,
    }


def _sums(files: list[dict[str, Any]]) -> str:
    return "".join(f"{item['sha256']}  {item['path']}\n" for item in files)


def _readme(case: CaseFile, name: str, journal: bool) -> str:
    return _README.format(
        journal=_JOURNAL if journal else "",
        check=(_CHECK_JOURNAL if journal else _CHECK_PLAIN).format(name=name),
        code=case.head_code,
    )


# --- checking --------------------------------------------------------------------------------


def verify_bundle(path: Path) -> BundleCheck:
    """Check every file of an evidence bundle, the journal chain, and the exhibit copies."""
    manifest = _read_manifest(path)
    check = BundleCheck(head_code=str(manifest.get("head_code")))
    for kind in ("reports", "exhibits"):
        for index, item in enumerate(manifest[kind]):
            _check_file(path, item, f"{kind} {index + 1}", check)
    if (path / JOURNAL_MANIFEST).is_file():
        _check_journal(path, manifest, check)
    return check


def _read_manifest(path: Path) -> dict[str, Any]:
    file = path / EVIDENCE
    if not file.is_file():
        raise BundleError(f"{path} is not an evidence bundle (it has no {EVIDENCE}).")
    if file.stat().st_size > MAX_EVIDENCE_JSON:
        raise BundleError(f"The bundle's {EVIDENCE} is too large to be genuine.")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BundleError(f"The bundle's {EVIDENCE} is damaged (not valid JSON).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{path} is not an Ally evidence bundle.")
    if manifest.get("version") != VERSION:
        raise BundleError("This evidence bundle was made by a newer Ally; update Ally to check it.")
    if not all(isinstance(manifest.get(kind), list) for kind in ("reports", "exhibits")):
        raise BundleError(f"The bundle's {EVIDENCE} is damaged (file lists).")
    return manifest


def _inside(root: Path, rel: object) -> Path | None:
    """The file a manifest names, only if it stays inside the bundle."""
    if not isinstance(rel, str) or not rel:
        return None
    relative = Path(rel)
    if relative.is_absolute() or ".." in relative.parts:
        return None
    return root / relative


def _sha256_file(file: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with file.open("rb") as handle:
        while block := handle.read(PIECE):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _check_file(root: Path, item: object, where: str, check: BundleCheck) -> None:
    if not isinstance(item, dict):
        check.problems.append(f"{EVIDENCE}: {where} is damaged.")
        return
    file = _inside(root, item.get("path"))
    name = item.get("label") or item.get("path")
    if file is None:
        check.problems.append(f"{EVIDENCE}: {where} has a file path outside the bundle.")
        return
    if not file.is_file():
        check.problems.append(f"{name}: the file {item.get('path')} is missing.")
        return
    digest, _ = _sha256_file(file)
    check.files += 1
    if digest != item.get("sha256"):
        check.problems.append(f"{name}: the file {item.get('path')} was changed.")


def _check_journal(root: Path, manifest: dict[str, Any], check: BundleCheck) -> None:
    from ally.vault.bundle import read_manifest
    from ally.vault.bundle import verify_bundle as verify_journal

    report = verify_journal(root)
    check.journal_checked = True
    if not report.ok:
        check.problems.append(f"Journal: {report.first_problem}")
        return
    if read_manifest(root).get("head_code") != manifest.get("head_code"):
        check.problems.append("Journal: its head code is not the one the report names.")
    identity = _bundle_identity(root, check)
    if identity is None:
        return
    for item in manifest["exhibits"]:
        if isinstance(item, dict) and item.get("journal_file"):
            _check_copy(root, item, identity, check)


def _bundle_identity(root: Path, check: BundleCheck) -> Any:
    from ally.vault.crypto import Identity
    from ally.vault.errors import RecipientError

    key = root / KEY_FILE
    if not key.is_file():
        check.problems.append(f"Journal: {KEY_FILE} is missing, so copies cannot be compared.")
        return None
    try:
        return Identity.parse(key.read_text(encoding="utf-8"))
    except (RecipientError, UnicodeDecodeError):
        check.problems.append(f"Journal: {KEY_FILE} is damaged.")
        return None


def _file_pieces(file: Path) -> Iterator[bytes]:
    with file.open("rb") as handle:
        while block := handle.read(PIECE):
            yield block


def _check_copy(root: Path, item: dict[str, Any], identity: Any, check: BundleCheck) -> None:
    """Decrypt the journal's copy of an exhibit and compare it with the plain file's hash."""
    from ally.vault.crypto import open_stream
    from ally.vault.errors import VaultError

    label = item.get("label") or item.get("path")
    file = _inside(root, item.get("journal_file"))
    if file is None or not file.is_file():
        check.problems.append(f"{label}: the journal's copy is missing.")
        return
    digest = hashlib.sha256()
    try:
        for piece in open_stream(_file_pieces(file), identity):
            digest.update(piece)
    except VaultError:
        check.problems.append(f"{label}: the journal's copy cannot be opened with {KEY_FILE}.")
        return
    check.copies_checked += 1
    if digest.hexdigest() != item.get("sha256"):
        check.problems.append(f"{label}: the exhibit is not the file the journal recorded.")
