"""The readable text of a saved HTML page: what a person saw, without scripts or styles.

A saved page is hostile input like any export: it may be huge, broken or built to mislead a
parser. The standard library's tolerant ``html.parser`` reads it (no network, no scripts run),
text inside ``script``, ``style``, ``noscript``, ``template``, ``svg`` and ``head`` (except the
title) is dropped, block elements become line breaks, and runs of blank space are folded, so
the text in the report reads like the page did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

DROPPED = frozenset({"script", "style", "noscript", "template", "svg", "math", "head", "iframe"})
"""Elements whose content is never page text (the title is read separately)."""
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul", "td", "th",
        "body", "html", "title", "summary", "details", "caption",
    }
)  # fmt: skip
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr", "param", "keygen"}
)  # fmt: skip
PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "dl", "table",
     "article", "section", "header", "footer", "nav", "figure", "hr", "main", "aside", "form"}
)  # fmt: skip
MAX_TEXT = 2_000_000
"""Characters of page text kept; the saved file itself is kept whole in the vault."""


@dataclass
class PageText:
    """What the page says, with the hints about where it came from that the HTML itself holds."""

    title: str = ""
    text: str = ""
    canonical_url: str | None = None
    hints: dict[str, str] = field(default_factory=dict)
    """``og:url``, ``saved-from`` (a browser's "saved from url" comment) and SingleFile's
    ``url`` and ``saved date``, as written in the page."""
    truncated: bool = False


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.size = 0
        self.title: list[str] = []
        self.hidden = 0
        self.in_title = False
        self.stack: list[str] = []
        self.result = PageText()
        self.comments = 0
        self.breaks = 0

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """Skip ``<![...]>`` whole: Python 3.11's parser asserts on ones it does not know."""
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in ("meta", "link"):
            self._hint(tag, dict(attrs))
        if tag in VOID:
            if tag in BLOCKS:
                self._break(tag)
            return
        if tag in DROPPED:
            self.hidden += 1
        self.stack.append(tag)
        if tag in BLOCKS:
            self._break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("meta", "link"):
            self._hint(tag, dict(attrs))
        if tag in BLOCKS:
            self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in VOID or tag not in self.stack:
            return  # a stray end tag changes nothing (browsers ignore it too)
        while self.stack:
            top = self.stack.pop()
            if top in DROPPED:
                self.hidden -= 1
            if top == tag:
                break
        if tag in BLOCKS:
            self._break(tag)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.hidden:
            # Line breaks in the source are spaces on screen, except in <pre>.
            self._add(data if "pre" in self.stack else _WHITE.sub(" ", data))

    def handle_comment(self, data: str) -> None:
        self.comments += 1
        if self.comments > 3:  # the saving tool's comment comes first
            return
        text = data.strip()
        saved = re.match(r"saved from url=\(\d+\)(\S+)", text)
        if saved:
            self.result.hints["saved-from"] = saved.group(1)
        if text.startswith(("Page saved with SingleFile", "Archive processed by SingleFile")):
            self.result.hints["singlefile"] = "yes"
            for line in text.splitlines()[1:]:
                key, colon, value = line.strip().partition(":")
                if colon and key.strip() in ("url", "saved date") and value.strip():
                    self.result.hints[key.strip()] = value.strip()

    def _hint(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "link" and (attrs.get("rel") or "").lower() == "canonical" and attrs.get("href"):
            self.result.canonical_url = attrs["href"]
        prop = (attrs.get("property") or attrs.get("name") or "").lower()
        if tag == "meta" and prop == "og:url" and attrs.get("content"):
            self.result.hints["og:url"] = str(attrs["content"])

    def _break(self, tag: str) -> None:
        """A line break at a block's edge; a blank line around paragraphs and headings."""
        wanted = 2 if tag in PARAGRAPHS else 1
        if self.breaks < wanted:
            self._add("\n" * (wanted - self.breaks))

    def _add(self, text: str) -> None:
        if self.size >= MAX_TEXT:
            self.result.truncated = True
            return
        if not text:
            return
        self.pieces.append(text)
        self.size += len(text)
        stripped = text.rstrip(" \t")
        if not stripped:
            return
        tail = len(stripped) - len(stripped.rstrip("\n"))
        self.breaks = self.breaks + tail if tail == len(stripped) else tail


_WHITE = re.compile(r"\s+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_LINES = re.compile(r"\n\s*\n+")


def page_text(html: str) -> PageText:
    """The title, the visible text and the source hints of an HTML document."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    result = reader.result
    result.title = " ".join("".join(reader.title).split())[:500]
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(reader.pieces).split("\n"))
    text = "\n".join(lines)
    result.text = _LINES.sub("\n\n", text).strip()[:MAX_TEXT]
    return result


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Bytes of an HTML document as text, and the encoding used.

    The order is the one browsers use: a byte-order mark, the charset the transport declared
    (MIME part or HTTP header), a ``<meta charset>`` in the first 4 KiB, then UTF-8; a page
    that is not valid in any of them is read as Windows-1252, which accepts every byte."""
    for bom, name in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace"), name
    candidates = [declared] if declared else []
    found = _META_CHARSET.search(data[:4096])
    if found:
        candidates.append(found.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            return data.decode(name), name.lower()
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace"), "cp1252"
