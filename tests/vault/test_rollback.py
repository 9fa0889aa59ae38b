"""Rollback: removing the newest entries and rewriting the head verifies on its own (a
documented limit); a journal code noted earlier is what catches it, in verify and in the
evidence report."""

from __future__ import annotations

import io
import os
import re
import subprocess
import zipfile
from pathlib import Path

from ally.documents.casefile import build_casefile
from ally.documents.evidence import MemoryEvidence
from ally.documents.report_docx import render_docx
from ally.documents.report_html import render_html
from ally.documents.report_md import render_markdown
from ally.vault import Vault
from tests.inprocess import run_ally

from .conftest import PASSPHRASE, WEAK
from .test_cli import run


def roll_back(vault: Vault, to: int) -> None:
    """What someone with write access to the storage can do: drop the newest records and
    point the head at the new last one."""
    db = vault.store.db
    last = db.query("SELECT hash FROM vault_records WHERE seq = ?", (to,))[0][0]
    db.execute("DELETE FROM vault_records WHERE seq > ?", (to,))
    db.execute("UPDATE vault_meta SET value = ? WHERE name = 'head'", (f"{to}:{last}",))


def test_a_rollback_passes_verify_but_not_a_noted_code(location: str) -> None:
    with Vault.create(location, PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_note("kept")
        early = vault.head_code()
        vault.add_note("the threat that will be removed")
        vault.add_note("another")
        noted = vault.head_code()
        roll_back(vault, 2)
    report = Vault.verify_at(location, codes=[early, noted])
    assert report.ok and report.entries == 2  # on its own the rollback is invisible
    assert report.codes == {early: True, noted: False}


def test_cli_verify_code_catches_the_rollback(tmp_path: Path) -> None:
    home = tmp_path
    with Vault.create(home / "vaults" / "default", PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_note("one")
    added = run(home, "add", "note", "--from", "-", stdin="two")
    assert "someone you trust" in added.stderr
    code = re.search(r"Journal code: (\S+)", added.stderr)
    assert code
    shown = run(home, "code", passphrase=None)
    assert shown.stdout.strip() == code.group(1) and "someone you trust" in shown.stderr
    good = run(home, "verify", "--code", code.group(1), passphrase=None)
    assert good.returncode == 0 and f"The code {code.group(1)} is part of" in good.stdout
    with Vault.open(home / "vaults" / "default") as vault:
        roll_back(vault, 2)
    bad = run(home, "verify", "--code", code.group(1), passphrase=None)
    assert bad.returncode == 1 and "OK: the journal verified" in bad.stdout
    assert f"The code {code.group(1)} does not match this journal" in bad.stdout


def test_the_report_prints_the_codes_it_was_given() -> None:
    source = MemoryEvidence("3-K7Q3-9XRT-M2PA-HW4D")
    source.add("note", {"text": "hello", "tags": []})
    noted = (("2-AAAA-BBBB-CCCC-DDDD", True), ("9-ZZZZ-ZZZZ-ZZZZ-ZZZZ", False))
    case = build_casefile(source, images=False, noted_codes=noted)
    markdown = render_markdown(case)
    appendix = markdown[markdown.index("Integrity appendix") :]
    assert "`2-AAAA-BBBB-CCCC-DDDD`: part of this journal's history" in appendix
    assert "`9-ZZZZ-ZZZZ-ZZZZ-ZZZZ`: does NOT match this journal" in appendix
    html = render_html(case)
    assert (
        "Journal codes noted earlier" in html and "9-ZZZZ-ZZZZ-ZZZZ-ZZZZ</span>: does NOT" in html
    )
    with zipfile.ZipFile(io.BytesIO(render_docx(case, "A4"))) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "2-AAAA-BBBB-CCCC-DDDD" in body and "does NOT match this journal" in body
    plain = render_markdown(build_casefile(source, images=False))
    assert "noted earlier" not in plain  # no codes given: no section


def test_cli_report_checks_the_codes_against_the_journal(tmp_path: Path) -> None:
    home = tmp_path
    with Vault.create(home / "vaults" / "default", PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_note("one")
        code = vault.head_code()
    out = tmp_path / "report.md"
    result = _report(home, out, code)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert f"`{code}`: part of this journal's history" in text
    assert "`1-AAAA-AAAA-AAAA-AAAA`: does NOT match this journal" in text


def _report(home: Path, out: Path, code: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update({"ALLY_HOME": str(home), "ALLY_PASSPHRASE": PASSPHRASE})
    command = ["report", "--out", str(out), "--notes"]
    command += ["--code", code, "--code", "1-AAAA-AAAA-AAAA-AAAA"]
    return run_ally(*command, env=environ)  # in this process: tests/inprocess.py
