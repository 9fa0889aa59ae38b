"""A web page kept as evidence: its address, when it was captured, its text and fingerprints.

An entry of kind ``snapshot`` holds this payload; the saved page file and the screenshot are
the entry's attachments (exhibits in a report). The SHA-256 values are taken when the files
are imported, so anyone holding the exported files can check that they are the ones that
were captured, and the report's own SHA-256 of each exhibit (taken from the vault) must match.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

SNAPSHOT_KIND = "snapshot"


class SnapshotFile(BaseModel):
    """One file of the snapshot as imported: the saved page or the screenshot."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str
    media_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None


class SnapshotPart(BaseModel):
    """One resource inside the saved page (the HTML, an image, a style sheet, ...)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    url: str | None = None
    media_type: str
    size: int
    sha256: str


class Snapshot(BaseModel):
    """A captured web page, as stored in a ``snapshot`` entry."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    url: str = Field(min_length=1)
    url_source: str
    captured_at: dt.datetime | None = None
    captured_at_source: str | None = None
    title: str = ""
    format: str | None = None
    format_label: str | None = None
    page_file: SnapshotFile | None = None
    screenshot: SnapshotFile | None = None
    page_text: str = ""
    page_text_sha256: str | None = None
    encoding: str | None = None
    parts: list[SnapshotPart] = Field(default_factory=list)
    file_url: str | None = None
    """The address the saved file records, when the person gave a different one."""
    notes: list[str] = Field(default_factory=list)

    def excerpt(
        self, limit: int = 3000, rest: str = "[the rest of the page text is in the journal]"
    ) -> str:
        """The start of the page text, for a report (the full text stays in the journal);
        ``rest`` says where the rest is, in the reader's language."""
        text = self.page_text.strip()
        if len(text) <= limit:
            return text
        return text[:limit].rsplit(" ", 1)[0] + " … " + rest
