"""The evidence report in PDF, DOCX and Markdown, checked with the tools a reader would use.

pdftotext must find every incident and every exhibit's SHA-256 in the PDF; pdftoppm renders
every page (kept under test-artifacts/documents/ to look at); LibreOffice converts the DOCX,
and pdftotext reads the result. These tools are required: a missing one fails the test.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from ally.documents.casefile import CaseFile, Selection, build_casefile
from ally.documents.evidence import MemoryEvidence
from ally.documents.report_docx import render_docx
from ally.documents.report_html import render_html
from ally.documents.report_md import escape, render_markdown
from ally.documents.report_pdf import _fetcher, render_pdf

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is required for these tests (see .ci/system-deps)"
    return found


def pdftotext(pdf: Path, *flags: str) -> str:
    """The text of the PDF file as pdftotext reads it (with FLAGS such as -layout or -bbox):
    what a reader, or a court's software, gets out of it."""
    out = subprocess.run(
        [tool("pdftotext"), *flags, str(pdf), "-"], check=True, capture_output=True
    )
    return out.stdout.decode("utf-8")


def pdf_text(path: Path) -> str:
    return pdftotext(path, "-layout")


def case_of(journal: MemoryEvidence, **kwargs: object) -> CaseFile:
    return build_casefile(journal, zone=dt.UTC, now=NOW, person="Alex Doe", **kwargs)  # type: ignore[arg-type]


def squash(text: str) -> str:
    return " ".join(text.split())


def test_pdf_has_every_incident_and_hash(journal: MemoryEvidence, artifacts: Path) -> None:
    case = case_of(journal)
    target = artifacts / "report.pdf"
    target.write_bytes(render_pdf(case))
    text = pdf_text(target)
    flat = squash(text)
    for item in case.incidents:
        assert f"{item.label} · {item.when}" in flat
        assert item.incident is not None
        assert squash(item.incident.what.split("\n\n")[0]) in flat
    assert len(case.exhibits) == 3
    for exhibit in case.exhibits:
        assert exhibit.sha256 == journal.sha256(exhibit.attachment_id)
        assert f"SHA-256 {exhibit.sha256}" in text, "a hash must stay on one line"
    assert case.head_code in text
    assert "You will regret *this*." in flat
    assert "WhatsApp Chat with Sam.txt, line 42" in flat
    assert "<script>alert(1)</script>" in flat, "the person's text is shown as written"


def test_pdf_pages_render(journal: MemoryEvidence, artifacts: Path) -> None:
    target = artifacts / "report.pdf"
    target.write_bytes(render_pdf(case_of(journal)))
    for old in artifacts.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        [tool("pdftoppm"), "-r", "40", "-png", str(target), str(artifacts / "page")], check=True
    )
    pages = sorted(artifacts.glob("page-*.png"))
    info = subprocess.run([tool("pdfinfo"), str(target)], check=True, capture_output=True)
    count = next(
        int(line.split()[-1])
        for line in info.stdout.decode().splitlines()
        if line.startswith("Pages:")
    )
    assert len(pages) == count >= 3
    assert all(page.stat().st_size > 1000 for page in pages)


def test_pdf_embeds_images_without_their_metadata(journal: MemoryEvidence) -> None:
    case = case_of(journal)
    shown = [exhibit for exhibit in case.exhibits if exhibit.display]
    assert [exhibit.filename for exhibit in shown] == ["screenshot.png", "street.jpg"]
    street = shown[1].display
    assert street is not None and street.reduced and max(street.width, street.height) <= 1400
    assert b"SecretCam" not in street.data and b"Exif" not in street.data
    data = render_pdf(case)
    assert len(re.findall(rb"/Subtype\s*/Image", data)) >= 2
    assert b"SecretCam" not in data


def test_fetcher_refuses_anything_but_exhibits(journal: MemoryEvidence) -> None:
    fetch = _fetcher(case_of(journal))
    assert fetch.fetch("exhibit:E-1").read()[:3] == b"\xff\xd8\xff"
    for url in ("file:///etc/passwd", "http://127.0.0.1/x.png", "exhibit:E-99", "data:,x"):
        with pytest.raises(ValueError):
            fetch.fetch(url)


def test_html_escapes_the_persons_words(journal: MemoryEvidence) -> None:
    html = render_html(case_of(journal))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_notes_only_when_asked(journal: MemoryEvidence) -> None:
    without = squash(render_markdown(case_of(journal)))
    assert "talk to my sister" not in without
    assert "1 other journal entry is not part of this report" in without
    with_notes = render_markdown(case_of(journal, selection=Selection(notes=True)))
    assert "talk to my sister" in with_notes


def test_timeline_is_in_the_order_things_happened(journal: MemoryEvidence) -> None:
    case = case_of(journal)
    moments = [item.moment for item in case.items]
    assert moments == sorted(moments)
    assert [item.label for item in case.items] == [
        "Incident 1",
        "Incident 2",
        "Message 1",
        "Incident 3",
    ]
    assert [exhibit.label for exhibit in case.exhibits] == ["E-1", "E-2", "E-3"]
    assert "recorded 2026-01-01" in case.items[0].when, "a described time says how it is placed"


def test_forgotten_and_edited_entries_are_counted(journal: MemoryEvidence) -> None:
    journal.add("incident", None)
    journal.add(
        "incident", {"when": {"start": "2026-04-01T10:00:00+00:00"}, "what": "Again."}, version=3
    )
    text = squash(render_markdown(case_of(journal)))
    assert "1 journal entry was deleted by the person" in text
    assert "1 entry was edited after they were first recorded" in text
    assert "version 3; earlier versions kept" in text


def test_docx_reads_back_and_libreoffice_converts_it(
    journal: MemoryEvidence, artifacts: Path, tmp_path: Path
) -> None:
    case = case_of(journal)
    target = artifacts / "report.docx"
    target.write_bytes(render_docx(case))
    document = Document(str(target))
    headings = [
        p.text
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert "Integrity appendix" in headings
    assert len(document.inline_shapes) == 2
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            tool("soffice"),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(artifacts / "libreoffice"),
            str(target),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = pdf_text(artifacts / "libreoffice" / "report.pdf")
    for exhibit in case.exhibits:
        assert exhibit.sha256 in text
    for item in case.incidents:
        assert item.label in text
    # The exhibit index's "Page" fields are filled in with the page each exhibit starts on
    # (its picture, else its caption), not left as "see E-1".
    pages = text.split("\f")
    index = next(page for page in pages if "Exhibit index" in page)
    assert re.search(r"Exhibit\s+File\s+With\s+Recorded\s+Page", index)
    listed = dict(re.findall(r"^(E-\d+) .*\s(\d{1,3})$", index, re.MULTILINE))
    assert sorted(listed) == sorted(e.label for e in case.exhibits) and "see E-" not in index
    for exhibit in case.exhibits:
        caption = f"{exhibit.label} · {exhibit.filename}"
        printed = next(n for n, page in enumerate(pages, 1) if caption in page)
        # A picture may start at the foot of the page before its caption.
        starts = {printed} if exhibit.display is None else {printed - 1, printed}
        assert int(listed[exhibit.label]) in starts, exhibit.label


def test_docx_survives_control_characters() -> None:
    journal = MemoryEvidence()
    journal.add(
        "incident",
        {"when": {"start": "2026-03-01T10:00:00+00:00"}, "what": "Bell \x07 and NUL \x00 here"},
    )
    data = render_docx(build_casefile(journal, zone=dt.UTC, now=NOW))
    assert data[:2] == b"PK"
    render_pdf(build_casefile(journal, zone=dt.UTC, now=NOW))


def test_markdown_escapes_and_links(journal: MemoryEvidence) -> None:
    case = case_of(journal)
    text = render_markdown(
        case, link=lambda exhibit: f"exhibits/{exhibit.label}-{exhibit.filename}"
    )
    assert r"You will regret \*this\*." in text
    assert r"\<script\>" in text
    assert "![E-1: screenshot.png](exhibits/E-1-screenshot.png)" in text
    assert "[original file](exhibits/E-3-recording.m4a)" in text
    for exhibit in case.exhibits:
        assert f"`SHA-256 {exhibit.sha256}`" in text
    assert escape("# not a heading\n- not a list") == "\\# not a heading\n\\- not a list"


def test_empty_journal_still_makes_every_format() -> None:
    case = build_casefile(MemoryEvidence(), zone=dt.UTC, now=NOW)
    assert render_pdf(case)[:4] == b"%PDF"
    assert render_docx(case)[:2] == b"PK"
    assert "No entries were selected." in render_markdown(case)


def test_selection_by_context_and_dates(journal: MemoryEvidence) -> None:
    work = case_of(journal, selection=Selection(contexts=frozenset({"work"})))
    assert [item.label for item in work.items] == ["Incident 1", "Incident 2"]
    march = case_of(
        journal, selection=Selection(since=dt.date(2026, 3, 5), until=dt.date(2026, 3, 6))
    )
    assert [item.kind for item in march.items] == ["message"]
    assert march.left_out == 4


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60
).filter(lambda value: value.strip() != "")


@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(what=_TEXT, where=_TEXT, who=st.lists(_TEXT, max_size=3), name=_TEXT)
def test_any_words_render_in_every_format(what: str, where: str, who: list[str], name: str) -> None:
    journal = MemoryEvidence()
    journal.add(
        "incident",
        {"when": {"start": "2026-03-01T10:00:00+00:00"}, "what": what, "where": where, "who": who},
        [(name, "application/octet-stream", b"x")],
    )
    case = build_casefile(journal, zone=dt.UTC, now=NOW, person=name, title=name)
    assert render_pdf(case)[:4] == b"%PDF"
    assert render_docx(case)[:2] == b"PK"
    text = render_markdown(case)
    assert case.exhibits[0].sha256 in text
    assert "/" not in case.exhibits[0].filename and "\\" not in case.exhibits[0].filename


def test_a_message_says_where_it_came_from_in_markdown_and_pdf(journal: MemoryEvidence) -> None:
    """The court reads the same source line for a message in every format."""
    from ally.documents import report_typst

    case = case_of(journal)
    text = squash(render_markdown(case))
    assert "whatsapp, conversation “Sam”. Read from" in text
    assert "WhatsApp Chat with Sam.txt" in text and "Journal entry" in text
    item = case.messages[0]
    data = report_typst._message(case, item)
    assert data["provenance"].startswith("whatsapp, conversation “Sam”. Read from ")
    assert f"Journal entry {item.entry.seq}, recorded " in data["provenance"]
