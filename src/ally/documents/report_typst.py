"""The evidence report as PDF, typeset by Typst from the case file.

Typst lays out a report of a thousand incidents and two hundred images in about a second,
where WeasyPrint needed about a minute of CPU and close to a gigabyte (issue 17 item 11), so
the PDF is made here; the HTML version (``report_html``) stays for the web and as the
WeasyPrint fallback in ``report_pdf``.

Safety: everything the person wrote travels to Typst only as JSON *data*, read by the fixed
template ``templates/report.typ`` and shown as plain text; nothing is ever evaluated as Typst
markup or code, so a crafted entry cannot change the layout or reach a file. The template, the
data and the reduced image copies are handed over as in-memory files: no file is written,
nothing is read from disk but the templates and the system fonts, and no package is imported,
so making a report never touches the network.

Memory (issue 17 item 11: under 500 MB for 1,000 incidents and 200 photos): Typst holds every
laid-out glyph of a document until its PDF is written, about 300 bytes per character, and
typst-py keeps what it memoized for ten more compilations. So a long report is typeset in
parts of about ``PART_BUDGET`` each, Typst's memory is released after each part, and the parts
are joined with pypdf. Nothing changes on paper: a part that begins on the page where the
previous one ended is laid out from that point down and drawn onto that same page, the page
footers ("Page N of M") are typeset once the number of pages is known and drawn onto every
page, and the bookmarks are rebuilt from the headings' labels. Only the images of a part's own
entries travel with it.
"""

from __future__ import annotations

import base64
import io
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

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = TEMPLATES / "report.typ"
PAGES_TEMPLATE = TEMPLATES / "report_pages.typ"
PAPERS = {"a4": "a4", "letter": "us-letter"}
IMAGE_BOX_MM = (170.0, 150.0)
"""Largest printed image: the full text width, and a little over half the page height."""

PART_BUDGET = 200_000
"""How much one typeset part may hold: characters of its data (Typst needs about 400 bytes of
memory for each while it lays them out), with an image counted as a fiftieth of its bytes
(about 8 bytes of memory each: the base64 SVG, its decoded copy and the PDF's). So a part
takes about 80 MB; a thousand incidents with two hundred photos make six parts, and a report
that fits in one part is typeset as one, as before."""

SECTIONS = ("exhibit_index", "timeline", "steps", "incidents", "messages", "notes")
"""The lists a report is cut into parts along, in the order they are printed."""

TOP_MARGIN_PT = 20 / 25.4 * 72
BOTTOM_MARGIN_PT = 22 / 25.4 * 72
"""The template's page margins (20 and 22 mm), in points."""

MIN_ROOM_PT = 1.0
"""A part continues on the previous part's last page whenever anything is left there: Typst
then decides what fits, as in one document (if nothing does, the part's first page is empty
and drawing it onto the previous one changes nothing)."""

END_MARK = "ally-end"
EXHIBIT_MARK = "ally-x-"
INDEX_MARK = "ally-xp-"
"""Marks (named destinations) where an exhibit is printed, and where its row of the exhibit
index has its empty "Page" cell (report.typ's ``spot``)."""
DESTINATION_LIFT_PT = 10.0
"""Typst points a heading's PDF destination 10 pt above the heading (so a viewer jumping
there shows a little of what comes before); the end mark is that much lower."""


LAYOUT_FAILED = (
    "The PDF report could not be laid out. Please make the DOCX or Markdown report "
    "instead, and tell Ally's developers (no journal content is needed)."
)


class ReportLayoutError(AllyError):
    """Typst could not lay out the report (a bug in Ally, never in what the person wrote)."""


@cache
def _template(path: Path = TEMPLATE) -> bytes:
    return path.read_bytes()


@cache
def _fonts() -> Any:
    """The system fonts, found once per process (typst-py would search for them on every
    compilation otherwise)."""
    import typst

    return typst.Fonts()


def render_pdf_typst(case: CaseFile, paper: str = "A4") -> bytes:
    """The report as PDF bytes, laid out by Typst from in-memory files only, part by part,
    and joined (see the module docstring)."""
    data = report_data(case, paper)
    images = _images(case)
    timestamp = int(case.generated_at.timestamp())
    parts = plan_parts(data, images)
    joined = _Joined()
    for part in parts:
        part["start"] = joined.room()
        files = {"main.typ": _template(), **_image_files(part, images)}
        files["data.json"] = json.dumps(part, ensure_ascii=False).encode("utf-8")
        pdf = _compile(files, timestamp)
        del files
        joined.add(pdf, continues=part["start"] is not None)
    pages = {
        "title": data["title"],
        "footer": data["footer"],
        "language": data["language"],
        "paper": data["paper"],
        "pages": joined.count(),
        "words": {key: data["words"][key] for key in ("page", "of")},
        "stamps": joined.exhibit_pages(),
    }
    footers = _compile(
        {
            "main.typ": _template(PAGES_TEMPLATE),
            "data.json": json.dumps(pages, ensure_ascii=False).encode("utf-8"),
        },
        timestamp,
    )
    return joined.finish(footers, outline(data), case)


def _images(case: CaseFile) -> dict[str, DisplayImage]:
    return {
        _image_path(exhibit): exhibit.display
        for exhibit in case.exhibits
        if exhibit.display is not None
    }


def part_count(case: CaseFile, paper: str = "A4") -> int:
    """How many parts the report is typeset in (for the benchmark)."""
    return len(plan_parts(report_data(case, paper), _images(case)))


def _compile(files: dict[str, bytes], timestamp: int) -> bytes:
    import typst  # imported here: only report-making needs the typesetter

    try:
        # typst-py takes a dict of in-memory files (its stub names only str, Path, bytes).
        pdf = typst.compile(
            files,
            format="pdf",
            timestamp=timestamp,
            pdf_tags=False,
            font_paths=_fonts(),
        )
    except RuntimeError as error:  # typst.TypstError is a RuntimeError
        raise ReportLayoutError(LAYOUT_FAILED) from error
    finally:
        _forget_layouts()
    assert isinstance(pdf, bytes)
    return pdf


def _forget_layouts() -> None:
    """Let Typst free what it memoized while laying out the last document.

    typst-py keeps Typst's memoized layouts until ten more compilations have run (it calls
    ``comemo.evict(10)`` after each), so a report's few hundred megabytes would stay in the
    process (a web server's too) until then. Ten empty compilations take a few milliseconds."""
    import typst

    for _ in range(10):
        typst.compile({"main.typ": b" "}, format="html", font_paths=_fonts())


def plan_parts(
    data: dict[str, Any], images: dict[str, DisplayImage] | None = None
) -> list[dict[str, Any]]:
    """The report's data cut into parts of about ``PART_BUDGET``, in print order: the cover
    and summary in the first, the declaration and appendix in the last, the rows of each list
    in between. A section's heading goes with its first row; ``more`` says which list goes
    on in the next part (a table then ends without its space below)."""
    images = images or {}
    kept = {key: value for key, value in data.items() if key not in SECTIONS}

    def fresh() -> dict[str, Any]:
        return {
            **kept,
            "cover": None,
            "tail": False,
            "start": None,
            "head": dict.fromkeys(SECTIONS, False),
            "more": dict.fromkeys(SECTIONS, False),
            **{section: [] for section in SECTIONS},
        }

    parts = [fresh()]
    parts[0]["cover"] = data["cover"]
    load = _weight(data["cover"]) + _weight(data["summary"])
    for section in SECTIONS:
        rows = data[section]
        if not rows:
            parts[-1]["head"][section] = section == "timeline"  # "no entries" is printed
        for index, row in enumerate(rows):
            cost = _weight(row) + sum(
                len(images[path].data) // 50 for path in _row_images(row) if path in images
            )
            # Parts are cut between two rows of one list, never before a section's heading:
            # there the spacing of the joined pages would not be the spacing of one document.
            if index > 0 and load + cost > PART_BUDGET:
                parts[-1]["more"][section] = True
                parts.append(fresh())
                load = 0
            if index == 0:
                parts[-1]["head"][section] = True
            parts[-1][section].append(row)
            load += cost
    parts[-1]["tail"] = True
    return parts


def _weight(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False))


def _row_images(row: Any) -> list[str]:
    if not isinstance(row, dict):
        return []
    return [shown["image"] for shown in row.get("exhibits", ()) if shown.get("image")]


def _image_files(part: dict[str, Any], images: dict[str, DisplayImage]) -> dict[str, bytes]:
    return {
        path: _svg_wrapper(images[path])
        for section in SECTIONS
        for row in part[section]
        for path in _row_images(row)
        if path in images
    }


def outline(data: dict[str, Any]) -> list[tuple[str, int, str]]:
    """The bookmarks (label, level, title) in print order: sections and their entries."""
    said = data["words"]  # already worded
    found: list[tuple[str, int, str]] = [("ally-summary", 2, said["h_summary"])]
    if data["exhibit_index"]:
        found.append(("ally-exhibit-index", 2, said["h_exhibit_index"]))
    found.append(("ally-timeline", 2, said["h_timeline"]))
    if data["steps"]:
        found.append(("ally-steps", 2, said["h_steps"]))
    for section in ("incidents", "messages", "notes"):
        if data[section]:
            found.append((f"ally-{section}", 2, said[f"h_{section}"]))
            found.extend((row["key"], 3, row["heading"]) for row in data[section])
    if data["declaration"] is not None:
        found.append(("ally-declaration", 2, data["declaration"]["title"]))
    found.append(("ally-appendix", 2, said["h_appendix"]))
    return found


class _Joined:
    """The parts' pages joined into one PDF (pypdf), with footers and bookmarks."""

    def __init__(self) -> None:
        from pypdf import PdfWriter

        self.writer = PdfWriter()
        self.marks: dict[str, tuple[int, float]] = {}
        self.cells: dict[str, tuple[int, float, float]] = {}
        """The exhibit index's "Page" cells: page, left and top (points, PDF's own axes)."""
        self.parts = 0
        self.end: tuple[float, float] | None = None
        """Where the last part ended: its last page's height and the end's distance from the
        top, in points."""

    def room(self) -> float | None:
        """How far down the last page the next part should start, or None for a new page."""
        if self.end is None:
            return None
        height, ended = self.end
        if height - BOTTOM_MARGIN_PT - ended < MIN_ROOM_PT:
            return None
        return round(ended - TOP_MARGIN_PT, 3)

    def count(self) -> int:
        return len(self.writer.pages)

    def exhibit_pages(self) -> dict[str, list[tuple[float, float, str]]]:
        """The exhibit index's page numbers, to stamp with the footers: per page of the index
        (its index, as a string for JSON), where each row's empty "Page" cell begins (points
        from the page's top left) and the number of the page where that exhibit is printed.
        Only known once every part is joined, so the index itself cannot print them."""
        stamps: dict[str, list[tuple[float, float, str]]] = {}
        for name, (page, left, top) in self.cells.items():
            shown = self.marks.get(EXHIBIT_MARK + name.removeprefix(INDEX_MARK))
            if shown is None:
                continue
            height = float(self.writer.pages[page].mediabox.height)
            down = round(height - (top - DESTINATION_LIFT_PT), 2)
            stamps.setdefault(str(page), []).append((round(left, 2), down, str(shown[0] + 1)))
        return stamps

    def add(self, pdf: bytes, continues: bool) -> None:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        marks: dict[str, tuple[int, float]] = {}
        cells: dict[str, tuple[int, float, float]] = {}
        for name, dest in reader.named_destinations.items():
            found, height_of = reader.get_destination_page_number(dest), dest.top
            if found is None or height_of is None:
                raise ReportLayoutError(LAYOUT_FAILED)
            marks[name] = (found, float(height_of))
            if name.startswith(INDEX_MARK):
                cells[name] = (found, float(dest.left or 0), float(height_of))
        pages = list(reader.pages)
        end_page, end_top = marks.pop(END_MARK)
        height = float(pages[end_page].mediabox.height)
        ended = height - (end_top - DESTINATION_LIFT_PT)
        if end_page == len(pages) - 1 and end_page > 0 and ended <= TOP_MARGIN_PT + 1:
            pages.pop()  # the end mark alone on a page of its own: nothing else is there
            height = float(pages[-1].mediabox.height)
            ended = height  # unknown: the next part starts a new page
        offset = self.count() - (1 if continues else 0)
        for number, page in enumerate(pages):
            if number == 0 and continues:
                # Named after the part: several short parts may share a page.
                _overlay(self.writer, self.writer.pages[-1], page, f"/AllyPart{self.parts}")
            else:
                self.writer.add_page(page)
        for name, (page_number, top) in marks.items():
            self.marks[name] = (offset + page_number, top)
        for name, (page_number, left, top) in cells.items():
            self.cells[name] = (offset + page_number, left, top)
        self.end = (height, ended)
        self.parts += 1

    def finish(
        self, footers: bytes, bookmarks: list[tuple[str, int, str]], case: CaseFile
    ) -> bytes:
        from pypdf import PdfReader
        from pypdf.generic import Fit, NameObject, TextStringObject

        writer = self.writer
        footer_pages = PdfReader(io.BytesIO(footers)).pages
        for page, footer in zip(writer.pages, footer_pages, strict=True):
            _overlay(writer, page, footer, "/AllyFooter")
        parent = None
        for name, level, title in bookmarks:
            if name not in self.marks:
                continue
            page_number, top = self.marks[name]
            item = writer.add_outline_item(
                title=title,
                page_number=page_number,
                parent=parent if level > 2 else None,
                fit=Fit.xyz(top=top),
            )
            if level == 2:
                parent = item
        writer.add_metadata(
            {
                "/Title": case.title,
                "/Author": "Ally",
                "/Creator": "Ally (Typst)",
                "/CreationDate": case.generated_at.strftime("D:%Y%m%d%H%M%SZ"),
            }
        )
        writer.root_object[NameObject("/Lang")] = TextStringObject(case.language)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


def _overlay(writer: Any, page: Any, other: Any, name: str) -> None:
    """Draw ``other`` (a page of another PDF) over ``page`` of ``writer``, unchanged: it
    becomes a form XObject with its own resources, so nothing in either page is parsed or
    renamed, and the page's own drawing is wrapped in q/Q so it cannot shift the overlay."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
    )

    contents = other["/Contents"].get_object()
    if isinstance(contents, ArrayObject):
        form = DecodedStreamObject()
        form.set_data(b"\n".join(part.get_object().get_data() for part in contents))
    else:
        form = DecodedStreamObject()
        form.set_data(contents.get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in other.mediabox),
            NameObject("/Resources"): other["/Resources"].clone(writer),
        }
    )
    form_ref = writer._add_object(form.flate_encode())
    resources = DictionaryObject(page["/Resources"].get_object())
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    xobjects[NameObject(name)] = form_ref
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    own = page["/Contents"]
    drawn = list(own.get_object()) if isinstance(own.get_object(), ArrayObject) else [own]
    page[NameObject("/Contents")] = ArrayObject(
        [_stream(writer, b"q\n"), *drawn, _stream(writer, f"\nQ\nq {name} Do Q\n".encode())]
    )


def _stream(writer: Any, data: bytes) -> Any:
    """One small content stream per writer and text, shared by every page that needs it."""
    from pypdf.generic import DecodedStreamObject

    cache: dict[bytes, Any] = writer.__dict__.setdefault("_ally_streams", {})
    if data not in cache:
        stream = DecodedStreamObject()
        stream.set_data(data)
        cache[data] = writer._add_object(stream)
    return cache[data]


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
        "incidents": _keyed("incident", [_incident(case, item) for item in case.incidents]),
        "messages": _keyed("message", [_message(case, item) for item in case.messages]),
        "notes": _keyed("note", [_note(case, item) for item in case.notes + case.others]),
        "declaration": _declaration(case),
        "appendix": _appendix(case, summary),
    }


def _keyed(kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry's heading label, which the joined PDF's bookmarks point at."""
    for number, row in enumerate(rows, 1):
        row["key"] = f"ally-{kind}-{number}"
    return rows


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
