"""The evidence report as a Word document (python-docx), for lawyers who edit.

Same content and order as the PDF: cover, summary, timeline, incidents with their exhibits,
messages with their provenance, and the integrity appendix. Headings use Word's built-in
heading styles so the navigation pane and a table of contents work in Word and LibreOffice.
Parts follow one another without forced page breaks (a part of a few lines no longer leaves a
page nearly empty); Word's heading styles keep each heading with what follows it.
"""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from ally.documents import report_text
from ally.documents.casefile import (
    CaseFile,
    Exhibit,
    Facts,
    Item,
    code_finding,
    facts,
    human_size,
    plural,
)
from ally.documents.report_html import step_line
from ally.documents.steps import of_case_file

MONO = "DejaVu Sans Mono"


def render_docx(case: CaseFile, paper: str = "A4") -> bytes:
    """The report as .docx bytes."""
    document = Document()
    _page(document, paper)
    _page_numbers(document)
    summary = facts(case)
    _cover(document, case, summary)
    _summary(document, case, summary)
    _exhibit_index(document, case)
    _timeline(document, case)
    _steps(document, case)
    _incidents(document, case)
    _messages(document, case)
    _notes(document, case)
    _declaration(document, case)
    _appendix(document, case, summary)
    core = document.core_properties
    core.title, core.author, core.comments = _x(case.title), "", ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page(document: DocxDocument, paper: str) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    if paper == "letter":
        section.page_width, section.page_height = Mm(215.9), Mm(279.4)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    style = document.styles["Normal"]
    style.font.size = Pt(10)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """Text Word can store: XML 1.0 forbids most control characters, which chat exports hold."""
    return _NOT_XML.sub("\ufffd", text)


def _page_numbers(document: DocxDocument) -> None:
    """ "Page N of M" in every page's footer, as Word fields, so a court can cite a page."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _word_field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _word_field(paragraph, "NUMPAGES")


def _word_field(paragraph: Any, code: str) -> None:
    run = paragraph.add_run()
    for kind, text in (
        ("begin", None),
        (None, code),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == code:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {code} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _exhibit_index(document: DocxDocument, case: CaseFile) -> None:
    if not case.exhibits:
        return
    document.add_heading("Exhibit index", level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(
        table.rows[0].cells, ("Exhibit", "File", "With", "Recorded"), strict=True
    ):
        cell.text = title
    for item in case.items:
        for exhibit in item.exhibits:
            row = table.add_row().cells
            row[0].text = exhibit.label
            row[1].text = _x(exhibit.filename)
            row[2].text = item.label
            row[3].text = case.moment(exhibit.recorded_at)


def _declaration(document: DocxDocument, case: CaseFile) -> None:
    block = report_text.declaration_lines(case)
    if not block:
        return
    heading = document.add_heading(_x(block[0]), level=1)
    lines = [document.add_paragraph(_x(line)) for line in block[1:] if line]
    # One block on one page: the wording is never parted from the lines to sign.
    for paragraph in [heading, *lines[:-1]]:
        paragraph.paragraph_format.keep_with_next = True


def _field(document: DocxDocument, label: str, value: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(_x(value))
    paragraph.paragraph_format.space_after = Pt(1)


def _hash(paragraph: Paragraph, exhibit_sha: str) -> None:
    run = paragraph.add_run(f"SHA-256 {exhibit_sha}")
    run.font.name = MONO
    run.font.size = Pt(7.5)


def _text(document: DocxDocument, text: str, style: str | None = None) -> None:
    for para in text.split("\n\n"):
        document.add_paragraph(_x(" ".join(para.split())), style=style)


def _cover(document: DocxDocument, case: CaseFile, summary: Facts) -> None:
    document.add_heading(_x(case.title), level=0)
    if case.person:
        document.add_paragraph(_x(f"Journal of {case.person}"))
    _field(document, "Prepared", case.moment(case.generated_at))
    if case.jurisdiction:
        _field(document, "Jurisdiction", case.jurisdiction)
    covers = f"{plural(summary.incidents, 'incident')}, {plural(summary.messages, 'message')}"
    if summary.notes:
        covers += ", " + plural(summary.notes, "note")
    _field(document, "Covers", covers)
    if summary.first:
        _field(document, "Period", f"{summary.first} to {summary.last}")
    _field(
        document,
        "Exhibits",
        f"{plural(summary.exhibits, 'file')} ({human_size(summary.exhibit_bytes)}), "
        f"{summary.images} shown as images",
    )
    _field(document, "Head code", case.head_code)
    document.add_paragraph(report_text.ABOUT)
    document.add_paragraph(report_text.NOT_ADVICE)


def _summary(document: DocxDocument, case: CaseFile, summary: Facts) -> None:
    document.add_heading("Summary", level=1)
    period = f", from {summary.first} to {summary.last}" if summary.first else ""
    document.add_paragraph(
        f"This report covers {plural(summary.incidents, 'incident')} and "
        f"{plural(summary.messages, 'message')}{period}, with "
        f"{plural(summary.exhibits, 'exhibit')}. Times are shown with their offset from UTC."
    )
    if summary.people:
        document.add_heading("People named in incidents", level=3)
        document.add_paragraph(_x("; ".join(f"{name} ({n})" for name, n in summary.people)))
    if summary.places:
        document.add_heading("Places", level=3)
        document.add_paragraph(_x("; ".join(f"{name} ({n})" for name, n in summary.places)))
    document.add_heading("What is and is not included", level=3)
    document.add_paragraph(_x(report_text.included(summary)))


def _timeline(document: DocxDocument, case: CaseFile) -> None:
    document.add_heading("Timeline", level=1)
    if not case.items:
        document.add_paragraph("No entries were selected.")
        return
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ("When", "Entry", "What", "Exhibits"), strict=True):
        cell.text = title
    for item in case.items:
        row = table.add_row().cells
        row[0].text = _x(item.when)
        row[1].text = item.label
        row[2].text = _x(item.headline)
        row[3].text = ", ".join(exhibit.label for exhibit in item.exhibits)


def _steps(document: DocxDocument, case: CaseFile) -> None:
    steps = of_case_file(case)
    if not steps:
        return
    document.add_heading("Steps taken", level=1)
    document.add_paragraph("What I did about it, and what came back, in date order.")
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    titles = ("When", "Entry", "What", "Reference")
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        cell.text = title
    for step in steps:
        row = table.add_row().cells
        row[0].text = _x(step.when)
        row[1].text = step.label or "Case"
        row[2].text = _x(step_line(step))
        row[3].text = _x(step.reference)


def _recorded(item: Item, case: CaseFile) -> str:
    text = f"{case.moment(item.entry.recorded_at)}, journal entry {item.entry.seq}"
    if item.edited:
        text += f" (version {item.entry.version}; earlier versions kept)"
    return text


def _incidents(document: DocxDocument, case: CaseFile) -> None:
    if not case.incidents:
        return
    document.add_heading("Incidents", level=1)
    for item in case.incidents:
        incident = item.incident
        assert incident is not None
        document.add_heading(_x(f"{item.label} · {item.when}"), level=2)
        if incident.where:
            _field(document, "Where", incident.where)
        if incident.who:
            _field(document, "Who", "; ".join(incident.who))
        if incident.witnesses:
            _field(document, "Witnesses", "; ".join(incident.witnesses))
        _field(document, "Recorded", _recorded(item, case))
        document.add_heading("What happened", level=3)
        _text(document, incident.what)
        if incident.impact:
            document.add_heading("How it affected them", level=3)
            _text(document, incident.impact)
        for exhibit in item.exhibits:
            _exhibit(document, exhibit, case)


def _exhibit(document: DocxDocument, exhibit: Exhibit, case: CaseFile) -> None:
    if exhibit.display is not None:
        width, height = exhibit.display.size_mm(max_width=150, max_height=140)
        document.add_picture(io.BytesIO(exhibit.display.data), width=Mm(width), height=Mm(height))
    caption = document.add_paragraph()
    caption.add_run(exhibit.label).bold = True
    text = (
        f" · {exhibit.filename} · {exhibit.media_type} · {human_size(exhibit.size)} · "
        f"recorded {case.moment(exhibit.recorded_at)}"
    )
    if exhibit.display is None:
        text += " (not shown here; the original is in the evidence bundle)"
    elif exhibit.display.reduced:
        text += (
            f" · shown reduced from {exhibit.display.original_width} × "
            f"{exhibit.display.original_height} pixels"
        )
    caption.add_run(_x(text) + "\n")
    _hash(caption, exhibit.sha256)


def _messages(document: DocxDocument, case: CaseFile) -> None:
    if not case.messages:
        return
    document.add_heading("Messages", level=1)
    for item in case.messages:
        message = item.message
        assert message is not None
        document.add_heading(_x(f"{item.label} · {item.when} · from {message.sender}"), level=3)
        _text(document, message.text, style="Quote")
        where = message.platform
        if message.conversation:
            where += f", conversation “{message.conversation}”"
        if message.edited:
            where += ", edited by the sender"
        if message.deleted:
            where += ", deleted by the sender"
        paragraph = document.add_paragraph(_x(where + ". "))
        if message.provenance:
            paragraph.add_run(_x(f"Read from {message.provenance}. "))
        paragraph.add_run(f"Journal entry {item.entry.seq}, recorded ")
        paragraph.add_run(case.moment(item.entry.recorded_at) + ".")
        if message.source_sha256:
            paragraph.add_run("\nExport file ")
            run = paragraph.add_run(f"SHA-256 {message.source_sha256}")
            run.font.name, run.font.size = MONO, Pt(7.5)
        for exhibit in item.exhibits:
            _exhibit(document, exhibit, case)


def _notes(document: DocxDocument, case: CaseFile) -> None:
    items = case.notes + case.others
    if not items:
        return
    document.add_heading("Notes and other entries", level=1)
    for item in items:
        document.add_heading(_x(f"{item.label} · {item.when}"), level=3)
        _text(document, item.note.text if item.note else item.headline)
        for label, value in item.details:
            paragraph = document.add_paragraph()
            paragraph.add_run(_x(label + ": ")).bold = True
            paragraph.add_run(_x(value))
        if item.quote:
            _text(document, item.quote)
        for exhibit in item.exhibits:
            _exhibit(document, exhibit, case)


def _appendix(document: DocxDocument, case: CaseFile, summary: Facts) -> None:
    document.add_heading("Integrity appendix", level=1)
    document.add_paragraph(report_text.INTEGRITY)
    if summary.images:
        document.add_paragraph(report_text.REDUCED)
    document.add_heading("Journal head code", level=3)
    run = document.add_paragraph().add_run(case.head_code)
    run.font.name, run.font.size = MONO, Pt(13)
    if case.noted_codes:
        document.add_heading("Journal codes noted earlier", level=3)
        for code, found in case.noted_codes:
            paragraph = document.add_paragraph()
            paragraph.add_run(code).font.name = MONO
            paragraph.add_run(_x(f": {code_finding(found)}"))
    document.add_heading("Exhibits", level=3)
    for exhibit in case.exhibits:
        paragraph = document.add_paragraph()
        paragraph.add_run(exhibit.label).bold = True
        paragraph.add_run(
            _x(f" · {exhibit.filename} · {exhibit.size} bytes · {exhibit.media_type}\n")
        )
        _hash(paragraph, exhibit.sha256)
    if not case.exhibits:
        document.add_paragraph("There are no exhibits.")
    document.add_heading("How to verify", level=3)
    for step in report_text.VERIFY_STEPS:
        paragraph = document.add_paragraph(style="List Number")
        for index, part in enumerate(re.split(r"`([^`]+)`", step)):
            run = paragraph.add_run(part)
            if index % 2:
                run.font.name = MONO
