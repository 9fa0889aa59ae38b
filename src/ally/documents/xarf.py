"""A machine-readable abuse report in XARF v4 (the JSON eXtended Abuse Reporting Format).

Built to the core schema of XARF v4.0.0 (https://github.com/xarf/xarf-spec,
``schemas/v4/xarf-core.json``): version, a UUID, the time of the incident, reporter and sender
(organisation, contact email, domain), the source (domain or IP), category and type, plus the
recommended evidence items (base64 payload, ``sha256:`` hash, at most 5 MB each, at most 50).

The published master schema (``xarf-v4-master.json``) admits only the category/type pairs it
defines, and none of them is harassment: its content types are phishing, malware, CSAM/CSEM,
exposed data, brand infringement, fraud, remote compromise and suspicious registration. One
fits a common kind of online harassment: posting someone's personal details (doxxing) is
``content`` / ``exposed_data`` (data types ``personal_information``, exposed by a forum post).
So Ally writes an X-ARF file only when the entries reported are marked as exposing personal
details (tagged ``doxxing``, or flagged so by the detector); for any other harassment no
allowed type fits, and it says so (:class:`NoXarfTypeError`) instead of sending a file that a
validating abuse desk would reject. The plain report is what a person at the desk reads.

By default the report carries only a plain-text evidence item (links and times); images are
included only when the person asks, because hosts may forward reports to the site's operator,
and then as copies re-encoded from their pixels, so a photo's location never goes with it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import uuid
from typing import Any

from ally.documents.casefile import CaseFile, Exhibit
from ally.documents.evidence import EvidenceSource
from ally.documents.images import MAX_SOURCE_BYTES, display_copy, looks_like_image
from ally.errors import UsageError

XARF_VERSION = "4.0.0"
EXPOSING_TAGS = frozenset({"doxxing", "doxing", "personal-details", "exposed"})
FLAG_LINE = 0.5


class NoXarfTypeError(UsageError):
    """No X-ARF v4 category/type fits what is reported (harassment other than doxxing)."""


NO_TYPE = (
    "No X-ARF file was written: X-ARF v4 has no type for harassment, and its one type that "
    "can fit, content that exposes personal details (doxxing), is not what these entries are "
    "marked as. An abuse desk that checks X-ARF files would reject one with a made-up type. "
    "Send the plain report: a person at the abuse desk reads it. If the content posts your "
    "personal details, tag those entries 'doxxing' and ask again."
)


def exposes_personal_details(case: CaseFile) -> bool:
    """Whether the entries reported are marked as posting the person's details (doxxing)."""
    for item in case.items:
        payload = item.entry.payload or {}
        tags = {str(tag).lower() for tag in payload.get("tags") or []}
        scores = (payload.get("detection") or {}).get("scores") or {}
        try:
            flagged = float(scores.get("doxxing", 0.0)) >= FLAG_LINE
        except (TypeError, ValueError):
            flagged = False
        if tags & EXPOSING_TAGS or flagged:
            return True
    return False


MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_EVIDENCE_ITEMS = 50
MAX_DESCRIPTION = 1000
MAX_EVIDENCE_DESCRIPTION = 500
_EMAIL = re.compile(r"^[^@\s]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")


def _contact(email: str | None) -> dict[str, str]:
    """The reporter: only the contact address the person chose, never their name (abuse desks
    often forward reports to the site's operator)."""
    match = _EMAIL.match(email or "")
    if not match:
        raise UsageError(
            "An XARF report needs an email address the abuse desk can answer (your_email in "
            "the details file)."
        )
    return {
        "org": "Private individual",
        "contact": email or "",
        "domain": match.group(1).lower(),
    }


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _evidence(content_type: str, description: str, data: bytes) -> dict[str, Any]:
    return {
        "content_type": content_type,
        "description": description[:MAX_EVIDENCE_DESCRIPTION],
        "payload": base64.b64encode(data).decode("ascii"),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }


def describe(case: CaseFile, links: list[str]) -> str:
    """The report's short human-readable description (at most 1,000 characters)."""
    count = len(case.items)
    text = (
        f"Harassment by exposing personal information: the content at "
        f"{links[0] if links else 'the source'} posts personal details of the person "
        "reporting it, to target them"
    )
    if count:
        text += f". {count} item{'s' if count != 1 else ''} on this service recorded"
    span = case.span()
    if span:
        text += f", from {_utc(span[0])} to {_utc(span[1])}"
    return (text + ". Please remove the content and act on the account responsible.")[
        :MAX_DESCRIPTION
    ]


def timeline_text(case: CaseFile, links: list[str]) -> str:
    """The plain-text evidence item: each link, then each entry with its time in UTC."""
    lines = ["Links:"] + [f"  {link}" for link in links]
    lines.append("Incidents (times in UTC):")
    for item in case.items:
        lines.append(f"  {_utc(item.moment)}  {item.label}: {item.headline}")
    return "\n".join(lines) + "\n"


def build_xarf(
    case: CaseFile,
    *,
    source_identifier: str,
    links: list[str],
    reporter_email: str | None,
    description: str | None = None,
    source: EvidenceSource | None = None,
    include_images: bool = False,
    report_id: str | None = None,
) -> dict[str, Any]:
    """The report as a JSON-ready dict. ``source`` is needed only to include images.
    Raises :class:`NoXarfTypeError` when no X-ARF v4 type fits (see the module docstring)."""
    if not links:
        raise UsageError(
            "An XARF report needs the link (URL) of the content; add it under links in the "
            "details file."
        )
    contact = _contact(reporter_email)
    if not exposes_personal_details(case):
        raise NoXarfTypeError(NO_TYPE)
    span = case.span()
    first = span[0] if span else case.generated_at
    report: dict[str, Any] = {
        "xarf_version": XARF_VERSION,
        "report_id": report_id or str(uuid.uuid4()),
        "timestamp": _utc(first),
        "reporter": contact,
        "sender": dict(contact),
        "source_identifier": source_identifier,
        "category": "content",
        "type": "exposed_data",
        "data_types": ["personal_information"],
        "exposure_method": "forum_post",
        "accessibility": "public",
        "discovery_source": "user_report",
        "url": links[0],
        "evidence_source": "user_report",
        "verification_method": "user_report",
        "description": " ".join((description or describe(case, links)).split())[:MAX_DESCRIPTION],
        "tags": ["abuse:harassment"],
    }
    if "." in source_identifier and not source_identifier.replace(".", "").isdigit():
        report["domain"] = source_identifier
    items = [
        _evidence(
            "text/plain", "Links and times of the incidents", timeline_text(case, links).encode()
        )
    ]
    if include_images and source is not None:
        items += _image_items(case.exhibits, source, MAX_EVIDENCE_ITEMS - len(items))
    report["evidence"] = items
    return report


def _image_items(
    exhibits: list[Exhibit], source: EvidenceSource, room: int
) -> list[dict[str, Any]]:
    """Metadata-free copies of the image exhibits (a photo's EXIF may hold where it was
    taken), each described with its original's SHA-256 so it can be matched to the journal."""
    items: list[dict[str, Any]] = []
    for exhibit in exhibits:
        if len(items) >= room:
            break
        if not looks_like_image(exhibit.media_type, exhibit.filename):
            continue
        if exhibit.size > MAX_SOURCE_BYTES:
            continue
        copy = display_copy(b"".join(source.read_attachment(exhibit.attachment_id)))
        if copy is None or len(copy.data) > MAX_EVIDENCE_BYTES:
            continue
        description = (
            f"{exhibit.label}: {exhibit.filename}, a copy without metadata; the original's "
            f"SHA-256 is {exhibit.sha256}"
        )
        items.append(_evidence(copy.media_type, description, copy.data))
    return items


def dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
