"""A long PDF report is typeset in parts and joined (issue 17 item 11: memory); on paper it
must be the very report one part would give.

The parts' size is lowered here so a journal of forty incidents makes several parts. Read
with poppler (pdftotext, pdfimages) as a recipient's viewer would, and with pypdf for the
bookmarks: the same words on the same pages, "Page N of M" on every page, every bookmark on
the page that shows its heading, every picture present above its original's fingerprint.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from ally.documents import report_typst
from ally.documents.casefile import CaseFile, build_casefile
from ally.documents.evidence import MemoryEvidence
from ally.documents.report_pdf import render_pdf
from tests.documents.test_report import pdftotext, tool

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
TEXT = "he waited by the car again and said I would regret telling anyone at work"
WORDS = TEXT.split()
SMALL_PARTS = 6_000
"""Characters per part: forty incidents and eight pictures then make several parts."""


def picture(number: int) -> tuple[str, str, bytes]:
    """A photo or a tall screenshot, each with its own number drawn on it."""
    tall = number % 2 == 1
    image = Image.new("RGB", (600, 1300) if tall else (1600, 1200), "white" if tall else "teal")
    ImageDraw.Draw(image).text((40, 40), f"exhibit {number}", fill="black")
    out = io.BytesIO()
    image.save(out, "PNG" if tall else "JPEG")
    return (
        (f"shot_{number}.png", "image/png", out.getvalue())
        if tall
        else (
            f"photo_{number}.jpg",
            "image/jpeg",
            out.getvalue(),
        )
    )


@pytest.fixture(scope="module")
def case() -> CaseFile:
    rng = random.Random(17)
    journal = MemoryEvidence("9-K7Q3-9XRT-M2PA-HW4D")
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    for number in range(40):
        # Entries of very different lengths, so parts end anywhere on a page.
        what = "\n\n".join(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60))).capitalize() + "."
            for _ in range(rng.randint(1, 5))
        )
        payload = {
            "when": {"start": (start + dt.timedelta(hours=7 * number)).isoformat()},
            "what": what,
            "where": rng.choice(["Office", "Car park", "Team chat"]),
            "who": ["Sam Boss"],
        }
        files = [picture(number)] if number % 5 == 2 else []
        journal.add("incident", payload, files)
    return build_casefile(journal, zone=dt.UTC, now=NOW, person="Alex Doe")


def pages_of(pdf: bytes, tmp_path: Path) -> list[str]:
    target = tmp_path / "report.pdf"
    target.write_bytes(pdf)
    return pdftotext(target, "-layout").split("\f")[:-1]


@pytest.fixture(scope="module")
def one_part(case: CaseFile) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_typst, "PART_BUDGET", 10_000_000)
        return render_pdf(case)


@pytest.fixture(scope="module")
def in_parts(case: CaseFile) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_typst, "PART_BUDGET", SMALL_PARTS)
        return render_pdf(case)


def test_the_journal_is_cut_into_parts_only_when_long(case: CaseFile) -> None:
    data = report_typst.report_data(case)
    assert len(report_typst.plan_parts(data)) == 1, "a short report stays one part"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_typst, "PART_BUDGET", SMALL_PARTS)
        parts = report_typst.plan_parts(data)
    assert len(parts) >= 4
    assert parts[0]["cover"] is not None and all(p["cover"] is None for p in parts[1:])
    assert parts[-1]["tail"] and not any(p["tail"] for p in parts[:-1])
    incidents = [row["key"] for part in parts for row in part["incidents"]]
    assert incidents == [f"ally-incident-{n}" for n in range(1, 41)], "each once, in order"
    assert [p["head"]["incidents"] for p in parts].count(True) == 1


def test_parts_print_the_same_pages_as_one_part(
    one_part: bytes, in_parts: bytes, tmp_path: Path
) -> None:
    whole, joined = pages_of(one_part, tmp_path), pages_of(in_parts, tmp_path)
    assert len(whole) >= 5
    assert len(joined) == len(whole)
    for number, (expected, found) in enumerate(zip(whole, joined, strict=True), 1):
        assert found == expected, f"page {number} differs"
    # Parts continued on the page where the previous one ended, not on a new page.
    reader = PdfReader(io.BytesIO(in_parts))
    continued = [
        page
        for page in reader.pages
        if any(name.startswith("/AllyPart") for name in page["/Resources"].get("/XObject", {}))
    ]
    assert len(continued) >= 3


def test_every_page_is_numbered_out_of_the_total(in_parts: bytes, tmp_path: Path) -> None:
    pages = pages_of(in_parts, tmp_path)
    for number, text in enumerate(pages, 1):
        footer = text.strip().splitlines()[-1]
        assert footer.endswith(f"Page {number} of {len(pages)}"), (number, footer)
        assert ("Evidence report" in footer) is (number > 1), "the title from page 2 on"


def test_bookmarks_lead_to_the_page_of_their_heading(
    case: CaseFile, in_parts: bytes, tmp_path: Path
) -> None:
    pages = pages_of(in_parts, tmp_path)
    reader = PdfReader(io.BytesIO(in_parts))
    outline = reader.outline
    sections = [item for item in outline if not isinstance(item, list)]
    assert [item.title for item in sections] == [
        "Summary",
        "Exhibit index",
        "Timeline",
        "Incidents",
        "Integrity appendix",
    ]
    entries = outline[outline.index(sections[3]) + 1]
    assert isinstance(entries, list)
    assert [item.title for item in entries] == [f"{i.label} · {i.when}" for i in case.incidents]
    for item in [*sections, *entries]:
        page = reader.get_destination_page_number(item)
        assert page is not None and item.title in pages[page], item.title


def test_every_picture_is_in_the_joined_report(
    case: CaseFile, in_parts: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(in_parts)
    listed = subprocess.run(
        [tool("pdfimages"), "-list", str(target)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    shown = [exhibit for exhibit in case.exhibits if exhibit.display is not None]
    assert len(shown) == 8
    assert len(listed) == len(shown)
    text = "\n".join(pages_of(in_parts, tmp_path))
    for exhibit in shown:
        assert f"{exhibit.label} · {exhibit.filename}" in text
        assert exhibit.sha256 in text


@pytest.mark.parametrize("made", ["one_part", "in_parts"])
def test_the_exhibit_index_gives_the_page_where_each_exhibit_is_printed(
    made: str, case: CaseFile, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The "Page" column is read as a recipient reads it (pdftotext): each number is the
    page where that exhibit's picture and caption are, in one part and across parts."""
    pages = pages_of(request.getfixturevalue(made), tmp_path)
    index = next(text for text in pages if "Exhibit index" in text)
    assert re.search(r"Exhibit\s+File\s+With\s+Recorded\s+Page", index)
    listed = dict(re.findall(r"^(E-\d+) .*\(UTC\+00:00\)\s+(\d+)$", index, re.MULTILINE))
    assert sorted(listed) == sorted(e.label for e in case.exhibits)
    for exhibit in case.exhibits:
        caption = f"{exhibit.label} · {exhibit.filename}"
        printed = next(number for number, text in enumerate(pages, 1) if caption in text)
        assert printed > 1 and listed[exhibit.label] == str(printed), exhibit.label
