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
from ally.documents.casefile import CaseFile, Exhibit, Facts, code_finding, facts
from ally.documents.report_i18n import N_
from ally.documents.report_text import heading, label, step_line
from ally.documents.steps import of_case_file

MONO = "DejaVu Sans Mono"
SEE = N_("see %(label)s")
"""The exhibit index's "Page" cell until the word processor works the page out (its PAGEREF
field's last result: LibreOffice updates it on opening; Word when it prints or on F9)."""
PROOFING = {"es": "es-ES", "fr": "fr-FR"}
"""The language Word and LibreOffice check spelling in, for a report not in English (the
blank document says US English, which would flag every word of a Spanish or French one)."""


def render_docx(case: CaseFile, paper: str = "A4") -> bytes:
    """The report as .docx bytes."""
    document = Document()
    _page(document, paper)
    _language(document, case)
    _page_numbers(document, case)
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


def _language(document: DocxDocument, case: CaseFile) -> None:
    tag = PROOFING.get(case.language)
    if tag is None:
        return
    for lang in document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        lang.set(qn("w:val"), tag)
    document.core_properties.language = tag


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """Text Word can store: XML 1.0 forbids most control characters, which chat exports hold."""
    return _NOT_XML.sub("\ufffd", text)


def _page_numbers(document: DocxDocument, case: CaseFile) -> None:
    """ "Page N of M" in every page's footer, as Word fields, so a court can cite a page."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(label(case, "page") + " ")
    _word_field(paragraph, "PAGE")
    paragraph.add_run(" " + label(case, "of") + " ")
    _word_field(paragraph, "NUMPAGES")


def _word_field(paragraph: Any, code: str, shown: str = "1") -> None:
    run = paragraph.add_run()
    for kind, text in (
        ("begin", None),
        (None, code),
        ("separate", None),
        (None, shown),
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
    document.add_heading(heading(case, "exhibit_index"), level=2)
    table = _table_head(document, case, ("exhibit", "file", "with", "recorded", "page"))
    for item in case.items:
        for exhibit in item.exhibits:
            row = table.add_row().cells
            row[0].text = exhibit.label
            row[1].text = _x(exhibit.filename)
            row[2].text = item.label
            row[3].text = case.moment(exhibit.recorded_at)
            # The page the exhibit's caption is on, as a field the word processor fills in.
            shown = case.words(SEE, label=exhibit.label)
            _word_field(row[4].paragraphs[0], f"PAGEREF {_bookmark(exhibit)} \\h", shown)


def _declaration(document: DocxDocument, case: CaseFile) -> None:
    block = report_text.declaration_lines(case)
    if not block:
        return
    heading = document.add_heading(_x(block[0]), level=1)
    lines = [document.add_paragraph(_x(line)) for line in block[1:] if line]
    # One block on one page: the wording is never parted from the lines to sign.
    for paragraph in [heading, *lines[:-1]]:
        paragraph.paragraph_format.keep_with_next = True


def _table_head(document: DocxDocument, case: CaseFile, keys: tuple[str, ...]) -> Any:
    table = document.add_table(rows=1, cols=len(keys))
    table.style = "Table Grid"
    for cell, key in zip(table.rows[0].cells, keys, strict=True):
        cell.text = label(case, key)
    return table


def _field(document: DocxDocument, case: CaseFile, key: str, value: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label(case, key)}{case.words.colon} ").bold = True
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
    person = report_text.journal_of(case)
    if person:
        document.add_paragraph(_x(person))
    _field(document, case, "prepared", case.moment(case.generated_at))
    if case.jurisdiction:
        _field(document, case, "jurisdiction", case.jurisdiction)
    _field(document, case, "covers", report_text.covers(case, summary))
    if summary.first:
        _field(document, case, "period", report_text.period(case, summary))
    _field(document, case, "exhibits", report_text.exhibits_fact(case, summary))
    _field(document, case, "head_code", case.head_code)
    document.add_paragraph(case.words(report_text.ABOUT))
    document.add_paragraph(case.words(report_text.NOT_ADVICE))


def _summary(document: DocxDocument, case: CaseFile, summary: Facts) -> None:
    document.add_heading(heading(case, "summary"), level=1)
    document.add_paragraph(report_text.summary_intro(case, summary))
    if summary.people:
        document.add_heading(heading(case, "people"), level=3)
        document.add_paragraph(_x("; ".join(f"{name} ({n})" for name, n in summary.people)))
    if summary.places:
        document.add_heading(heading(case, "places"), level=3)
        document.add_paragraph(_x("; ".join(f"{name} ({n})" for name, n in summary.places)))
    document.add_heading(heading(case, "included"), level=3)
    document.add_paragraph(_x(report_text.included(summary, case.words)))


def _timeline(document: DocxDocument, case: CaseFile) -> None:
    document.add_heading(heading(case, "timeline"), level=1)
    if not case.items:
        document.add_paragraph(report_text.no_entries(case))
        return
    table = _table_head(document, case, ("when", "entry", "what", "exhibits"))
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
    document.add_heading(heading(case, "steps"), level=1)
    document.add_paragraph(report_text.steps_intro(case))
    table = _table_head(document, case, ("when", "entry", "what", "reference"))
    for step in steps:
        row = table.add_row().cells
        row[0].text = _x(step.when)
        row[1].text = step.label or label(case, "case")
        row[2].text = _x(step_line(case, step))
        row[3].text = _x(step.reference)


def _incidents(document: DocxDocument, case: CaseFile) -> None:
    if not case.incidents:
        return
    document.add_heading(heading(case, "incidents"), level=1)
    for item in case.incidents:
        incident = item.incident
        assert incident is not None
        document.add_heading(_x(f"{item.label} · {item.when}"), level=2)
        if incident.where:
            _field(document, case, "where", incident.where)
        if incident.who:
            _field(document, case, "who", "; ".join(incident.who))
        if incident.witnesses:
            _field(document, case, "witnesses", "; ".join(incident.witnesses))
        _field(document, case, "recorded", report_text.recorded(case, item))
        document.add_heading(heading(case, "what"), level=3)
        _text(document, incident.what)
        if incident.impact:
            document.add_heading(heading(case, "impact"), level=3)
            _text(document, incident.impact)
        for exhibit in item.exhibits:
            _exhibit(document, exhibit, case)


def _exhibit(document: DocxDocument, exhibit: Exhibit, case: CaseFile) -> None:
    if exhibit.display is not None:
        width, height = exhibit.display.size_mm(max_width=150, max_height=140)
        picture = document.add_paragraph()
        _bookmarked(picture, exhibit, case)  # the exhibit starts with its picture
        picture.add_run().add_picture(
            io.BytesIO(exhibit.display.data), width=Mm(width), height=Mm(height)
        )
    caption = document.add_paragraph()
    if exhibit.display is None:
        _bookmarked(caption, exhibit, case)
    caption.add_run(exhibit.label).bold = True
    text = " · " + report_text.exhibit_caption(case, exhibit)
    if exhibit.display is None:
        text += " " + report_text.not_shown(case)
    caption.add_run(_x(text) + "\n")
    _hash(caption, exhibit.sha256)


def _bookmark(exhibit: Exhibit) -> str:
    """The Word bookmark at an exhibit's caption (letters, digits, underscores)."""
    return "exhibit_" + re.sub(r"\W", "_", exhibit.label)


def _bookmarked(paragraph: Paragraph, exhibit: Exhibit, case: CaseFile) -> None:
    """Mark where an exhibit's caption starts, for the index's PAGEREF field."""
    number = str(100 + case.exhibits.index(exhibit))
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), number)
    start.set(qn("w:name"), _bookmark(exhibit))
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), number)
    paragraph._p.append(start)
    paragraph._p.append(end)


def _messages(document: DocxDocument, case: CaseFile) -> None:
    if not case.messages:
        return
    document.add_heading(heading(case, "messages"), level=1)
    for item in case.messages:
        message = item.message
        assert message is not None
        document.add_heading(_x(report_text.message_heading(case, item)), level=3)
        _text(document, message.text, style="Quote")
        paragraph = document.add_paragraph(_x(report_text.message_source(case, item)))
        if message.source_sha256:
            paragraph.add_run("\n" + label(case, "export_file") + " ")
            run = paragraph.add_run(f"SHA-256 {message.source_sha256}")
            run.font.name, run.font.size = MONO, Pt(7.5)
        for exhibit in item.exhibits:
            _exhibit(document, exhibit, case)


def _notes(document: DocxDocument, case: CaseFile) -> None:
    items = case.notes + case.others
    if not items:
        return
    document.add_heading(heading(case, "notes"), level=1)
    for item in items:
        document.add_heading(_x(f"{item.label} · {item.when}"), level=3)
        _text(document, item.note.text if item.note else item.headline)
        for name, value in item.details:
            paragraph = document.add_paragraph()
            paragraph.add_run(_x(name + case.words.colon + " ")).bold = True
            paragraph.add_run(_x(value))
        if item.quote:
            _text(document, item.quote)
        for exhibit in item.exhibits:
            _exhibit(document, exhibit, case)


def _appendix(document: DocxDocument, case: CaseFile, summary: Facts) -> None:
    words = case.words
    document.add_heading(heading(case, "appendix"), level=1)
    document.add_paragraph(words(report_text.INTEGRITY))
    if summary.images:
        document.add_paragraph(words(report_text.REDUCED))
    document.add_heading(heading(case, "head_code"), level=3)
    run = document.add_paragraph().add_run(case.head_code)
    run.font.name, run.font.size = MONO, Pt(13)
    if case.noted_codes:
        document.add_heading(heading(case, "noted"), level=3)
        for code, found in case.noted_codes:
            paragraph = document.add_paragraph()
            paragraph.add_run(code).font.name = MONO
            paragraph.add_run(_x(f"{words.colon} {code_finding(found, words)}"))
    document.add_heading(heading(case, "exhibits"), level=3)
    for exhibit in case.exhibits:
        paragraph = document.add_paragraph()
        paragraph.add_run(exhibit.label).bold = True
        line = report_text.appendix_line(case, exhibit).removeprefix(exhibit.label)
        paragraph.add_run(_x(line + "\n"))
        _hash(paragraph, exhibit.sha256)
    if not case.exhibits:
        document.add_paragraph(report_text.no_exhibits(case))
    document.add_heading(heading(case, "verify"), level=3)
    for step in report_text.VERIFY_STEPS:
        paragraph = document.add_paragraph(style="List Number")
        for index, part in enumerate(re.split(r"`([^`]+)`", words(step))):
            run = paragraph.add_run(part)
            if index % 2:
                run.font.name = MONO
