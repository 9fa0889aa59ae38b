"""The evidence report as PDF, typeset by Typst from the case file.

Typst lays out a report of a thousand incidents and two hundred images in about a second,
where WeasyPrint needed about a minute of CPU and close to a gigabyte (issue 17 item 11), so
the PDF is made here; the HTML version (``report_html``) stays for the web and as the
WeasyPrint fallback in ``report_pdf``.

Safety: everything the person wrote travels to Typst only as JSON *data*, read by the fixed
template ``templates/report.typ`` and shown as plain text; nothing is ever evaluated as Typst
markup or code, so a crafted entry cannot change the layout or reach a file. The template, the
data and the reduced image copies are handed over as in-memory files: no file is written,
nothing is read from disk but the template and the system fonts, and no package is imported,
so making a report never touches the network.
"""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from ally.documents import report_text
from ally.documents.casefile import CaseFile, Exhibit, Facts, Item, code_finding, facts
from ally.documents.images import DisplayImage
from ally.documents.report_text import HEADINGS, LABELS, step_line
from ally.documents.steps import of_case_file
from ally.errors import AllyError

TEMPLATE = Path(__file__).parent / "templates" / "report.typ"
PAPERS = {"a4": "a4", "letter": "us-letter"}
IMAGE_BOX_MM = (170.0, 150.0)
"""Largest printed image: the full text width, and a little over half the page height."""


class ReportLayoutError(AllyError):
    """Typst could not lay out the report (a bug in Ally, never in what the person wrote)."""


@cache
def _template() -> bytes:
    return TEMPLATE.read_bytes()


def render_pdf_typst(case: CaseFile, paper: str = "A4") -> bytes:
    """The report as PDF bytes, laid out by Typst from in-memory files only."""
    import typst  # imported here: only report-making needs the typesetter

    files: dict[str, bytes] = {"main.typ": _template()}
    data = report_data(case, paper)
    for exhibit in case.exhibits:
        if exhibit.display is not None:
            files[_image_path(exhibit)] = _svg_wrapper(exhibit.display)
    files["data.json"] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    try:
        # typst-py takes a dict of in-memory files (its stub names only str, Path, bytes).
        pdf = typst.compile(  # type: ignore[call-overload]
            files,
            format="pdf",
            timestamp=int(case.generated_at.timestamp()),
            pdf_tags=False,
        )
    except RuntimeError as error:  # typst.TypstError is a RuntimeError
        raise ReportLayoutError(
            "The PDF report could not be laid out. Please make the DOCX or Markdown report "
            "instead, and tell Ally's developers (no journal content is needed)."
        ) from error
    assert isinstance(pdf, bytes)
    return pdf


def _image_path(exhibit: Exhibit) -> str:
    return f"img/{exhibit.label}.svg"


def _svg_wrapper(display: DisplayImage) -> bytes:
    """The JPEG copy inside a one-image SVG. typst-py takes in-memory files only as text, so
    the picture travels base64-encoded; Typst puts the JPEG data into the PDF unchanged."""
    width, height = display.width, display.height
    encoded = base64.b64encode(display.data).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<image width="{width}" height="{height}" '
        f'xlink:href="data:{display.media_type};base64,{encoded}"/></svg>'
    ).encode("ascii")


def report_data(case: CaseFile, paper: str = "A4") -> dict[str, Any]:
    """Everything the template prints, as plain strings already worded (the wording is
    shared with the other formats through ``report_text`` and ``casefile``)."""
    summary = facts(case)
    words = case.words
    return {
        "language": case.language,
        "words": {
            **{key: words(text) for key, text in LABELS.items()},
            **{f"h_{key}": words(text) for key, text in HEADINGS.items()},
            "steps_intro": report_text.steps_intro(case),
            "no_entries": report_text.no_entries(case),
            "no_exhibits": report_text.no_exhibits(case),
        },
        "title": case.title,
        "footer": case.title,
        "paper": PAPERS.get(paper.lower(), "a4"),
        "cover": _cover(case, summary),
        "summary": _summary(case, summary),
        "exhibit_index": _exhibit_index(case),
        "timeline": [
            [item.when, item.label, item.headline, ", ".join(e.label for e in item.exhibits)]
            for item in case.items
        ],
        "steps": [
            [step.when, step.label or words(LABELS["case"]), step_line(case, step), step.reference]
            for step in of_case_file(case)
        ],
        "incidents": [_incident(case, item) for item in case.incidents],
        "messages": [_message(case, item) for item in case.messages],
        "notes": [_note(case, item) for item in case.notes + case.others],
        "declaration": _declaration(case),
        "appendix": _appendix(case, summary),
    }


def _cover(case: CaseFile, summary: Facts) -> dict[str, Any]:
    label = case.words
    rows = [[label(LABELS["prepared"]), case.moment(case.generated_at)]]
    if case.jurisdiction:
        rows.append([label(LABELS["jurisdiction"]), case.jurisdiction])
    rows.append([label(LABELS["covers"]), report_text.covers(case, summary)])
    if summary.first:
        rows.append([label(LABELS["period"]), report_text.period(case, summary)])
    rows.append([label(LABELS["exhibits"]), report_text.exhibits_fact(case, summary)])
    return {
        "person": report_text.journal_of(case),
        "facts": rows,
        "head_code": case.head_code,
        "about": label(report_text.ABOUT),
        "not_advice": label(report_text.NOT_ADVICE),
    }


def _summary(case: CaseFile, summary: Facts) -> dict[str, Any]:
    return {
        "intro": report_text.summary_intro(case, summary),
        "people": "; ".join(f"{name} ({count})" for name, count in summary.people),
        "places": "; ".join(f"{name} ({count})" for name, count in summary.places),
        "included": report_text.included(summary, case.words),
    }


def _exhibit_index(case: CaseFile) -> list[list[str]]:
    return [
        [exhibit.label, exhibit.filename, item.label, case.moment(exhibit.recorded_at)]
        for item in case.items
        for exhibit in item.exhibits
    ]


def paragraphs(text: str) -> list[str]:
    """Paragraphs as the person wrote them; a single line break inside one becomes a space,
    as in the HTML and Markdown versions."""
    found = [" ".join(part.split()) for part in text.split("\n\n")]
    return [part for part in found if part]


def _exhibit(case: CaseFile, exhibit: Exhibit) -> dict[str, Any]:
    caption = report_text.exhibit_caption(case, exhibit)
    shown: dict[str, Any] = {"label": exhibit.label, "sha256": exhibit.sha256, "image": None}
    display = exhibit.display
    if display is None:
        shown["caption"] = caption + " " + report_text.not_shown(case)
        return shown
    width, height = display.size_mm(*IMAGE_BOX_MM)
    shown.update(caption=caption, image=_image_path(exhibit), width=width, height=height)
    return shown


def _incident(case: CaseFile, item: Item) -> dict[str, Any]:
    incident = item.incident
    assert incident is not None
    label = case.words
    rows = []
    if incident.where:
        rows.append([label(LABELS["where"]), incident.where])
    if incident.who:
        rows.append([label(LABELS["who"]), "; ".join(incident.who)])
    if incident.witnesses:
        rows.append([label(LABELS["witnesses"]), "; ".join(incident.witnesses)])
    rows.append([label(LABELS["recorded"]), report_text.recorded(case, item)])
    return {
        "heading": f"{item.label} · {item.when}",
        "facts": rows,
        "what": paragraphs(incident.what),
        "impact": paragraphs(incident.impact) if incident.impact else [],
        "exhibits": [_exhibit(case, exhibit) for exhibit in item.exhibits],
    }


def _message(case: CaseFile, item: Item) -> dict[str, Any]:
    message = item.message
    assert message is not None
    where = report_text.message_source(case, item)
    return {
        "heading": report_text.message_heading(case, item),
        "text": paragraphs(message.text),
        "provenance": where,
        "source_sha256": message.source_sha256,
        "exhibits": [_exhibit(case, exhibit) for exhibit in item.exhibits],
    }


def _note(case: CaseFile, item: Item) -> dict[str, Any]:
    return {
        "heading": f"{item.label} · {item.when}",
        "text": paragraphs(item.note.text if item.note else item.headline),
        "details": [list(pair) for pair in item.details],
        "quote": paragraphs(item.quote) if item.quote else [],
        "exhibits": [_exhibit(case, exhibit) for exhibit in item.exhibits],
    }


def _declaration(case: CaseFile) -> dict[str, Any] | None:
    block = report_text.declaration_lines(case)
    if not block:
        return None
    return {"title": block[0], "lines": block[1:]}


def _code_parts(text: str) -> list[list[Any]]:
    """`command` spans of the fixed sentences, as (text, is_code) pairs for the template."""
    parts = re.split(r"`([^`]+)`", text)
    return [[part, index % 2 == 1] for index, part in enumerate(parts) if part]


def _appendix(case: CaseFile, summary: Facts) -> dict[str, Any]:
    return {
        "integrity": case.words(report_text.INTEGRITY),
        "reduced": case.words(report_text.REDUCED) if summary.images else None,
        "head_code": case.head_code,
        "noted": [[code, code_finding(found, case.words)] for code, found in case.noted_codes],
        "exhibits": [
            [report_text.appendix_line(case, exhibit), exhibit.sha256] for exhibit in case.exhibits
        ],
        "verify": [_code_parts(case.words(step)) for step in report_text.VERIFY_STEPS],
    }
