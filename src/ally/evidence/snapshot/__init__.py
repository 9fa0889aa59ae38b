"""Snapshot at capture: a saved web page and its screenshot kept as one evidence entry.

``capture_snapshot`` reads everything first (the page file in any format Ally knows, the
screenshot, the address), so a damaged file is refused before the journal is touched; then
one transaction stores the entry (address, capture time, page text, SHA-256 of every part)
with the page file and the screenshot as its attachments. Importing the same files for the
same address again adds nothing. Nothing is fetched from the network: the address is
recorded, never visited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ally.errors import UsageError
from ally.evidence.snapshot.formats import FORMAT_LABELS, Capture, read_page
from ally.evidence.snapshot.screenshot import Screenshot, read_screenshot
from ally.model.snapshot import SNAPSHOT_KIND, Snapshot, SnapshotFile, SnapshotPart
from ally.vault import Vault

__all__ = [
    "SnapshotResult",
    "capture_snapshot",
    "check_url",
    "is_image_file",
    "read_page",
    "read_screenshot",
]

PAGE_MEDIA_TYPES = {
    "html": "text/html",
    "singlefile": "text/html",
    "mhtml": "multipart/related",
    "warc": "application/warc",
}
_WEB_ADDRESS = re.compile(r"https?://[^\x00-\x20\x7f/?#]+(?:[/?#][^\x00-\x20\x7f]*)?", re.I)
"""A whole http(s) address with a host and no spaces or control characters. (A regular
expression, not urllib: nothing in ``ally.evidence`` imports networking modules.)"""


@dataclass
class SnapshotResult:
    """What was stored (or found already stored), for the summary; never the page's text."""

    entry_id: str
    added: bool
    snapshot: Snapshot
    notes: list[str] = field(default_factory=list)


def is_image_file(path: Path) -> bool:
    """Whether a file starts like a PNG, JPEG, WebP or GIF image (a screenshot on its own)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(12)
    except OSError:
        return False
    return head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    )


def check_url(url: str) -> str:
    """The address as given, if it is a whole web address (http or https, with a host)."""
    text = url.strip()
    if not _WEB_ADDRESS.fullmatch(text):
        raise UsageError(
            "Give the page's whole address, starting with https:// or http:// "
            "(for example https://example.com/post/123)."
        )
    return text


def read_capture_time(text: str | None, zone: dt.tzinfo) -> dt.datetime | None:
    """When the person says they saved or saw the page, as typed (``2026-03-02T14:30``, or a
    browser's date-time field), read in ``zone`` (the journal's, as every typed time is)
    unless it names its own offset; ``None`` when nothing was typed."""
    if not text or not text.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise UsageError(
            "Could not read when the page was saved or seen: write it like 2026-03-02T14:30, "
            "or like 2026-03-02 14:30, or leave it out."
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def capture_snapshot(
    vault: Vault,
    page: Path | None,
    screenshot: Path | None = None,
    url: str | None = None,
    *,
    page_name: str | None = None,
    screenshot_name: str | None = None,
    captured: dt.datetime | None = None,
) -> SnapshotResult:
    """Read the page file and the screenshot, then store them as one ``snapshot`` entry.

    ``captured`` is when the person saved or saw the page, if they say: a plain HTML file
    records no time, and a screenshot never does."""
    if page is None and screenshot is None:
        raise UsageError("Give a saved web page, a screenshot, or both.")
    capture = read_page(page, page_name) if page is not None else None
    shot = read_screenshot(screenshot, screenshot_name) if screenshot is not None else None
    snapshot = build_snapshot(capture, shot, url, captured)
    key = _natural_key(snapshot)
    found = vault.find(SNAPSHOT_KIND, [key])
    if found:
        return SnapshotResult(
            found[key],
            False,
            snapshot,
            ["This snapshot is already in your journal; nothing was added."],
        )
    payload = snapshot.model_dump(mode="json", exclude_none=True)
    with vault.batch() as batch:
        entry_id = batch.add(SNAPSHOT_KIND, payload, lookup=key)
        if capture is not None and page is not None:
            with page.open("rb") as stream:
                batch.attach(entry_id, stream, capture.file_name, PAGE_MEDIA_TYPES[capture.format])
        if shot is not None and screenshot is not None:
            with screenshot.open("rb") as stream:
                batch.attach(entry_id, stream, shot.file_name, shot.media_type)
    return SnapshotResult(entry_id, True, snapshot, list(snapshot.notes))


def build_snapshot(
    capture: Capture | None,
    shot: Screenshot | None,
    url: str | None,
    captured: dt.datetime | None = None,
) -> Snapshot:
    """The entry's payload from what was read; the address and capture time given win over
    the file's (a note says when they differ)."""
    given = check_url(url) if url else None
    file_url = capture.url if capture is not None else None
    if given is None and file_url is None:
        raise UsageError(
            "This file does not say which address it was saved from. Give the page's address "
            "(--url https://… in a terminal, or the address field in the browser)."
        )
    notes = list(capture.notes) if capture is not None else []
    if given is not None:
        chosen, source = given, "given when it was imported"
    else:
        assert capture is not None and file_url is not None
        chosen, source = file_url, capture.url_source or "the saved file"
    differs = given is not None and file_url is not None and file_url != given
    if differs:
        notes.append("The saved file records a different address from the one given.")
    captured_at, captured_source = _capture_time(capture, captured, notes)
    return Snapshot(
        url=chosen,
        url_source=source,
        captured_at=captured_at,
        captured_at_source=captured_source,
        title=capture.title if capture else "",
        format=capture.format if capture else None,
        format_label=FORMAT_LABELS[capture.format] if capture else None,
        page_file=_page_file(capture),
        screenshot=_shot_file(shot),
        page_text=capture.text if capture else "",
        page_text_sha256=capture.text_sha256 if capture else None,
        encoding=capture.encoding if capture else None,
        parts=[
            SnapshotPart(url=p.url, media_type=p.media_type, size=p.size, sha256=p.sha256)
            for p in capture.parts
        ]
        if capture
        else [],
        file_url=file_url if differs else None,
        notes=notes,
    )


def _capture_time(
    capture: Capture | None, given: dt.datetime | None, notes: list[str]
) -> tuple[dt.datetime | None, str | None]:
    """When the page was captured, and who says so: the person's time if they gave one (the
    file's own, if it records a different one, is kept in a note), else the file's."""
    recorded = capture.captured_at if capture is not None else None
    if given is None:
        return recorded, capture.captured_at_source if capture is not None else None
    if given.tzinfo is None:
        raise UsageError("Give the capture time with its time zone.")
    if recorded is not None and abs((recorded - given).total_seconds()) >= 60:
        source = capture.captured_at_source if capture is not None else "the file"
        notes.append(
            f"The saved file records another capture time: {recorded.isoformat()} ({source})."
        )
    return given, "given when it was imported"


def _page_file(capture: Capture | None) -> SnapshotFile | None:
    if capture is None:
        return None
    return SnapshotFile(
        name=capture.file_name,
        media_type=PAGE_MEDIA_TYPES[capture.format],
        size=capture.file_size,
        sha256=capture.file_sha256,
    )


def _shot_file(shot: Screenshot | None) -> SnapshotFile | None:
    if shot is None:
        return None
    return SnapshotFile(
        name=shot.file_name,
        media_type=shot.media_type,
        size=shot.size,
        sha256=shot.sha256,
        width=shot.width,
        height=shot.height,
    )


def _natural_key(snapshot: Snapshot) -> str:
    """The same files for the same address are the same snapshot."""
    page = snapshot.page_file.sha256 if snapshot.page_file else "-"
    shot = snapshot.screenshot.sha256 if snapshot.screenshot else "-"
    return hashlib.sha256(f"{snapshot.url}\n{page}\n{shot}".encode()).hexdigest()
