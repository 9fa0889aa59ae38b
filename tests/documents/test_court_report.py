"""The report a court clerk receives: exhibits indexed up front, the jurisdiction's own
statement of truth or declaration left to sign, numbered DOCX pages, no bookkeeping rows."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from ally.documents.casefile import build_casefile
from ally.documents.evidence import MemoryEvidence
from ally.documents.law import LawBook
from ally.documents.letters import pack_folders
from ally.documents.report_docx import render_docx
from ally.documents.report_md import render_markdown
from ally.knowledge.loader import load_pack


def case_for(pack_id: str, journal: MemoryEvidence):  # type: ignore[no-untyped-def]
    journal.add(
        "case", {"kind": "status", "on": "2026-03-20", "step": "employer-hr", "status": "refused"}
    )
    case = build_casefile(journal, zone=dt.UTC, person="Alex Doe")
    case.declaration = LawBook(pack_folders(load_pack(pack_id).lineage)).declaration
    return case


@pytest.mark.parametrize(
    ("pack_id", "wording", "place"),
    [
        (
            "us-ca",
            "I declare under penalty of perjury under the laws of the State of California that "
            "the foregoing is true and correct.",
            True,
        ),
        (
            "us-tx",
            "I declare under penalty of perjury that the foregoing is true and correct.",
            False,
        ),
        ("gb", "I believe that the facts stated in this witness statement are true.", False),
        ("ie", "by virtue of the Statutory Declarations Act 1938", True),
    ],
)
def test_declaration_per_jurisdiction(
    journal: MemoryEvidence, pack_id: str, wording: str, place: bool
) -> None:
    text = render_markdown(case_for(pack_id, journal))
    block = text.split("## Integrity appendix")[0].rsplit("\n## ", 1)[1]
    assert wording in " ".join(block.split())
    assert "Signature:" in block and "Name: Alex Doe" in block and "Date:" in block
    assert ("Place" in block) is place
    if pack_id == "gb":
        assert block.startswith("Statement of truth")
        assert "proceedings for contempt of court" in block
    if pack_id == "ie":
        assert "commissioner for oaths" in block


def test_exhibit_index_comes_first_and_no_bookkeeping_rows(journal: MemoryEvidence) -> None:
    text = render_markdown(case_for("us-ca", journal))
    assert text.index("## Exhibit index") < text.index("## Timeline")
    index = text.split("## Exhibit index")[1].split("\n## ")[0]
    assert "| E-1 | screenshot.png | Incident 2 |" in index
    assert "| E-3 | recording.m4a | Incident 3 |" in index
    timeline = text.split("## Timeline")[1].split("\n## ")[0]
    assert "Case" not in timeline, "the case tracker's records are not entries"
    assert "Employer hr: they refused to act" in text.split("## Steps taken")[1]


def test_docx_has_page_numbers_and_the_declaration(journal: MemoryEvidence) -> None:
    data = render_docx(case_for("gb", journal))
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        footers = [docx.read(name).decode() for name in docx.namelist() if "footer" in name]
        body = docx.read("word/document.xml").decode()
    assert any("PAGE" in footer and "NUMPAGES" in footer for footer in footers)
    assert "Statement of truth" in body and "Exhibit index" in body


def test_australia_points_to_the_official_form(journal: MemoryEvidence) -> None:
    text = render_markdown(case_for("au", journal))
    block = text.split("## Integrity appendix")[0].rsplit("\n## ", 1)[1]
    assert "Statutory Declarations Act 1959" in block and "Signature:" not in block
