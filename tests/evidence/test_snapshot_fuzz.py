"""Fuzzing the snapshot parsers: every saved-page format, the screenshot check, the page text
reader and the SingleFile date reader. Damaged, cut-short and random input gives an AllyError
(a clear message naming the file) or a reading; never any other exception."""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ally.errors import AllyError
from ally.evidence.snapshot import read_page, read_screenshot
from ally.evidence.snapshot.formats import javascript_date
from ally.evidence.snapshot.pagetext import decode_html, page_text

from .conftest import FIXTURES
from .test_fuzz import mutated

SNAP = FIXTURES / "snapshot"
FUZZ = settings(
    max_examples=int(os.environ.get("ALLY_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PAGES = {
    "forum-post.html": (SNAP / "forum-post.html").read_bytes(),
    "forum-post-singlefile.html": (SNAP / "forum-post-singlefile.html").read_bytes(),
    "forum-post.mhtml": (SNAP / "forum-post.mhtml").read_bytes(),
    "forum-post.warc.gz": (SNAP / "forum-post.warc.gz").read_bytes(),
    "forum-post.warc": gzip.decompress((SNAP / "forum-post.warc.gz").read_bytes()),
}


def _read(name: str, data: bytes, reader: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            result = reader(path)  # type: ignore[operator]
        except AllyError as error:
            assert name in str(error)
            return
        assert result.sha256 if hasattr(result, "sha256") else result.file_sha256


@pytest.mark.parametrize("name", sorted(PAGES))
@FUZZ
@given(data=st.data())
def test_mutated_pages(name: str, data: st.DataObject) -> None:
    _read(name, data.draw(mutated(PAGES[name])), read_page)


@FUZZ
@given(
    blob=st.binary(max_size=600),
    prefix=st.sampled_from(
        [
            b"",
            b"WARC/1.0\r\n",
            b"\x1f\x8b",
            b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n\r\n--x\r\n",
            b"<html>",
        ]
    ),
)
def test_random_bytes_as_a_page(blob: bytes, prefix: bytes) -> None:
    _read(
        "page.mhtml"
        if b"MIME" in prefix
        else "page.warc"
        if prefix[:1] in (b"W", b"\x1f")
        else "page.html",
        prefix + blob,
        read_page,
    )


@FUZZ
@given(data=st.data())
def test_mutated_screenshots(data: st.DataObject) -> None:
    _read("shot.png", data.draw(mutated((SNAP / "screenshot.png").read_bytes())), read_screenshot)


@FUZZ
@given(
    text=st.text(
        alphabet=st.sampled_from(list("<>/!-= \"'abcdeiloprstvxyzhtmn\n&;#")), max_size=300
    )
    | st.text(max_size=200)
)
def test_page_text_never_fails(text: str) -> None:
    page = page_text(text)
    assert "<script" not in page.title.lower() or "<" in text
    assert isinstance(page.text, str)


@FUZZ
@given(blob=st.binary(max_size=300))
def test_decode_html_always_decodes(blob: bytes) -> None:
    text, encoding = decode_html(blob)
    assert isinstance(text, str) and encoding


@FUZZ
@given(text=st.text(max_size=120))
def test_javascript_date_never_fails(text: str) -> None:
    moment = javascript_date(text)
    assert moment is None or 1 <= moment.year <= 9999
