"""Snapshot at capture: saved web pages (HTML, SingleFile, MHTML, WARC) and screenshots kept
as evidence entries, their fingerprints, the report's exhibit, and damaged files refused with
nothing changed."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from ally.documents.casefile import build_casefile
from ally.documents.report_md import render_markdown
from ally.errors import AllyError, UsageError
from ally.evidence.errors import ImportFormatError, UnknownFormatError
from ally.evidence.snapshot import capture_snapshot, read_page, read_screenshot
from ally.evidence.snapshot.formats import javascript_date
from ally.evidence.snapshot.pagetext import decode_html, page_text
from ally.model.snapshot import SNAPSHOT_KIND, Snapshot
from ally.vault import Vault
from tests.inprocess import run_ally

from .conftest import FIXTURES

SNAP = FIXTURES / "snapshot"
URL = "https://forum.example.org/t/whos-the-new-hire/4417"
PASSPHRASE = "snapshot tests passphrase"
WEAK = 10
PAGES = ["forum-post.html", "forum-post-singlefile.html", "forum-post.mhtml", "forum-post.warc.gz"]
VISIBLE = "Her name is Dana Reyes. She parks the silver Corolla, plate KX21 ABC, behind the Northgate office"


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault.create(tmp_path / "vault", PASSPHRASE, work_factor=WEAK)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("name", "fmt", "when", "when_from"),
    [
        ("forum-post.html", "html", None, None),
        (
            "forum-post-singlefile.html",
            "singlefile",
            dt.datetime(2026, 12, 3, 21, 47, 5, tzinfo=dt.UTC),
            "SingleFile's “saved date” comment",
        ),
        (
            "forum-post.mhtml",
            "mhtml",
            dt.datetime(2026, 12, 3, 21, 47, 5, tzinfo=dt.UTC),
            "the MHTML Date header",
        ),
        (
            "forum-post.warc.gz",
            "warc",
            dt.datetime(2026, 12, 3, 21, 47, 5, tzinfo=dt.UTC),
            "the WARC-Date of the page's record",
        ),
    ],
)
def test_each_format_gives_address_time_text_and_hashes(
    name: str, fmt: str, when: dt.datetime | None, when_from: str | None
) -> None:
    capture = read_page(SNAP / name)
    assert capture.format == fmt
    assert capture.url == URL
    assert capture.captured_at == when and capture.captured_at_source == when_from
    assert capture.title == "Who's the new hire? – Example Forum"
    assert VISIBLE in capture.text
    # scripts, styles, noscript and the head are not page text
    for hidden in ("tracker", "do not show", "also hidden", "font-family", "JavaScript"):
        assert hidden not in capture.text
    assert capture.file_sha256 == sha256(SNAP / name)
    assert capture.text_sha256 == hashlib.sha256(capture.text.encode()).hexdigest()
    html_parts = [part for part in capture.parts if part.media_type == "text/html"]
    assert len(html_parts) == 1 and len(html_parts[0].sha256) == 64
    if fmt in ("mhtml", "warc"):  # the page's image is a part of its own, with its address
        images = [part for part in capture.parts if part.media_type == "image/png"]
        assert [part.url for part in images] == ["https://forum.example.org/uploads/car.png"]


def test_plain_html_says_its_time_is_not_recorded() -> None:
    capture = read_page(SNAP / "forum-post.html")
    assert capture.url_source == "the browser's “saved from url” comment"
    assert any("does not record when" in note for note in capture.notes)


def test_javascript_date_keeps_the_offset() -> None:
    moment = javascript_date("Thu Dec 03 2026 22:47:05 GMT+0100 (Central European Standard Time)")
    assert moment == dt.datetime(2026, 12, 3, 21, 47, 5, tzinfo=dt.UTC)
    assert moment is not None and moment.utcoffset() == dt.timedelta(hours=1)
    assert javascript_date("Sun Feb 30 2026") is None
    assert javascript_date("no date here") is None


def test_page_text_keeps_blocks_and_folds_spaces() -> None:
    page = page_text(
        "<html><head><title> A  title </title><style>p{}</style></head><body><p>one\n  two</p>"
        "<ul><li>three</li><li>four</li></ul><pre>a\n  b</pre><template>x</template>"
        "</body></html>"
    )
    assert page.title == "A title"
    assert page.text == "one two\n\nthree\nfour\n\na\nb"


def test_decode_html_follows_the_meta_charset_then_falls_back() -> None:
    latin = '<meta charset="iso-8859-1"><p>Café</p>'.encode("latin-1")
    assert decode_html(latin) == ('<meta charset="iso-8859-1"><p>Café</p>', "iso-8859-1")
    assert decode_html(b"\xff\xfe" + "<p>é</p>".encode("utf-16-le"))[1] == "utf-16-le"
    assert decode_html(b"<p>\x93quoted\x94</p>") == ("<p>“quoted”</p>", "cp1252")


def test_snapshot_is_stored_with_its_files_and_found_again(vault: Vault) -> None:
    page, shot = SNAP / "forum-post.mhtml", SNAP / "screenshot.png"
    result = capture_snapshot(vault, page, shot)
    assert result.added
    entry = vault.entry(result.entry_id)
    assert entry.kind == SNAPSHOT_KIND and entry.payload is not None
    snapshot = Snapshot.model_validate(entry.payload)
    assert snapshot.url == URL and snapshot.url_source.startswith("the MHTML Snapshot")
    assert VISIBLE in snapshot.page_text
    assert snapshot.page_file is not None and snapshot.page_file.sha256 == sha256(page)
    assert snapshot.screenshot is not None and snapshot.screenshot.sha256 == sha256(shot)
    assert (snapshot.screenshot.width, snapshot.screenshot.height) == (240, 160)
    assert entry.occurred_at() == dt.datetime(2026, 12, 3, 21, 47, 5, tzinfo=dt.UTC)
    stored = {a.filename: b"".join(vault.read_attachment(a.id)) for a in entry.attachments}
    assert stored == {"forum-post.mhtml": page.read_bytes(), "screenshot.png": shot.read_bytes()}
    media = {a.filename: a.media_type for a in entry.attachments}
    assert media == {"forum-post.mhtml": "multipart/related", "screenshot.png": "image/png"}
    again = capture_snapshot(vault, page, shot)
    assert not again.added and again.entry_id == result.entry_id
    assert len(vault.entries(SNAPSHOT_KIND)) == 1
    assert vault.verify().ok


def test_address_given_wins_and_a_different_one_in_the_file_is_noted(vault: Vault) -> None:
    other = "https://forum.example.org/t/4417?page=2"
    result = capture_snapshot(vault, SNAP / "forum-post.warc.gz", url=other)
    assert (
        result.snapshot.url == other and result.snapshot.url_source == "given when it was imported"
    )
    assert result.snapshot.file_url == URL
    assert any("different address" in note for note in result.notes)


def test_screenshot_alone_needs_an_address(vault: Vault) -> None:
    with pytest.raises(UsageError, match="does not say which address"):
        capture_snapshot(vault, None, SNAP / "screenshot.png")
    with pytest.raises(UsageError, match="whole address"):
        capture_snapshot(vault, None, SNAP / "screenshot.png", url="javascript:alert(1)")
    result = capture_snapshot(vault, None, SNAP / "screenshot.png", url="https://x.example/p/1")
    assert result.snapshot.page_file is None and result.snapshot.page_text == ""
    assert len(vault.entry(result.entry_id).attachments) == 1


def _cut(tmp_path: Path, name: str, keep: int) -> Path:
    data = (SNAP / name).read_bytes()
    target = tmp_path / name
    target.write_bytes(data[:keep])
    return target


@pytest.mark.parametrize(
    ("name", "keep", "error", "words"),
    [
        ("forum-post.mhtml", 1000, ImportFormatError, "cut short"),
        ("forum-post.mhtml", 40, ImportFormatError, "no parts"),
        ("forum-post.warc.gz", 700, ImportFormatError, "damaged or cut short"),
        ("forum-post.warc.gz", -6, ImportFormatError, "damaged or cut short"),
        ("screenshot.png", 1000, ImportFormatError, "damaged or cut short"),
        ("screenshot.png", 6, UnknownFormatError, "not an image"),
    ],
)
def test_damaged_files_are_refused_and_nothing_changes(
    vault: Vault, tmp_path: Path, name: str, keep: int, error: type[AllyError], words: str
) -> None:
    head = vault.head_code()
    damaged = _cut(tmp_path, name, keep)
    page, shot = (None, damaged) if name.endswith(".png") else (damaged, SNAP / "screenshot.png")
    with pytest.raises(error, match=words) as raised:
        capture_snapshot(vault, page, shot, url=URL)
    assert name in str(raised.value) and "Dana" not in str(raised.value)
    assert vault.head_code() == head and vault.entries() == []


def test_uncompressed_warc_cut_inside_a_record_is_refused(tmp_path: Path) -> None:
    raw = gzip.decompress((SNAP / "forum-post.warc.gz").read_bytes())
    for keep in (300, 900, len(raw) - 300, len(raw) - 2):
        (tmp_path / "page.warc").write_bytes(raw[:keep])
        with pytest.raises(ImportFormatError, match="cut short"):
            read_page(tmp_path / "page.warc")
    (tmp_path / "page.warc").write_bytes(raw)
    assert read_page(tmp_path / "page.warc").url == URL


def test_a_changed_warc_record_fails_its_digest(tmp_path: Path) -> None:
    raw = gzip.decompress((SNAP / "forum-post.warc.gz").read_bytes())
    changed = raw.replace(b"Dana Reyes", b"Dina Reyes", 1)
    (tmp_path / "page.warc").write_bytes(changed)
    with pytest.raises(ImportFormatError, match="damaged"):
        read_page(tmp_path / "page.warc")


def test_files_that_are_not_pages_get_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("just some text\n")
    with pytest.raises(UnknownFormatError, match="not a saved web page Ally can read"):
        read_page(tmp_path / "notes.txt")
    (tmp_path / "shot.bmp").write_bytes(b"BM" + b"\x00" * 60)
    with pytest.raises(UnknownFormatError):
        read_screenshot(tmp_path / "shot.bmp")


def test_report_shows_the_snapshot_as_an_exhibit(vault: Vault) -> None:
    capture_snapshot(vault, SNAP / "forum-post-singlefile.html", SNAP / "screenshot.png")
    vault.add_note("Told HR about the forum post.")
    case = build_casefile(vault, zone=dt.UTC, now=dt.datetime(2026, 12, 6, tzinfo=dt.UTC))
    [item] = [item for item in case.items if item.snapshot is not None]
    assert item.label == "Web page 1" and item.when.startswith("2026-12-03 21:47")
    labels = [exhibit.label for exhibit in item.exhibits]
    assert labels == ["E-1", "E-2"]
    hashes = {exhibit.filename: exhibit.sha256 for exhibit in item.exhibits}
    assert hashes["screenshot.png"] == sha256(SNAP / "screenshot.png")
    assert hashes["forum-post-singlefile.html"] == sha256(SNAP / "forum-post-singlefile.html")
    assert [exhibit.is_image for exhibit in item.exhibits] == [False, True]
    text = render_markdown(case)
    assert f"**Address:** {URL}" in text
    assert "**Captured:** 2026-12-03 21:47" in text and "SingleFile's “saved date” comment" in text
    assert sha256(SNAP / "forum-post-singlefile.html") in text
    assert "> Her name is Dana Reyes." in text and "tracker" not in text
    assert "Told HR" not in text  # notes stay out unless asked for


def test_report_pdf_and_docx_carry_the_snapshot(vault: Vault, tmp_path: Path) -> None:
    from docx import Document

    from ally.documents.report_docx import render_docx
    from ally.documents.report_html import render_html

    capture_snapshot(vault, SNAP / "forum-post.warc.gz", SNAP / "screenshot.png")
    case = build_casefile(vault, zone=dt.UTC, now=dt.datetime(2026, 12, 6, tzinfo=dt.UTC))
    html = render_html(case)
    assert f"<dt>Address</dt><dd>{URL}</dd>" in html and "WARC-Date" in html
    (tmp_path / "r.docx").write_bytes(render_docx(case))
    words = "\n".join(p.text for p in Document(str(tmp_path / "r.docx")).paragraphs)
    assert "Address: " + URL in words and "Her name is Dana Reyes" in words


def test_cli_snapshot(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    Vault.create(location, PASSPHRASE, work_factor=WEAK).close()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update({"ALLY_PASSPHRASE": PASSPHRASE, "ALLY_VAULT": str(location), "COLUMNS": "200"})

    def ally(*args: str) -> subprocess.CompletedProcess[str]:
        return run_ally("evidence", "snapshot", *args, env=environ)  # in this process

    done = ally(str(SNAP / "forum-post.mhtml"), "--screenshot", str(SNAP / "screenshot.png"))
    assert done.returncode == 0, done.stderr
    assert f"Saved the web page {URL}" in done.stdout
    assert "Captured 2026-12-03T21:47:05+00:00 (from the MHTML Date header)" in done.stdout
    assert sha256(SNAP / "screenshot.png") in done.stdout and "Dana" not in done.stdout
    again = ally(str(SNAP / "forum-post.mhtml"), "--screenshot", str(SNAP / "screenshot.png"))
    assert "already in your journal" in again.stdout
    alone = ally(str(SNAP / "screenshot.png"))
    assert alone.returncode == 2 and "does not say which address" in alone.stderr
    shot = ally(str(SNAP / "screenshot.png"), "--url", "https://x.example/p/1")
    assert shot.returncode == 0 and "Saved the web page https://x.example/p/1" in shot.stdout
    (tmp_path / "bad.mhtml").write_bytes((SNAP / "forum-post.mhtml").read_bytes()[:900])
    bad = ally(str(tmp_path / "bad.mhtml"))
    assert bad.returncode == 1 and "bad.mhtml: this MHTML file is cut short" in bad.stderr
    with Vault.open(location, PASSPHRASE) as opened:
        assert len(opened.entries(SNAPSHOT_KIND)) == 2


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_cut_short_screenshot_is_refused_even_after_weasyprint_loosened_pillow(
    vault: Vault, tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported.

    In a process that has made a letter PDF first, a cut-short screenshot must still be
    refused as damaged, not filled with grey and kept as evidence.
    """
    from PIL import Image, ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    whole = tmp_path / f"whole.{kind.lower()}"
    with Image.open(SNAP / "screenshot.png") as image:
        image.convert("RGB").save(whole, kind)
    data = whole.read_bytes()
    damaged = tmp_path / f"screenshot.{kind.lower()}"
    damaged.write_bytes(data[: len(data) * 2 // 3])
    head = vault.head_code()
    with pytest.raises(ImportFormatError, match="damaged or cut short"):
        capture_snapshot(vault, None, damaged, url=URL)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back as it was found
    assert vault.head_code() == head and vault.entries() == []


def test_a_capture_time_given_for_a_plain_page_is_kept_with_who_said_so(vault: Vault) -> None:
    """A plain .html file records no time; the person's own, with its zone, is kept and
    labelled as theirs."""
    plain = capture_snapshot(vault, SNAP / "forum-post.html", url=URL)
    assert plain.snapshot.captured_at is None
    when = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    given = capture_snapshot(
        vault, SNAP / "forum-post.html", SNAP / "screenshot.png", URL, captured=when
    )
    assert given.snapshot.captured_at == when
    assert given.snapshot.captured_at_source == "given when it was imported"
    with pytest.raises(UsageError, match="time zone"):
        capture_snapshot(
            vault, None, SNAP / "screenshot.png", URL, captured=when.replace(tzinfo=None)
        )


def test_a_given_time_beside_the_files_own_keeps_both() -> None:
    from ally.evidence.snapshot import build_snapshot

    capture = read_page(SNAP / "forum-post.mhtml")
    assert capture.captured_at is not None
    when = capture.captured_at + dt.timedelta(days=1)
    snapshot = build_snapshot(capture, None, None, when)
    assert snapshot.captured_at == when
    assert any(
        "records another capture time: 2026-12-03T21:47:05+00:00 (the MHTML Date header)" in note
        for note in snapshot.notes
    ), snapshot.notes


def test_cli_captured_is_read_in_the_journals_zone(tmp_path: Path) -> None:
    from ally.model.journal import SETTINGS_KIND

    location = tmp_path / "vault"
    with Vault.create(location, PASSPHRASE, work_factor=WEAK) as made:
        made.add_entry(SETTINGS_KIND, {"timezone": "America/Los_Angeles"})
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update({"ALLY_PASSPHRASE": PASSPHRASE, "ALLY_VAULT": str(location), "COLUMNS": "200"})
    plain = run_ally(
        "evidence", "snapshot", str(SNAP / "forum-post.html"), "--url", URL, env=environ
    )
    assert plain.returncode == 0, plain.stderr
    assert (
        "does not say when the page was captured" in plain.stdout and "--captured" in plain.stdout
    )
    done = run_ally(
        "evidence", "snapshot", str(SNAP / "screenshot.png"), "--url", URL,
        "--captured", "2026-03-02T14:30", env=environ,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Captured 2026-03-02T14:30:00-08:00 (given when it was imported)" in done.stdout
    wrong = run_ally(
        "evidence", "snapshot", str(SNAP / "screenshot.png"), "--url", "https://x.example/1",
        "--captured", "last tuesday", env=environ,
    )  # fmt: skip
    assert wrong.returncode == 2 and "write it like 2026-03-02T14:30" in wrong.stderr
