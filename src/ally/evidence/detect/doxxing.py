"""Rules for personal details posted or sent as a threat: phone numbers, emails, addresses.

These are deliberately plain patterns (no model): a person can see exactly what was found.
A phone number or email alone is common and harmless, so it scores below the flag line;
a street address, several kinds of details together, or details next to a threat ("I know
where you live") go over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ally.evidence.detect.lexicon import DOXXING_THREAT

PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]?\d{3,4}(?![\w])"
    r"|(?<![\w+])\+?\d{10,13}(?!\w)"
)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
STREET = re.compile(
    r"\b\d{1,5}[a-z]?,? (?:[a-zà-ÿ'.-]+ ){1,4}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|"
    r"boulevard|blvd|court|ct|close|place|pl|way|terrace|crescent|square|sq)\b\.?"
    r"|\b(?:[a-zäöüß-]+(?:straße|strasse|weg|gasse|platz|allee)) \d{1,4}[a-z]?\b"
    r"|\b(?:calle|avenida|rua|rue|via|carrer) [\w' -]{2,40}?,? (?:n[º°o.]\s?)?\d{1,5}\b",
    re.IGNORECASE,
)
POSTCODE = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"  # UK
    r"|\b(?:[A-Z]{2}) \d{5}(?:-\d{4})?\b",  # US state + ZIP
)


@dataclass(frozen=True)
class DoxxingFinding:
    score: float
    reasons: tuple[str, ...]


def find(text: str, normalised: str) -> DoxxingFinding:
    """What personal details the message contains, and how strongly it looks like doxxing."""
    kinds: list[str] = []
    if STREET.search(text) or POSTCODE.search(text):
        kinds.append("what looks like a home or street address")
    if PHONE.search(text):
        kinds.append("a phone number")
    if EMAIL.search(text):
        kinds.append("an email address")
    threat = DOXXING_THREAT.search(normalised) is not None
    if not kinds and not threat:
        return DoxxingFinding(0.0, ())
    reasons = tuple(f"contains {kind}" for kind in kinds)
    if threat:
        reasons += ("says they know or will share where you live or your details",)
    score = 0.35 if kinds else 0.0
    if kinds and kinds[0].startswith("what looks like"):
        score = 0.55
    if len(kinds) >= 2:
        score = max(score, 0.65)
    if threat:
        score = 0.9 if kinds else 0.7
    return DoxxingFinding(score, reasons)
